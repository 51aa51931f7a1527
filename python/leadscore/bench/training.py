"""Model families side by side on one warehouse's training mart: tuning time, the final fit's time,
validation and test AUC, and the served model's shape. The numbers behind the default families."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sklearn.metrics import roc_auc_score

from leadscore.bench.machine import machine_line
from leadscore.modeling import tuning
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import calibrated
from leadscore.progress import console
from leadscore.threads import limited_threads, thread_count


@dataclass
class FamilyResult:
    kind: str
    tune_seconds: float
    fit_seconds: float
    params: dict[str, float | int]
    validation_auc: float
    test_auc: float


def run_families(data: TrainingData, kinds: tuple[str, ...]) -> list[FamilyResult]:
    results = []
    X_val, y_val = data.features("validation"), data.labels("validation")
    for kind in kinds:
        console.print(f"[bold]{kind}[/]: tuning and fitting")
        started = time.perf_counter()
        tuned = tuning.tune(kind, data)
        tune_seconds = time.perf_counter() - started
        pipeline, fit_seconds = tuning.timed_fit(kind, data, tuned.params)
        with limited_threads():
            probability = calibrated(pipeline, X_val, y_val).predict_proba(data.features("test"))[:, 1]
        results.append(
            FamilyResult(
                kind,
                tune_seconds,
                fit_seconds,
                tuned.params,
                tuned.validation_auc,
                float(roc_auc_score(data.labels("test"), probability)),
            )
        )
    return results


def render_training_section(
    results: list[FamilyResult], rows: dict[str, int], machine: dict[str, str], command: str
) -> str:
    fastest = min((r.fit_seconds for r in results if r.kind != "logistic"), default=1.0)
    lines = [
        "## Model families: fit time and accuracy",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` (one run, {thread_count()} threads) on the",
        f"demo warehouse's training mart: {rows['train']:,} train, {rows['validation']:,} validation and",
        f"{rows['test']:,} test rows. `tune` is the whole validation search (tree families: one fit per setting",
        "at the most trees, every prefix scored); `fit` is the final fit with the chosen settings; test AUC",
        "is after Platt calibration on validation. `fit / fastest tree fit` compares the tree families.",
        machine_line(machine),
        "",
        "| family | tune s | fit s | fit / fastest tree fit | chosen | validation AUC | test AUC |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        chosen = ", ".join(f"{k}={v}" for k, v in r.params.items())
        ratio = "" if r.kind == "logistic" else f"{r.fit_seconds / fastest:.1f}"
        lines.append(
            f"| {r.kind} | {r.tune_seconds:.1f} | {r.fit_seconds:.1f} | {ratio} | {chosen} "
            f"| {r.validation_auc:.4f} | {r.test_auc:.4f} |"
        )
    return "\n".join(lines) + "\n"
