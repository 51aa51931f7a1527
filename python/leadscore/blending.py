"""A blend of Platt-calibrated models: the weighted mean of their calibrated log-odds.

Why log-odds and not probabilities (scikit-learn's soft VotingClassifier averages probabilities):
a mean of log-odds is one linear step on numbers the SQL already computes, so the blend's SQL is its
components' SQL combined and its reasons stay exact: each component's per-feature contributions add
up to its calibrated log-odds, so their weighted means add up to the blend's. Weights are fixed
(equal by default), not learnt: nothing is fitted on top of the components, so the walk-forward
backtest of the blend is the blend of the components' backtests, with no extra choice to leak.

Neither modeling/ nor transpile/ owns this class: training builds it, the translator reads it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV


def calibrated_log_odds(estimator: CalibratedClassifierCV, X) -> np.ndarray:
    """A sigmoid-calibrated classifier's log-odds, -(a * raw + b), computed as its predict_proba
    computes them (so the SQL, which computes the same, matches to the last bits)."""
    if not isinstance(estimator, CalibratedClassifierCV) or estimator.method != "sigmoid":
        raise TypeError(
            f"a blend component must be a sigmoid CalibratedClassifierCV, not {type(estimator).__name__}"
        )
    (inner,) = estimator.calibrated_classifiers_
    (calibrator,) = inner.calibrators
    raw = np.asarray(inner.estimator.decision_function(X), dtype=float)
    return -(calibrator.a_ * raw + calibrator.b_)


def blend_of_log_odds(log_odds: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """sum_k weight_k * log_odds_k, left to right, as the SQL sums it."""
    total = weights[0] * np.asarray(log_odds[0], dtype=float)
    for weight, values in zip(weights[1:], log_odds[1:], strict=True):
        total = total + weight * np.asarray(values, dtype=float)
    return total


class LogOddsBlend(ClassifierMixin, BaseEstimator):
    """predict_proba = sigmoid(sum_k weights[k] * calibrated log-odds of components[k]).

    components: fitted, sigmoid-calibrated classifiers reading the same input columns."""

    def __init__(self, components: Sequence[CalibratedClassifierCV], weights: Sequence[float] | None = None):
        self.components = components
        self.weights = weights

    @property
    def weights_(self) -> tuple[float, ...]:
        count = len(self.components)
        weights = (
            tuple(float(w) for w in self.weights) if self.weights is not None else (1.0 / count,) * count
        )
        if len(weights) != count or any(w < 0 for w in weights):
            raise ValueError(
                f"a blend of {count} components needs {count} non-negative weights, got {weights}"
            )
        return weights

    @property
    def classes_(self) -> np.ndarray:
        return self.components[0].classes_

    @property
    def feature_names_in_(self) -> np.ndarray:
        return self.components[0].feature_names_in_

    def fit(self, X, y):
        return self

    def decision_function(self, X) -> np.ndarray:
        """The blend's log-odds."""
        return blend_of_log_odds([calibrated_log_odds(c, X) for c in self.components], self.weights_)

    def predict_proba(self, X) -> np.ndarray:
        probability = expit(self.decision_function(X))
        return np.column_stack([1.0 - probability, probability])

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def blend_probabilities(probabilities: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """The blend of probabilities already computed (a backtest's): their log-odds recovered, then
    combined. Probabilities of exactly 0 or 1 are clipped to 1e-15 from the edge first."""
    from scipy.special import logit

    log_odds = [logit(np.clip(np.asarray(p, dtype=float), 1e-15, 1.0 - 1e-15)) for p in probabilities]
    return expit(blend_of_log_odds(log_odds, weights))
