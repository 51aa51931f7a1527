"""Which mart columns are features and how to encode them. The dbt yml is the single source:
meta.feature_kind on the columns of lead_training_set, read from dbt's manifest."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

FEATURE_KINDS = ("numeric", "boolean", "categorical")
TRAINING_MODEL = "model.lead_scoring.lead_training_set"


@dataclass(frozen=True)
class FeatureSpec:
    numeric: tuple[str, ...]
    boolean: tuple[str, ...]
    categorical: tuple[str, ...]
    keys: tuple[str, ...] = ("lead_id", "as_of_at")
    label: str = "is_converted_in_window"
    split: str = "split"
    baseline: str | None = "legacy_rule_score"  # the score models are compared with, if the data has one
    # dbt model names; where they were built comes from the manifest (leadscore.relations).
    training_model: str = "lead_training_set"
    features_model: str = "lead_features"  # the current run's rows, is_open among them
    splits_model: str = "lead_training_splits"
    # The walk-forward timeline: periods are months of time_column ("month") or equal blocks of rows
    # along it ("block"); a label is known once matured_column has passed (None: once the row is past).
    time_column: str = "as_of_at"
    period: str = "month"
    # How to show time_column's values to people: "timestamp" (as it is), "number", or "epoch_seconds"
    # (a lead table ordered by a date: ordering_value holds seconds since 1970).
    time_display: str = "timestamp"
    matured_column: str | None = "label_window_ends_at"
    feedback_column: str | None = "feedback_flag"  # sales' flags on the lead (None: the data has none)
    descriptions: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def features(self) -> tuple[str, ...]:
        return self.numeric + self.boolean + self.categorical

    def kind_of(self, column: str) -> str:
        for kind in FEATURE_KINDS:
            if column in getattr(self, kind):
                return kind
        raise KeyError(column)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FeatureSpec:
        """Also reads versions saved before 0.2, which named relations (schema.table) not models."""
        data = dict(data)
        for old, new in (("training_relation", "training_model"), ("splits_relation", "splits_model")):
            if old in data:  # ["features", "lead_training_set"] or "features.lead_training_set"
                relation = data.pop(old)
                name = relation[-1] if isinstance(relation, list) else str(relation).rsplit(".", 1)[-1]
                data.setdefault(new, name)
        known = {spec_field.name for spec_field in fields(cls)}
        return cls(
            **{
                key: tuple(value) if isinstance(value, list) else value
                for key, value in data.items()
                if key in known
            }
        )


def load_feature_spec(manifest_path: Path) -> FeatureSpec:
    if not manifest_path.exists():
        raise FileNotFoundError(f"{manifest_path} does not exist: run `dbt parse` (or `dbt build`) first")
    manifest = json.loads(manifest_path.read_text())
    try:
        columns = manifest["nodes"][TRAINING_MODEL]["columns"]
    except KeyError as error:
        raise KeyError(
            f"{manifest_path} has no {TRAINING_MODEL}: is this the lead_scoring dbt project?"
        ) from error
    by_kind: dict[str, list[str]] = {kind: [] for kind in FEATURE_KINDS}
    descriptions: dict[str, str] = {}
    for name, column in columns.items():
        kind = (column.get("meta") or {}).get("feature_kind")
        if kind is None:
            continue
        if kind not in FEATURE_KINDS:
            raise ValueError(
                f"lead_training_set.{name}: meta.feature_kind {kind!r} is not one of {FEATURE_KINDS}"
            )
        by_kind[kind].append(name)
        descriptions[name] = column.get("description", "")
    if not any(by_kind.values()):
        raise ValueError(f"{manifest_path}: no column of lead_training_set has meta.feature_kind")
    return FeatureSpec(
        numeric=tuple(by_kind["numeric"]),
        boolean=tuple(by_kind["boolean"]),
        categorical=tuple(by_kind["categorical"]),
        descriptions=descriptions,
    )
