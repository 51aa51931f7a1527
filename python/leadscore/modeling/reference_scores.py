"""Each served model's probability on the rows it was fitted on (its reference rows), computed once.

Why: training reads them three times per run, for the monitoring baseline of every version
(job._save_checked), for the blend's baseline, and for the training report's current drift of the
champion, and each time predict_proba ran the whole pipeline again, a blend running every component
again. At a million leads each of those predictions took about a minute (py-spy on
`leadscore train`: 62 s for the LightGBM model, 58 s for the blend). Now a calibrated model's
calibrated log-odds are computed once and kept, its probability is their sigmoid, and a blend's
probability comes from its components' kept log-odds: the same operations predict_proba performs,
so the same bits (tests/python/modeling/test_blend.py checks them against predict_proba).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV

from leadscore.blending import LogOddsBlend, blend_of_log_odds, calibrated_log_odds
from leadscore.threads import limited_threads


class ReferenceScores:
    """run: a TrainingRun (modeling/train.py); kinds are the keys of run.models."""

    def __init__(self, run) -> None:
        self.run = run
        self._log_odds: dict[str, np.ndarray] = {}
        self._probability: dict[str, np.ndarray] = {}

    def rows(self, kind: str) -> pd.DataFrame:
        """The model's reference rows: the rows it was fitted on, its input columns."""
        trained = self.run.models[kind]
        return self.run.data.frame.iloc[trained.served_rows][list(self.run.data.spec.features)]

    def probability(self, kind: str, rows: pd.DataFrame | None = None) -> np.ndarray:
        """predict_proba(rows(kind))[:, 1], to the bit. rows: rows(kind) when the caller already
        built it (at a million leads each copy of the frame is a few hundred megabytes)."""
        if kind not in self._probability:
            with limited_threads():
                self._probability[kind] = self._compute(kind, self.rows(kind) if rows is None else rows)
        return self._probability[kind]

    def _compute(self, kind: str, rows: pd.DataFrame) -> np.ndarray:
        trained = self.run.models[kind]
        estimator = trained.estimator
        if isinstance(estimator, LogOddsBlend) and self._same_components(kind):
            # The components were fitted on the same rows (_same_components).
            parts = [self._calibrated_log_odds(component, rows) for component in trained.components]
            return expit(blend_of_log_odds(parts, estimator.weights_))
        if isinstance(estimator, CalibratedClassifierCV) and estimator.method == "sigmoid":
            return expit(self._calibrated_log_odds(kind, rows))
        return estimator.predict_proba(rows)[:, 1]

    def _calibrated_log_odds(self, kind: str, rows: pd.DataFrame) -> np.ndarray:
        if kind not in self._log_odds:
            self._log_odds[kind] = calibrated_log_odds(self.run.models[kind].estimator, rows)
        return self._log_odds[kind]

    def _same_components(self, kind: str) -> bool:
        """The blend's components are the served models of its component kinds, fitted on its rows."""
        trained = self.run.models[kind]
        if len(trained.components) != len(trained.estimator.components):
            return False
        for component_kind, component in zip(trained.components, trained.estimator.components, strict=True):
            served = self.run.models.get(component_kind)
            if served is None or served.estimator is not component:
                return False
            if not np.array_equal(served.served_rows, trained.served_rows):
                return False
            if not (isinstance(component, CalibratedClassifierCV) and component.method == "sigmoid"):
                return False
        return True
