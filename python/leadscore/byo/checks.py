"""Data checks on your lead table before dbt runs: each failure names the table, the column, the
count and what to change in leadscore.yml."""

from __future__ import annotations

from leadscore.byo.config import ConfigError, LeadTableConfig
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted, relation_name


class DataError(ValueError):
    pass


# Month names, full and abbreviated ("sept" too): order_by values that sort wrongly as text.
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_NAMES = frozenset([*MONTHS, *(month[:3] for month in MONTHS), "sept"])


def _scalar(warehouse: Warehouse, sql: str) -> object:
    return warehouse.query(sql).iloc[0, 0]


def check_lead_table(warehouse: Warehouse, config: LeadTableConfig) -> dict[str, int]:
    """Raises ConfigError / DataError on the first problem; returns row and label counts when all is well."""
    dialect = warehouse.target.sql_dialect
    table = relation_name(config.source_schema, config.source_table, dialect)
    where = f"{config.source_schema}.{config.source_table}"
    try:
        present = list(warehouse.query(f"select * from {table} limit 0").columns)
    except Exception as error:
        raise DataError(
            f"{where} does not exist or cannot be read ({str(error).splitlines()[0]}); run `leadscore load` first"
        ) from error
    missing = {column: role for column, role in config.source_columns().items() if column not in present}
    if missing:
        listing = "; ".join(f"{column!r} ({role})" for column, role in missing.items())
        raise ConfigError(
            f"{config.path}: {len(missing)} configured column(s) not in {where}: {listing}. Its columns: {present}"
        )

    def text(column: str) -> str:
        placeholders = ", ".join(f"'{v.replace(chr(39), chr(39) * 2)}'" for v in config.missing_values)
        value = f"trim(cast({quoted(column, dialect)} as varchar))"
        return f"case when {value} in ({placeholders}) then null else {value} end"

    rows = int(_scalar(warehouse, f"select count(*) from {table}"))
    if rows < config.min_rows:
        raise DataError(
            f"{where} has {rows:,} rows; at least {config.min_rows:,} are needed to train and evaluate (min_rows)"
        )

    def unreadable(column: str, *types: str) -> tuple[int, list[str]]:
        """How many values of a column read as none of the types, and up to three of them."""
        value = text(column)
        casts = " and ".join(f"try_cast({value} as {sql_type}) is null" for sql_type in types)
        bad = warehouse.query(
            f"select {value} as v, count(*) over () as n from {table} where {value} is not null and {casts} limit 3"
        )
        return (int(bad["n"].iloc[0]) if len(bad) else 0), bad["v"].tolist()

    count, examples = unreadable(config.order_by, "double", "timestamp")
    if count:
        months = [value for value in examples if str(value).strip().lower() in MONTH_NAMES]
        advice = (
            ": they are month names, whose order as text is not their order in time. Map them to numbers "
            "(1-12, with the year when the data spans years) or export a date such as 2024-03-01"
            if months
            else ": order_by must grow with time (a number or a date)"
        )
        raise DataError(
            f"{where}.{config.order_by} (order_by) holds {count:,} values that are neither "
            f"numbers nor dates, e.g. {examples}{advice}"
        )
    dated = {config.created_at: "created_at"} if config.created_at else {}
    dated |= {f.source: "features.date" for f in config.features if f.date_part}
    for source, role in dated.items():
        count, examples = unreadable(source, "timestamp")
        if count:
            raise DataError(
                f"{where}.{source} ({role}) holds {count:,} values that are not dates or "
                f"timestamps, e.g. {examples}: write them as 2026-11-01 or 2026-11-01 12:00:00"
            )

    label = text(config.label_column)
    counts = warehouse.query(
        f"select {label} as value, count(*) as n from {table} group by 1 order by 2 desc"
    )
    known = set(config.positive) | set(config.negative)
    unexpected = counts[counts["value"].notna() & ~counts["value"].isin(known)]
    if len(unexpected):
        examples = ", ".join(f"{v!r} ({n:,} rows)" for v, n in unexpected.head(5).itertuples(index=False))
        raise DataError(
            f"{where}.{config.label_column} is not binary as configured: {examples} are neither label.positive "
            f"{list(config.positive)} nor label.negative {list(config.negative)}"
        )
    positives = int(counts[counts["value"].isin(config.positive)]["n"].sum())
    negatives = int(counts[counts["value"].isin(config.negative)]["n"].sum())
    if positives == 0:
        raise DataError(
            f"{where}.{config.label_column} has no positive rows ({list(config.positive)}): nothing to learn"
        )
    if negatives == 0:
        raise DataError(
            f"{where}.{config.label_column} has no negative rows ({list(config.negative)}): nothing to learn"
        )

    for feature in config.features:
        if feature.date_part:
            continue
        value = text(feature.source)
        column = f"{where}.{feature.source}"
        if feature.kind == "numeric":
            bad = warehouse.query(
                f"select {value} as v, count(*) as n from {table} where {value} is not null and try_cast({value} as double) is null "
                "group by 1 order by 2 desc limit 3"
            )
            if len(bad):
                raise DataError(
                    f"{column} is declared numeric but {int(bad['n'].sum()):,}+ values are not numbers, e.g. {bad['v'].tolist()}"
                )
        elif feature.kind == "boolean":
            allowed = set(feature.true_values) | set(feature.false_values)
            seen = warehouse.query(f"select distinct {value} as v from {table} where {value} is not null")[
                "v"
            ]
            odd = sorted(set(seen) - allowed)
            if odd:
                raise DataError(
                    f"{column} is declared boolean but has values {odd[:5]} outside true_values/false_values {sorted(allowed)}"
                )
        else:
            levels = int(_scalar(warehouse, f"select count(distinct {value}) from {table}"))
            if levels > config.max_categories:
                raise DataError(
                    f"{column} has {levels:,} distinct values (max_categories {config.max_categories}): a category explosion. "
                    "Bucket it before loading, exclude it, or raise max_categories if you mean it"
                )
    return {"rows": rows, "positives": positives, "negatives": negatives}


def order_by_is_date(warehouse: Warehouse, config: LeadTableConfig) -> bool:
    """Whether order_by holds dates (its ordering_value is then seconds since 1970, shown as dates)."""
    dialect = warehouse.target.sql_dialect
    table = relation_name(config.source_schema, config.source_table, dialect)
    value = f"trim(cast({quoted(config.order_by, dialect)} as varchar))"
    dated = _scalar(
        warehouse,
        f"select count(*) from {table} where try_cast({value} as double) is null "
        f"and try_cast({value} as timestamp) is not null",
    )
    return int(dated) > 0
