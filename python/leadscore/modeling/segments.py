"""Segment models: for each value of a categorical column (lead source, say) with enough data, the
champion's model family refit on that segment alone. A segment model is kept only when it beats
the global champion on that segment's validation rows; everything else falls back to the champion."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import roc_auc_score

from leadscore.modeling import tuning
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import calibrated

MIN_SEGMENT_POSITIVES = 150
MIN_SEGMENT_EVALUATION_POSITIVES = 20


@dataclass
class SegmentCandidate:
    value: str
    data: TrainingData
    validation_auc: float | None  # the segment model's
    champion_validation_auc: float  # the global champion's on the same rows
    reason: str  # why it was kept or not

    @property
    def kept(self) -> bool:
        return self.validation_auc is not None and self.validation_auc > self.champion_validation_auc


def segment_data(data: TrainingData, column: str, value: str) -> TrainingData:
    return TrainingData(frame=data.frame[data.frame[column] == value], spec=data.spec, splits=data.splits)


def fit_segments(
    data: TrainingData,
    column: str,
    kind: str,
    params: dict,
    champion,
    min_positives: int = MIN_SEGMENT_POSITIVES,
):
    """Returns (candidates, {value: calibrated estimator}) for the segments worth a model of their own."""
    if column not in data.spec.categorical:
        raise ValueError(
            f"segment column {column!r} must be a categorical feature of features.lead_training_set: {data.spec.categorical}"
        )
    candidates, estimators = [], {}
    for value in sorted(data.frame[column].dropna().unique()):
        segment = segment_data(data, column, value)
        X_val, y_val = segment.features("validation"), segment.labels("validation")
        positives = {split: int(segment.labels(split).sum()) for split in ("train", "validation", "test")}
        if y_val.nunique() < 2:
            continue
        champion_auc = float(roc_auc_score(y_val, champion.predict_proba(X_val)[:, 1]))
        if (
            positives["train"] < min_positives
            or min(positives["validation"], positives["test"]) < MIN_SEGMENT_EVALUATION_POSITIVES
        ):
            candidates.append(
                SegmentCandidate(value, segment, None, champion_auc, f"too few conversions {positives}")
            )
            continue
        estimator = calibrated(tuning.fit(kind, segment, params), X_val, y_val)
        auc = float(roc_auc_score(y_val, estimator.predict_proba(X_val)[:, 1]))
        candidate = SegmentCandidate(
            value,
            segment,
            auc,
            champion_auc,
            "beats the champion on validation" if auc > champion_auc else "champion is better",
        )
        candidates.append(candidate)
        if candidate.kept:
            estimators[value] = estimator
    return candidates, estimators
