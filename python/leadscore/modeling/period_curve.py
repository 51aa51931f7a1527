"""One tuning fit's ROC-AUC on its fold's period after 1, 2, ... trees, and where reading it stops.

Tuning fits each tree setting with the most trees it allows (tuning.TREE_GRIDS) and keeps the fewest
trees within a tolerance of the best mean AUC over the periods. On every warehouse measured, each
fold's AUC peaks well before the most trees (the demo's LightGBM folds at 102 to 540 of 600) and the
count kept sits near the peaks, so the trees past a fold's peak are fitted only to be discarded.
A fold's curve therefore stops PATIENCE_TREES after its best AUC so far: LightGBM, the default tree
family, stops fitting there (a callback reads the curve while the booster grows); the other families
are fitted whole and their curves stop being read at the same point, so every family is chosen by
one rule. Counts past the stop are unmeasured (NaN), and tuning.choose keeps a count only where
every fold it reads was measured.

The stop depends on the period's AUC values alone, so the same data give the same stop, the same
trees and the same bytes. Whether it changed a choice is checked in BENCHMARKS.md's training section
against reading every count.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from leadscore.modeling.staged_auc import StagedAuc

# A fold's curve stops once its AUC has not risen for this many trees.
PATIENCE_TREES = 100
# With more rows in a period than this, AUC is computed for about MAX_COUNT_EVALUATIONS tree counts
# (every count up to it, then a stride) instead of all of them: each AUC sorts the rows.
STRIDE_FROM_PERIOD_ROWS = 50_000
MAX_COUNT_EVALUATIONS = 100
# LightGBM's curve is read every this many trees while it fits: one leaf prediction per batch.
CURVE_BATCH_TREES = 10


class PeriodCurve:
    """aucs[k - 1]: the period's AUC after k trees (NaN where not read); stopped_at: the count the
    curve stopped at (None: it ran to the most trees)."""

    def __init__(self, labels: np.ndarray, most: int, min_trees: int) -> None:
        self.aucs = np.full(most, np.nan)
        self.stopped_at: int | None = None
        self._auc = StagedAuc(labels)
        self._most, self._min_trees = most, min_trees
        self._stride = max(1, most // MAX_COUNT_EVALUATIONS) if len(labels) > STRIDE_FROM_PERIOD_ROWS else 1
        self._best, self._best_count = -np.inf, 0

    def read(self, count: int, scores: np.ndarray) -> bool:
        """The raw score after `count` trees; True once the curve has stopped."""
        if self.stopped_at is not None:
            return True
        if count <= MAX_COUNT_EVALUATIONS or count % self._stride == 0 or count == self._most:
            auc = self._auc(np.ravel(scores))
            self.aucs[count - 1] = auc
            if auc > self._best:
                self._best, self._best_count = auc, count
        if count >= self._min_trees and count - self._best_count >= PATIENCE_TREES:
            self.stopped_at = count
        return self.stopped_at is not None

    def read_all(self, staged_scores: Iterator[np.ndarray]) -> None:
        """A fitted ensemble's raw scores after 1, 2, ... trees, read until the curve stops."""
        for count, scores in enumerate(staged_scores, 1):
            if self.read(count, scores):
                return

    def lightgbm_callback(self, prepared: np.ndarray):
        """A LightGBM training callback that reads the curve every CURVE_BATCH_TREES trees (each
        row's leaf in the new trees, added to the running raw score, as tuning's staged scores are)
        and stops the booster once the curve has stopped. The booster then holds every tree grown
        (its best_iteration is all of them), so its predictions are unchanged."""
        import lightgbm

        state = {"read": 0, "total": np.zeros(len(prepared))}

        def callback(env) -> None:
            grown = env.iteration + 1 - env.begin_iteration
            if grown - state["read"] < CURVE_BATCH_TREES and env.iteration + 1 < env.end_iteration:
                return
            first = state["read"]
            running = lightgbm_running_scores(env.model, prepared, first, grown - first, state["total"])
            for count, total in enumerate(running, first + 1):
                state["total"] = total
                if self.read(count, total):
                    raise lightgbm.callback.EarlyStopException(env.iteration, [])
            state["read"] = grown

        callback.order = 30  # after LightGBM's own callbacks (there are none: no eval sets)
        return callback


def lightgbm_running_scores(
    booster, prepared: np.ndarray, first: int, count: int, total: np.ndarray
) -> Iterator[np.ndarray]:
    """The raw score after trees first + 1, ..., first + count, from `total` (the score after the
    first `first` trees): each row's leaf in those trees (one prediction), then a running sum of the
    leaf outputs. Tuning's staged scores and the training callback both sum this way."""
    if count <= 0:
        return  # (LightGBM reads num_iteration=0 as every tree)
    leaves = booster.predict(prepared, start_iteration=first, num_iteration=count, pred_leaf=True)
    leaves = leaves.reshape(len(prepared), -1)
    for offset in range(leaves.shape[1]):
        tree = first + offset
        outputs = np.array(
            [booster.get_leaf_output(tree, leaf) for leaf in range(int(leaves[:, offset].max()) + 1)]
        )
        total = total + outputs[leaves[:, offset]]
        yield total
