"""`leadscore`: the commands around the dbt project (demo data, training, scoring, sync, benchmarks)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from leadscore.progress import console

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def main() -> None:
    """In-warehouse lead scoring. Run from the project folder (or set LEADSCORE_PROJECT_DIR)."""


TARGET_OPTION = typer.Option(
    None, "--target", "-t", help="dbt target in profiles/profiles.yml (default: the profile's)."
)


@app.command()
def generate(
    leads: int = typer.Option(40_000, help="Number of distinct leads (duplicates come on top)."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same CRM."),
    end_date: str = typer.Option("2026-11-01", help="Last day of history (the extract date)."),
    target: str | None = TARGET_OPTION,
) -> None:
    """Write a realistic, dirty demo CRM into the warehouse's raw schema."""
    from leadscore.demo_data.generator import GeneratorConfig
    from leadscore.demo_data.load import load_demo_data
    from leadscore.paths import project_dir
    from leadscore.warehouse import connect

    if leads < 100:
        raise typer.BadParameter("at least 100 leads are needed for a meaningful demo", param_hint="--leads")
    config = GeneratorConfig(leads=leads, seed=seed, end_date=_parse_date(end_date))
    warehouse = connect(target)
    try:
        log = load_demo_data(warehouse, config, project_dir() / "warehouse" / "demo_manifest.json")
    finally:
        warehouse.close()
    console.print(
        f"raw.crm_leads {log['leads.rows']:,} rows, raw.crm_activities {log['activities.rows']:,}, "
        f"raw.crm_accounts {log['accounts.rows']:,}, raw.crm_opportunities {log['opportunities.rows']:,}"
    )


@app.command()
def build(
    target: str | None = TARGET_OPTION,
    select: str | None = typer.Option(None, "--select", "-s", help="dbt node selection."),
    selector: str | None = typer.Option(
        None, help="A selector from selectors.yml (`scores`: what reads the generated SQL)."
    ),
) -> None:
    """`dbt build` with a progress bar: seeds, models, snapshots and every test."""
    from leadscore.dbt_invocation import run_dbt

    arguments = (
        ["build"] + (["--select", select] if select else []) + (["--selector", selector] if selector else [])
    )
    outcome = run_dbt(arguments, "dbt build", target=target)
    console.print(
        "dbt build: " + ", ".join(f"{count} {status}" for status, count in sorted(outcome.counts.items()))
    )


@app.command()
def summary(target: str | None = TARGET_OPTION) -> None:
    """Print row counts, the data-quality headline and the training split of the built warehouse."""
    from leadscore.summary import print_warehouse_summary
    from leadscore.warehouse import connect

    warehouse = connect(target, read_only=True)
    try:
        print_warehouse_summary(warehouse)
    finally:
        warehouse.close()


@app.command()
def train(
    target: str | None = TARGET_OPTION,
    manifest: str | None = typer.Option(None, help="dbt manifest.json (default: target/manifest.json)."),
    segment_by: str | None = typer.Option(
        None,
        "--segment-by",
        help="A categorical feature (e.g. lead_source): fit a model per value that beats the champion there.",
    ),
) -> None:
    """Train logistic regression and gradient boosting on features.lead_training_set, compare them with
    the legacy rule score, transpile both to SQL, promote the best (on validation) to champion."""
    from rich.table import Table

    from leadscore.modeling.job import run_training
    from leadscore.paths import project_dir
    from leadscore.warehouse import connect

    manifest_path = Path(manifest) if manifest else project_dir() / "target" / "manifest.json"
    if not manifest_path.exists():
        from leadscore.dbt_invocation import run_dbt

        run_dbt(["parse"], "dbt parse", target=target)
    warehouse = connect(target)
    try:
        outcome = run_training(warehouse, manifest_path, segment_column=segment_by)
    finally:
        warehouse.close()
    table = Table(title="Test split (touched once): models vs the legacy rule score", show_edge=False)
    comparison = outcome.run.comparison()
    for column in comparison.columns:
        table.add_column(column, justify="left" if column == "score" else "right")
    for row in comparison.itertuples(index=False):
        table.add_row(*[v if isinstance(v, str) else ("" if v != v else f"{v:.4f}") for v in row])
    console.print(table)
    for kind, parity in outcome.parity.items():
        console.print(
            f"SQL parity {outcome.run.models[kind].model_id}: max |SQL - predict_proba| = {parity['max_abs_difference']:.2e} over {parity['rows']:,} test rows ({parity['dialect']})"
        )
    console.print(
        f"Champion {outcome.registry.champion}, challenger {outcome.registry.challenger}; report: {outcome.report}"
    )


models_app = typer.Typer(no_args_is_help=True, help="Model versions: list, promote, roll back.")
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """Every saved model version with its test metrics; the registry's champion and challenger marked."""
    from rich.table import Table

    from leadscore.registry.artifacts import load_model_version, models_dir
    from leadscore.registry.registry import load_registry

    registry = load_registry()
    table = Table(show_edge=False)
    for column in ("model", "role", "test ROC-AUC", "test PR-AUC", "top-decile lift", "SQL parity"):
        table.add_column(column)
    for folder in sorted(models_dir().glob("*/metadata.json")):
        version = load_model_version(folder.parent.name)
        metrics, metadata = version.metrics["test"], version.metadata
        role = (
            "champion"
            if registry and registry.champion == version.model_id
            else "challenger"
            if registry and registry.challenger == version.model_id
            else ""
        )
        table.add_row(
            version.model_id,
            role,
            f"{metrics['roc_auc']:.4f}",
            f"{metrics['pr_auc']:.4f}",
            f"{metrics['top_decile']['lift']:.2f}",
            f"{metadata['sql_parity']['max_abs_difference']:.1e}",
        )
    console.print(table)


@models_app.command("promote")
def models_promote(
    champion: str, challenger: str | None = typer.Option(None, help="Model scored in shadow.")
) -> None:
    """Make a saved version the champion (and optionally set the challenger); rewrites the dbt macros."""
    from leadscore.registry.registry import load_registry, promote

    current = load_registry()
    registry = promote(
        champion, challenger, reason="promoted by hand", segments=current.segments if current else None
    )
    _write_registry_macros(registry)
    console.print(
        f"Champion {registry.champion}, challenger {registry.challenger}. Run `dbt build` to rescore."
    )


@models_app.command("rollback")
def models_rollback() -> None:
    """Return to the previous champion/challenger pair; rewrites the dbt macros."""
    from leadscore.registry.registry import rollback

    registry = rollback()
    _write_registry_macros(registry)
    console.print(
        f"Rolled back: champion {registry.champion}, challenger {registry.challenger}. Run `dbt build` to rescore."
    )


def _write_registry_macros(registry) -> None:
    from leadscore.registry.artifacts import load_model_version
    from leadscore.registry.dbt_assets import write_macros

    write_macros(registry, {model_id: load_model_version(model_id) for model_id in registry.model_ids()})


@app.command("sync")
def sync_command(
    target: str | None = TARGET_OPTION,
    dry_run: str | None = typer.Option(
        None, "--dry-run", help="Write the request bodies to this file instead of sending."
    ),
    batch_size: int = typer.Option(100, help="Records per request (HubSpot allows 100)."),
    limit: int | None = typer.Option(None, help="Send at most this many changed records."),
) -> None:
    """Push leads whose tier, score or reasons changed to the CRM (LEADSCORE_CRM_URL, LEADSCORE_CRM_TOKEN).
    Safe to repeat: what was delivered is recorded, so a second run sends nothing new."""
    from leadscore.sync.client import BatchUpdateClient, CrmEndpoint
    from leadscore.sync.run import sync
    from leadscore.warehouse import connect

    client = None if dry_run else BatchUpdateClient(CrmEndpoint.from_environment())
    warehouse = connect(target)
    try:
        outcome = sync(
            warehouse, client, Path(dry_run) if dry_run else None, batch_size=batch_size, limit=limit
        )
    finally:
        warehouse.close()
    if dry_run:
        console.print(
            f"Dry run: {outcome.changed:,} changed records in {outcome.batches} batches written to {dry_run}; nothing sent."
        )
    else:
        console.print(
            f"Sent {outcome.sent:,} changed records in {outcome.batches} batches ({outcome.retries} retries)."
        )


@app.command()
def demo(
    leads: int = typer.Option(40_000, help="Demo leads to generate."),
    seed: int = typer.Option(42, help="Random seed."),
    target: str | None = TARGET_OPTION,
) -> None:
    """The whole job end to end: demo data, dbt build, training, scoring, summary."""
    import time

    started = time.perf_counter()
    stages: list[tuple[str, float]] = []

    def stage(name: str, step) -> None:
        began = time.perf_counter()
        console.rule(f"[bold]{name}")
        step()
        stages.append((name, time.perf_counter() - began))

    stage(
        "Generate the demo CRM",
        lambda: generate(leads=leads, seed=seed, end_date="2026-11-01", target=target),
    )
    stage("Build the warehouse (dbt build)", lambda: build(target=target, select=None, selector=None))
    stage("Train, evaluate and transpile", lambda: train(target=target, manifest=None))
    stage(
        "Score in the warehouse (dbt build of the scoring models)",
        lambda: build(target=target, select=None, selector="scores"),
    )
    stage("Summary", lambda: summary(target=target))
    console.print(
        "Stage times: "
        + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in stages)
        + f"; total {time.perf_counter() - started:.1f}s"
    )


def _parse_date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-11-01") from error


if __name__ == "__main__":
    app()
