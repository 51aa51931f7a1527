"""The model families, as whole scikit-learn pipelines (preprocessing included), and the Platt
calibration that turns their scores into probabilities. Everything here is transpiled, so every
step is one the translator handles exactly (transpile/preprocessing.py, transpile/assemblers.py).

- logistic: median imputation + missing indicators, scaling, one-hot categories.
- lightgbm, hgb: numbers go in as they are (both trees route missing values themselves);
  categories are ordinal-encoded (rare ones share a code, unseen ones are missing) and split natively.
- xgboost (an extra): XGBoost's hist trees on the same inputs as LightGBM, categories as native
  categorical splits; its decision_function is the float32 margin, which the SQL reproduces bit for bit.
- gbm: scikit-learn's GradientBoostingClassifier (exact greedy splits on one thread). Still
  supported, no longer a default candidate: BENCHMARKS.md has the fit times that retired it.
"""

from __future__ import annotations

import numpy as np
from lightgbm import LGBMClassifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from leadscore.feature_frame import FeatureFrameCoercer
from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.threads import thread_count

MISSING_CATEGORY = "missing"
# Categories seen in fewer than this share of training rows share one "infrequent" column (or code),
# which also takes categories never seen in training (one-hot) or treats them as missing (codes).
MIN_CATEGORY_SHARE = 0.005
MAX_CATEGORY_CODES = 64
RANDOM_STATE = 0

MODEL_KINDS = ("logistic", "gbm", "hgb", "lightgbm", "xgboost")
DEFAULT_MODEL_KINDS = ("logistic", "lightgbm")
TREE_KINDS = ("gbm", "hgb", "lightgbm", "xgboost")
XGBOOST_MISSING = (
    "the xgboost family needs XGBoost, an extra: pip install 'leadscore[xgboost]' "
    "(or leave xgboost out of --families)"
)


class LightGBMClassifier(LGBMClassifier):
    """LightGBM with a decision_function (its raw log-odds score), so Platt calibration reads the
    raw score like it does for every other family: the calibrated log-odds stay additive in the
    trees, and the reasons stay exact."""

    def decision_function(self, X) -> np.ndarray:
        return self.predict(X, raw_score=True)


def _coercer(spec: FeatureSpec) -> FeatureFrameCoercer:
    coercer = FeatureFrameCoercer(numeric=spec.numeric, boolean=spec.boolean, categorical=spec.categorical)
    return coercer.set_output(transform="pandas")


def preprocessing(spec: FeatureSpec, scale: bool) -> Pipeline:
    """Imputed numbers (+ missing indicators, optionally scaled) and one-hot categories."""
    numeric_steps = [("impute", SimpleImputer(strategy="median", add_indicator=True))]
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    categorical_steps = [
        ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
        (
            "one_hot",
            OneHotEncoder(
                handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_SHARE, sparse_output=False
            ),
        ),
    ]
    return _prepare(spec, Pipeline(numeric_steps), Pipeline(categorical_steps))


def _prepare(spec: FeatureSpec, numeric: object, categorical: object) -> Pipeline:
    """The coercer, then numbers and booleans through `numeric`, categories through `categorical`."""
    columns = ColumnTransformer(
        [
            ("numeric", numeric, [*spec.numeric, *spec.boolean]),
            ("categorical", categorical, list(spec.categorical)),
        ],
        remainder="drop",
        verbose_feature_names_out=True,
    )
    return Pipeline([("coerce", _coercer(spec)), ("columns", columns)])


def native_preprocessing(spec: FeatureSpec) -> Pipeline:
    """Numbers as they are, categories as codes: for trees that handle missing values and categories."""
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        min_frequency=MIN_CATEGORY_SHARE,
        max_categories=MAX_CATEGORY_CODES,
    )
    return _prepare(spec, "passthrough", encoder)


def categorical_positions(spec: FeatureSpec) -> list[int]:
    """Where the category codes sit in native_preprocessing's output."""
    start = len(spec.numeric) + len(spec.boolean)
    return list(range(start, start + len(spec.categorical)))


# Newton-Cholesky solves the logistic model to its optimum in a few steps: on the demo's 83 prepared
# columns, 4 steps and 0.45 s, every coefficient within 1e-4 of a reference solved to tol 1e-12,
# where L-BFGS stopped at its tolerance after 55 to 66 steps and 1.1 s, up to 0.1 off. A Newton step
# costs rows x columns^2 (L-BFGS's: rows x columns), so past this many prepared columns L-BFGS's
# steps win even when it needs sixty of them (one thread, 100,000 rows: 300 columns 2.8 s a fit,
# 1,000 columns 30 s).
NEWTON_MAX_COLUMNS = 200


def logistic_solver(prepared_columns: int) -> str:
    """The solver for a logistic fit on this many prepared columns (one-hot categories included)."""
    return "newton-cholesky" if prepared_columns <= NEWTON_MAX_COLUMNS else "lbfgs"


def logistic_pipeline(spec: FeatureSpec, C: float) -> Pipeline:
    # class_weight balances the rare positives; calibration restores the base rate afterwards.
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    return Pipeline([("prepare", preprocessing(spec, scale=True)), ("model", model)])


def gbm_pipeline(spec: FeatureSpec, n_estimators: int, max_depth: int, learning_rate: float) -> Pipeline:
    model = GradientBoostingClassifier(
        n_estimators=n_estimators,
        max_depth=max_depth,
        learning_rate=learning_rate,
        subsample=0.8,
        random_state=RANDOM_STATE,
    )
    return Pipeline([("prepare", preprocessing(spec, scale=False)), ("model", model)])


def hgb_pipeline(spec: FeatureSpec, n_estimators: int, max_leaf_nodes: int, learning_rate: float) -> Pipeline:
    model = HistGradientBoostingClassifier(
        max_iter=n_estimators,
        max_leaf_nodes=max_leaf_nodes,
        learning_rate=learning_rate,
        min_samples_leaf=50,
        l2_regularization=1.0,
        categorical_features=categorical_positions(spec) or None,
        early_stopping=False,
        random_state=RANDOM_STATE,
    )
    return Pipeline([("prepare", native_preprocessing(spec)), ("model", model)])


def lightgbm_settings(n_estimators: int, num_leaves: int, learning_rate: float) -> dict[str, object]:
    """LightGBM as we run it: explicit threads, the same bytes from the same data (deterministic,
    row-wise histograms), quiet."""
    return {
        "n_estimators": n_estimators,
        "num_leaves": num_leaves,
        "learning_rate": learning_rate,
        "min_child_samples": 50,
        "random_state": RANDOM_STATE,
        "n_jobs": thread_count(),
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


def lightgbm_pipeline(
    spec: FeatureSpec, n_estimators: int, num_leaves: int, learning_rate: float
) -> Pipeline:
    model = LightGBMClassifier(
        **lightgbm_settings(n_estimators, num_leaves, learning_rate),
        reg_lambda=1.0,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        cat_smooth=10.0,
    )
    return Pipeline([("prepare", native_preprocessing(spec)), ("model", model)])


def xgboost_pipeline(spec: FeatureSpec, n_estimators: int, max_depth: int, learning_rate: float) -> Pipeline:
    try:
        from leadscore.modeling.xgboost_family import XGBoostClassifier
    except ImportError as missing:
        raise RuntimeError(XGBOOST_MISSING) from missing
    categorical = set(categorical_positions(spec))
    width = len(spec.numeric) + len(spec.boolean) + len(spec.categorical)
    model = XGBoostClassifier(
        n_estimators=n_estimators,
        max_depth=max_depth,
        learning_rate=learning_rate,
        min_child_weight=5.0,
        reg_lambda=1.0,
        subsample=0.8,
        colsample_bytree=0.8,
        tree_method="hist",
        enable_categorical=bool(categorical),
        feature_types=["c" if i in categorical else "q" for i in range(width)] if categorical else None,
        max_cat_to_onehot=1,
        random_state=RANDOM_STATE,
        n_jobs=thread_count(),
        verbosity=0,
    )
    return Pipeline([("prepare", native_preprocessing(spec)), ("model", model)])


def fit_params(kind: str, spec: FeatureSpec, sample_weight: np.ndarray | None) -> dict[str, object]:
    """What each family's fit needs beyond X and y (sample weights; LightGBM's categorical columns)."""
    params: dict[str, object] = {}
    if sample_weight is not None:
        params["model__sample_weight"] = sample_weight
    if kind == "lightgbm":
        params["model__categorical_feature"] = categorical_positions(spec) or "auto"
    return params


# The smallest Platt slope (on the model's raw log-odds) the calibration keeps. A slope at or below
# it means the held-out block ranks backwards (negative) or shows no ranking at all: applying it
# would reverse every lead's order, or flatten it, through one drifted block.
MIN_PLATT_SLOPE = 0.05


def calibrated(fitted: Pipeline, X_calibration, y_calibration) -> CalibratedClassifierCV:
    """Platt scaling fitted on held-out rows; the pipeline itself stays frozen. The map never reverses
    or flattens the model's ranking: when the learnt slope is not clearly positive, it falls back to
    the model's own log-odds shifted so the mean probability on the block equals its label rate, and
    records why in `calibration_fallback_` (a drift finding, reported in training's output, the
    model card and the metadata)."""
    calibration = CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(
        X_calibration, y_calibration
    )
    (inner,) = calibration.calibrated_classifiers_
    (calibrator,) = inner.calibrators
    calibration.calibration_fallback_ = None
    slope = -float(calibrator.a_)  # scikit-learn's map is 1 / (1 + exp(a * score + b))
    if slope > MIN_PLATT_SLOPE:
        return calibration
    scores = np.asarray(fitted.decision_function(X_calibration), dtype=float)
    labels = np.asarray(y_calibration, dtype=float)
    rate = (labels.sum() + 1.0) / (len(labels) + 2.0)  # Platt's smoothed target, as scikit-learn uses
    calibrator.a_, calibrator.b_ = -1.0, -_intercept_for_rate(scores, rate)
    calibration.calibration_fallback_ = {
        "learnt_slope": slope,
        "block_rows": len(labels),
        "block_label_rate": float(labels.mean()),
        "reason": (
            f"the newest block ({len(labels):,} rows, {labels.mean():.1%} converted) "
            + ("ranks backwards" if slope < 0 else "shows no ranking")
            + f" under the model fitted before it (Platt slope {slope:+.3f}): drift. The map was not "
            "applied; the model's own log-odds are served, shifted to the block's label rate. Look at "
            "what changed in that block (training drift, the monitoring report) and consider "
            "--window-months or --half-life-months."
        ),
    }
    return calibration


def _intercept_for_rate(scores: np.ndarray, rate: float) -> float:
    """The shift c with mean(sigmoid(score + c)) = rate (monotone in c, so bisection finds it)."""
    from scipy.optimize import brentq
    from scipy.special import expit

    low, high = -50.0 - float(np.max(scores)), 50.0 - float(np.min(scores))
    return float(brentq(lambda shift: float(expit(scores + shift).mean()) - rate, low, high, xtol=1e-12))


def under_calibration(calibration: CalibratedClassifierCV, refit: Pipeline) -> CalibratedClassifierCV:
    """The Platt map learnt on held-out rows, applied to a refit that also saw those rows.

    The served model must learn from the newest labels, yet Platt scaling fitted on rows the model saw
    would be overconfident. So the map is learnt on the newest block with a model fitted without it,
    then the model is refit on every row and slotted under the same map. It is still one sigmoid of
    the model's raw score, so the SQL stays exact; the walk-forward backtest measures this very
    procedure, calibration included."""
    frozen = FrozenEstimator(refit)
    calibration.estimator = frozen  # the fallback found on the block (calibration_fallback_) stays
    (inner,) = calibration.calibrated_classifiers_
    inner.estimator = frozen
    return calibration
