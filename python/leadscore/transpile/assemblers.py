"""Fitted classifier -> its raw score, keyed by estimator class (looked up along the class's MRO, so
subclasses are found too).

A raw score is constant + linear part (m2cgen's AST) + a list of trees (`trees.Tree`), plus how
predict_proba follows from it (`link`) and which inputs scikit-learn itself would reject (the SQL
returns NULL for those rows instead of inventing a probability). m2cgen assembles the linear
model; the tree families are read from the fitted objects directly, because m2cgen has no
assembler for GradientBoosting or HistGradientBoosting and ignores where missing values go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from m2cgen import ast
from m2cgen.assemblers.linear import SklearnLinearModelAssembler
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from leadscore.transpile.trees import CategorySplit, NumericSplit, Split, Tree

# LightGBM's kZeroThreshold: 1e-35f, read as a double.
LIGHTGBM_ZERO_BAND = float(np.float32(1e-35))


class UnsupportedModelError(TypeError):
    """The estimator (or one of its settings) has no exact SQL translation: refused, never approximated."""


@dataclass(frozen=True)
class ModelInput:
    """Model feature i reads column `column` of the matrix the model is given. With `categories`,
    the model encodes that column itself (HistGradientBoosting's categorical_features, LightGBM on
    pandas categories): category k becomes code k, anything else is missing."""

    column: int
    categories: tuple[object, ...] | None = None
    missing_value: float | None = None  # XGBoost's missing=: float32(x) == it reads as missing


@dataclass(frozen=True)
class RawScore:
    """raw = constant + linear + sum(trees). predict_proba = expit(link_scale * raw) for link
    "logit", raw itself for link "identity" (forests average leaf probabilities)."""

    constant: float
    linear: ast.Expr | None
    trees: tuple[Tree, ...]
    inputs: tuple[ModelInput, ...]
    link: str = "logit"
    link_scale: float = 1.0
    has_decision_function: bool = True  # what a calibrator fitted on this model reads: raw, or predict_proba
    rejects_missing: bool = False  # scikit-learn raises on NaN
    rejects_infinite: bool = False  # ... on +-inf
    rejects_infinite_in: frozenset[int] = frozenset()  # ... on +-inf in these input columns only
    float32_inputs: bool = False  # inputs are cast to float32 (beyond its range scikit-learn raises)
    # XGBoost: the raw score is a float32 running sum (constant, then each tree in order, rounded to
    # float32 after every addition); link "float32_logit" is its float32 sigmoid.
    float32_sum: bool = False


def binary_classes(model: object) -> None:
    classes = getattr(model, "classes_", None)
    if classes is None or len(classes) != 2:
        count = "unknown" if classes is None else len(classes)
        raise UnsupportedModelError(
            f"{type(model).__name__} has {count} classes; only binary classifiers are translated"
        )


def _identity_inputs(count: int) -> tuple[ModelInput, ...]:
    return tuple(ModelInput(i) for i in range(count))


def assemble_logistic(model: LogisticRegression) -> RawScore:
    binary_classes(model)
    if model.coef_.shape[0] != 1:
        raise UnsupportedModelError("only binary logistic regression is supported")
    linear = SklearnLinearModelAssembler(model).assemble()  # intercept + sum(coef_i * x_i)
    return RawScore(
        constant=0.0,
        linear=linear,
        trees=(),
        inputs=_identity_inputs(model.n_features_in_),
        rejects_missing=True,
        rejects_infinite=True,
    )


def sklearn_tree(structure, leaf_values: np.ndarray) -> Tree:
    """A fitted scikit-learn tree_ (compares float32(x) <= threshold; NaN follows missing_go_to_left)."""
    splits: list[Split | None] = []
    missing_left = getattr(structure, "missing_go_to_left", np.zeros(structure.node_count, dtype=bool))
    for node in range(structure.node_count):
        if structure.children_left[node] == -1:
            splits.append(None)
        else:
            splits.append(
                NumericSplit(
                    feature=int(structure.feature[node]),
                    threshold=float(structure.threshold[node]),
                    float32=True,
                    missing_left=bool(missing_left[node]),
                )
            )
    return Tree(
        splits=tuple(splits),
        left=tuple(int(i) for i in structure.children_left),
        right=tuple(int(i) for i in structure.children_right),
        values=tuple(float(v) for v in leaf_values),
        weights=tuple(float(w) for w in structure.weighted_n_node_samples),
    )


def _positive_class_share(structure) -> np.ndarray:
    """Per node, the share of class 1: what DecisionTreeClassifier.predict_proba returns at a leaf."""
    values = structure.value[:, 0, :]
    totals = values.sum(axis=1)
    return values[:, 1] / np.where(totals == 0, 1.0, totals)


def assemble_decision_tree(model: DecisionTreeClassifier) -> RawScore:
    binary_classes(model)
    return RawScore(
        constant=0.0,
        linear=None,
        trees=(sklearn_tree(model.tree_, _positive_class_share(model.tree_)),),
        inputs=_identity_inputs(model.n_features_in_),
        link="identity",
        has_decision_function=False,
        rejects_infinite=True,
        float32_inputs=True,
    )


def assemble_forest(model: RandomForestClassifier | ExtraTreesClassifier) -> RawScore:
    """predict_proba is the mean of the trees' leaf shares: each leaf carries share / n_trees."""
    binary_classes(model)
    count = len(model.estimators_)
    trees = tuple(
        sklearn_tree(estimator.tree_, _positive_class_share(estimator.tree_) / count)
        for estimator in model.estimators_
    )
    return RawScore(
        constant=0.0,
        linear=None,
        trees=trees,
        inputs=_identity_inputs(model.n_features_in_),
        link="identity",
        has_decision_function=False,
        rejects_infinite=True,
        float32_inputs=True,
    )


def assemble_gradient_boosting(model: GradientBoostingClassifier) -> RawScore:
    binary_classes(model)
    if model.estimators_.shape[1] != 1:
        raise UnsupportedModelError("only binary gradient boosting is supported")
    if model.init_ == "zero":
        initial = 0.0
    elif isinstance(model.init_, DummyClassifier) and model.init_.strategy == "prior":
        initial = float(model._raw_predict_init(np.zeros((1, model.n_features_in_)))[0, 0])
    else:
        raise UnsupportedModelError(
            f"GradientBoostingClassifier(init={type(model.init_).__name__}(...)): the initial score depends "
            "on the rows through another model; use the default init (the class prior) or init='zero'"
        )
    if model.loss not in ("log_loss", "exponential"):
        raise UnsupportedModelError(f"GradientBoostingClassifier(loss={model.loss!r}) is not supported")
    rate = model.learning_rate
    trees = tuple(
        sklearn_tree(estimator.tree_, rate * estimator.tree_.value[:, 0, 0])  # what predict_stages adds
        for estimator in model.estimators_[:, 0]
    )
    return RawScore(
        constant=initial,
        linear=None,
        trees=trees,
        inputs=_identity_inputs(model.n_features_in_),
        link_scale=2.0 if model.loss == "exponential" else 1.0,  # exponential: expit(2 * raw)
        rejects_missing=True,
        rejects_infinite=True,
        float32_inputs=True,
    )


def _bitset_codes(bitset: np.ndarray) -> frozenset[int]:
    """scikit-learn's 256-bit category bitsets (8 x uint32) -> the codes they hold."""
    words = np.asarray(bitset, dtype=np.uint64)
    return frozenset(code for code in range(256) if (int(words[code // 32]) >> (code % 32)) & 1)


def _hgb_inputs(model: HistGradientBoostingClassifier) -> tuple[ModelInput, ...]:
    """HistGradientBoosting with categorical features ordinal-encodes them itself, and puts the
    encoded columns first: model feature i reads the input column in that position."""
    preprocessor = model._preprocessor
    if preprocessor is None:
        return _identity_inputs(model.n_features_in_)
    inputs: list[ModelInput | None] = [None] * model.n_features_in_
    categorical = np.flatnonzero(model.is_categorical_)
    numerical = np.flatnonzero(~model.is_categorical_)
    encoder = preprocessor.named_transformers_["encoder"]
    encoded = preprocessor.output_indices_["encoder"]
    for position, column, categories in zip(
        range(encoded.start, encoded.stop), categorical, encoder.categories_, strict=True
    ):
        known = [c for c in categories if not (isinstance(c, float) and np.isnan(c)) and c is not None]
        inputs[position] = ModelInput(int(column), tuple(known))
    numeric = preprocessor.output_indices_["numerical"]
    for position, column in zip(range(numeric.start, numeric.stop), numerical, strict=True):
        inputs[position] = ModelInput(int(column))
    return tuple(inputs)  # type: ignore[arg-type]


def assemble_hist_gradient_boosting(model: HistGradientBoostingClassifier) -> RawScore:
    binary_classes(model)
    if model.n_trees_per_iteration_ != 1:
        raise UnsupportedModelError("only binary HistGradientBoostingClassifier is supported")
    known_bitsets, feature_map = model._bin_mapper.make_known_categories_bitsets()
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        splits: list[Split | None] = []
        for node in nodes:
            if node["is_leaf"]:
                splits.append(None)
            elif node["is_categorical"]:
                feature = int(node["feature_idx"])
                splits.append(
                    CategorySplit(
                        feature=feature,
                        left=_bitset_codes(predictor.raw_left_cat_bitsets[node["bitset_idx"]]),
                        known=_bitset_codes(known_bitsets[feature_map[feature]]),
                        missing_left=bool(node["missing_go_to_left"]),
                    )
                )
            else:
                splits.append(
                    NumericSplit(
                        feature=int(node["feature_idx"]),
                        threshold=float(node["num_threshold"]),
                        float32=False,  # HistGradientBoosting predicts on float64 inputs
                        missing_left=bool(node["missing_go_to_left"]),
                    )
                )
        trees.append(
            Tree(
                splits=tuple(splits),
                left=tuple(int(i) for i in nodes["left"]),
                right=tuple(int(i) for i in nodes["right"]),
                values=tuple(float(v) for v in nodes["value"]),
                weights=tuple(float(c) for c in nodes["count"]),
            )
        )
    categorical = getattr(model, "is_categorical_", None)
    categorical_columns = set(np.flatnonzero(categorical).tolist()) if categorical is not None else set()
    inputs = _hgb_inputs(model)
    return RawScore(
        constant=float(np.asarray(model._baseline_prediction).ravel()[0]),
        linear=None,
        trees=tuple(trees),
        inputs=inputs,
        # scikit-learn raises on +-inf in a categorical column (numeric ones take it as a value).
        # Model positions, not input columns: the encoded categorical columns come first.
        rejects_infinite_in=frozenset(i for i, m in enumerate(inputs) if m.column in categorical_columns),
    )


def _lightgbm_threshold(threshold: float) -> float:
    """LightGBM reads every |x| <= 1e-35f as exactly 0.0 before comparing (its row reader drops
    near-zero values). That changes the split only for a threshold inside that band: then every
    value in the band goes left (t >= 0) or right (t < 0), which `x <= t'` says with t' the band's
    edge (or the double just below -band)."""
    if -LIGHTGBM_ZERO_BAND <= threshold < LIGHTGBM_ZERO_BAND:
        return LIGHTGBM_ZERO_BAND if threshold >= 0 else float(np.nextafter(-LIGHTGBM_ZERO_BAND, -np.inf))
    return threshold


def _model_string_thresholds(model) -> list[list[float]]:
    """Each tree's thresholds as LightGBM's predict reads them (the model string, by split index).
    dump_model() prints an infinite threshold as 1e300, which would send values above 1e300 and +inf
    the wrong way; the model string keeps `inf`."""
    thresholds: list[list[float]] = []
    for line in model.booster_.model_to_string().splitlines():
        if line.startswith("Tree="):
            thresholds.append([])
        elif line.startswith("threshold=") and thresholds:
            thresholds[-1] = [float(value) for value in line.removeprefix("threshold=").split()]
    return thresholds


def _lightgbm_tree(structure: dict, thresholds: list[float] | None = None) -> Tree:
    splits: list[Split | None] = []
    left: list[int] = []
    right: list[int] = []
    values: list[float] = []
    weights: list[float] = []
    # Iterative pre-order walk (trees can be deep); a child is linked to its parent once numbered.
    pending_nodes: list[tuple[dict, int | None, bool]] = [(structure, None, False)]
    while pending_nodes:
        node, parent, is_left = pending_nodes.pop()
        index = len(splits)
        if parent is not None:
            if is_left:
                left[parent] = index
            else:
                right[parent] = index
        if "split_index" not in node:
            if node.get("leaf_coeff"):
                raise UnsupportedModelError(
                    "LightGBM linear_tree=True (leaves hold linear models) is not translated; "
                    "fit with linear_tree=False"
                )
            splits.append(None)
            left.append(-1)
            right.append(-1)
            values.append(float(node["leaf_value"]))
            weights.append(float(node.get("leaf_count", 0)))
            continue
        feature = int(node["split_feature"])
        if node["decision_type"] == "==":
            codes = frozenset(int(code) for code in str(node["threshold"]).split("||"))
            splits.append(
                CategorySplit(
                    feature=feature,
                    left=codes,
                    known=None,
                    missing_left=False,
                    zero_band=LIGHTGBM_ZERO_BAND,
                    truncates=True,
                )
            )
        elif node["decision_type"] == "<=":
            threshold = float(node["threshold"])
            if thresholds is not None and abs(threshold) >= 1e300:  # dump_model's stand-in for inf
                threshold = thresholds[int(node["split_index"])]
            threshold = _lightgbm_threshold(threshold)
            missing_type = node["missing_type"]
            default_left = bool(node["default_left"])
            if missing_type == "None":  # NaN is read as 0.0 and compared
                splits.append(NumericSplit(feature, threshold, False, missing_left=threshold >= 0.0))
            elif missing_type == "Zero":
                splits.append(NumericSplit(feature, threshold, False, default_left, LIGHTGBM_ZERO_BAND))
            elif missing_type == "NaN":
                splits.append(NumericSplit(feature, threshold, False, default_left))
            else:
                raise UnsupportedModelError(f"LightGBM missing_type {missing_type!r} is not supported")
        else:
            raise UnsupportedModelError(f"LightGBM decision_type {node['decision_type']!r} is not supported")
        left.append(-1)
        right.append(-1)
        values.append(float(node.get("internal_value", 0.0)))
        weights.append(float(node.get("internal_count", 0)))
        # Push right first so the left subtree is numbered next (pre-order).
        pending_nodes.append((node["right_child"], index, False))
        pending_nodes.append((node["left_child"], index, True))
    return Tree(tuple(splits), tuple(left), tuple(right), tuple(values), tuple(weights))


def _lightgbm_inputs(model, dump: dict) -> tuple[ModelInput, ...]:
    """LightGBM fitted on pandas categories maps each category to its position in the training
    categories (pandas_categorical); unseen ones become missing (code -1, sent right)."""
    count = int(dump["max_feature_idx"]) + 1
    pandas_categorical = dump.get("pandas_categorical") or []
    if not pandas_categorical:
        return _identity_inputs(count)
    declared = model.booster_.params.get("categorical_column")
    if declared is not None:
        categorical_columns = sorted(int(i) for i in np.atleast_1d(declared))
    else:  # categorical features list the codes they saw; numeric ones list none
        infos = dump["feature_infos"]
        categorical_columns = [
            i
            for i, name in enumerate(dump["feature_names"])
            if isinstance(infos.get(name), dict) and infos[name].get("values")
        ]
    if len(categorical_columns) != len(pandas_categorical):
        raise UnsupportedModelError(
            "LightGBM was fitted on pandas categories that cannot be matched to its features; pass an "
            "ordinal-encoded matrix instead"
        )
    inputs = list(_identity_inputs(count))
    for column, categories in zip(categorical_columns, pandas_categorical, strict=True):
        inputs[column] = ModelInput(column, tuple(categories))
    return tuple(inputs)


def assemble_lightgbm(model) -> RawScore:
    binary_classes(model)
    dump = model.booster_.dump_model()
    objective = str(dump.get("objective", ""))
    name, *options = objective.split()
    if name not in ("binary", "cross_entropy", "xentropy"):
        raise UnsupportedModelError(f"LightGBM objective {name!r} is not supported (binary only)")
    scale = 1.0
    for option in options:
        if option.startswith("sigmoid:"):
            scale = float(option.split(":", 1)[1])
    if int(dump.get("num_class", 1)) != 1 or int(dump.get("num_tree_per_iteration", 1)) != 1:
        raise UnsupportedModelError("only binary LightGBM models are supported")
    if model.booster_.params.get("linear_tree") in (True, "true", "1", 1):
        raise UnsupportedModelError(
            "LightGBM linear_tree=True (leaves hold linear models) is not translated; fit with linear_tree=False"
        )
    thresholds = _model_string_thresholds(model)
    if len(thresholds) != len(dump["tree_info"]):
        thresholds = [None] * len(dump["tree_info"])
    trees = [
        _lightgbm_tree(info["tree_structure"], tree_thresholds)
        for info, tree_thresholds in zip(dump["tree_info"], thresholds, strict=True)
    ]
    if dump.get("average_output"):  # random-forest mode averages the trees
        trees = [
            Tree(t.splits, t.left, t.right, tuple(v / len(trees) for v in t.values), t.weights) for t in trees
        ]
    return RawScore(
        constant=0.0,
        linear=None,
        trees=tuple(trees),
        inputs=_lightgbm_inputs(model, dump),
        link_scale=scale,
        has_decision_function=callable(getattr(model, "decision_function", None)),
    )


ASSEMBLERS: dict[type, Callable[[object], RawScore]] = {
    LogisticRegression: assemble_logistic,
    DecisionTreeClassifier: assemble_decision_tree,
    RandomForestClassifier: assemble_forest,
    ExtraTreesClassifier: assemble_forest,
    GradientBoostingClassifier: assemble_gradient_boosting,
    HistGradientBoostingClassifier: assemble_hist_gradient_boosting,
}
try:  # LightGBM is a dependency of the product, but the translator works without it
    from lightgbm import LGBMClassifier

    ASSEMBLERS[LGBMClassifier] = assemble_lightgbm
except ImportError:  # pragma: no cover
    pass
try:  # XGBoost is an extra (leadscore[xgboost])
    from xgboost import XGBClassifier

    from leadscore.transpile.xgboost_trees import assemble_xgboost

    ASSEMBLERS[XGBClassifier] = assemble_xgboost
except ImportError:  # pragma: no cover
    pass


def supported_estimators() -> list[str]:
    return [cls.__name__ for cls in ASSEMBLERS]


def assemble_raw_score(model: object) -> RawScore:
    for cls in type(model).__mro__:
        assembler = ASSEMBLERS.get(cls)
        if assembler is not None:
            return assembler(model)
    raise UnsupportedModelError(
        f"no SQL translation for {type(model).__name__}; supported: {', '.join(supported_estimators())}"
    )
