"""The two model families, as whole scikit-learn pipelines (preprocessing included), and the
Platt calibration that turns their scores into probabilities. Everything here is transpiled."""

from __future__ import annotations

from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.modeling.frame import FeatureFrameCoercer

MISSING_CATEGORY = "missing"
# Categories seen in fewer than this share of training rows share one "infrequent" column,
# which also takes categories never seen in training.
MIN_CATEGORY_SHARE = 0.005
RANDOM_STATE = 0

MODEL_KINDS = ("logistic", "gbm")


def preprocessing(spec: FeatureSpec, scale: bool) -> Pipeline:
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
    columns = ColumnTransformer(
        [
            ("numeric", Pipeline(numeric_steps), [*spec.numeric, *spec.boolean]),
            ("categorical", Pipeline(categorical_steps), list(spec.categorical)),
        ],
        remainder="drop",
        verbose_feature_names_out=True,
    )
    coercer = FeatureFrameCoercer(numeric=spec.numeric, boolean=spec.boolean, categorical=spec.categorical)
    return Pipeline([("coerce", coercer.set_output(transform="pandas")), ("columns", columns)])


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


def calibrated(fitted: Pipeline, X_calibration, y_calibration) -> CalibratedClassifierCV:
    """Platt scaling fitted on held-out rows; the pipeline itself stays frozen."""
    return CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(X_calibration, y_calibration)
