"""`leadscore`: the commands around the dbt project (demo data, training, scoring, sync, benchmarks)."""

from __future__ import annotations

from datetime import date, datetime

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
) -> None:
    """`dbt build` with a progress bar: seeds, models, snapshots and every test."""
    from leadscore.dbt_invocation import run_dbt

    arguments = ["build"] + (["--select", select] if select else [])
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
    stage("Build the warehouse (dbt build)", lambda: build(target=target, select=None))
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
