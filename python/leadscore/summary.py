"""The short summary `make demo` (and `leadscore run`) ends with: what was built, how clean the
data is, how the split looks, and how the tiers converted on the test period."""

from __future__ import annotations

from rich.table import Table

from leadscore.progress import console
from leadscore.warehouse import Warehouse

CRM = {
    "tables": (
        "raw.crm_accounts",
        "raw.crm_leads",
        "raw.crm_activities",
        "raw.crm_opportunities",
        "features.lead_features",
        "features.lead_training_set",
    ),
    "quality": "quality.data_quality_scorecard",
    "splits": "features.lead_training_splits",
}
LEAD_TABLE = {
    "tables": ("features.lead_table_features", "features.lead_table_training_set"),
    "quality": "features.lead_table_quality",
    "splits": "features.lead_table_training_splits",
}


def _count(warehouse: Warehouse, relation: str) -> int:
    return int(warehouse.query(f"select count(*) as n from {relation}")["n"].iloc[0])


def print_warehouse_summary(warehouse: Warehouse, lead_table: bool = False) -> dict[str, object]:
    """Prints and returns the headline numbers of the built warehouse."""
    layout = LEAD_TABLE if lead_table else CRM
    numbers: dict[str, object] = {}
    sizes = Table(title="Warehouse", show_edge=False)
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for relation in layout["tables"]:
        numbers[relation] = _count(warehouse, relation)
        sizes.add_row(relation, f"{numbers[relation]:,}")
    console.print(sizes)

    scorecard = warehouse.query(
        f"select table_name, column_name, check_name, failing_rows, failing_pct, status from {layout['quality']} order by failing_pct desc"
    )
    by_status = scorecard["status"].value_counts().to_dict()
    numbers["data_quality_checks"] = {status: int(count) for status, count in by_status.items()}
    title = f"Data quality: {len(scorecard)} checks, " + ", ".join(
        f"{v} {k}" for k, v in sorted(by_status.items())
    )
    quality = Table(title=title, show_edge=False)
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
        f"select split, snapshot_rows, leads, converted_rows, label_rate from {layout['splits']} order by split"
    )
    numbers["splits"] = splits.to_dict(orient="records")
    split_table = Table(title="Training set (chronological split)", show_edge=False)
    for column in ("split", "rows", "leads", "converted", "label rate"):
        split_table.add_column(column)
    for row in splits.itertuples():
        split_table.add_row(
            row.split,
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
    for column in ("tier", "rows", "converted", "conversion rate", "mean probability"):
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
