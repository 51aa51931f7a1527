"""XGBoost as a leadscore family (the `xgboost` extra). Importing this module imports xgboost."""

from __future__ import annotations

import numpy as np
from xgboost import XGBClassifier


class XGBoostClassifier(XGBClassifier):
    """XGBoost with a decision_function: its float32 margin (the raw log-odds), so Platt calibration
    reads the raw score as for every other family. The SQL reproduces that margin bit for bit
    (XGBoost's float32 running sum), and the calibrated probability then to double precision."""

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(self.predict(X, output_margin=True), dtype=np.float64)

    def staged_margins(self, X, trees: int):
        """The margin after 1, 2, ... trees, from each row's leaf in every tree (one pass), summed
        in float32 as XGBoost sums them."""
        from leadscore.transpile.xgboost_trees import leaf_tables

        leaves = np.asarray(self.apply(X), dtype=np.int64).reshape(len(X), -1)
        base, tables = leaf_tables(self)
        total = np.full(len(X), base, dtype=np.float32)
        for tree in range(min(trees, leaves.shape[1], len(tables))):
            total = (total + tables[tree][leaves[:, tree]]).astype(np.float32)
            yield total.astype(np.float64)
