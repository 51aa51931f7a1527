"""Families trained side by side (one process each) give exactly what one-at-a-time training gives,
and a family that fails stops the run with its own message and leaves no process behind."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from helpers.drifting import NoWarehouse, drifting_data
from leadscore.modeling.leakage import LeakageError
from leadscore.modeling.side_by_side import SIDE_BY_SIDE_ENV, side_by_side_processes
from leadscore.modeling.stage_times import StageTimes
from leadscore.modeling.train import FamilyJob, train_models
from leadscore.modeling.walk_forward import WalkForwardSettings

FAMILIES = ("logistic", "lightgbm")


def _run(monkeypatch, side_by_side: bool, **options):
    monkeypatch.setenv("LEADSCORE_THREADS", "2")
    monkeypatch.setenv(SIDE_BY_SIDE_ENV, "1" if side_by_side else "0")
    return train_models(NoWarehouse(), drifting_data(), [], 30.0, FAMILIES, **options)


def test_side_by_side_training_gives_the_one_at_a_time_models_and_figures(monkeypatch):
    """The pool runs tasks on one thread each; one at a time runs them here on two threads."""
    data = drifting_data()
    monkeypatch.setenv("LEADSCORE_THREADS", "2")
    assert side_by_side_processes(FamilyJob(data, WalkForwardSettings(), [], "x"), 2) == 2
    times = StageTimes()
    together = _run(monkeypatch, side_by_side=True, times=times)
    alone = _run(monkeypatch, side_by_side=False)
    # Every kind of task ran and was timed; the pool's tasks add up to more than its wall time.
    assert set(times.tasks) == {"tuning", "backtest", "final fits", "plain baseline"}
    assert all(seconds > 0 for seconds in times.tasks.values())
    assert list(times.wall) == ["families", "blend, legacy score, oracle, drift"]
    # The plain baseline is fitted on one BLAS thread in either mode: the same yardstick.
    assert together.plain_walk_forward.periods.equals(alone.plain_walk_forward.periods)
    assert list(together.models) == list(alone.models)
    X = data.frame[list(data.spec.features)]
    for kind in alone.models:
        a, b = together.models[kind], alone.models[kind]
        assert a.model_id == b.model_id and a.tuning.params == b.tuning.params
        assert a.walk_forward.periods.equals(b.walk_forward.periods)
        assert np.array_equal(a.walk_forward.probability, b.walk_forward.probability)
        assert np.array_equal(a.test_probability, b.test_probability)
        assert np.array_equal(a.estimator.predict_proba(X), b.estimator.predict_proba(X))
    assert together.champion == alone.champion


def test_a_family_that_fails_stops_the_run_and_leaves_no_process(monkeypatch):
    with pytest.raises(LeakageError, match="walk-forward ROC-AUC"):
        _run(monkeypatch, side_by_side=True, max_model_auc=0.5)
    assert multiprocessing.active_children() == []
