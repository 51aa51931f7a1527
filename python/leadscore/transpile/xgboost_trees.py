"""XGBoost's XGBClassifier -> RawScore, read from the booster's own JSON model (save_raw), which
holds every threshold, leaf value and tree weight as the float32 the predictor uses.

How XGBoost predicts, from its C++ (src/predictor/cpu_predictor.cc, src/common/categorical.h,
src/common/math.h, src/objective/logistic_obj.h), and what the SQL must therefore do:

- Inputs are float32: x is rounded to float32 and goes left when float32(x) < split_condition. That
  is float32(x) <= the float32 just below the condition: a NumericSplit with float32=True, written
  with the exact double boundary (float32.py). NaN, and the `missing=` value when one is set, follow
  the node's default direction; +-inf and values beyond float32's range are ordinary values.
- Categorical splits (enable_categorical) send the listed categories right and everything else
  left, including negative values and values >= 2^24 (trees.Float32CategorySplit).
- The margin is a float32 running sum: the base margin, then each tree's leaf value in tree order,
  rounded to float32 after every addition (dart: each tree's share times its weight, _dart_leaf).
  The SQL folds the trees the same way (RawScore.float32_sum).
- The base margin is Logit(base_score) = -logf(1/p - 1) in float32 (binary:logistic), or
  base_score itself (binary:logitraw).
- predict_proba is float32: 1 / (expf(min(-margin, 88.7)) + 1 + 1e-16) for binary:logistic
  (RawScore.link "float32_logit"); binary:logitraw returns the margin itself as the probability.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import math
from collections.abc import Callable
from itertools import pairwise

import numpy as np

from leadscore.transpile.assemblers import ModelInput, RawScore, UnsupportedModelError, binary_classes
from leadscore.transpile.trees import Float32CategorySplit, NumericSplit, Split, Tree

OBJECTIVES = ("binary:logistic", "binary:logitraw")
ROUNDING_EPSILON = np.float32(1e-6)  # kRtEps: base_score is clamped into [eps, 1 - eps]


def _logf() -> Callable[[float], float]:
    """The C library's logf, which XGBoost's Logit calls; a correctly rounded float32 log otherwise."""
    name = ctypes.util.find_library("m")
    if name:
        try:
            logf = ctypes.CDLL(name).logf
            logf.argtypes, logf.restype = [ctypes.c_float], ctypes.c_float
            return lambda value: float(logf(value))
        except (OSError, AttributeError):  # pragma: no cover
            pass
    return lambda value: float(np.float32(math.log(value)))  # pragma: no cover


def base_margin(objective: str, base_score: float) -> float:
    """What XGBoost starts every row's margin at (LogisticProbToMargin, in float32)."""
    score = np.float32(base_score)
    if objective == "binary:logitraw":
        return float(score)
    score = min(max(score, ROUNDING_EPSILON), np.float32(1.0) - ROUNDING_EPSILON)
    inside = np.float32(np.float32(1.0) / score - np.float32(1.0))
    return float(-np.float32(_logf()(float(inside))))


def _model(booster) -> dict:
    return json.loads(bytes(booster.save_raw(raw_format="json")))


def _category_names(model: dict) -> list[tuple[str, ...] | None]:
    """Per feature, the pandas categories XGBoost recodes inputs with (None: the input is the code)."""
    cats = model.get("cats") or {}
    encodings = cats.get("enc") or []
    names: list[tuple[str, ...] | None] = []
    for encoding in encodings:
        offsets, values = encoding.get("offsets") or [], encoding.get("values") or []
        if not offsets:
            names.append(None)
            continue
        if not all(isinstance(v, int) and 0 <= v < 256 for v in values):
            raise UnsupportedModelError(
                "XGBoost was fitted on pandas categories that are not strings; pass category codes "
                "(feature_types='c') or string categories"
            )
        data = bytes(values)
        names.append(tuple(data[start:end].decode("utf-8") for start, end in pairwise(offsets)))
    return names


def _dart_leaf(value: np.float32, weight: np.float32, base: np.float32) -> np.float32:
    """A dart tree's share of the margin, as the installed XGBoost's inplace predict adds it. Up to
    3.2 each tree is predicted on top of the base margin, which is then taken off before the weight
    is applied: ((base + leaf) - base) * weight, each step in float32. From 3.3 the predictor adds
    leaf * weight directly."""
    if _xgboost_version() < (3, 3):
        return np.float32(np.float32(np.float32(base + value) - base) * weight)
    return np.float32(value * weight)


def _xgboost_version() -> tuple[int, int]:
    import xgboost

    major, minor, *_ = (int(part) if part.isdigit() else 0 for part in xgboost.__version__.split("."))
    return major, minor


def _tree(tree: dict, leaf_weight: np.float32 | None, base: np.float32) -> Tree:
    left, right = tree["left_children"], tree["right_children"]
    conditions = np.asarray(tree["split_conditions"], dtype=np.float32)
    listed: dict[int, frozenset[int]] = {}
    for node, start, size in zip(
        tree["categories_nodes"], tree["categories_segments"], tree["categories_sizes"], strict=True
    ):
        listed[int(node)] = frozenset(int(c) for c in tree["categories"][start : start + size])
    split_types = tree.get("split_type") or [0] * len(left)
    splits: list[Split | None] = []
    values: list[float] = []
    for node in range(len(left)):
        if left[node] == -1:
            splits.append(None)
            value = conditions[node]
            if leaf_weight is not None:
                value = _dart_leaf(value, leaf_weight, base)
            values.append(float(value))
            continue
        feature, missing_left = int(tree["split_indices"][node]), bool(tree["default_left"][node])
        if split_types[node] == 1:
            splits.append(Float32CategorySplit(feature, listed.get(node, frozenset()), missing_left))
        else:
            condition = conditions[node]
            if not np.isfinite(condition):
                raise UnsupportedModelError(f"XGBoost split condition {float(condition)!r} is not finite")
            below = np.nextafter(condition, np.float32(-np.inf), dtype=np.float32)
            splits.append(NumericSplit(feature, float(below), float32=True, missing_left=missing_left))
        values.append(0.0)
    return Tree(
        splits=tuple(splits),
        left=tuple(int(i) for i in left),
        right=tuple(int(i) for i in right),
        values=tuple(values),
        weights=tuple(float(w) for w in tree["sum_hessian"]),  # cover, as XGBoost's own TreeSHAP weighs
    )


def _served_tree_count(model_object, booster_json: dict, tree_count: int) -> int:
    """predict_proba uses the trees up to best_iteration when early stopping chose one."""
    best = getattr(model_object, "best_iteration", None)
    if best is None:
        return tree_count
    indptr = booster_json.get("iteration_indptr")
    if indptr and int(best) + 1 < len(indptr):
        return int(indptr[int(best) + 1])
    return tree_count


def assemble_xgboost(model) -> RawScore:
    binary_classes(model)
    learner = _model(model.get_booster())["learner"]
    objective = learner["objective"]["name"]
    if objective not in OBJECTIVES:
        raise UnsupportedModelError(
            f"XGBoost objective {objective!r} is not translated; use one of {', '.join(OBJECTIVES)}"
        )
    parameters = learner["learner_model_param"]
    if int(parameters.get("num_target", "1")) != 1 or int(parameters.get("num_class", "0")) > 1:
        raise UnsupportedModelError("only binary XGBoost models with one target are translated")
    booster = learner["gradient_booster"]
    name = booster["name"]
    if name == "dart":
        weights = np.asarray(booster["weight_drop"], dtype=np.float32)
        forest = booster["gbtree"]["model"]
    elif name == "gbtree":
        weights, forest = None, booster["model"]
    else:
        raise UnsupportedModelError(f"XGBoost booster {name!r} is not translated; use 'gbtree' or 'dart'")
    trees = forest["trees"]
    if any(int(t["tree_param"].get("size_leaf_vector", "1")) > 1 for t in trees):
        raise UnsupportedModelError("XGBoost vector-leaf (multi-output) trees are not translated")
    served = _served_tree_count(model, forest, len(trees))
    base_scores = (
        json.loads(parameters["base_score"])
        if parameters["base_score"].startswith("[")
        else [float(parameters["base_score"])]
    )
    if len(base_scores) != 1:
        raise UnsupportedModelError("only binary XGBoost models with one base score are translated")
    missing = float(
        getattr(model, "missing", np.nan) if getattr(model, "missing", None) is not None else np.nan
    )
    names = _category_names(forest)
    count = int(parameters["num_feature"])
    inputs = tuple(
        ModelInput(
            i,
            categories=names[i] if i < len(names) else None,
            missing_value=None if math.isnan(missing) else missing,
        )
        for i in range(count)
    )
    base = base_margin(objective, float(base_scores[0]))
    return RawScore(
        constant=base,
        linear=None,
        trees=tuple(
            _tree(tree, None if weights is None else weights[k], np.float32(base))
            for k, tree in enumerate(trees[:served])
        ),
        inputs=inputs,
        link="float32_logit" if objective == "binary:logistic" else "identity",
        has_decision_function=callable(getattr(model, "decision_function", None)),
        float32_sum=True,
    )


def leaf_tables(model) -> tuple[np.float32, list[np.ndarray]]:
    """(base margin, per tree its node values by node id): what the margin adds for a row whose
    leaf in each tree is known (XGBClassifier.apply), as the SQL adds it."""
    raw = assemble_xgboost(model)
    return np.float32(raw.constant), [np.asarray(tree.values, dtype=np.float32) for tree in raw.trees]
