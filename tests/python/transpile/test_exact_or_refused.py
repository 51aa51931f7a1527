"""Exact or refused, never silently wrong: estimator x preprocessing x input oddity.

Every cell fits a configuration a user can build, then either the translator refuses it with an
UnsupportedModelError that says why, or the generated SQL, run on DuckDB (and on Postgres for the
estimator families), gives predict_proba on every row to 1e-9, and NULL exactly on the rows where
scikit-learn itself raises. The rows hold the oddities: NULL, a NaN double (not NULL), +-inf, 1e300,
categories never seen in training (SQL injection included), and every numeric tree threshold
exactly, at its float32 boundary and one double either side.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost  # the xgboost extra, part of the dev install
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from helpers.postgres_rows import write_rows
from helpers.xgboost_float32 import with_libm_expf_rows as _with_libm_expf_rows
from leadscore.feature_frame import FeatureFrameCoercer
from leadscore.modeling.xgboost_family import XGBoostClassifier
from leadscore.transpile.assemblers import UnsupportedModelError, assemble_raw_score
from leadscore.transpile.float32 import float32_cut
from leadscore.transpile.query import build_scoring_query
from leadscore.transpile.trees import NumericSplit

TOLERANCE = 1e-9
NUMERIC = ["n0", "n1", "n2"]
EVIL = ["x'); drop table leads; --", "never seen", "Ünïcødé 🚀", ""]
rng = np.random.default_rng(11)


def _training_frame(rows: int = 1500) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(rng.normal(size=(rows, 3)), columns=NUMERIC)
    frame.loc[rng.random(rows) < 0.1, "n0"] = np.nan
    frame["c0"] = rng.choice(["red", "green", "blue", "rare"], p=[0.45, 0.3, 0.245, 0.005], size=rows)
    frame.loc[rng.random(rows) < 0.05, "c0"] = None
    frame["b0"] = rng.random(rows) < 0.5
    frame["k0"] = rng.integers(0, 5, size=rows).astype(float)
    signal = (
        frame["n1"] + frame["n2"].clip(-1, 1) + (frame["c0"] == "red") + 0.5 * frame["b0"] - 0.3 * frame["k0"]
    )
    labels = (signal + rng.normal(size=rows) > 0.5).astype(int).to_numpy()
    return frame, labels


TRAIN, LABELS = _training_frame()


def _odd_rows(model: object, columns: list[str]) -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """Rows derived from training rows with one oddity each; nan_cells marks cells that must be a NaN
    double in the warehouse (pandas writes NaN as NULL)."""
    base = TRAIN[columns].head(40).reset_index(drop=True)
    rows: list[dict] = [row for row in base.to_dict("records")]
    nan_cells: dict[tuple[int, str], str] = {}

    def variant(changes: dict) -> int:
        row = dict(base.iloc[len(rows) % len(base)])
        row.update(changes)
        rows.append(row)
        return len(rows) - 1

    numeric = [c for c in columns if c in NUMERIC]
    for column in numeric:
        band = float(np.float32(1e-35))  # LightGBM reads |x| <= 1e-35f as 0.0
        for value in (
            None,
            np.inf,
            -np.inf,
            1e300,
            -1e300,
            0.0,
            1e-40,
            1e-300,  # x * c rounds to zero: Postgres raises underflow unless the SQL guards it
            5e-324,  # the smallest subnormal
            band,
            -band,
            -np.nextafter(band, 1.0),
        ):
            variant({column: value})
        nan_cells[(variant({column: np.nan}), column)] = "nan"
    for column in [c for c in columns if c == "c0"]:
        for value in [*EVIL, None]:
            variant({column: value})
    for column in [c for c in columns if c == "k0"]:
        for value in (7.0, 2.5, None, np.inf, -np.inf, -0.5, 1e10):
            variant({column: value})
    for column in [c for c in columns if c == "b0"]:
        variant({column: None})
    for feature, threshold in _numeric_thresholds(model, columns)[:300]:
        cut = float32_cut(threshold)
        above = float(np.nextafter(np.float32(threshold), np.float32(np.inf), dtype=np.float32))
        for value in {
            threshold,
            cut.boundary,
            np.nextafter(cut.boundary, -np.inf),
            np.nextafter(cut.boundary, np.inf),
            above,  # the next float32 (XGBoost's split condition itself)
        }:
            variant({feature: float(value)})
    frame = pd.DataFrame(rows)
    for column in numeric + [c for c in columns if c == "k0"]:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    if "b0" in columns:
        frame["b0"] = frame["b0"].astype("boolean")
    if "c0" in columns:
        frame["c0"] = frame["c0"].astype("object")
    return frame, nan_cells


def _numeric_thresholds(model: object, columns: list[str]) -> list[tuple[str, float]]:
    """(input column, threshold) of the trees, when the model reads the input columns directly."""
    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if isinstance(final, CalibratedClassifierCV):
        return []
    try:
        raw = assemble_raw_score(final)
    except UnsupportedModelError:
        return []
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        return []
    numeric = [c for c in columns if c in NUMERIC]
    out = []
    for tree in raw.trees:
        for split in tree.splits:
            if isinstance(split, NumericSplit) and split.feature < len(numeric):
                out.append((numeric[split.feature], split.threshold))
    return sorted(set(out))


def _python(model: object, frame: pd.DataFrame) -> np.ndarray:
    """predict_proba per row; NaN where scikit-learn raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return model.predict_proba(frame)[:, 1]
        except ValueError:
            out = np.full(len(frame), np.nan)
            for i in range(len(frame)):
                with contextlib.suppress(ValueError):  # scikit-learn refuses this row: NaN
                    out[i] = model.predict_proba(frame.iloc[[i]])[:, 1][0]
            return out


def _sql(model: object, frame: pd.DataFrame, nan_cells: dict[tuple[int, str], str]) -> np.ndarray:
    return _scored(model, frame, nan_cells)["probability"].to_numpy(dtype=float)


def _scored(model: object, frame: pd.DataFrame, nan_cells: dict[tuple[int, str], str]) -> pd.DataFrame:
    """The scoring query's output (raw_score, log_odds, probability) by row_id."""
    query = build_scoring_query(model, ["row_id"])
    connection = duckdb.connect()
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection.register("rows_frame", table)
    connection.execute("create table odd_rows as select * from rows_frame")
    for (row, column), _ in nan_cells.items():
        connection.execute(f"update odd_rows set \"{column}\" = 'NaN'::double where row_id = {row}")
    assert connection.execute("select count(*) from odd_rows").fetchone()[0] == len(frame)
    scored = connection.execute(query.sql("duckdb", relation="odd_rows")).df().sort_values("row_id")
    assert connection.execute("select count(*) from odd_rows").fetchone()[0] == len(frame)  # nothing dropped
    return scored


@dataclass
class Cell:
    name: str
    columns: list[str]
    build: Callable[[], object]
    refused: str | None = None  # a fragment of the refusal message, when the translator must refuse
    as_fitted: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame  # dtypes as in fit
    # XGBoost's own predict_proba is float32, through the C library's expf (within 0.502 ulp of
    # exp; the SQL's exp is correctly rounded), so on rare margins it is one float32 ulp away.
    float32_probability: bool = False


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    """c0 as the pandas category it was fitted as (training categories; others become missing)."""
    known = sorted(TRAIN["c0"].dropna().unique())
    return frame.assign(c0=pd.Categorical(frame["c0"].where(frame["c0"].isin(known)), categories=known))


def _ct(*transformers, remainder="drop"):
    return ColumnTransformer(list(transformers), remainder=remainder)


def _lgbm(**kwargs):
    return lightgbm.LGBMClassifier(n_estimators=30, num_leaves=15, verbose=-1, min_child_samples=10, **kwargs)


def _fit(model, columns):
    return model.fit(TRAIN[columns], LABELS)


def _one_hot_logistic(encoder: OneHotEncoder) -> Pipeline:
    """c0 imputed then one-hot encoded by `encoder`, n1 passed through, into a logistic regression."""
    categories = make_pipeline(SimpleImputer(strategy="constant", fill_value="none"), encoder)
    return _fit(
        make_pipeline(_ct(("c", categories, ["c0"]), ("n", "passthrough", ["n1"])), LogisticRegression()),
        ["c0", "n1"],
    )


def _xgb(**kwargs):
    settings = {"n_estimators": 30, "max_depth": 4, "n_jobs": 1, "random_state": 0} | kwargs
    return xgboost.XGBClassifier(**settings)


def _xgb_codes(**kwargs):
    """k0 (whole-number codes, plus the matrix's -0.5, 2.5, 1e10, +-inf) as a native categorical."""
    return _fit(
        _xgb(enable_categorical=True, feature_types=["q", "q", "q", "c"], max_cat_to_onehot=1, **kwargs),
        [*NUMERIC, "k0"],
    )


def _xgb_pandas_categories():
    frame = _categories(TRAIN[["n1", "c0"]])
    return _xgb(enable_categorical=True).fit(frame, LABELS)


def _hgb_categorical_after_numbers():
    """k0 categorical in the last column: HistGradientBoosting moves it first internally, so the
    +-inf refusal must follow it there (found by the property test: it landed on n1 instead)."""
    model = HistGradientBoostingClassifier(max_iter=20, categorical_features=[3], random_state=0)
    return _fit(model, [*NUMERIC, "k0"])


XGBOOST_CELLS = [
    Cell("xgboost", NUMERIC, lambda: _fit(_xgb(), NUMERIC), float32_probability=True),
    Cell(
        "xgboost_approx", NUMERIC, lambda: _fit(_xgb(tree_method="approx"), NUMERIC), float32_probability=True
    ),
    Cell(
        "xgboost_exact", NUMERIC, lambda: _fit(_xgb(tree_method="exact"), NUMERIC), float32_probability=True
    ),
    Cell(
        "xgboost_dart",
        NUMERIC,
        lambda: _fit(_xgb(booster="dart", rate_drop=0.3, skip_drop=0.2), NUMERIC),
        float32_probability=True,
    ),
    Cell(
        "xgboost_missing_value", NUMERIC, lambda: _fit(_xgb(missing=0.0), NUMERIC), float32_probability=True
    ),
    Cell(
        "xgboost_base_score", NUMERIC, lambda: _fit(_xgb(base_score=0.2), NUMERIC), float32_probability=True
    ),
    Cell("xgboost_logitraw", NUMERIC, lambda: _fit(_xgb(objective="binary:logitraw"), NUMERIC)),
    Cell("xgboost_categorical_codes", [*NUMERIC, "k0"], _xgb_codes, float32_probability=True),
    Cell(
        "xgboost_pandas_categories",
        ["n1", "c0"],
        _xgb_pandas_categories,
        as_fitted=_categories,
        float32_probability=True,
    ),
    Cell(
        "xgboost_in_pipeline",
        ["c0", "n1", "n2"],
        lambda: _fit(
            make_pipeline(
                _ct(
                    ("c", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), ["c0"]),
                    ("n", "passthrough", ["n1", "n2"]),
                ),
                _xgb(enable_categorical=True, feature_types=["c", "q", "q"]),
            ),
            ["c0", "n1", "n2"],
        ),
        float32_probability=True,
    ),
    Cell(
        "xgboost_calibrated_on_its_margin",
        NUMERIC,
        lambda: CalibratedClassifierCV(
            FrozenEstimator(_fit(XGBoostClassifier(n_estimators=30), NUMERIC)), method="sigmoid"
        ).fit(TRAIN[NUMERIC], LABELS),
    ),
    Cell(
        "xgboost_calibrated_on_predict_proba",
        NUMERIC,
        lambda: CalibratedClassifierCV(FrozenEstimator(_fit(_xgb(), NUMERIC)), method="sigmoid").fit(
            TRAIN[NUMERIC], LABELS
        ),
    ),
    Cell(
        "xgboost_early_stopping",
        NUMERIC,
        lambda: _xgb(n_estimators=200, early_stopping_rounds=5, learning_rate=0.5).fit(
            TRAIN[NUMERIC].iloc[:1000],
            LABELS[:1000],
            eval_set=[(TRAIN[NUMERIC].iloc[1000:], LABELS[1000:])],
            verbose=False,
        ),
        float32_probability=True,
    ),
    Cell(  # as leadscore trains it: the margin as decision_function, codes as native categories
        "xgboost_family_codes",
        [*NUMERIC, "k0"],
        lambda: _fit(
            XGBoostClassifier(
                n_estimators=30,
                enable_categorical=True,
                feature_types=["q", "q", "q", "c"],
                max_cat_to_onehot=1,
            ),
            [*NUMERIC, "k0"],
        ),
        float32_probability=True,
    ),
    Cell(
        "xgboost_family_dart",
        NUMERIC,
        lambda: _fit(XGBoostClassifier(n_estimators=30, booster="dart", rate_drop=0.3), NUMERIC),
        float32_probability=True,
    ),
    Cell(
        "xgboost_multiclass_objective",
        NUMERIC,
        lambda: _fit(_xgb(objective="binary:hinge"), NUMERIC),
        refused="binary:hinge",
    ),
]

CELLS = [
    # every estimator family, bare, on numeric columns with missing values in training
    Cell(
        "decision_tree", NUMERIC, lambda: _fit(DecisionTreeClassifier(max_depth=6, random_state=0), NUMERIC)
    ),
    Cell(
        "random_forest",
        NUMERIC,
        lambda: _fit(RandomForestClassifier(20, max_depth=6, random_state=0), NUMERIC),
    ),
    Cell(
        "extra_trees", NUMERIC, lambda: _fit(ExtraTreesClassifier(20, max_depth=6, random_state=0), NUMERIC)
    ),
    Cell(
        "hist_gradient_boosting",
        NUMERIC,
        lambda: _fit(HistGradientBoostingClassifier(max_iter=30, random_state=0), NUMERIC),
    ),
    Cell("lightgbm", NUMERIC, lambda: _fit(_lgbm(), NUMERIC)),
    Cell("lightgbm_zero_as_missing", NUMERIC, lambda: _fit(_lgbm(zero_as_missing=True), NUMERIC)),
    Cell("lightgbm_no_missing_handling", NUMERIC, lambda: _fit(_lgbm(use_missing=False), NUMERIC)),
    Cell(
        "lightgbm_linear_tree",
        NUMERIC,
        lambda: _fit(_lgbm(linear_tree=True), NUMERIC),
        refused="linear_tree=True",
    ),
    # estimators that refuse missing values, behind an imputer
    Cell(
        "logistic_imputed_scaled",
        NUMERIC,
        lambda: _fit(make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()), NUMERIC),
    ),
    Cell(
        "logistic_bare", NUMERIC, lambda: _fit(make_pipeline(SimpleImputer(), LogisticRegression()), NUMERIC)
    ),
    Cell(
        "gradient_boosting",
        NUMERIC,
        lambda: _fit(
            make_pipeline(
                SimpleImputer(strategy="median"), GradientBoostingClassifier(n_estimators=30, random_state=0)
            ),
            NUMERIC,
        ),
    ),
    Cell(
        "gradient_boosting_exponential_loss",
        NUMERIC,
        lambda: _fit(
            make_pipeline(
                SimpleImputer(),
                GradientBoostingClassifier(n_estimators=30, loss="exponential", random_state=0),
            ),
            NUMERIC,
        ),
    ),
    Cell(
        "gradient_boosting_zero_init",
        NUMERIC,
        lambda: _fit(
            make_pipeline(
                SimpleImputer(), GradientBoostingClassifier(n_estimators=20, init="zero", random_state=0)
            ),
            NUMERIC,
        ),
    ),
    Cell(
        "gradient_boosting_estimator_init",
        NUMERIC,
        lambda: _fit(
            make_pipeline(
                SimpleImputer(), GradientBoostingClassifier(n_estimators=20, init=LogisticRegression())
            ),
            NUMERIC,
        ),
        refused="the initial score depends on the rows",
    ),
    Cell(
        "min_max_scaled",
        NUMERIC,
        lambda: _fit(make_pipeline(SimpleImputer(), MinMaxScaler(), LogisticRegression()), NUMERIC),
    ),
    Cell(
        "boolean_column_without_the_coercer",
        ["b0", "n1"],
        lambda: _fit(
            make_pipeline(
                _ct(("all", SimpleImputer(strategy="most_frequent"), ["b0", "n1"])), LogisticRegression()
            ),
            ["b0", "n1"],
        ),
        as_fitted=lambda frame: frame.astype({"b0": "float64"}),
    ),
    Cell(
        "scaled_without_centring",
        NUMERIC,
        lambda: _fit(
            make_pipeline(SimpleImputer(), StandardScaler(with_mean=False), LogisticRegression()), NUMERIC
        ),
    ),
    Cell(
        "imputer_with_a_number_as_missing",
        ["n1", "n2"],
        lambda: _fit(
            make_pipeline(SimpleImputer(missing_values=0.0, strategy="mean"), LogisticRegression()),
            ["n1", "n2"],
        ),
    ),
    # categories
    Cell(
        "one_hot_without_imputer_missing_is_a_category",
        ["c0", "n1"],
        lambda: _fit(
            make_pipeline(
                _ct(("c", OneHotEncoder(handle_unknown="ignore"), ["c0"]), remainder="passthrough"),
                LogisticRegression(),
            ),
            ["c0", "n1"],
        ),
    ),
    Cell(
        "one_hot_ignore_with_min_frequency",
        ["c0", "n1"],
        lambda: _one_hot_logistic(OneHotEncoder(handle_unknown="ignore", min_frequency=0.02)),
    ),
    Cell(
        "one_hot_infrequent_if_exist",
        ["c0", "n1"],
        lambda: _one_hot_logistic(OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.02)),
    ),
    Cell(
        "one_hot_warn_with_min_frequency",
        ["c0", "n1"],
        lambda: _one_hot_logistic(OneHotEncoder(handle_unknown="warn", min_frequency=0.02)),
    ),
    Cell(
        "one_hot_drop_first",
        ["c0", "n1"],
        lambda: _one_hot_logistic(OneHotEncoder(drop="first", handle_unknown="ignore")),
    ),
    Cell(
        "one_hot_unknown_is_an_error",
        ["c0", "n1"],
        lambda: _one_hot_logistic(OneHotEncoder()),
    ),
    Cell(
        "columns_by_position_and_passthrough_remainder",
        ["n0", "n1", "n2"],
        lambda: _fit(
            make_pipeline(
                _ct(("first", SimpleImputer(), [0]), remainder="passthrough"),
                HistGradientBoostingClassifier(max_iter=20, random_state=0),
            ),
            NUMERIC,
        ),
    ),
    Cell(
        "ordinal_codes_into_lightgbm_categorical",
        ["c0", "n1", "n2"],
        lambda: make_pipeline(
            _ct(
                (
                    "c",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
                    ),
                    ["c0"],
                ),
                ("n", "passthrough", ["n1", "n2"]),
            ),
            _lgbm(min_data_per_group=5, cat_smooth=1.0),
        ).fit(TRAIN[["c0", "n1", "n2"]], LABELS, lgbmclassifier__categorical_feature=[0]),
    ),
    Cell(
        "raw_codes_into_hgb_categorical",
        ["k0", "n1"],
        lambda: _fit(
            HistGradientBoostingClassifier(max_iter=20, categorical_features=[0], random_state=0),
            ["k0", "n1"],
        ),
    ),
    Cell(
        "raw_codes_into_lightgbm_categorical",
        ["k0", "n1"],
        lambda: TRAIN[["k0", "n1"]].pipe(lambda X: _lgbm().fit(X, LABELS, categorical_feature=[0])),
    ),
    Cell(
        "raw_codes_into_lightgbm_categorical_zero_as_missing",
        ["k0", "n1"],
        lambda: TRAIN[["k0", "n1"]].pipe(
            lambda X: _lgbm(zero_as_missing=True).fit(X, LABELS, categorical_feature=[0])
        ),
    ),
    Cell(
        "ordinal_codes_into_hgb_categorical",
        ["c0", "n1"],
        lambda: _fit(
            make_pipeline(
                _ct(
                    ("c", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["c0"]),
                    ("n", "passthrough", ["n1"]),
                ),
                HistGradientBoostingClassifier(max_iter=20, categorical_features=[0], random_state=0),
            ),
            ["c0", "n1"],
        ),
    ),
    Cell(
        "hgb_native_pandas_categories",
        ["c0", "n1"],
        lambda: HistGradientBoostingClassifier(
            max_iter=20, categorical_features="from_dtype", random_state=0
        ).fit(_categories(TRAIN[["c0", "n1"]]), LABELS),
        as_fitted=_categories,
    ),
    Cell(
        "lightgbm_native_pandas_categories",
        ["c0", "n1"],
        lambda: _lgbm(min_data_per_group=5, cat_smooth=1.0).fit(_categories(TRAIN[["c0", "n1"]]), LABELS),
        as_fitted=_categories,
    ),
    # the product's coercer: booleans and whole numbers as categories, one spelling in SQL and Python
    Cell(
        "coerced_boolean_and_number_categories",
        ["b0", "k0", "n1"],
        lambda: _fit(
            Pipeline(
                [
                    (
                        "coerce",
                        FeatureFrameCoercer(numeric=("n1",), categorical=("b0", "k0")).set_output(
                            transform="pandas"
                        ),
                    ),
                    (
                        "columns",
                        _ct(
                            ("n", SimpleImputer(), ["n1"]),
                            (
                                "c",
                                make_pipeline(
                                    SimpleImputer(strategy="constant", fill_value="missing"),
                                    OneHotEncoder(handle_unknown="ignore"),
                                ),
                                ["b0", "k0"],
                            ),
                        ),
                    ),
                    ("model", LogisticRegression()),
                ]
            ),
            ["b0", "k0", "n1"],
        ),
    ),
    # calibration wrappers
    Cell(
        "calibrated_lightgbm_on_predict_proba",
        NUMERIC,
        lambda: CalibratedClassifierCV(FrozenEstimator(_fit(_lgbm(), NUMERIC)), method="sigmoid").fit(
            TRAIN[NUMERIC], LABELS
        ),
    ),
    Cell(
        "calibrated_random_forest",
        NUMERIC,
        lambda: CalibratedClassifierCV(
            FrozenEstimator(_fit(RandomForestClassifier(10, max_depth=5, random_state=0), NUMERIC)),
            method="sigmoid",
        ).fit(TRAIN[NUMERIC], LABELS),
    ),
    Cell(
        "isotonic_calibration",
        NUMERIC,
        lambda: CalibratedClassifierCV(FrozenEstimator(_fit(_lgbm(), NUMERIC)), method="isotonic").fit(
            TRAIN[NUMERIC], LABELS
        ),
        refused="method='isotonic'",
    ),
    Cell(
        "calibration_ensemble_of_folds",
        NUMERIC,
        lambda: CalibratedClassifierCV(make_pipeline(SimpleImputer(), LogisticRegression()), cv=3).fit(
            TRAIN[NUMERIC], LABELS
        ),
        refused="ensemble=True",
    ),
    Cell(
        "unsupported_estimator",
        NUMERIC,
        lambda: _fit(make_pipeline(SimpleImputer(), DummyClassifier()), NUMERIC),
        refused="supported: LogisticRegression, DecisionTreeClassifier",
    ),
]
CELLS += [Cell("hgb_categorical_after_numbers", [*NUMERIC, "k0"], _hgb_categorical_after_numbers)]
CELLS += XGBOOST_CELLS


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_exact_or_refused(cell: Cell) -> None:
    model = cell.build()
    if cell.refused is not None:
        with pytest.raises(UnsupportedModelError, match=cell.refused.replace("(", r"\(")):
            build_scoring_query(model, ["row_id"])
        return
    frame, nan_cells = _odd_rows(model, cell.columns)
    expected = _python(model, cell.as_fitted(frame))
    scored = _scored(model, frame, nan_cells)
    got = scored["probability"].to_numpy(dtype=float)
    if cell.float32_probability:
        expected = _with_libm_expf_rows(expected, got, scored["raw_score"].to_numpy(dtype=float))
    refused_in_python = np.isnan(expected)
    assert refused_in_python.mean() < 0.5, "scikit-learn refused most rows: the cell would prove nothing"
    assert len(got) == len(frame)
    assert (np.isnan(got) == refused_in_python).all(), (
        f"NULL in SQL on rows {np.flatnonzero(np.isnan(got) != refused_in_python)[:10].tolist()}"
    )
    difference = np.abs(got[~refused_in_python] - expected[~refused_in_python])
    assert difference.max() < TOLERANCE, (
        f"{(difference > TOLERANCE).sum()} rows wrong, max {difference.max():.3g}"
    )
    # The matrix must exercise the oddities: every cell has rows with NULL and unseen values.
    assert len(frame) >= 40 + 10 * len([c for c in cell.columns if c in NUMERIC])


def test_a_lightgbm_split_of_missing_from_every_number_sends_huge_values_and_inf_left() -> None:
    """The model file says threshold=inf for a split that separates NaN from every number;
    dump_model() says 1e300. Values above 1e300 and +inf go left in LightGBM (x <= inf)."""
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(size=200), np.full(200, np.nan)]
    y = np.r_[rng.integers(0, 2, 200), np.ones(200)].astype(int)
    model = lightgbm.LGBMClassifier(n_estimators=1, num_leaves=2, min_child_samples=1, verbose=-1)
    model.fit(pd.DataFrame({"n0": x}), y)
    assert "threshold=inf" in model.booster_.model_to_string()
    frame = pd.DataFrame({"n0": [1e301, np.inf, -np.inf, 1e300, 5.0, None, -1e301]}, dtype="float64")
    expected = model.predict_proba(frame)[:, 1]
    got = _sql(model, frame, {})
    assert np.abs(got - expected).max() < TOLERANCE, (got, expected)


def test_a_naive_float32_translation_is_caught_by_these_rows() -> None:
    """The boundary rows above can fail: comparing raw doubles with a forest's thresholds goes wrong."""
    model = _fit(RandomForestClassifier(20, max_depth=6, random_state=0), NUMERIC)
    frame, _ = _odd_rows(model, NUMERIC)
    query = build_scoring_query(model, ["row_id"], exact_float32=False)
    connection = duckdb.connect()
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection.register("rows_frame", table)
    scored = connection.execute(query.sql("duckdb", relation="rows_frame")).df().sort_values("row_id")
    expected = _python(model, frame)
    usable = ~np.isnan(expected)
    wrong = np.abs(scored["probability"].to_numpy(float)[usable] - expected[usable]) > TOLERANCE
    assert wrong.sum() > 0


def test_a_nan_double_is_missing_not_a_number() -> None:
    """The warehouse can hold NaN doubles (a CSV with the text NaN); scikit-learn treats NaN as
    missing, so must the SQL: a NaN row scores as the NULL row does, never as 1e-305."""
    model = _fit(HistGradientBoostingClassifier(max_iter=20, random_state=0), NUMERIC)
    frame = pd.DataFrame({"n0": [np.nan, np.nan], "n1": [0.3, 0.3], "n2": [-1.0, -1.0]})
    got = _sql(model, frame, {(0, "n0"): "nan"})
    assert got[0] == got[1] == pytest.approx(model.predict_proba(frame)[0, 1], abs=TOLERANCE)


FAMILY_CELLS = [
    cell
    for cell in CELLS
    if cell.refused is None
    and cell.name
    in {
        "decision_tree",
        "random_forest",
        "extra_trees",
        "hist_gradient_boosting",
        "lightgbm",
        "lightgbm_zero_as_missing",
        *[cell.name for cell in XGBOOST_CELLS],
        "logistic_imputed_scaled",
        "min_max_scaled",
        "scaled_without_centring",
        "boolean_column_without_the_coercer",
        "gradient_boosting",
        "ordinal_codes_into_lightgbm_categorical",
        "ordinal_codes_into_hgb_categorical",
        "raw_codes_into_hgb_categorical",
        "raw_codes_into_lightgbm_categorical",
        "coerced_boolean_and_number_categories",
    }
]


@pytest.mark.postgres
@pytest.mark.parametrize("cell", FAMILY_CELLS, ids=[cell.name for cell in FAMILY_CELLS])
def test_exact_or_refused_on_postgres(cell: Cell, postgres_rows_warehouse) -> None:
    model = cell.build()
    frame, nan_cells = _odd_rows(model, cell.columns)
    expected = _python(model, cell.as_fitted(frame))
    name = f"rows_{cell.name}"
    write_rows(postgres_rows_warehouse, name, frame, cell.columns, nan_cells)
    query = build_scoring_query(model, ["row_id"])
    scored = postgres_rows_warehouse.query(query.sql("postgres", relation=name)).sort_values("row_id")
    got = scored["probability"].astype(float).to_numpy()
    if cell.float32_probability:
        expected = _with_libm_expf_rows(expected, got, scored["raw_score"].astype(float).to_numpy())
    refused_in_python = np.isnan(expected)
    assert refused_in_python.mean() < 0.5
    assert (np.isnan(got) == refused_in_python).all()
    assert np.abs(got[~refused_in_python] - expected[~refused_in_python]).max() < TOLERANCE


def _with_float32_splits(translation, float32_mode):
    """A wrong translation on purpose: every numeric split treated as scikit-learn's float32 trees."""
    from dataclasses import replace as replaced

    from leadscore.transpile.query import raw_score_terms
    from leadscore.transpile.trees import Tree, tree_sql

    inputs = translation.tree_inputs
    trees = [
        tree_sql(
            Tree(
                tuple(replaced(s, float32=True) if isinstance(s, NumericSplit) else s for s in tree.splits),
                tree.left,
                tree.right,
                tree.values,
                tree.weights,
            ),
            inputs,
            float32_mode=float32_mode,
        )
        for tree in translation.raw.trees
    ]
    return raw_score_terms(translation, trees), [], "prepared"


@pytest.mark.parametrize("family", ["hist_gradient_boosting", "lightgbm"])
def test_histogram_trees_compare_in_float64(family: str) -> None:
    """HistGradientBoosting and LightGBM compare the float64 value with their thresholds (unlike
    scikit-learn's other trees, which cast to float32 first): translated as float32 trees, the rows
    one double above a threshold go the wrong way."""
    cell = next(c for c in CELLS if c.name == family)
    model = cell.build()
    raw = assemble_raw_score(model)
    splits = [s for t in raw.trees for s in t.splits if isinstance(s, NumericSplit)]
    assert splits and not any(s.float32 for s in splits)
    frame, nan_cells = _odd_rows(model, cell.columns)
    expected = _python(model, frame)
    assert np.abs(_sql(model, frame, nan_cells) - expected).max() < TOLERANCE
    wrong_query = build_scoring_query(model, ["row_id"], form=_with_float32_splits)
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection = duckdb.connect()
    connection.register("rows_frame", table)
    wrong = connection.execute(wrong_query.sql("duckdb", relation="rows_frame")).df().sort_values("row_id")
    usable = ~np.isnan(expected)
    assert (np.abs(wrong["probability"].to_numpy(float)[usable] - expected[usable]) > TOLERANCE).sum() > 0


REASON_CELLS = [
    "decision_tree",
    "random_forest",
    "hist_gradient_boosting",
    "ordinal_codes_into_hgb_categorical",
    "hgb_native_pandas_categories",
    "lightgbm_native_pandas_categories",
    "lightgbm_zero_as_missing",
    "gradient_boosting",
    "coerced_boolean_and_number_categories",
    "xgboost_family_codes",
    "xgboost_family_dart",
]


@pytest.mark.parametrize("name", REASON_CELLS)
def test_reasons_sum_to_the_log_odds_for_every_family(name: str) -> None:
    """bias + the per-feature contributions = the calibrated log-odds on every row, whatever the family."""
    from leadscore.transpile.explain import CONTRIBUTION_PREFIX, build_contribution_query

    cell = next(c for c in CELLS if c.name == name)
    fitted = cell.build()
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(
        cell.as_fitted(TRAIN[cell.columns]), LABELS
    )
    frame, _ = _odd_rows(fitted, cell.columns)
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection = duckdb.connect()
    connection.register("rows_frame", table)
    prepared = [s for s in (fitted.steps[:-1] if isinstance(fitted, Pipeline) else [])]
    means = None
    if prepared and isinstance(fitted.steps[-1][1], LogisticRegression):
        means = np.nanmean(np.asarray(Pipeline(prepared).transform(TRAIN[cell.columns]), dtype=float), axis=0)
    reasons = build_contribution_query(calibrated, ["row_id"], cell.columns, means)
    scored = connection.execute(
        build_scoring_query(calibrated, ["row_id"]).sql("duckdb", relation="rows_frame")
    ).df()
    explained = connection.execute(reasons.sql("duckdb", relation="rows_frame")).df()
    merged = scored.merge(explained, on="row_id", validate="one_to_one").dropna(subset=["log_odds"])
    assert len(merged) > len(frame) / 2
    total = merged["bias"] + merged[[CONTRIBUTION_PREFIX + c for c in cell.columns]].sum(axis=1)
    # Relative to the log-odds' size: a row holding 1e300 has log-odds near 1e300 in a linear model.
    scale = np.maximum(1.0, np.abs(merged["log_odds"]))
    assert (np.abs(total - merged["log_odds"]) / scale).max() < TOLERANCE
    # Features the trees split on get non-zero contributions somewhere.
    assert (merged[[CONTRIBUTION_PREFIX + c for c in cell.columns]].abs() > 0).any().any()


@pytest.mark.postgres
def test_postgres_computes_the_tree_sum_once(postgres_rows_warehouse) -> None:
    """The final select reads raw_score in several places (raw_score, and log_odds and probability
    through the underflow guard). Inlined, Postgres pastes every tree into each place: the plan must
    scan `scored` as a CTE instead. DuckDB keeps it NOT MATERIALIZED, measured the faster there."""
    model = _fit(_lgbm(), NUMERIC)
    frame, nan_cells = _odd_rows(model, NUMERIC)
    write_rows(postgres_rows_warehouse, "rows_computed_once", frame, NUMERIC, nan_cells)
    query = build_scoring_query(model, ["row_id"])
    postgres_sql = query.sql("postgres", relation="rows_computed_once")
    plan = "\n".join(postgres_rows_warehouse.query(f"explain {postgres_sql}").iloc[:, 0])
    assert "CTE scored" in plan and "CTE Scan on scored" in plan, plan
    assert "scored AS NOT MATERIALIZED (" in query.sql("duckdb", relation="rows_computed_once")
    scored = postgres_rows_warehouse.query(postgres_sql).sort_values("row_id")
    expected = _python(model, frame)
    got = scored["probability"].astype(float).to_numpy()
    assert (np.isnan(got) == np.isnan(expected)).all()
    assert np.nanmax(np.abs(got - expected)) < TOLERANCE
