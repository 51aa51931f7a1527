"""The logistic family is solved to its optimum: Newton-Cholesky on the prepared columns when they
are few, L-BFGS past pipelines.NEWTON_MAX_COLUMNS. Checked against an independent truth, the same
problem solved by L-BFGS to a tolerance of 1e-12; and the one fitting path (preprocessing fitted
once, then the model on the prepared rows) leaves the tree families' fits bit for bit as a plain
Pipeline.fit makes them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from helpers.drifting import drifting_data
from leadscore.modeling import pipelines, tuning
from leadscore.modeling.pipelines import fit_params
from leadscore.modeling.timeline import Timeline
from leadscore.threads import limited_threads


@pytest.fixture(scope="module")
def fitter() -> tuning.FoldFitter:
    return tuning.FoldFitter(Timeline(drifting_data(seed=4), 6), None, 12)  # with recency weights


def _problem(fitter: tuning.FoldFitter, C: float):
    rows = fitter.timeline.all_rows()[:10_000]
    pipeline = fitter.fit("logistic", {"C": C}, rows)
    prepared = pipeline.named_steps["prepare"].transform(fitter.timeline.data.frame.iloc[rows])
    y = fitter.timeline.labels[rows]
    recency = fitter.timeline.recency_weights(rows, fitter.half_life_months)
    return pipeline, prepared, y, recency


@pytest.mark.parametrize("C", [0.01, 1.0])
def test_the_logistic_fit_reaches_the_optimum(fitter, C):
    pipeline, prepared, y, recency = _problem(fitter, C)
    model = pipeline.named_steps["model"]
    assert prepared.shape[1] <= pipelines.NEWTON_MAX_COLUMNS
    assert model.solver == "newton-cholesky"
    reference = LogisticRegression(C=C, class_weight="balanced", tol=1e-12, max_iter=100_000).fit(
        prepared, y, sample_weight=recency
    )
    assert np.abs(model.coef_ - reference.coef_).max() < 1e-5
    assert abs(model.intercept_[0] - reference.intercept_[0]) < 1e-5


def test_past_the_width_bound_lbfgs_solves_it(fitter, monkeypatch):
    monkeypatch.setattr(pipelines, "NEWTON_MAX_COLUMNS", 2)
    pipeline, prepared, *_ = _problem(fitter, 1.0)
    assert prepared.shape[1] > 2
    assert pipeline.named_steps["model"].solver == "lbfgs"
    assert pipelines.logistic_solver(2) == "newton-cholesky"
    assert pipelines.logistic_solver(3) == "lbfgs"


@pytest.mark.parametrize("kind", ["logistic", "lightgbm", "hgb"])
def test_fits_equal_a_plain_pipeline_fit_bit_for_bit(fitter, kind):
    """fit_candidates prepares the rows with fit_transform, as Pipeline.fit does (fit then transform
    would prepare them twice): the same model as a plain Pipeline.fit, given the same solver."""
    data = fitter.timeline.data
    rows = fitter.timeline.all_rows()[:8000]
    X = data.frame.iloc[rows][list(data.spec.features)]
    y = fitter.timeline.labels[rows]
    params = {**tuning._candidates(kind)[0], **({} if kind == "logistic" else {"n_estimators": 30})}
    ours = tuning.fit_pipeline(kind, data, params, X, y)
    weights = tuning.sample_weights(kind, y, None)
    plain = tuning.build(kind, data, params)
    if kind == "logistic":
        plain.set_params(model__solver=ours.named_steps["model"].solver)
    with limited_threads(1 if kind == "logistic" else None):  # one BLAS thread, as training fits it
        plain.fit(X, y, **fit_params(kind, data.spec, weights))
    everything = data.frame[list(data.spec.features)]
    assert np.array_equal(ours.decision_function(everything), plain.decision_function(everything))
