"""A fitted boosted ensemble cut to its first k trees: the k-tree fit, without fitting it again.

Boosting grows tree k from trees 1..k-1 and the data alone, and every library here draws its bags
and column samples from one seeded generator in tree order, so the first k trees of an n-tree fit
are the trees a k-tree fit grows. Tuning already fits each setting with the most trees on every
walk-forward fold (tuning.py); the backtest's refit of the chosen setting on the same rows is that
fit cut to the chosen count, so it is reused instead of repeated. The scores are bit-identical to a
fresh k-tree fit (tests/python/modeling/test_first_trees.py checks every family).
"""

from __future__ import annotations

import copy

from sklearn.pipeline import Pipeline


def first_trees(kind: str, pipeline: Pipeline, count: int) -> Pipeline:
    """`pipeline` (fitted) with its model cut to the first `count` trees; the logistic model as it is."""
    if kind == "logistic":
        return pipeline
    model = pipeline.named_steps["model"]
    cut = copy.copy(model)
    if kind == "lightgbm":
        import lightgbm

        cut._Booster = lightgbm.Booster(model_str=model.booster_.model_to_string(num_iteration=count))
        cut._n_features = model._n_features
    elif kind == "xgboost":
        cut._Booster = model.get_booster()[:count]
    elif kind == "gbm":
        cut.estimators_ = model.estimators_[:count]
        cut.train_score_ = model.train_score_[:count]
        cut.n_estimators_ = count
        if hasattr(model, "oob_improvement_"):
            cut.oob_improvement_ = model.oob_improvement_[:count]
    elif kind == "hgb":
        cut._predictors = model._predictors[:count]  # n_iter_ is their count
        cut.train_score_ = model.train_score_[: count + 1]  # one score before the first tree
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    cut.set_params(**{"max_iter" if kind == "hgb" else "n_estimators": count})
    return Pipeline([*pipeline.steps[:-1], ("model", cut)])
