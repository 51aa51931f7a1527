"""The short summary `make demo` ends with: what was built, how clean the data is, what was learnt."""

from __future__ import annotations

from rich.table import Table

from leadscore.progress import console
from leadscore.warehouse import Warehouse

RAW_TABLES = ("crm_accounts", "crm_leads", "crm_activities", "crm_opportunities")


def print_warehouse_summary(warehouse: Warehouse) -> dict[str, object]:
    """Prints and returns the headline numbers of the built warehouse."""
    numbers: dict[str, object] = {}
    sizes = Table(title="Warehouse", show_edge=False)
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for table in RAW_TABLES:
        rows = int(warehouse.query(f"select count(*) as n from raw.{table}")["n"].iloc[0])
        numbers[f"raw.{table}"] = rows
        sizes.add_row(f"raw.{table}", f"{rows:,}")
    for relation in ("features.lead_features", "features.lead_training_set"):
        rows = int(warehouse.query(f"select count(*) as n from {relation}")["n"].iloc[0])
        numbers[relation] = rows
        sizes.add_row(relation, f"{rows:,}")
    console.print(sizes)

    scorecard = warehouse.query(
        "select table_name, column_name, check_name, failing_rows, failing_pct, status "
        "from quality.data_quality_scorecard order by failing_pct desc"
    )
    by_status = scorecard["status"].value_counts().to_dict()
    numbers["data_quality_checks"] = {status: int(count) for status, count in by_status.items()}
    quality = Table(
        title=f"Data quality: {len(scorecard)} checks, "
        + ", ".join(f"{v} {k}" for k, v in sorted(by_status.items())),
        show_edge=False,
    )
    for column in ("table.column", "check", "failing rows", "%", "status"):
        quality.add_column(column, justify="right" if column in ("failing rows", "%") else "left")
    for row in scorecard[scorecard["failing_rows"] > 0].head(10).itertuples():
        quality.add_row(
            f"{row.table_name}.{row.column_name}",
            row.check_name,
            f"{row.failing_rows:,}",
            f"{row.failing_pct:.2f}",
            row.status,
        )
    console.print(quality)

    splits = warehouse.query(
        "select split, starts_at, ends_at, snapshot_rows, leads, converted_rows, label_rate "
        "from features.lead_training_splits order by starts_at"
    )
    numbers["splits"] = splits.to_dict(orient="records")
    split_table = Table(title="Training set (label: converted within the window)", show_edge=False)
    for column in ("split", "as-of from", "to", "rows", "leads", "converted", "label rate"):
        split_table.add_column(column)
    for row in splits.itertuples():
        split_table.add_row(
            row.split,
            f"{row.starts_at:%Y-%m-%d}",
            f"{row.ends_at:%Y-%m-%d}",
            f"{row.snapshot_rows:,}",
            f"{row.leads:,}",
            f"{row.converted_rows:,}",
            f"{row.label_rate:.2%}",
        )
    console.print(split_table)

    try:
        tiers = warehouse.query(
            "select tier, snapshots, conversions, conversion_rate, mean_probability from monitoring.lead_tier_conversion "
            "where split = 'test' order by tier_rank"
        )
    except Exception:  # scoring not built yet
        return numbers
    numbers["test_tier_conversion"] = tiers.to_dict(orient="records")
    tier_table = Table(title="Tiers on the test period (champion, warehouse SQL)", show_edge=False)
    for column in ("tier", "snapshots", "converted", "conversion rate", "mean probability"):
        tier_table.add_column(column)
    for row in tiers.itertuples():
        tier_table.add_row(
            row.tier,
            f"{row.snapshots:,}",
            f"{row.conversions:,}",
            f"{row.conversion_rate:.2%}",
            f"{row.mean_probability:.2%}",
        )
    console.print(tier_table)
    return numbers
