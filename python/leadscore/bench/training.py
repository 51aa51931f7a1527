"""Model families side by side on one warehouse's training mart: tuning time, the final fit's time,
validation and test AUC, and the served model's shape. The numbers behind the default families."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from leadscore.bench.machine import machine_line
from leadscore.modeling import tuning
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.walk_forward import WalkForwardSettings, backtest, make_folds, procedure_predictor
from leadscore.progress import console
from leadscore.threads import thread_count


@dataclass
class FamilyResult:
    kind: str
    tune_seconds: float  # the walk-forward search
    backtest_seconds: float  # the served procedure run once per walk-forward period
    fit_seconds: float  # the served model's final fit on every labelled row
    params: dict[str, float | int]
    walk_forward_auc: float  # mean per-period AUC of the served procedure
    pooled_auc: float


def run_families(
    data: TrainingData, kinds: tuple[str, ...], settings: WalkForwardSettings
) -> list[FamilyResult]:
    timeline = Timeline(data, settings.periods)
    folds, _ = make_folds(timeline, settings.periods)
    fitter = tuning.FoldFitter(timeline, settings.window_months, settings.half_life_months)
    results = []
    for kind in kinds:
        console.print(f"[bold]{kind}[/]: tuning, backtesting and fitting")
        started = time.perf_counter()
        tuned = tuning.tune(kind, fitter, folds)
        tune_seconds = time.perf_counter() - started
        started = time.perf_counter()
        walk = backtest(
            kind, timeline, folds, procedure_predictor(kind, tuned.params, fitter, tuned.kept_fits)
        )
        tuned.release_fits()
        backtest_seconds = time.perf_counter() - started
        _, fit_seconds = tuning.timed_fit(kind, fitter, tuned.params, timeline.all_rows())
        results.append(
            FamilyResult(
                kind,
                tune_seconds,
                backtest_seconds,
                fit_seconds,
                tuned.params,
                walk.mean_auc,
                float(walk.pooled["roc_auc"]),
            )
        )
    return results


def render_training_section(
    results: list[FamilyResult],
    rows: dict[str, int],
    machine: dict[str, str],
    command: str,
    side_by_side: tuple[tuple[str, ...], float, float] | None = None,
) -> str:
    fastest = min((r.fit_seconds for r in results if r.kind != "logistic"), default=1.0)
    lines = [
        "## Model families: fit time and accuracy",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` (one run, {thread_count()} threads) on the",
        f"demo warehouse's training mart: {rows['labelled']:,} labelled rows, {rows['periods']} walk-forward",
        "periods. `tune` is the walk-forward search (each setting fitted once per period on the labels known",
        "before it; tree families: one fit per setting at the most trees, every prefix scored up to 100 trees",
        "past the period's best, where LightGBM stops fitting: modeling/period_curve.py); `backtest` runs",
        "the served procedure (fit, Platt on the newest block, refit; the refit is tuning's own fit of the",
        "chosen setting, cut to its tree count, so one fit per period) once per period; `fit` is the served",
        "model's final fit on every labelled row. `fit / fastest tree fit` compares the tree families.",
        machine_line(machine),
        "",
        "| family | tune s | backtest s | fit s | fit / fastest tree fit | chosen | walk-forward AUC (mean) | pooled AUC |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        chosen = ", ".join(f"{k}={v}" for k, v in r.params.items())
        ratio = "" if r.kind == "logistic" else f"{r.fit_seconds / fastest:.1f}"
        lines.append(
            f"| {r.kind} | {r.tune_seconds:.1f} | {r.backtest_seconds:.1f} | {r.fit_seconds:.1f} | {ratio} | {chosen} "
            f"| {r.walk_forward_auc:.4f} | {r.pooled_auc:.4f} |"
        )
    if side_by_side is not None:
        kinds, one_at_a_time, together = side_by_side
        lines += [
            "",
            f"The default families ({' + '.join(kinds)}) trained whole (tune, backtest, served and comparison",
            "fits, and the plain baseline's backtest) one task at a time with all threads, then side by side:",
            "the same tasks (each family's tuning and backtest fold by fold, its final fits, the plain",
            "baseline) taken by one process per core, one thread each (modeling/side_by_side.py; the same",
            "models and figures to the bit):",
            "",
            "| families | one at a time s | side by side s | ratio |",
            "| --- | ---: | ---: | ---: |",
            f"| {' + '.join(kinds)} | {one_at_a_time:.1f} | {together:.1f} | **{together / one_at_a_time:.2f}** |",
        ]
    return "\n".join(lines) + "\n"


def time_side_by_side(data: TrainingData, kinds: tuple[str, ...], settings: WalkForwardSettings):
    """(kinds, seconds one at a time, seconds side by side) for whole-family training."""
    import os

    from leadscore.modeling.side_by_side import SIDE_BY_SIDE_ENV, train_families
    from leadscore.modeling.train import FamilyJob, plain_baseline_walk
    from leadscore.modeling.walk_forward import PLAIN_BASELINE

    job = FamilyJob(data, settings, [], "bench")
    seconds = []
    saved = os.environ.get(SIDE_BY_SIDE_ENV)
    try:
        for mode in ("0", "1"):
            os.environ[SIDE_BY_SIDE_ENV] = mode
            started = time.perf_counter()
            train_families(job, kinds, extras={PLAIN_BASELINE: plain_baseline_walk})
            seconds.append(time.perf_counter() - started)
    finally:
        if saved is None:
            os.environ.pop(SIDE_BY_SIDE_ENV, None)
        else:
            os.environ[SIDE_BY_SIDE_ENV] = saved
    return kinds, seconds[0], seconds[1]
