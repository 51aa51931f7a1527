"""Generated statement sizes per dialect against each dialect's budget: the served demo models and
a 1000-tree LightGBM fitted on the same training mart (what a big production model looks like)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from leadscore.bench.machine import machine_line
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import calibrated, lightgbm_pipeline
from leadscore.threads import limited_threads
from leadscore.transpile import build_scoring_query
from leadscore.transpile.explain import build_contribution_query
from leadscore.transpile.query import DIALECTS
from leadscore.transpile.statements import fit_model_statements

KEYS = ["lead_id", "as_of_at"]


@dataclass
class SizedModel:
    label: str
    sizes: list[dict[str, object]]
    seconds: float  # transpiling and splitting every dialect


def big_lightgbm(data: TrainingData, trees: int = 1000, leaves: int = 31) -> object:
    """A calibrated LightGBM of `trees` trees on the training split (fit once, single thread set by threads.py)."""
    X, y = data.features("train"), data.labels("train").to_numpy()
    X_cal, y_cal = data.features("validation"), data.labels("validation").to_numpy()
    with limited_threads():
        pipeline = lightgbm_pipeline(
            data.spec, n_estimators=trees, num_leaves=leaves, learning_rate=0.05
        ).fit(X, y)
        return calibrated(pipeline, X_cal, y_cal)


def measure(label: str, estimator: object, data: TrainingData) -> SizedModel:
    spec = data.spec
    started = time.perf_counter()
    pipeline = estimator.calibrated_classifiers_[0].estimator.estimator
    means = np.nanmean(
        np.asarray(pipeline.named_steps["prepare"].transform(data.features("train")), dtype=float), axis=0
    )
    query = build_scoring_query(estimator, KEYS)
    contributions = build_contribution_query(estimator, KEYS, spec.features, means)
    fitted = fit_model_statements(estimator, KEYS, spec.features, means, query, contributions, DIALECTS)
    sizes = [statement.size.to_dict() for by_dialect in fitted.values() for statement in by_dialect.values()]
    return SizedModel(label, sizes, time.perf_counter() - started)


def render_sizes_section(models: list[SizedModel], machine: dict[str, str], command: str) -> str:
    lines = [
        "## Generated statement sizes per dialect",
        "",
        f"`{command}`. {machine_line(machine)}",
        "Budget = 45% of the documented limit (a model's statement",
        "holds champion and challenger); over it, the trees are split into exact batches, each built as a",
        "table by `macros/scoring/split_statement.sql`, and a final statement adds them (score bit for bit",
        "equal to the unsplit one: tests/python/transpile/test_statement_budgets.py). Depth is the deepest",
        "expression nesting (DuckDB refuses 1000). Spark has no text limit; its scoring models run with",
        "whole-stage code generation off (the fused method of a tree ensemble passes the JVM's 64 KB).",
        "",
    ]
    for model in models:
        lines += [
            f"### {model.label}",
            "",
            f"Transpiled, measured and split for 7 dialects in {model.seconds:.1f} s.",
            "",
            "| dialect | statement | size | budget | depth | largest term | form |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for size in model.sizes:
            budget = f"{size['budget']:,}" if size["budget"] is not None else "none"
            form = (
                "one statement"
                if size["parts"] == 1
                else f"split: {size['parts']} batches (largest {size['largest_part']:,}) + final"
            )
            lines.append(
                f"| {size['dialect']} | {size['kind']} | {size['size']:,} {size['unit']} | {budget} | "
                f"{size['depth']} | {size['largest_expression']:,} | {form} |"
            )
        lines.append("")
    return "\n".join(lines)
