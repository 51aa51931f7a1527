"""`leadscore`: the commands around the dbt project (demo data, your data, training, scoring, sync).
Add --debug to any command to see the traceback of an error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import typer

from leadscore import steps
from leadscore.cli_help import no_type_for_flags, one_line_summaries
from leadscore.progress import console, results
from leadscore.tabular import OutputFormat, emit

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
DEBUG_FLAG = "--debug"

TARGET_OPTION = typer.Option(
    None, "--target", "-t", help="dbt target in profiles/profiles.yml (default: the profile's)."
)


# Taken from anywhere on the command line (before or after the command, as dbt takes them) by
# take_project_options; declared on the callback too so --help lists them.
PROJECT_OPTIONS = {"--project-dir": "LEADSCORE_PROJECT_DIR", "--profiles-dir": "DBT_PROFILES_DIR"}


def take_project_options(arguments: list[str]) -> list[str]:
    """Set --project-dir / --profiles-dir (anywhere on the line) as the environment the CLI and the
    dbt it runs read, and return the other arguments."""
    import os

    rest: list[str] = []
    remaining = iter(arguments)
    for argument in remaining:
        name, equals, value = argument.partition("=")
        if name in PROJECT_OPTIONS:
            if not equals:
                value = next(remaining, "")
            if not value:
                from leadscore.paths import ProjectError

                raise ProjectError(f"{name} needs a folder, e.g. {name} path/to/folder")
            os.environ[PROJECT_OPTIONS[name]] = str(Path(value).expanduser().resolve())
        else:
            rest.append(argument)
    return rest


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"leadscore {version('leadscore')}")
        raise typer.Exit()


class Feedback(StrEnum):
    """What training does with leads sales flagged as mislabeled."""

    exclude = "exclude"
    relabel = "relabel"
    ignore = "ignore"


class Reasons(StrEnum):
    """How tree models' reasons are computed in the warehouse."""

    saabas = "saabas"
    shapley = "shapley"


REASONS_OPTION = typer.Option(
    None,
    "--reasons",
    help="Tree models' reasons: shapley (exact TreeSHAP, the values LightGBM's pred_contrib and shap "
    "give, served with the Saabas ones kept beside them for the dbt var leadscore_tree_reasons; the "
    "default on DuckDB) or saabas (path contributions only: a far cheaper statement, but they favour "
    "features split near the root; the default on PostgreSQL and Spark, which run TreeSHAP's statement "
    "slowly). retrain keeps the served models' method unless told.",
)
FEEDBACK_OPTION = typer.Option(
    Feedback.exclude, "--feedback", help="Leads sales flagged mislabeled: exclude, relabel or ignore."
)
BACKTEST_PERIODS_OPTION = typer.Option(
    None,
    "--backtest-periods",
    min=2,
    help="Walk-forward periods (months in CRM mode, equal blocks of rows in lead_table mode). Default 6.",
)
WINDOW_MONTHS_OPTION = typer.Option(
    None, "--window-months", min=1, help="Fit only on the last N months of labels before each cutoff."
)
HALF_LIFE_OPTION = typer.Option(
    None, "--half-life-months", min=0.1, help="Recency weighting: a row N months older weighs 0.5^(N/h)."
)
FAMILIES_HELP = (
    "Model families to compare, two or more of: logistic, lightgbm, xgboost (needs the xgboost extra), "
    "hgb (HistGradientBoosting), gbm (GradientBoostingClassifier). With logistic and a tree, their "
    "blend is a candidate too."
)


@app.callback()
def options(
    config: str | None = typer.Option(
        None, "--config", "-c", help="A leadscore.yml describing your lead table (default: the demo CRM)."
    ),
    project_dir: str | None = typer.Option(
        None,
        "--project-dir",
        help="The dbt project to work against (default: $DBT_PROJECT_DIR, else the nearest dbt_project.yml "
        "above the working folder). Accepted anywhere on the command line.",
    ),
    profiles_dir: str | None = typer.Option(
        None,
        "--profiles-dir",
        help="The folder of profiles.yml, as dbt's --profiles-dir (default: $DBT_PROFILES_DIR, else the "
        "project folder, else ~/.dbt). Accepted anywhere on the command line.",
    ),
    debug: bool = typer.Option(
        False, DEBUG_FLAG, help="Show the traceback of an error. Accepted anywhere on the command line."
    ),
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
    ),
) -> None:
    """In-warehouse lead scoring, against any dbt project that has the lead_scoring package (or this
    repository's own). Add --debug anywhere to see the traceback of an error."""
    steps.INSTANCE.activate(config)


class Shape(StrEnum):
    """The CRM shapes `leadscore generate` writes."""

    native = "native"
    salesforce = "salesforce"
    hubspot = "hubspot"


SHAPE_OPTION = typer.Option(
    Shape.native,
    help="Which tables to write: native (raw.crm_*), or Salesforce's or HubSpot's objects as Fivetran lands them.",
)


@app.command()
def generate(
    leads: int = typer.Option(40_000, help="Number of distinct leads (duplicates come on top)."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same CRM."),
    end_date: str = typer.Option("2026-11-01", help="Last day of history (the extract date)."),
    shape: Shape = SHAPE_OPTION,
    target: str | None = TARGET_OPTION,
) -> None:
    """Write a realistic, dirty demo CRM into the warehouse, in the native shape or a connector's."""
    if leads < 100:
        raise typer.BadParameter("at least 100 leads are needed for a meaningful demo", param_hint="--leads")
    steps.generate_demo(leads, seed, _parse_date(end_date), target, shape=shape.value)


@app.command()
def load(target: str | None = TARGET_OPTION) -> None:
    """Load the CSV named in leadscore.yml into the raw schema and check it (needs --config)."""
    steps.load_lead_table(target)


@app.command()
def build(
    target: str | None = TARGET_OPTION,
    select: str | None = typer.Option(None, "--select", "-s", help="dbt node selection."),
    selector: str | None = typer.Option(
        None, help="A selector from selectors.yml (`scores`: what reads the generated SQL)."
    ),
) -> None:
    """`dbt build` with a progress bar: seeds, models, snapshots and every test."""
    steps.build(target, select, selector)


@app.command()
def summary(target: str | None = TARGET_OPTION) -> None:
    """Print row counts, the data-quality headline, the training split and tier conversion."""
    steps.summary(target)


@app.command()
def train(
    target: str | None = TARGET_OPTION,
    manifest: str | None = typer.Option(None, help="dbt manifest.json (default: target/manifest.json)."),
    segment_by: str | None = typer.Option(
        None,
        "--segment-by",
        help="A categorical feature (e.g. lead_source): fit a model per value that beats the champion there.",
    ),
    allow_leakage: bool = typer.Option(
        False, "--allow-leakage", help="Train even when the leakage check flags features (to measure them)."
    ),
    families: str = typer.Option("logistic,lightgbm", "--families", help=FAMILIES_HELP),
    backtest_periods: int | None = BACKTEST_PERIODS_OPTION,
    window_months: int | None = WINDOW_MONTHS_OPTION,
    half_life_months: float | None = HALF_LIFE_OPTION,
    feedback: Feedback = FEEDBACK_OPTION,
    reasons: Reasons | None = REASONS_OPTION,
) -> None:
    """Train the model families on the training mart: tune and backtest each walk-forward over the last
    periods, fit the served model on every labelled row, transpile to SQL, and promote the champion by
    the rule (recency-weighted walk-forward AUC; a more complex family needs a margin), the runner-up
    to challenger."""
    kinds = tuple(part.strip() for part in families.split(",") if part.strip())
    steps.train(
        target,
        manifest,
        segment_by,
        allow_leakage,
        kinds,
        steps.TrainingOptions(
            backtest_periods, window_months, half_life_months, str(feedback), reasons and str(reasons)
        ),
    )


@app.command()
def retrain(
    target: str | None = TARGET_OPTION,
    margin: float = typer.Option(
        0.005,
        "--margin",
        min=0.0,
        help="ROC-AUC the new model must gain on the newest period to be promoted.",
    ),
    families: str = typer.Option("logistic,lightgbm", "--families", help=FAMILIES_HELP),
    backtest_periods: int | None = BACKTEST_PERIODS_OPTION,
    window_months: int | None = WINDOW_MONTHS_OPTION,
    half_life_months: float | None = HALF_LIFE_OPTION,
    feedback: Feedback = FEEDBACK_OPTION,
    reasons: Reasons | None = REASONS_OPTION,
) -> None:
    """Train on the freshest labels, compare the best new model with the champion on the newest matured
    period, promote it only if it is better by --margin (else it becomes the challenger), and log the
    decision. Then `dbt build --selector scores` makes the views and the registry table follow."""
    kinds = tuple(part.strip() for part in families.split(",") if part.strip())
    steps.retrain(
        target,
        margin,
        kinds,
        steps.TrainingOptions(
            backtest_periods, window_months, half_life_months, str(feedback), reasons and str(reasons)
        ),
    )


@app.command()
def monitor(
    target: str | None = TARGET_OPTION,
    output: str | None = typer.Option(
        None, help="Where to write the HTML (default reports/monitoring_report.html)."
    ),
) -> None:
    """Write the HTML monitoring report from the warehouse's monitoring models and the last build's alerts."""
    steps.monitor(target, output)


@app.command()
def demo(
    leads: int = typer.Option(40_000, help="Demo leads to generate."),
    seed: int = typer.Option(42, help="Random seed."),
    target: str | None = TARGET_OPTION,
) -> None:
    """The whole job end to end on the demo CRM: generate, dbt build, train, score, summary."""
    steps.end_to_end(
        lambda: steps.generate_demo(leads, seed, date(2026, 11, 1), target), "Generate the demo CRM", target
    )


@app.command()
def run(target: str | None = TARGET_OPTION) -> None:
    """The whole job end to end on your lead table (needs --config): load, dbt build, train, score, summary."""
    steps.end_to_end(lambda: steps.load_lead_table(target), "Load and check the lead table", target)


models_app = typer.Typer(no_args_is_help=True, help="Model versions: list, promote, roll back.")
app.add_typer(models_app, name="models")


FORMAT_OPTION = typer.Option(
    "table", "--format", help="table for people; csv or json for scripts and spreadsheets (on stdout)."
)


@models_app.command("list")
def models_list(output: OutputFormat = FORMAT_OPTION) -> None:
    """Every saved model version with its walk-forward and test metrics; the registry's champion and
    challenger marked, and any version whose files differ from the checksums recorded when it was
    saved."""
    from leadscore.registry.artifacts import incomplete_folders, known_model_ids, load_model_version
    from leadscore.registry.errors import RegistryError
    from leadscore.registry.registry import load_registry

    registry = load_registry()
    columns = (
        "model",
        "role",
        "walk-forward AUC",
        "data through",
        "test ROC-AUC",
        "test PR-AUC",
        "top-decile lift",
        "SQL parity",
        "files",
    )
    rows, styles = [], []
    for model_id in known_model_ids():
        role = (
            "champion"
            if registry and registry.champion == model_id
            else "challenger"
            if registry and registry.challenger == model_id
            else ""
        )
        try:
            version = load_model_version(model_id, verify=False)
            problems = version.problems()
            metrics, metadata = version.metrics["test"], version.metadata
            walk_forward = metadata.get("walk_forward_auc")
            through = str(metadata.get("served_model", {}).get("trained_through") or "")
            figures = [
                None if walk_forward is None else round(walk_forward, 4),
                through[:10],
                round(metrics["roc_auc"], 4),
                round(metrics["pr_auc"], 4),
                round(metrics["top_decile"]["lift"], 2),
                f"{metadata['sql_parity']['max_abs_difference']:.1e}",
            ]
        except (RegistryError, KeyError, TypeError) as error:
            problems, figures = [str(error)], [None] * 6
        rows.append([model_id, role, *figures, "ok" if not problems else f"DAMAGED: {problems[0]}"])
        styles.append("red" if problems else None)
    emit(columns, rows, output, styles)
    leftovers = incomplete_folders()
    if leftovers:
        console.print(
            f"{len(leftovers)} unfinished version folder(s) (an interrupted train): "
            f"{', '.join(path.name for path in leftovers)}; `leadscore models clean` removes them."
        )


@models_app.command("show")
def models_show(
    model_id: str = typer.Argument(..., help="A model version, e.g. lightgbm_a1fe04d269"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """One version: its generated SQL per dialect, the size against the dialect's budget, and
    whether it was split into batches (transpile/budgets.py)."""
    from leadscore.registry.artifacts import load_model_version

    version = load_model_version(model_id)
    metadata = version.metadata
    sizes = metadata.get("statement_sizes")
    if output is OutputFormat.table:
        results.print(f"{model_id}: {metadata.get('estimator')} ({metadata.get('kind')})")
    if not sizes:
        console.print("No statement sizes recorded (saved before they were measured): retrain to see them.")
        return
    rows = []
    for size in sizes:
        form = "one" if size["parts"] == 1 else f"{size['parts']} batches + final"
        rows.append(
            [
                size["dialect"],
                size["kind"],
                size["size"],
                size["unit"],
                size["budget"],
                size["depth"],
                form if size["fits"] else f"{form}: OVER BUDGET",
            ]
        )
    emit(("dialect", "statement", "size", "unit", "budget", "depth", "form"), rows, output)
    if output is OutputFormat.table:
        results.print(
            "size and budget in characters or bytes (unit); budget = 45% of the dialect's documented "
            "limit; depth = deepest expression nesting (limit 1000); largest single term (a tree, or "
            f"the linear part) {sizes[0]['largest_expression']:,} characters."
        )


@models_app.command("promote")
def models_promote(
    champion: str, challenger: str | None = typer.Option(None, help="Model scored in shadow.")
) -> None:
    """Make a saved version the champion (and optionally set the challenger); rewrites the dbt macros.
    Every version named is checked first; on any problem nothing changes."""
    from leadscore.registry.lock import lifecycle_lock
    from leadscore.registry.registry import load_registry, promote

    with lifecycle_lock("models promote"):
        current = load_registry()
        registry = promote(
            champion, challenger, reason="promoted by hand", segments=current.segments if current else None
        )
    console.print(
        f"Champion {registry.champion}, challenger {registry.challenger}. "
        f"Run `{steps.SCORES_BUILD}` to rescore."
    )


@models_app.command("rollback")
def models_rollback() -> None:
    """Return to the previous champion/challenger pair; rewrites the dbt macros. Every version of that
    pair is checked first; on any problem nothing changes."""
    from leadscore.registry.lock import lifecycle_lock
    from leadscore.registry.registry import rollback

    with lifecycle_lock("models rollback"):
        registry = rollback()
    console.print(
        f"Rolled back: champion {registry.champion}, challenger {registry.challenger}. "
        f"Run `{steps.SCORES_BUILD}` to rescore."
    )


VERIFY_IDS = typer.Argument(None, help="Versions to check (default: those the registry serves).")


@models_app.command("verify")
def models_verify(
    model_ids: list[str] | None = VERIFY_IDS,
    target: str | None = TARGET_OPTION,
    rows: int = typer.Option(500, min=1, help="Training-mart rows to check the SQL on."),
    offline: bool = typer.Option(
        False, "--offline", help="Check the files only; do not query the warehouse."
    ),
) -> None:
    """Check versions end to end: files against the checksums recorded when they were saved, metadata
    and fitted model readable, and the SQL against predict_proba on a sample from the warehouse."""
    from leadscore.registry.registry import require_registry
    from leadscore.registry.verify import verify_version
    from leadscore.warehouse import connect

    ids = model_ids or require_registry().model_ids()
    warehouse = None if offline else connect(target, read_only=True)
    try:
        checks = [verify_version(model_id, warehouse, rows) for model_id in ids]
    finally:
        if warehouse is not None:
            warehouse.close()
    for check in checks:
        if check.ok:
            parity = (
                ""
                if check.parity is None
                else f"; SQL = predict_proba within {check.parity:.1e} on {check.rows:,} rows"
            )
            results.print(f"[green]ok[/] {check.model_id}: files match their checksums{parity}")
        else:
            results.print(f"[red]FAILED[/] {check.model_id}:")
            for problem in check.problems:
                results.print(f"  - {problem}", soft_wrap=True)
    if not all(check.ok for check in checks):
        raise typer.Exit(code=1)


@models_app.command("clean")
def models_clean(
    delete: bool = typer.Option(False, "--delete", help="Remove them (default: only list them)."),
) -> None:
    """List (and with --delete remove) unfinished version folders an interrupted train left behind.
    Versions the registry has served are never removed."""
    import shutil

    from leadscore.registry.artifacts import incomplete_folders
    from leadscore.registry.lock import lifecycle_lock
    from leadscore.registry.registry import load_registry

    with lifecycle_lock("models clean"):
        registry = load_registry()
        served = set(registry.model_ids()) if registry else set()
        served |= {str(entry.get("champion")) for entry in (registry.history if registry else [])}
        leftovers = [path for path in incomplete_folders() if path.name not in served]
        if not leftovers:
            console.print("No unfinished version folders.")
            return
        for path in leftovers:
            if delete:
                shutil.rmtree(path)
            console.print(f"{'removed' if delete else 'unfinished'}: {path}")
    if not delete:
        console.print("Run `leadscore models clean --delete` to remove them.")


@app.command("sync")
def sync_command(
    target: str | None = TARGET_OPTION,
    dry_run: str | None = typer.Option(
        None, "--dry-run", help="Write the request bodies to this file instead of sending."
    ),
    batch_size: int = typer.Option(
        100, help="Records per request, 1 to 100 (HubSpot's maximum per batch call)."
    ),
    limit: int | None = typer.Option(None, help="Send at most this many changed records (1 or more)."),
    allow_failed_tests: bool = typer.Option(
        False,
        "--allow-failed-tests",
        help="Send even though the last dbt build failed upstream of the feed (a model, or an error-level test).",
    ),
    include_closed: bool = typer.Option(
        False,
        "--include-closed",
        help="Also send closed leads the CRM never received (a backfill). By default only open, tiered leads "
        "are sent, and a closed lead once, when it closes after having been sent.",
    ),
    create_properties: bool = typer.Option(
        False,
        "--create-properties",
        help="List the CRM properties the sync writes (HubSpot definitions, JSON on stdout) and send nothing; "
        "with --apply, create them in the CRM (existing ones are left as they are).",
    ),
    apply: bool = typer.Option(False, "--apply", help="With --create-properties: create them."),
) -> None:
    """Push open leads whose tier, score or reasons changed to the CRM (LEADSCORE_CRM_URL, LEADSCORE_CRM_TOKEN).
    At-least-once and safe to repeat: only records the CRM acknowledged are recorded as delivered, so a
    second run sends what is still missing. Refuses a feed with duplicate CRM ids, or one whose last build
    failed anywhere upstream of it; one sync runs at a time; the token is never printed."""
    from leadscore.paths import dbt_target_dir
    from leadscore.registry.lock import sync_lock
    from leadscore.sync.client import MAX_BATCH, BatchUpdateClient, CrmEndpoint, CrmSyncError
    from leadscore.sync.preflight import feed_test_results
    from leadscore.sync.run import check_sizes, sync
    from leadscore.warehouse import connect

    if apply and not create_properties:
        raise CrmSyncError("--apply goes with --create-properties (a sync itself has --dry-run)")
    if create_properties:
        _create_properties(apply)
        return
    check_sizes(batch_size, limit, MAX_BATCH)
    client = None if dry_run else BatchUpdateClient(CrmEndpoint.from_environment())
    tests = feed_test_results(dbt_target_dir())
    with sync_lock():
        warehouse = connect(target)
        try:
            outcome = sync(
                warehouse,
                client,
                Path(dry_run) if dry_run else None,
                batch_size=batch_size,
                limit=limit,
                tests=tests,
                allow_failed_tests=allow_failed_tests,
                include_closed=include_closed,
            )
        finally:
            warehouse.close()
    for warning in outcome.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if dry_run:
        console.print(
            f"Dry run: {outcome.changed:,} changed records in {outcome.batches} batches written to {dry_run}; nothing sent."
        )
        return
    console.print(
        f"Sent {outcome.changed:,} changed records in {outcome.batches} batches ({outcome.retries} retries): "
        f"{outcome.sent:,} acknowledged and recorded, {len(outcome.failures):,} not."
    )
    if outcome.failures:
        for failure in outcome.failures[:10]:
            console.print(f"  [red]not delivered[/] {failure.record_id}: {failure.message}")
        console.print(
            "The records above were not recorded as delivered; the next `leadscore sync` sends them again."
        )
        raise typer.Exit(code=1)


def _create_properties(apply: bool) -> None:
    import json

    from leadscore.sync.client import BatchUpdateClient, CrmEndpoint
    from leadscore.sync.properties import CRM_PROPERTIES

    if not apply:
        print(json.dumps([prop.definition() for prop in CRM_PROPERTIES], indent=2))
        console.print(
            f"{len(CRM_PROPERTIES)} contact properties the sync writes (above); nothing was created. "
            "Run `leadscore sync --create-properties --apply` to create them, or create them by hand."
        )
        return
    client = BatchUpdateClient(CrmEndpoint.from_environment())
    for prop in CRM_PROPERTIES:
        console.print(f"{prop.name}: {client.create_property(prop.definition())}")


bench_app = typer.Typer(
    no_args_is_help=True, help="Developers' benchmarks (`make bench`); results go to BENCHMARKS.md."
)
# Hidden from `leadscore --help`: they rewrite this repository's BENCHMARKS.md, not a user's project.
app.add_typer(bench_app, name="bench", hidden=True)


def _write_bench_section(output: str, name: str, render: Callable[[dict[str, str], str], str]) -> None:
    """Each benchmark rewrites its own section, stamped with the machine and the command as typed."""
    import sys

    from leadscore.bench.document import write_section
    from leadscore.bench.machine import machine_description

    command = "leadscore bench " + " ".join(sys.argv[2:])
    write_section(Path(output), name, render(machine_description(), command))
    console.print(f"Wrote the {name} benchmark to {output}")


def _champion_size():
    """The served model's family and shape (trees x leaves), from the registry, if it is a tree family."""
    from leadscore.bench.data import FAMILIES, ModelSize
    from leadscore.registry.artifacts import load_model_version
    from leadscore.registry.registry import load_registry

    registry = load_registry()
    if registry is None:
        return None
    metadata = load_model_version(registry.champion).metadata
    kind, params = metadata.get("kind"), metadata.get("params", {})
    size = params.get("num_leaves") or params.get("max_leaf_nodes") or params.get("max_depth")
    if kind not in FAMILIES or size is None:
        return None
    return ModelSize(kind, int(params["n_estimators"]), int(size))


def _sizes_with_champion(models: str) -> list:
    """The --models sizes, with the served champion's own size first when it is a tree family."""
    from leadscore.bench.data import ModelSize

    sizes = [ModelSize.parse(text) for text in models.split(",") if text.strip()]
    served = _champion_size()
    if served is not None and served not in sizes:
        sizes.insert(0, served)
    return sizes


@bench_app.command("scoring")
def bench_scoring(
    rows: int = typer.Option(1_000_000, help="Rows to score."),
    models: str = typer.Option(
        "lightgbm:100x15,lightgbm:400x31,hgb:100x31,xgboost:100x4,gbm:100x3,gbm:300x5,gbm:1000x3",
        help="FAMILY:TREESxSIZE, comma-separated (SIZE: leaves for lightgbm/hgb, depth for gbm/xgboost). The champion's "
        "own size is added when a trained champion exists.",
    ),
    repeats: int = typer.Option(3, help="Timed repetitions (median reported)."),
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """Generated SQL in DuckDB vs predict_proba vs orbital, same rows, one run."""
    from leadscore.bench.report import render_scoring_section
    from leadscore.bench.runner import run_benchmark

    sizes = _sizes_with_champion(models)
    results = run_benchmark(rows, sizes, repeats)
    _write_bench_section(
        output, "scoring", lambda machine, command: render_scoring_section(results, machine, command)
    )


@bench_app.command("reasons")
def bench_reasons(
    rows: int = typer.Option(100_000, help="Rows to explain."),
    models: str = typer.Option(
        "lightgbm:100x31,gbm:1000x3",
        help="FAMILY:TREESxSIZE, comma-separated (a TreeSHAP statement over the planning budget, such "
        "as lightgbm:400x31's, runs in batches, as dbt runs it). The champion's own size is added when "
        "a trained champion exists.",
    ),
    repeats: int = typer.Option(1, help="Timed repetitions (median reported)."),
    shap_rows: int = typer.Option(20_000, help="Rows given to shap.TreeExplainer (reported per million)."),
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """SQL TreeSHAP in DuckDB vs LightGBM pred_contrib and shap, same rows, one run."""
    from leadscore.bench.reasons import render_reasons_section, run_reasons_benchmark

    sizes = _sizes_with_champion(models)
    results = run_reasons_benchmark(rows, sizes, repeats, shap_rows)
    _write_bench_section(
        output, "reasons", lambda machine, command: render_reasons_section(results, machine, command)
    )


@bench_app.command("postgres")
def bench_postgres(
    rows: int = typer.Option(100_000, help="Rows to score."),
    models: str = typer.Option(
        "lightgbm:450x15,gbm:100x3,gbm:1000x3", help="FAMILY:TREESxSIZE, comma-separated."
    ),
    repeats: int = typer.Option(3, help="Timed repetitions (median reported)."),
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """The generated SQL on a local PostgreSQL (JIT on and off) vs Python reading from it."""
    from leadscore.bench.data import ModelSize
    from leadscore.bench.report import render_postgres_section
    from leadscore.bench.runner import run_postgres

    results = run_postgres(
        rows, [ModelSize.parse(text) for text in models.split(",") if text.strip()], repeats
    )
    if not results:
        raise typer.BadParameter("no PostgreSQL server binaries found (pg_ctl); install postgresql")
    _write_bench_section(
        output, "postgres", lambda machine, command: render_postgres_section(results, machine, command)
    )


@bench_app.command("spark")
def bench_spark(
    rows: int = typer.Option(200_000, help="Rows to score."),
    models: str = typer.Option(
        "lightgbm:164x15,lightgbm:450x15,gbm:100x3", help="FAMILY:TREESxSIZE, comma-separated."
    ),
    repeats: int = typer.Option(3, help="Timed repetitions (median reported)."),
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """The generated SQL on Apache Spark in local mode (codegen off and on) vs Python reading from it."""
    from leadscore.bench.data import ModelSize
    from leadscore.bench.report import render_spark_section
    from leadscore.bench.runner import run_spark

    results = run_spark(rows, [ModelSize.parse(text) for text in models.split(",") if text.strip()], repeats)
    _write_bench_section(
        output, "spark", lambda machine, command: render_spark_section(results, machine, command)
    )


@bench_app.command("training")
def bench_training(
    families: str = typer.Option("logistic,lightgbm,hgb,gbm", help="Model families to fit side by side."),
    target: str | None = TARGET_OPTION,
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """Every model family on the current warehouse's training mart: tuning and fit time, AUC."""
    from leadscore.bench.training import render_training_section, run_families, time_side_by_side
    from leadscore.modeling.dataset import load_training_data
    from leadscore.modeling.feature_spec import load_feature_spec
    from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS
    from leadscore.paths import dbt_target_dir
    from leadscore.warehouse import connect

    warehouse = connect(target, read_only=True)
    try:
        data = load_training_data(warehouse, load_feature_spec(dbt_target_dir() / "manifest.json"))
    finally:
        warehouse.close()
    from leadscore.modeling.walk_forward import WalkForwardSettings

    kinds = tuple(part.strip() for part in families.split(",") if part.strip())
    settings = WalkForwardSettings()
    results = run_families(data, kinds, settings)
    side_by_side = time_side_by_side(data, DEFAULT_MODEL_KINDS, settings)
    rows = {"labelled": len(data.frame), "periods": settings.periods}
    _write_bench_section(
        output,
        "training",
        lambda machine, command: render_training_section(results, rows, machine, command, side_by_side),
    )


@bench_app.command("sizes")
def bench_sizes(
    trees: int = typer.Option(1000, help="Trees of the big LightGBM fitted beside the served models."),
    target: str | None = TARGET_OPTION,
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
) -> None:
    """Every dialect's scoring and reasons statement against its budget, and what was split: the
    registry's champion and challenger and a big LightGBM on the same training mart."""
    from leadscore.bench.statement_sizes import big_lightgbm, measure, render_sizes_section
    from leadscore.modeling.dataset import load_training_data
    from leadscore.modeling.feature_spec import load_feature_spec
    from leadscore.paths import dbt_target_dir
    from leadscore.registry.artifacts import load_model_version
    from leadscore.registry.registry import load_registry
    from leadscore.warehouse import connect

    warehouse = connect(target, read_only=True)
    try:
        data = load_training_data(warehouse, load_feature_spec(dbt_target_dir() / "manifest.json"))
    finally:
        warehouse.close()
    registry = load_registry()
    models = []
    for model_id in [registry.champion, registry.challenger] if registry else []:
        if model_id:
            models.append(measure(f"served: {model_id}", load_model_version(model_id).load_estimator(), data))
    console.print(f"Fitting a {trees}-tree LightGBM on the training split")
    models.append(
        measure(
            f"LightGBM, {trees} trees x 31 leaves (fitted for this benchmark)",
            big_lightgbm(data, trees),
            data,
        )
    )
    _write_bench_section(
        output, "sizes", lambda machine, command: render_sizes_section(models, machine, command)
    )


@bench_app.command("pipeline")
def bench_pipeline(
    leads: str = typer.Option("100000,1000000", help="Lead counts to run the pipeline at."),
    folder: str = typer.Option("warehouse/scale", help="Where the scale warehouses go."),
    output: str = typer.Option("BENCHMARKS.md", help="File to write the section into."),
    memory_limit: str = typer.Option(
        "4GB",
        help="DuckDB's memory cap in every stage, as LEADSCORE_DUCKDB_MEMORY_LIMIT ('' for its 80% of RAM).",
    ),
) -> None:
    """Generate and `dbt build` at each size; wall time and peak memory per stage."""
    from leadscore.bench.pipeline import render_pipeline_section, run_pipeline

    stages = []
    counts = [int(n) for n in leads.split(",")]
    for count in counts:
        console.rule(f"{count:,} leads")
        ran = run_pipeline(count, Path(folder), memory_limit or None)
        stages += ran
        for stage in ran:
            console.print(
                f"{stage.stage}: {stage.seconds:.0f}s, peak {stage.peak_memory_mb:,.0f} MB, exit {stage.exit_code}"
            )
    _write_bench_section(
        output,
        "pipeline",
        lambda machine, command: render_pipeline_section(stages, command, machine, memory_limit or None),
    )


def _parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-11-01") from error


def _expected_errors() -> tuple[type[Exception], ...]:
    """Failures a user can fix from the message alone: printed as one block, without a traceback."""
    from leadscore.byo.checks import DataError
    from leadscore.byo.config import ConfigError
    from leadscore.dbt_invocation import DbtError
    from leadscore.modeling.dataset import TrainingDataError
    from leadscore.modeling.job import InexactSqlError
    from leadscore.modeling.leakage import LeakageError
    from leadscore.paths import ProjectError
    from leadscore.registry.errors import RegistryError
    from leadscore.relations import ManifestError
    from leadscore.sync.client import CrmSyncError
    from leadscore.transpile.assemblers import UnsupportedModelError
    from leadscore.warehouse.connection import WarehouseBusyError

    return (
        ConfigError,
        DataError,
        DbtError,
        TrainingDataError,
        InexactSqlError,
        LeakageError,
        ProjectError,
        RegistryError,
        WarehouseBusyError,
        ManifestError,
        CrmSyncError,
        UnsupportedModelError,
    )


one_line_summaries(app, models_app, bench_app)
no_type_for_flags()


def main() -> None:
    """The `leadscore` entry point: expected failures print what, where and what to do, and exit 1;
    `--debug` (anywhere on the command line) shows the traceback instead."""
    import sys

    debug = DEBUG_FLAG in sys.argv
    if debug:
        sys.argv.remove(DEBUG_FLAG)
    try:
        sys.argv[1:] = take_project_options(sys.argv[1:])
        app()
    except _expected_errors() as error:
        if debug:
            raise
        console.print(f"[bold red]{type(error).__name__}:[/] {error}", soft_wrap=True)
        console.print(f"(run again with {DEBUG_FLAG} for the traceback)", style="dim")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
