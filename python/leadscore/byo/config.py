"""leadscore.yml: which table holds your leads, which column is the key, the ordering (time), the
label and the features. One file drives the loader, dbt (as vars) and training.

    name: x_education
    source: {csv: Leads.csv, table: x_education_leads}   # csv optional (load your own table instead)
    key: Lead Number                 # integer key, unique per lead
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


def column_name(source: str, taken: set[str]) -> str:
    """A source column name as a safe snake_case identifier, unique among `taken`."""
    base = re.sub(r"[^a-z0-9]+", "_", source.lower()).strip("_") or "column"
    base = f"f_{base}" if base[0].isdigit() else base
    name, suffix = base, 2
    while name in taken or name in RESERVED_NAMES:
        name, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(name)
    return name


@dataclass(frozen=True)
class FeatureColumn:
    name: str  # in the marts
    source: str  # in your table
    kind: str  # numeric, boolean, categorical
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()


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
            named.setdefault(feature.source, f"features.{feature.kind}")
        return named

    def dbt_vars(self) -> dict[str, object]:
        return {
            "input_mode": "lead_table",
            "value_per_conversion_usd": self.value_per_conversion_usd,
            "lead_table": {
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
            training_relation=("features", "lead_table_training_set"),
            splits_relation=("features", "lead_table_training_splits"),
            time_column="ordering_value",
            period="block",
            matured_column=None,
            feedback_column=None,
            descriptions={f.name: f"{f.source} (from {self.source_table})" for f in self.features},
        )


def _require(data: dict, key: str, path: Path) -> object:
    if key not in data or data[key] in (None, ""):
        raise ConfigError(f"{path}: `{key}` is required")
    return data[key]


def _strings(values: object, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise ConfigError(f"{path}: `{where}` must be a non-empty list")
    return tuple(str(v) for v in values)


TRAINING_OPTIONS = {"backtest_periods": int, "window_months": int, "half_life_months": float}


def _training_options(section: object, path: Path) -> dict[str, object]:
    """`training:` (walk-forward periods, training window, recency half-life), checked and typed."""
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: `training` must be a mapping of {sorted(TRAINING_OPTIONS)}")
    unknown = sorted(set(section) - set(TRAINING_OPTIONS))
    if unknown:
        raise ConfigError(f"{path}: `training` has unknown keys {unknown}; known: {sorted(TRAINING_OPTIONS)}")
    options = {}
    for key, value in section.items():
        try:
            number = TRAINING_OPTIONS[key](value)
        except (TypeError, ValueError):
            raise ConfigError(f"{path}: `training.{key}` must be a number, not {value!r}") from None
        if number <= 0 or (key == "backtest_periods" and number < 2):
            raise ConfigError(
                f"{path}: `training.{key}` must be positive (backtest_periods at least 2): {value!r}"
            )
        options[key] = number
    return options


def load_config(path: Path) -> LeadTableConfig:
    path = path.resolve()
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error
    source = _require(data, "source", path)
    label = _require(data, "label", path)
    features = _require(data, "features", path)
    if not isinstance(source, dict) or not isinstance(label, dict) or not isinstance(features, dict):
        raise ConfigError(f"{path}: `source`, `label` and `features` must be mappings")
    name = str(_require(data, "name", path))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ConfigError(
            f"{path}: `name` must be lower-case letters, digits and underscores (it names files): {name!r}"
        )
    excluded_sources = {str(c) for c in data.get("exclude") or []}
    taken: set[str] = set()
    columns: list[FeatureColumn] = []
    for kind in ("numeric", "categorical"):
        for source_column in features.get(kind) or []:
            columns.append(FeatureColumn(column_name(str(source_column), taken), str(source_column), kind))
    boolean = features.get("boolean") or {}
    if boolean:
        true_values = _strings(boolean.get("true_values"), "features.boolean.true_values", path)
        false_values = _strings(boolean.get("false_values"), "features.boolean.false_values", path)
        for source_column in boolean.get("columns") or []:
            columns.append(
                FeatureColumn(
                    column_name(str(source_column), taken),
                    str(source_column),
                    "boolean",
                    true_values,
                    false_values,
                )
            )
    unknown_exclusions = excluded_sources - {c.source for c in columns}
    if unknown_exclusions:
        raise ConfigError(
            f"{path}: `exclude` names columns that are not features: {sorted(unknown_exclusions)}"
        )
    used = [c for c in columns if c.source not in excluded_sources]
    if not used:
        raise ConfigError(f"{path}: no features left after `exclude`")
    split = data.get("split") or {}
    leakage = data.get("leakage") or {}
    config = LeadTableConfig(
        path=path,
        name=name,
        csv=(path.parent / source["csv"]).resolve() if source.get("csv") else None,
        source_schema=str(source.get("schema", "raw")),
        source_table=str(_require(source, "table", path)),
        key=str(_require(data, "key", path)),
        order_by=str(data.get("order_by") or data["key"]),
        created_at=data.get("created_at"),
        label_column=str(_require(label, "column", path)),
        positive=_strings(label.get("positive"), "label.positive", path),
        negative=_strings(label.get("negative"), "label.negative", path),
        features=used,
        excluded=[c for c in columns if c.source in excluded_sources],
        missing_values=tuple(str(v) for v in data.get("missing_values", [""])),
        train_share=float(split.get("train", 0.7)),
        validation_share=float(split.get("validation", 0.15)),
        value_per_conversion_usd=float((data.get("economics") or {}).get("value_per_conversion_usd", 1000.0)),
        leakage=LeakageSettings(
            max_single_feature_auc=float(leakage.get("max_single_feature_auc", 0.85)),
            max_fill_rate_ratio=float(leakage.get("max_fill_rate_ratio", 1.8)),
            allow=tuple(str(c) for c in leakage.get("allow") or []),
            max_model_auc=float(leakage.get("max_model_auc", 0.97)),
            missing_values=tuple(str(v) for v in data.get("missing_values", [""])),
        ),
        max_categories=int(data.get("max_categories", 200)),
        training=_training_options(data.get("training") or {}, path),
        min_rows=int(data.get("min_rows", 500)),
    )
    if not (
        0 < config.train_share < 1
        and 0 < config.validation_share < 1
        and config.train_share + config.validation_share < 1
    ):
        raise ConfigError(f"{path}: split shares must be between 0 and 1 and leave room for test: {split}")
    if set(config.positive) & set(config.negative):
        raise ConfigError(
            f"{path}: label.positive and label.negative share values {sorted(set(config.positive) & set(config.negative))}"
        )
    return config
