"""The short summary `make demo` (and `leadscore run`) ends with: what was built, how clean the
data is, how the split looks, and how the tiers converted on the test period."""

from __future__ import annotations

from rich.table import Table

from leadscore.progress import console
from leadscore.relations import model_label, model_relation
from leadscore.warehouse import Warehouse

# Raw tables by name (the demo's CRM shape), leadscore's models by model name (found in the manifest).
CRM = {
    "tables": (
        "raw.crm_accounts",
        "raw.crm_leads",
        "raw.crm_activities",
        "raw.crm_opportunities",
        "lead_features",
        "lead_training_set",
    ),
    "quality": "data_quality_scorecard",
    "splits": "lead_training_splits",
}
LEAD_TABLE = {
    "tables": ("lead_table_features", "lead_table_training_set"),
    "quality": "lead_table_quality",
    "splits": "lead_table_training_splits",
}


def _relation(warehouse: Warehouse, name: str) -> str:
    return name if "." in name else model_relation(name, warehouse.target.sql_dialect)


def _label(name: str) -> str:
    return name if "." in name else model_label(name)


def _count(warehouse: Warehouse, name: str) -> int:
    return int(warehouse.query(f"select count(*) as n from {_relation(warehouse, name)}")["n"].iloc[0])


def _print_table(
    title: str, headers: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[str, ...] = ()
) -> None:
    table = Table(title=title, show_edge=False)
    for header in headers:
        table.add_column(header, justify="right" if header in right else "left")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _print_reconciliation(warehouse: Warehouse, numbers: dict[str, object]) -> None:
    """Where every raw lead row went (quality.lead_reconciliation), when the scores are built."""
    try:
        rows = warehouse.query(
            "select outcome, reason, lead_rows, raw_rows, share_pct from "
            f"{_relation(warehouse, 'lead_reconciliation')} "
            "order by lead_rows desc, outcome, reason"
        )
    except Exception:
        return
    numbers["lead_reconciliation"] = rows.to_dict(orient="records")
    raw_rows = int(rows["raw_rows"].iloc[0]) if len(rows) else 0
    _print_table(
        f"Every raw lead accounted for: {int(rows['lead_rows'].sum()):,} of {raw_rows:,} raw rows",
        ("outcome", "reason", "rows", "%"),
        [(r.outcome, r.reason, f"{r.lead_rows:,}", f"{r.share_pct:.2f}") for r in rows.itertuples()],
        right=("rows", "%"),
    )


def print_warehouse_summary(warehouse: Warehouse, lead_table: bool = False) -> dict[str, object]:
    """Prints and returns the headline numbers of the built warehouse."""
    layout = LEAD_TABLE if lead_table else CRM
    numbers: dict[str, object] = {}
    for name in layout["tables"]:
        numbers[_label(name)] = _count(warehouse, name)
    _print_table(
        "Warehouse",
        ("table", "rows"),
        [(_label(r), f"{numbers[_label(r)]:,}") for r in layout["tables"]],
        right=("rows",),
    )

    scorecard = warehouse.query(
        f"select table_name, column_name, check_name, failing_rows, failing_pct, status from {_relation(warehouse, layout['quality'])} order by failing_pct desc"
    )
    by_status = scorecard["status"].value_counts().to_dict()
    numbers["data_quality_checks"] = {status: int(count) for status, count in by_status.items()}
    title = f"Data quality: {len(scorecard)} checks, " + ", ".join(
        f"{v} {k}" for k, v in sorted(by_status.items())
    )
    _print_table(
        title,
        ("table.column", "check", "failing rows", "%", "status"),
        [
            (
                f"{r.table_name}.{r.column_name}",
                r.check_name,
                f"{r.failing_rows:,}",
                f"{r.failing_pct:.2f}",
                r.status,
            )
            for r in scorecard[scorecard["failing_rows"] > 0].head(10).itertuples()
        ],
        right=("failing rows", "%"),
    )

    if not lead_table:
        _print_reconciliation(warehouse, numbers)

    splits = warehouse.query(
        f"select split, snapshot_rows, leads, converted_rows, label_rate from {_relation(warehouse, layout['splits'])} order by split"
    )
    numbers["splits"] = splits.to_dict(orient="records")
    _print_table(
        "Training set (chronological split)",
        ("split", "rows", "leads", "converted", "label rate"),
        [
            (r.split, f"{r.snapshot_rows:,}", f"{r.leads:,}", f"{r.converted_rows:,}", f"{r.label_rate:.2%}")
            for r in splits.itertuples()
        ],
    )

    try:
        tiers = warehouse.query(
            "select tier, snapshots, conversions, conversion_rate, mean_probability from "
            f"{_relation(warehouse, 'lead_tier_conversion')} where split = 'test' order by tier_rank"
        )
    except Exception:  # scoring not built yet
        return numbers
    numbers["test_tier_conversion"] = tiers.to_dict(orient="records")
    _print_table(
        "Tiers on the test period (champion, warehouse SQL; the served model was fitted on these labels too, "
        "so the walk-forward figures from `leadscore train` are its estimate)",
        ("tier", "rows", "converted", "conversion rate", "mean probability"),
        [
            (
                r.tier,
                f"{r.snapshots:,}",
                f"{r.conversions:,}",
                f"{r.conversion_rate:.2%}",
                f"{r.mean_probability:.2%}",
            )
            for r in tiers.itertuples()
        ],
    )
    return numbers
