"""leadscore.yml: which table holds your leads, which column is the key, the ordering (time), the
label and the features. One file drives the loader, dbt (as vars) and training.

    name: x_education
    source: {csv: Leads.csv, table: x_education_leads}   # csv optional (load your own table instead)
    key: Lead Number                 # the lead id (text or integer), unique per lead
    order_by: Lead Number            # grows with time: the chronological split follows it
    created_at: null                 # optional timestamp column
    label: {column: Converted, positive: ["1"], negative: ["0"]}
    missing_values: ["Select", ""]   # placeholders that mean "missing"
    features:
      numeric: [TotalVisits, ...]
      boolean: {columns: [Do Not Email], true_values: ["Yes"], false_values: ["No"]}
      categorical: [Lead Source, ...]
    exclude: [Tags]                  # listed features that are not used (leakage, policy)
    split: {train: 0.7, validation: 0.15}
    economics: {value_per_conversion_usd: 1000}
    leakage: {max_single_feature_auc: 0.85, max_fill_rate_ratio: 1.8, allow: []}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leadscore.modeling.feature_spec import FeatureSpec

RESERVED_NAMES = frozenset(
    {"lead_id", "crm_record_id", "account_id", "as_of_at", "lead_created_at", "is_open", "is_converted", "legacy_rule_score",
     "converted_at", "is_converted_in_window", "split", "ordering_value", "label_raw", "key_row_number", "is_valid"}
)  # fmt: skip


class ConfigError(ValueError):
    """leadscore.yml is wrong; the message names the file, the key and what to change."""


# A schema or table name that is safe between identifier quotes in every adapter (the same rule as
# macros/utils/validate_configuration.sql, which checks the dbt vars).
PLAIN_RELATION_NAME = re.compile(r"[A-Za-z0-9_$][A-Za-z0-9_$ -]{0,127}")


def _sql_keywords() -> frozenset[str]:
    """Words some supported dialect reserves: a generated column name never is one, so it is safe
    unquoted in every model, macro and generated statement."""
    from sqlglot.tokens import Tokenizer

    words = {keyword.lower() for keyword in Tokenizer.KEYWORDS if keyword.isalpha()}
    return frozenset(
        words | {"default", "select", "order", "group", "from", "where", "table", "user", "limit"}
    )


SQL_KEYWORDS = _sql_keywords()


def column_name(source: str, taken: set[str]) -> str:
    """A source column name as a safe snake_case identifier, unique among `taken`; never a SQL keyword
    (`default` becomes `default_col`)."""
    base = re.sub(r"[^a-z0-9]+", "_", source.lower()).strip("_") or "column"
    base = f"f_{base}" if base[0].isdigit() else base
    base = f"{base}_col" if base in SQL_KEYWORDS else base
    name, suffix = base, 2
    while name in taken or name in RESERVED_NAMES:
        name, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(name)
    return name


# What a `features.date` column becomes (macros/staging/lead_table_columns.sql derives them, and
# byo/dates.py says the same in Python): days from the date to the row's as-of time, and the
# date's month and weekday as categories.
DATE_PARTS = {"days_since": "numeric", "month": "categorical", "weekday": "categorical"}


@dataclass(frozen=True)
class FeatureColumn:
    name: str  # in the marts
    source: str  # in your table
    kind: str  # numeric, boolean, categorical
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    date_part: str | None = None  # for a feature derived from a `features.date` column


@dataclass(frozen=True)
class LeakageSettings:
    max_single_feature_auc: float = 0.85
    max_fill_rate_ratio: float = 1.8
    allow: tuple[str, ...] = ()
    max_model_auc: float = (
        0.97  # a walk-forward AUC this high stops training (a leak the column checks missed)
    )
    missing_values: tuple[str, ...] = ()  # the config's placeholders, also missing for the fill-rate check


@dataclass
class LeadTableConfig:
    path: Path
    name: str
    source_table: str
    key: str
    order_by: str
    label_column: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    features: list[FeatureColumn]
    csv: Path | None = None
    csv_encoding: str | None = None  # None: detected (byo/load.py)
    csv_delimiter: str | None = None  # None: sniffed
    source_schema: str = "raw"
    created_at: str | None = None
    missing_values: tuple[str, ...] = ("",)
    excluded: list[FeatureColumn] = field(default_factory=list)
    train_share: float = 0.7
    validation_share: float = 0.15
    value_per_conversion_usd: float = 1000.0
    leakage: LeakageSettings = field(default_factory=LeakageSettings)
    max_categories: int = 200
    min_rows: int = 500
    training: dict = field(default_factory=dict)  # backtest_periods, window_months, half_life_months

    @property
    def folder(self) -> Path:
        return self.path.parent

    def source_columns(self) -> dict[str, str]:
        """Every column the config names, with where it is named (for error messages)."""
        named = {self.key: "key", self.order_by: "order_by", self.label_column: "label.column"}
        if self.created_at:
            named[self.created_at] = "created_at"
        for feature in [*self.features, *self.excluded]:
            named.setdefault(feature.source, f"features.{'date' if feature.date_part else feature.kind}")
        return named

    def dbt_vars(self) -> dict[str, object]:
        return {
            "leadscore_input_mode": "lead_table",
            "leadscore_value_per_conversion_usd": self.value_per_conversion_usd,
            "leadscore_lead_table": {
                "source_schema": self.source_schema,
                "source_table": self.source_table,
                "key": self.key,
                "order_by": self.order_by,
                "created_at": self.created_at,
                "label": {
                    "column": self.label_column,
                    "positive": list(self.positive),
                    "negative": list(self.negative),
                },
                "missing_values": list(self.missing_values),
                "features": {
                    f.name: {
                        "source": f.source,
                        "kind": f.kind,
                        "true_values": list(f.true_values),
                        "false_values": list(f.false_values),
                        "date_part": f.date_part,
                    }
                    for f in self.features
                },
                "split": {"train": self.train_share, "validation": self.validation_share},
            },
        }

    def environment(self, project: Path) -> dict[str, str]:
        """What the CLI sets so dbt and Python work on this instance, not the demo."""
        instance = self.folder / ".leadscore" / self.name  # trained versions and generated SQL of this config
        return {
            "LEADSCORE_TARGET": "duckdb",
            "LEADSCORE_DUCKDB_PATH": str(project / "warehouse" / f"{self.name}.duckdb"),
            "LEADSCORE_ARTIFACTS_DIR": str(instance / "artifacts"),
            "LEADSCORE_GENERATED_MACROS": str(instance / "generated"),
            "LEADSCORE_DBT_VARS": json.dumps(self.dbt_vars()),
            "DBT_TARGET_PATH": str(project / "target" / self.name),
        }

    def feature_spec(self) -> FeatureSpec:
        by_kind = {
            kind: tuple(f.name for f in self.features if f.kind == kind)
            for kind in ("numeric", "boolean", "categorical")
        }
        return FeatureSpec(
            numeric=by_kind["numeric"],
            boolean=by_kind["boolean"],
            categorical=by_kind["categorical"],
            baseline=None,
            training_model="lead_table_training_set",
            features_model="lead_table_features",
            splits_model="lead_table_training_splits",
            time_column="ordering_value",
            time_display="number",
            period="block",
            matured_column=None,
            feedback_column=None,
            descriptions={f.name: f"{f.source} (from {self.source_table})" for f in self.features},
        )


def _resolve_columns(references: list[str], columns: list[FeatureColumn], where: str, path: Path) -> set[str]:
    """Feature references by the column's name in your file or by its snake_case name (the one the
    leakage messages print) -> source names; an unknown reference names the nearest feature."""
    import difflib

    by_reference = {c.source: c.source for c in columns} | {c.name: c.source for c in columns}
    resolved, unknown = set(), []
    for reference in references:
        if reference in by_reference:
            resolved.add(by_reference[reference])
        else:
            near = difflib.get_close_matches(reference, list(by_reference), n=1, cutoff=0.6)
            unknown.append(f"{reference!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
    if unknown:
        raise ConfigError(f"{path}: `{where}` names columns that are not features: {', '.join(unknown)}")
    return resolved


def load_config(path: Path) -> LeadTableConfig:
    from leadscore.byo.schema import validate_file

    path = path.resolve()
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    file = validate_file(data, path)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", file.name):
        raise ConfigError(
            f"{path}: `name` must be lower-case letters, digits and underscores (it names files): {file.name!r}"
        )
    for where, relation in (("source.schema", file.source.schema_name), ("source.table", file.source.table)):
        if not PLAIN_RELATION_NAME.fullmatch(relation):
            raise ConfigError(
                f"{path}: `{where}` = {relation!r} is not a plain schema or table name: use letters, digits, "
                "_, $, - or spaces (at most 128 characters, no quotes, semicolons or line breaks)"
            )
    taken: set[str] = set()
    columns: list[FeatureColumn] = []
    for kind in ("numeric", "categorical"):
        for source_column in getattr(file.features, kind):
            columns.append(FeatureColumn(column_name(source_column, taken), source_column, kind))
    for source_column in file.features.date:
        base = column_name(source_column, taken)
        for part, kind in DATE_PARTS.items():
            columns.append(
                FeatureColumn(column_name(f"{base}_{part}", taken), source_column, kind, date_part=part)
            )
    boolean = file.features.boolean
    if boolean is not None:
        for source_column in boolean.columns:
            columns.append(
                FeatureColumn(
                    column_name(source_column, taken),
                    source_column,
                    "boolean",
                    tuple(boolean.true_values),
                    tuple(boolean.false_values),
                )
            )
    excluded_sources = _resolve_columns(file.exclude, columns, "exclude", path)
    allowed_sources = _resolve_columns(file.leakage.allow, columns, "leakage.allow", path)
    used = [c for c in columns if c.source not in excluded_sources]
    if not used:
        raise ConfigError(f"{path}: no features left after `exclude`")
    missing_values = tuple(file.missing_values)
    config = LeadTableConfig(
        path=path,
        name=file.name,
        csv=(path.parent / file.source.csv).resolve() if file.source.csv else None,
        csv_encoding=file.source.encoding,
        csv_delimiter=file.source.delimiter,
        source_schema=file.source.schema_name,
        source_table=file.source.table,
        key=file.key,
        order_by=file.order_by or file.key,
        created_at=file.created_at,
        label_column=file.label.column,
        positive=tuple(file.label.positive),
        negative=tuple(file.label.negative),
        features=used,
        excluded=[c for c in columns if c.source in excluded_sources],
        missing_values=missing_values,
        train_share=file.split.train,
        validation_share=file.split.validation,
        value_per_conversion_usd=file.economics.value_per_conversion_usd,
        leakage=LeakageSettings(
            max_single_feature_auc=file.leakage.max_single_feature_auc,
            max_fill_rate_ratio=file.leakage.max_fill_rate_ratio,
            allow=tuple(c.name for c in columns if c.source in allowed_sources),
            max_model_auc=file.leakage.max_model_auc,
            missing_values=missing_values,
        ),
        max_categories=file.max_categories,
        training=file.training.model_dump(exclude_none=True),
        min_rows=file.min_rows,
    )
    if not (
        0 < config.train_share < 1
        and 0 < config.validation_share < 1
        and config.train_share + config.validation_share < 1
    ):
        raise ConfigError(
            f"{path}: split shares must be between 0 and 1 and leave room for test: {file.split.model_dump()}"
        )
    if set(config.positive) & set(config.negative):
        raise ConfigError(
            f"{path}: label.positive and label.negative share values {sorted(set(config.positive) & set(config.negative))}"
        )
    return config
