"""The pipeline's steps as plain functions: the CLI's commands, `demo` and `run` call these."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from rich.table import Table

from leadscore.progress import console


@dataclass
class Instance:
    """Which data the commands work on: the demo, or a leadscore.yml of yours."""

    config: object | None = None  # LeadTableConfig

    def activate(self, path: str | None) -> None:
        if not path:
            return
        from leadscore.byo.config import load_config
        from leadscore.paths import project_dir

        self.config = load_config(Path(path))
        os.environ.update(self.config.environment(project_dir()))


INSTANCE = Instance()


@dataclass(frozen=True)
class TrainingOptions:
    """`leadscore train` options; unset ones come from leadscore.yml's `training:`, then the defaults."""

    backtest_periods: int | None = None
    window_months: int | None = None
    half_life_months: float | None = None
    feedback: str = "exclude"  # leads sales flagged mislabeled: exclude, relabel or ignore
    reasons: str | None = None  # tree reasons: "saabas" or "shapley" (None: leadscore.yml, then the default)
    default_reasons: str | None = None  # retrain: the served models' method (served_reasons)

    def reasons_method(self, configured: dict | None = None) -> str | None:
        """None: the warehouse's default (modeling/job.py, default_tree_reasons)."""
        return self.reasons or (configured or {}).get("reasons") or self.default_reasons

    def settings(self, configured: dict | None = None):
        from leadscore.modeling.walk_forward import DEFAULT_PERIODS, WalkForwardSettings

        configured = configured or {}
        return WalkForwardSettings(
            periods=self.backtest_periods or configured.get("backtest_periods") or DEFAULT_PERIODS,
            window_months=self.window_months or configured.get("window_months"),
            half_life_months=self.half_life_months or configured.get("half_life_months"),
        )


def generate_demo(leads: int, seed: int, end_date: date, target: str | None, shape: str = "native") -> None:
    from leadscore.demo_data.generator import GeneratorConfig
    from leadscore.demo_data.load import load_demo_data
    from leadscore.demo_data.shapes import SHAPE_SCHEMAS, SHAPE_VARS
    from leadscore.paths import demo_manifest_path
    from leadscore.warehouse import connect

    config = GeneratorConfig(leads=leads, seed=seed, end_date=end_date)
    warehouse = connect(target)
    try:
        log = load_demo_data(warehouse, config, demo_manifest_path(), shape=shape)
    finally:
        warehouse.close()
    console.print(
        f"{log['leads.rows']:,} lead rows, {log['activities.rows']:,} activities, "
        f"{log['accounts.rows']:,} accounts, {log['opportunities.rows']:,} opportunities, "
        f"written as {shape} tables in schema {SHAPE_SCHEMAS[shape]}"
    )
    if shape != "native":
        console.print(f"Build it with: dbt build --vars '{json.dumps(SHAPE_VARS[shape])}'")


def load_lead_table(target: str | None) -> None:
    from leadscore.byo.checks import check_lead_table
    from leadscore.byo.load import load_csv
    from leadscore.warehouse import connect

    config = _config()
    warehouse = connect(target)
    try:
        rows, encoding, delimiter = load_csv(warehouse, config)
        counts = check_lead_table(warehouse, config)
    finally:
        warehouse.close()
    console.print(
        f"{config.source_schema}.{config.source_table}: {rows:,} rows loaded from {config.csv.name} "
        f"({encoding}, delimiter {delimiter!r}); {counts['positives']:,} positive, {counts['negatives']:,} negative"
    )


def check_input(target: str | None) -> None:
    """Before dbt runs: on CRM tables, each exists and has rows; on your lead table, configured columns
    exist, the label is binary, no category explodes."""
    from leadscore.byo.checks import check_lead_table
    from leadscore.crm_preflight import check_crm_tables
    from leadscore.warehouse import connect

    warehouse = connect(target, read_only=True)
    try:
        if INSTANCE.config is None:
            check_crm_tables(warehouse)
        else:
            check_lead_table(warehouse, _config())
    finally:
        warehouse.close()


# How a user rebuilds the score views after the registry changed, in this repository and in a host.
SCORES_BUILD = "leadscore build --selector scores"

# What reads the generated scoring SQL (selectors.yml's `scores`, which a host project does not
# have): these models and everything downstream of the first five.
SCORE_MODELS = (
    "int_lead_model_scores+",
    "int_lead_score_contributions+",
    "lead_training_scores+",
    "monitoring_baselines+",
    "monitoring_scored_snapshots+",
    "model_registry",
    "model_decision_log",
)


def selection_arguments(select: str | None, selector: str | None) -> list[str]:
    """dbt's selection arguments. In this repository's project, selectors.yml's selectors; in a host
    project, the same sets spelled with --select and limited to leadscore's package, so
    `leadscore build` never builds (or fails on) the host's own models."""
    from leadscore.dbt_invocation import DbtError
    from leadscore.paths import PACKAGE_NAME, is_integration_project

    if is_integration_project():
        return (["--select", select] if select else []) + (["--selector", selector] if selector else [])
    package = f"package:{PACKAGE_NAME}"
    scores = [f"{package},{model}" for model in SCORE_MODELS]
    if selector == "scores":
        return ["--select", *scores]
    if selector == "before_scoring":
        return ["--select", package, "--exclude", *scores]
    if selector:
        raise DbtError(
            f"--selector {selector}: a host project has leadscore's selectors as `scores` and "
            "`before_scoring` only; use --select for anything else."
        )
    return ["--select", select or package]


def _check_served_versions() -> None:
    """The versions the registry serves, against their checksums, before dbt builds their scores."""
    from leadscore.registry.registry import load_registry, versions_of

    registry = load_registry()
    if registry is not None:
        versions_of(registry)


def build(target: str | None, select: str | None = None, selector: str | None = None) -> None:
    from leadscore.dbt_invocation import run_dbt
    from leadscore.registry.registry import registry_path

    check_input(target)
    _check_served_versions()
    if not select and not selector and not registry_path().exists():
        console.print(
            "[yellow]No trained model for this instance yet:[/] building everything but the scoring models; run `leadscore train`."
        )
        selector = "before_scoring"
    outcome = run_dbt(["build", *selection_arguments(select, selector)], "dbt build", target=target)
    console.print(
        "dbt build: "
        + ", ".join(f"{count} {status}" for status, count in sorted(outcome.counts.items()) if status)
    )


def train(
    target: str | None,
    manifest: str | None = None,
    segment_by: str | None = None,
    allow_leakage: bool = False,
    kinds: tuple[str, ...] | None = None,
    options: TrainingOptions | None = None,
    decide=None,
):
    from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS, MODEL_KINDS

    kinds = kinds or DEFAULT_MODEL_KINDS
    unknown = [kind for kind in kinds if kind not in MODEL_KINDS]
    if unknown or len(set(kinds)) < 2:
        raise SystemExit(f"--families takes two or more of {', '.join(MODEL_KINDS)}; got {', '.join(kinds)}")
    if "xgboost" in kinds:
        from importlib.util import find_spec

        from leadscore.modeling.pipelines import XGBOOST_MISSING

        if find_spec("xgboost") is None:
            raise SystemExit(XGBOOST_MISSING)
    from leadscore.registry.lock import lifecycle_lock

    with lifecycle_lock("retrain" if decide else "train"):
        outcome = _train_locked(target, manifest, segment_by, allow_leakage, kinds, options, decide)
    _print_training(outcome, segment_by)
    return outcome


def _lead_table_spec(warehouse, config):
    """The lead table's feature spec; an order_by of dates is shown as dates."""
    from leadscore.byo.checks import order_by_is_date

    spec = config.feature_spec()
    return replace(spec, time_display="epoch_seconds") if order_by_is_date(warehouse, config) else spec


def _train_locked(target, manifest, segment_by, allow_leakage, kinds, options, decide):
    from leadscore.modeling.job import run_training
    from leadscore.paths import dbt_target_dir
    from leadscore.relations import use_manifest
    from leadscore.warehouse import connect

    config = INSTANCE.config
    manifest_path = Path(manifest) if manifest else dbt_target_dir() / "manifest.json"
    if config is None and not manifest_path.exists():
        from leadscore.dbt_invocation import run_dbt

        run_dbt(["parse"], "dbt parse", target=target)
    use_manifest(manifest_path)
    warehouse = connect(target)
    try:
        return run_training(
            warehouse,
            manifest_path,
            segment_column=segment_by,
            spec=_lead_table_spec(warehouse, config) if config else None,
            leakage_settings=config.leakage if config else None,
            allow_leakage=allow_leakage,
            kinds=tuple(dict.fromkeys(kinds)),
            settings=(options or TrainingOptions()).settings(config.training if config else None),
            decide=decide(warehouse) if decide else None,
            feedback=(options or TrainingOptions()).feedback,
            reasons=(options or TrainingOptions()).reasons_method(config.training if config else None),
        )
    finally:
        warehouse.close()


def _fitted_on(model_id: str) -> str:
    from leadscore.registry.artifacts import load_model_version

    return load_model_version(model_id).metadata.get("served_model", {}).get("fitted_on", "the train split")


def served_reasons() -> str | None:
    """How the served models' tree reasons were trained: "shapley" when the champion or challenger
    keeps the Saabas comparison that only a Shapley training saves, "saabas" when one is a tree model
    without it, None when there is no registry or no tree model (a linear model's reasons are the same
    either way). A retrain keeps this unless told otherwise: a version's id covers its reasons SQL, so
    an unchanged fit with other reasons would come back as a new model, not as the champion."""
    from leadscore.modeling.job import TREE_REASONS
    from leadscore.registry.artifacts import load_model_version
    from leadscore.registry.registry import load_registry
    from leadscore.transpile.statements import COMPARISON_KIND

    current = load_registry()
    if current is None:
        return None
    served = [load_model_version(m, verify=False) for m in (current.champion, current.challenger) if m]
    if any(COMPARISON_KIND in version.sql_kinds for version in served):
        return "shapley"
    methods = [str(version.metadata.get("explanations", {}).get("method", "")) for version in served]
    return "saabas" if any(TREE_REASONS["saabas"] in method for method in methods) else None


def retrain(
    target: str | None, margin: float, kinds: tuple[str, ...], options: TrainingOptions | None = None
) -> None:
    from leadscore.lifecycle.retrain import retrain_decision

    options = options or TrainingOptions()
    served = served_reasons()
    if served:
        console.print(
            f"Tree reasons default to {served}, as the served models were trained "
            "(--reasons or leadscore.yml's training: reasons: override it)."
        )
        options = replace(options, default_reasons=served)
    outcome = train(
        target,
        kinds=kinds,
        options=options,
        decide=lambda warehouse: retrain_decision(warehouse, margin),
    )
    decision = outcome.registry.history[-1]
    console.print(f"[bold]Decision:[/] {decision['reason']}")
    for role in ("candidate", "champion", "shadow_challenger"):
        figure = decision.get("figures", {}).get(role)
        if figure:
            auc = "n/a" if figure["roc_auc"] is None else f"{figure['roc_auc']:.4f}"
            console.print(f"  {role}: {figure['model_id']} ROC-AUC {auc} ({figure['source']})")
    console.print(f"Run `{SCORES_BUILD}` so the score views and monitoring.model_registry follow.")


def _print_table(frame, title: str) -> None:
    table = Table(title=title, show_edge=False)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if column in ("score", "period") else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(value) for value in row])
    console.print(table)


def _cell(value) -> str:
    import numbers

    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    return "" if value != value else f"{value:.4f}"


POOLED_GAP = 0.05  # pooled and per-period AUC this far apart: the pooled figure rewards the base rate


def _print_walk_forward_notes(run, summary) -> None:
    """The plain baseline beside the champion, and where pooled and per-period AUC disagree."""
    from leadscore.modeling.walk_forward import PLAIN_BASELINE, PLAIN_BASELINE_DESCRIPTION

    by_score = summary.set_index("score")
    champion = run.models[run.champion]
    if PLAIN_BASELINE in by_score.index:
        plain = float(by_score.loc[PLAIN_BASELINE, "auc_mean"])
        gain = champion.walk_forward.mean_auc - plain
        verdict = "beats it by" if gain > 0 else "[bold red]does not beat it[/]: difference"
        console.print(
            f"Plain baseline ({PLAIN_BASELINE_DESCRIPTION}): walk-forward mean ROC-AUC {plain:.4f}; the "
            f"champion {champion.model_id} {verdict} {gain:+.4f}."
        )
    for name, row in by_score.iterrows():
        if abs(row["auc_mean"] - row["pooled_auc"]) > POOLED_GAP:
            console.print(
                f"[yellow]note:[/] {name}: pooled AUC {row['pooled_auc']:.4f} vs per-period mean "
                f"{row['auc_mean']:.4f}. Pooling ranks leads across periods, which rewards following a "
                "moving conversion rate; the per-period mean is the figure for ranking within a period."
            )


def _print_training(outcome, segment_by: str | None) -> None:
    run = outcome.run
    _print_table(
        run.period_aucs(),
        "Walk-forward ROC-AUC per period (each scored by a fit on the labels known before it)",
    )
    summary = run.walk_forward_comparison()
    _print_table(summary, "Walk-forward summary (the performance estimate)")
    _print_walk_forward_notes(run, summary)
    for note in run.skipped_periods:
        console.print(f"[yellow]period skipped:[/] {note}")
    champion = run.models[run.champion]
    newest = champion.newest_period
    console.print(
        f"Newest period {newest['period']}: served procedure AUC {newest['served_procedure']['roc_auc']:.4f} "
        f"(Brier {newest['served_procedure']['brier']:.4f}) vs train-split-only model "
        f"{newest['train_split_only']['roc_auc']:.4f} (Brier {newest['train_split_only']['brier']:.4f})"
    )
    from leadscore.modeling.job import calibration_findings

    for line in run.drift.warnings():
        console.print(f"[bold yellow]DRIFT:[/] {line}")
    for kind, trained in run.models.items():
        for line in calibration_findings(trained.estimator):
            console.print(f"[bold yellow]DRIFT ({kind}):[/] {line}")
    _print_table(run.comparison(), "Fixed test split: each procedure as of the test split's start")
    for flag in outcome.leakage_flags:
        console.print(f"[yellow]leakage flag (allowed):[/] {flag.line()}")
    for kind, parity in outcome.parity.items():
        console.print(
            f"SQL parity {outcome.run.models[kind].model_id}: max |SQL - predict_proba| = "
            f"{parity['max_abs_difference']:.2e} over {parity['rows']:,} test rows ({parity['dialect']})"
        )
    for candidate in outcome.segments:
        auc = "n/a" if candidate.validation_auc is None else f"{candidate.validation_auc:.4f}"
        console.print(
            f"Segment {segment_by}={candidate.value!r}: validation AUC {auc} vs champion {candidate.champion_validation_auc:.4f}: {candidate.reason}"
        )
    for kind, figures in run.family_figures.items():
        console.print(
            f"{kind}: walk-forward ROC-AUC mean {figures.mean_auc:.4f}, recency-weighted {figures.weighted_auc:.4f}, "
            f"trend {figures.trend_per_period:+.4f} per period"
        )
    console.print(f"Champion rule: {run.champion_reason}.")
    console.print(
        f"Champion {outcome.registry.champion} (served: fitted on {_fitted_on(outcome.registry.champion)}), "
        f"challenger {outcome.registry.challenger}; report: {outcome.report}"
    )
    console.print(outcome.times.line())


def summary(target: str | None) -> None:
    from leadscore.summary import print_warehouse_summary
    from leadscore.warehouse import connect

    warehouse = connect(target, read_only=True)
    try:
        print_warehouse_summary(warehouse, lead_table=INSTANCE.config is not None)
    finally:
        warehouse.close()


def _config():
    if INSTANCE.config is None:
        raise SystemExit(
            "this command needs --config <leadscore.yml> (e.g. leadscore --config examples/x_education/leadscore.yml load)"
        )
    return INSTANCE.config


@dataclass
class StageTimer:
    stages: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def __call__(self, name: str, step: Callable[[], object]) -> None:
        began = time.perf_counter()
        console.rule(f"[bold]{name}")
        step()
        self.stages.append((name, time.perf_counter() - began))

    def report(self) -> None:
        total = time.perf_counter() - self.started
        console.print(
            "Stage times: "
            + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.stages)
            + f"; total {total:.1f}s"
        )


def monitor(target: str | None, output: str | None = None) -> Path:
    from leadscore.monitoring.report import render_monitoring_report
    from leadscore.paths import artifacts_dir, dbt_target_dir
    from leadscore.warehouse import connect

    path = Path(output) if output else artifacts_dir().parent / "reports" / "monitoring_report.html"
    warehouse = connect(target, read_only=True)
    try:
        report = render_monitoring_report(warehouse, dbt_target_dir(), path)
    finally:
        warehouse.close()
    console.print(f"Monitoring report: {report}")
    return report


def end_to_end(load: Callable[[], None], load_name: str, target: str | None) -> None:
    """Load, build, train, score, summarise: `demo` and `run`."""
    stage = StageTimer()
    stage(load_name, load)
    # Everything but what reads the scoring SQL: the scoring models are built once, after training,
    # with the champion it chose. A second `make demo` had built them first with the previous
    # champion, its TreeSHAP reasons included (20 s of a 34 s build), only to replace them.
    stage(
        "Build the warehouse (dbt build, all but the scores)",
        lambda: build(target, selector="before_scoring"),
    )
    stage("Train, evaluate and transpile", lambda: train(target))
    stage("Score in the warehouse (dbt build --selector scores)", lambda: build(target, selector="scores"))
    stage("Monitoring report", lambda: monitor(target))
    stage("Summary", lambda: summary(target))
    stage.report()
