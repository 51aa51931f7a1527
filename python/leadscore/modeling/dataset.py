"""Loads the training mart and refuses, with a clear message, data too thin to learn from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.relations import model_label, model_relation
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted

# Below these, metrics and the tree ensemble are too noisy to trust.
MIN_TRAIN_POSITIVES = 200
MIN_EVALUATION_POSITIVES = 30
LABELLED_SPLITS = ("train", "validation", "test", "recent")


class TrainingDataError(ValueError):
    """The training data cannot support a model; the message says what is missing."""


@dataclass
class TrainingData:
    frame: pd.DataFrame
    spec: FeatureSpec
    splits: pd.DataFrame  # boundaries and label rates, as built by dbt

    def part(self, split: str) -> pd.DataFrame:
        return self.frame[self.frame[self.spec.split] == split]

    def features(self, split: str) -> pd.DataFrame:
        return self.part(split)[list(self.spec.features)]

    def labels(self, split: str) -> pd.Series:
        return self.part(split)[self.spec.label].astype(int)


def load_training_data(warehouse: Warehouse, spec: FeatureSpec) -> TrainingData:
    dialect = warehouse.target.sql_dialect
    columns = [
        *spec.keys,
        *spec.features,
        *([spec.baseline] if spec.baseline else []),
        spec.label,
        spec.split,
        spec.time_column,
        *([spec.matured_column] if spec.matured_column else []),
        *([spec.feedback_column] if spec.feedback_column else []),
    ]
    select = ", ".join(quoted(column, dialect) for column in dict.fromkeys(columns))
    # Every labelled row: the fixed splits, and 'recent' (matured after the test period), which the
    # walk-forward backtest and the served model use.
    frame = warehouse.query(
        f"select {select} from {model_relation(spec.training_model, dialect)} "
        f"where {quoted(spec.split, dialect)} in ({', '.join(repr(s) for s in LABELLED_SPLITS)}) "
        # Ids are text: shorter first, then by text, so integer ids ('9' before '10') keep numeric order.
        f"order by length({quoted(columns[0], dialect)}), 1, 2"
    )
    splits = warehouse.query(
        f"select * from {model_relation(spec.splits_model, dialect)} order by {quoted('starts_at', dialect)}, 1"
    )
    data = TrainingData(frame=frame, spec=spec, splits=splits)
    check_trainable(data)
    return data


FEEDBACK_POLICIES = ("exclude", "relabel", "ignore")


def apply_feedback(data: TrainingData, policy: str) -> tuple[TrainingData, dict[str, object]]:
    """Rows of leads sales flagged `mislabeled`: left out (exclude), their label flipped (relabel), or
    used as they are (ignore). Counted either way; never dropped without a word."""
    if policy not in FEEDBACK_POLICIES:
        raise ValueError(f"--feedback must be one of {FEEDBACK_POLICIES}, not {policy!r}")
    column = data.spec.feedback_column
    if not column or column not in data.frame:
        return data, {"policy": policy, "mislabeled_rows": 0, "mislabeled_leads": 0}
    flagged = (data.frame[column] == "mislabeled").to_numpy()
    summary = {
        "policy": policy,
        "mislabeled_rows": int(flagged.sum()),
        "mislabeled_leads": int(data.frame.loc[flagged, "lead_id"].nunique()),
        "wrong_score_leads": int(data.frame.loc[data.frame[column] == "wrong_score", "lead_id"].nunique()),
    }
    if policy == "exclude" and flagged.any():
        data = TrainingData(
            frame=data.frame[~flagged].reset_index(drop=True), spec=data.spec, splits=data.splits
        )
    elif policy == "relabel" and flagged.any():
        frame = data.frame.copy()
        frame.loc[flagged, data.spec.label] = ~frame.loc[flagged, data.spec.label].astype(bool)
        data = TrainingData(frame=frame, spec=data.spec, splits=data.splits)
    return data, summary


def check_trainable(data: TrainingData) -> None:
    relation = model_label(data.spec.training_model)
    label = data.spec.label
    values = set(data.frame[label].dropna().unique())
    if not values <= {True, False}:
        raise TrainingDataError(
            f"{relation}.{label} must be boolean; found values {sorted(map(str, values))[:5]}"
        )
    for split, minimum in (
        ("train", MIN_TRAIN_POSITIVES),
        ("validation", MIN_EVALUATION_POSITIVES),
        ("test", MIN_EVALUATION_POSITIVES),
    ):
        part = data.part(split)
        positives = int(part[label].sum())
        negatives = len(part) - positives
        if len(part) == 0:
            raise TrainingDataError(
                f"{relation} has no rows with {data.spec.split} = '{split}': the history is too short for the "
                "configured split (vars split_*_months) or the label window has not closed yet"
            )
        if positives == 0 or negatives == 0:
            raise TrainingDataError(
                f"{relation}.{label} has only one class in split '{split}' ({positives} converted, {negatives} not): "
                "a classifier needs both"
            )
        if positives < minimum:
            raise TrainingDataError(
                f"{relation}.{label}: split '{split}' has {positives} conversions in {len(part):,} rows; at least "
                f"{minimum} are needed for a model and metrics worth trusting. Widen the history or the label window."
            )
