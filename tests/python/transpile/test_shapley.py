"""SQL TreeSHAP against the libraries' own Shapley values, on every row (adversarial threshold rows,
NULL, NaN and unseen categories included): LightGBM's pred_contrib, shap's TreeExplainer
(tree_path_dependent) for the scikit-learn families, XGBoost's pred_contribs. And the values add up,
with the bias, to the log-odds the scoring query reports.

The references see the model's input matrix (after the pipeline's preprocessing); the SQL reports
per source column, so a source's reference is the sum over its inputs, times the calibration's
slope (contributions are in calibrated log-odds)."""

from __future__ import annotations

import itertools
import math

import duckdb
import lightgbm
import numpy as np
import pandas as pd
import pytest
import sqlglot.expressions as exp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from helpers.postgres_rows import write_rows
from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.dialects import dialect
from leadscore.transpile.explain import CONTRIBUTION_PREFIX, build_contribution_query, explain
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.query import build_scoring_query
from leadscore.transpile.shapley import (
    _smallest_weight,
    leaf_paths,
    quadrature,
    statement_terms,
    tree_shapley,
)
from leadscore.transpile.split import split_contribution_query
from leadscore.transpile.trees import NumericSplit, Tree, TreeInputs
from transpile.test_exact_or_refused import CELLS, LABELS, TRAIN, _odd_rows

TOLERANCE = 1e-9
shap = pytest.importorskip("shap")

LIGHTGBM_CELLS = [
    "lightgbm",
    "lightgbm_zero_as_missing",
    "lightgbm_no_missing_handling",
    "ordinal_codes_into_lightgbm_categorical",
    "raw_codes_into_lightgbm_categorical",
    "raw_codes_into_lightgbm_categorical_zero_as_missing",
    "lightgbm_native_pandas_categories",
]
SCIKIT_LEARN_CELLS = [
    "decision_tree",
    "random_forest",
    "extra_trees",
    "hist_gradient_boosting",
    "gradient_boosting",
    "calibrated_random_forest",
]
XGBOOST_CELLS = ["xgboost", "xgboost_categorical_codes", "xgboost_dart"]


def _explainable(model, columns):
    """The model as reasons need it: calibrated on its raw score when its log-odds are not linear."""
    try:
        explain(model, ["row_id"])
        return model
    except UnsupportedModelError:
        return CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid").fit(TRAIN[columns], LABELS)


def _final_and_inputs(model, frame: pd.DataFrame):
    """The tree model and the matrix it reads."""
    if isinstance(model, CalibratedClassifierCV):
        model = model.calibrated_classifiers_[0].estimator
        model = getattr(model, "estimator", model)
    if isinstance(model, Pipeline):
        return model.steps[-1][1], Pipeline(model.steps[:-1]).transform(frame)
    return model, frame


def _reference(model, frame: pd.DataFrame) -> np.ndarray:
    final, inputs = _final_and_inputs(model, frame)
    if isinstance(final, lightgbm.LGBMModel):
        return final.booster_.predict(inputs, pred_contrib=True)[:, :-1]
    if type(final).__name__.startswith("XGB"):
        import xgboost

        matrix = xgboost.DMatrix(inputs, enable_categorical=True, missing=final.missing)
        return final.get_booster().predict(matrix, pred_contribs=True)[:, :-1]
    explainer = shap.TreeExplainer(final, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(np.asarray(inputs, dtype=float)))
    return values[..., 1] if values.ndim == 3 else values


def _reference_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows the references accept: shap and XGBoost refuse +-inf and values beyond float32."""
    numbers = frame.select_dtypes("number").astype(float).fillna(0.0).to_numpy()
    return (np.abs(numbers) < 3e38).all(axis=1)


def _sql_shapley(model, frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection = duckdb.connect()
    connection.register("rows_frame", table)
    reasons = build_contribution_query(model, ["row_id"], columns, method="shapley")
    explained = connection.execute(reasons.sql("duckdb", relation="rows_frame")).df()
    scored = connection.execute(
        build_scoring_query(model, ["row_id"]).sql("duckdb", relation="rows_frame")
    ).df()
    return explained.sort_values("row_id").reset_index(drop=True), scored.sort_values("row_id").reset_index(
        drop=True
    )


def _compare(name: str, tolerance: float) -> None:
    cell = next(c for c in CELLS if c.name == name)
    fitted = cell.build()
    model = _explainable(fitted, cell.columns)
    frame, _ = _odd_rows(fitted, cell.columns)
    explained, scored = _sql_shapley(model, frame, cell.columns)
    # The values add up to the log-odds the score reports, with the bias, on every scored row.
    scored_rows = scored["log_odds"].notna().to_numpy()
    total = explained["bias"] + explained[[CONTRIBUTION_PREFIX + c for c in cell.columns]].sum(axis=1)
    assert np.abs(total - scored["log_odds"])[scored_rows].max() < TOLERANCE
    # And each one is the library's Shapley value.
    rows = _reference_rows(frame) & scored_rows
    assert rows.sum() > 40
    reference = _reference(model, cell.as_fitted(frame[rows].reset_index(drop=True)))
    details = explain(model, ["row_id"], method="shapley")
    sources = [column.source for column in details.translation.inputs]
    for column in cell.columns:
        inputs = [i for i, source in enumerate(sources) if source == column]
        expected = details.scale * reference[:, inputs].sum(axis=1)
        got = explained.loc[rows, CONTRIBUTION_PREFIX + column].to_numpy(float)
        assert np.abs(got - expected).max() <= tolerance * max(1.0, np.abs(expected).max()), column
    assert (np.abs(reference) > 1e-3).any()


@pytest.mark.parametrize("name", LIGHTGBM_CELLS + SCIKIT_LEARN_CELLS)
def test_sql_treeshap_is_the_libraries_treeshap(name: str) -> None:
    """LightGBM pred_contrib and shap's TreeExplainer within 1e-9 on every row they accept."""
    _compare(name, TOLERANCE)


@pytest.mark.parametrize("name", XGBOOST_CELLS)
def test_sql_treeshap_is_xgboosts_within_its_float32(name: str) -> None:
    """XGBoost computes its pred_contribs in float32 (shap 0.49 cannot read XGBoost 3's model), so
    the reference itself carries float32 rounding: agreement to 1e-5 of the largest value."""
    _compare(name, 1e-5)


@pytest.mark.parametrize("name", ["ordinal_codes_into_hgb_categorical", "hgb_native_pandas_categories"])
def test_categorical_hgb_values_add_up(name: str) -> None:
    """shap reads HistGradientBoosting's categorical splits as thresholds (it has no bitsets), so it
    is no reference there; the split tests are the score's (checked against predict_proba), and
    the values must add up to the log-odds."""
    cell = next(c for c in CELLS if c.name == name)
    fitted = cell.build()
    frame, _ = _odd_rows(fitted, cell.columns)
    explained, scored = _sql_shapley(fitted, frame, cell.columns)
    rows = scored["log_odds"].notna().to_numpy()
    total = explained["bias"] + explained[[CONTRIBUTION_PREFIX + c for c in cell.columns]].sum(axis=1)
    assert rows.sum() > 40
    assert np.abs(total - scored["log_odds"])[rows].max() < TOLERANCE
    assert (explained[CONTRIBUTION_PREFIX + "n1"].abs() > 1e-3).any()


def _deep_frame(rows: int = 3000) -> tuple[pd.DataFrame, np.ndarray]:
    generator = np.random.default_rng(5)
    frame = pd.DataFrame(generator.normal(size=(rows, 10)), columns=[f"x{i}" for i in range(10)])
    frame.loc[generator.random(rows) < 0.1, "x3"] = np.nan
    signal = (
        np.sin(2 * frame["x0"]) + frame["x1"] * frame["x2"] + np.abs(frame["x4"]) - frame["x5"].clip(-1, 1)
    )
    labels = (signal + generator.normal(scale=0.5, size=rows) > 0.3).astype(int).to_numpy()
    return frame, labels


@pytest.mark.parametrize("family", ["lightgbm", "decision_tree"])
def test_deep_paths_with_repeated_features(family: str) -> None:
    """Paths of up to 12 splits, the same input split on several times along a path: up to 10
    distinct inputs, so the quadrature uses up to 5 nodes."""
    frame, labels = _deep_frame()
    if family == "lightgbm":
        model = lightgbm.LGBMClassifier(n_estimators=15, num_leaves=64, min_child_samples=5, verbose=-1)
        model.fit(frame, labels)
    else:
        fitted = DecisionTreeClassifier(max_depth=12, min_samples_leaf=3, random_state=0).fit(
            frame.fillna(0.0), labels
        )
        model = CalibratedClassifierCV(FrozenEstimator(fitted), method="sigmoid").fit(
            frame.fillna(0.0), labels
        )
        frame = frame.fillna(0.0)
    details = explain(model, ["row_id"], method="shapley")
    longest = max(len(path.features) for tree in details.translation.raw.trees for path in leaf_paths(tree))
    assert longest >= 7
    repeated = any(
        len(splits) > 1
        for tree in details.translation.raw.trees
        for path in leaf_paths(tree)
        for splits in path.splits
    )
    assert repeated
    rows = frame.head(400).reset_index(drop=True)
    explained, scored = _sql_shapley(model, rows, list(frame.columns))
    reference = details.scale * _reference(model, rows)
    got = explained[[CONTRIBUTION_PREFIX + c for c in frame.columns]].to_numpy(float)
    assert np.abs(got - reference).max() < TOLERANCE
    total = explained["bias"] + got.sum(axis=1)
    assert np.abs(total - scored["log_odds"]).max() < TOLERANCE


def test_the_quadrature_is_exact_for_the_degrees_it_is_used_for() -> None:
    """ceil(m / 2) Gauss-Legendre nodes integrate a degree m - 1 polynomial on [0, 1] exactly."""
    for count in range(1, 8):
        nodes, weights = quadrature(count)
        for degree in range(2 * count):
            integral = sum(w * u**degree for u, w in zip(nodes, weights, strict=True))
            assert abs(integral - 1.0 / (degree + 1)) < 1e-14


def _hand_tree() -> Tree:
    """One split on x0 (cover 30 left, 70 right), its right child split on x1 (cover 20 / 50); leaf
    values 1, 2, 3."""
    return Tree(
        splits=(NumericSplit(0, 0.5, False, True), None, NumericSplit(1, 0.5, False, True), None, None),
        left=(1, -1, 3, -1, -1),
        right=(2, -1, 4, -1, -1),
        values=(0.0, 1.0, 0.0, 2.0, 3.0),
        weights=(100.0, 30.0, 70.0, 20.0, 50.0),
    )


def test_the_smallest_path_weight_bounds_every_agreement_pattern() -> None:
    """_smallest_weight is at most every non-zero G_j a row can reach (all 2^|P| agreement patterns),
    so a product it marks safe from Postgres's underflow error is safe."""
    generator = np.random.default_rng(7)
    for size in range(1, 7):
        for _ in range(40):
            fractions = generator.choice([0.0, 1.0, *generator.uniform(1e-9, 1.0, 4)], size)
            for u in quadrature(math.ceil(size / 2))[0]:
                bound = _smallest_weight(fractions, u)
                assert bound > 0.0
                for pattern in itertools.product((False, True), repeat=size):
                    weight = math.prod(
                        z + (1.0 - z) * u if agrees else z * (1.0 - u)
                        for z, agrees in zip(fractions, pattern, strict=True)
                    )
                    assert weight == 0.0 or weight >= bound * (1.0 - 1e-12)


def test_postgres_guards_only_the_products_that_can_round_to_zero() -> None:
    """Postgres raises on a product of non-zero doubles that rounds to zero, so the SQL guards such
    products (dialects.py). TreeSHAP's products are a 0/1 bit times a constant, or a constant times
    a path weight bounded below: unguarded at ordinary sizes, guarded when the leaf values are so
    small that the product could underflow."""
    tree = _hand_tree()
    inputs = TreeInputs(values=[exp.column("x0"), exp.column("x1")])

    def printed(scale: float) -> str:
        shapley = tree_shapley(tree, inputs, "0", scale)
        columns = [sql for stage in shapley.stages[1:] for _, sql in stage]
        columns += [balanced_sum(terms) for terms in shapley.terms.values()]
        return " ".join(column.sql(dialect=dialect("postgres")) for column in columns)

    assert "ABS(" not in printed(1.0)
    assert "ABS(" in printed(1e-295)


def test_a_hand_computed_tree() -> None:
    """One split on x0 (cover 30 left, 70 right), its right child split on x1 (cover 20 / 50); leaf
    values 1, 2, 3. For x0 right, x1 left (the leaf of 2): v({}) = .3 + .7 (2 (20/70) + 3 (50/70)),
    v({x0}) = 2 (20/70) + 3 (50/70), v({x1}) = .3 + .7 * 2, v({x0, x1}) = 2; each input's value is
    the mean of its two marginal gains."""
    tree = _hand_tree()
    shapley = tree_shapley(tree, TreeInputs(values=[exp.column("x0"), exp.column("x1")]), "0", 1.0)
    final = exp.select(*[balanced_sum(shapley.terms[i]).as_(f"phi{i}") for i in (0, 1)])
    source = "rows_frame"
    for index, stage in enumerate(shapley.stages):
        columns = [sql.as_(alias) for alias, sql in stage]
        final = final.with_(f"stage{index}", as_=exp.select(exp.Star(), *columns).from_(source))
        source = f"stage{index}"
    final = final.from_(source)
    connection = duckdb.connect()
    connection.register("rows_frame", pd.DataFrame({"x0": [1.0], "x1": [0.0]}))
    phi0, phi1 = connection.execute(final.sql("duckdb")).fetchone()
    empty = 0.3 * 1 + 0.7 * (2 * 20 / 70 + 3 * 50 / 70)
    only_x0 = 2 * 20 / 70 + 3 * 50 / 70
    only_x1 = 0.3 * 1 + 0.7 * 2
    assert abs(shapley.expected - empty) < 1e-12
    assert abs(phi0 - ((only_x0 - empty) + (2 - only_x1)) / 2) < 1e-12
    assert abs(phi1 - ((only_x1 - empty) + (2 - only_x0)) / 2) < 1e-12


def test_split_shapley_statements_equal_the_unsplit_one() -> None:
    """The Shapley reasons split into 4 batch statements of trees (as a dialect's budget would)
    give the unsplit values on every row."""
    cell = next(c for c in CELLS if c.name == "lightgbm_native_pandas_categories")
    model = cell.build()
    frame, _ = _odd_rows(model, cell.columns)
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection = duckdb.connect()
    connection.register("rows_frame", table)
    whole, _ = _sql_shapley(model, frame, cell.columns)
    split = split_contribution_query(model, ["row_id"], cell.columns, None, 4, method="shapley")
    assert len(split.parts) == 4
    names = []
    for index, part in enumerate(split.parts):
        connection.execute(f"create temp table part{index} as {part.sql('duckdb', relation='rows_frame')}")
        names.append(f"part{index}")
    parts = connection.execute(split.final.sql("duckdb", parts=names)).df().sort_values("row_id")
    columns = ["bias", *[CONTRIBUTION_PREFIX + c for c in cell.columns]]
    assert np.abs(parts[columns].to_numpy(float) - whole[columns].to_numpy(float)).max() < 1e-12


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["lightgbm", "lightgbm_native_pandas_categories", "random_forest"])
def test_sql_treeshap_on_postgres_is_duckdbs(name: str, postgres_rows_warehouse) -> None:
    """The same Shapley SQL printed for PostgreSQL gives DuckDB's values (themselves the
    libraries', above) on every row, NULL and NaN included, and adds up to Postgres's log-odds."""
    cell = next(c for c in CELLS if c.name == name)
    fitted = cell.build()
    model = _explainable(fitted, cell.columns)
    frame, nan_cells = _odd_rows(fitted, cell.columns)
    relation = f"shapley_{name}"
    write_rows(postgres_rows_warehouse, relation, frame, cell.columns, nan_cells)
    reasons = build_contribution_query(model, ["row_id"], cell.columns, method="shapley")
    got = postgres_rows_warehouse.query(reasons.sql("postgres", relation=relation)).sort_values("row_id")
    scored = postgres_rows_warehouse.query(
        build_scoring_query(model, ["row_id"]).sql("postgres", relation=relation)
    )
    scored = scored.sort_values("row_id").reset_index(drop=True)
    expected, _ = _sql_shapley(model, frame, cell.columns)
    # DuckDB reads the NaN cells as NULL (pandas writes NaN as NULL); Postgres holds a NaN double
    # there, which the model reads as missing too: the same values either way.
    columns = ["bias", *[CONTRIBUTION_PREFIX + c for c in cell.columns]]
    got_values = got[columns].astype(float).to_numpy()
    assert np.abs(got_values - expected[columns].to_numpy(float)).max() < TOLERANCE
    rows = scored["log_odds"].notna().to_numpy()
    total = got_values.sum(axis=1)
    assert rows.sum() > 40
    assert np.abs(total - scored["log_odds"].astype(float).to_numpy())[rows].max() < TOLERANCE


def test_a_model_trained_with_shapley_reasons_gets_them_in_every_dialect(monkeypatch) -> None:
    """`leadscore train --reasons shapley` goes through fit_model_statements: each dialect's
    contributions statement is the Shapley one, split to the budget, and the split DuckDB parts give
    the unsplit values."""
    from leadscore.transpile.query import DIALECTS, INPUT_PLACEHOLDER
    from leadscore.transpile.split import PART_PLACEHOLDER
    from leadscore.transpile.statements import COMPARISON_KIND, fit_model_statements

    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_CHARS", "60000")
    cell = next(c for c in CELLS if c.name == "lightgbm")
    model = cell.build()
    frame, _ = _odd_rows(model, cell.columns)
    whole, _ = _sql_shapley(model, frame, cell.columns)
    query = build_scoring_query(model, ["row_id"])
    reasons = build_contribution_query(model, ["row_id"], cell.columns, method="shapley")
    saabas = build_contribution_query(model, ["row_id"], cell.columns, method="saabas")
    statements = fit_model_statements(model, ["row_id"], cell.columns, None, query, reasons, DIALECTS, saabas)
    # The Saabas reasons kept beside them for the dbt var leadscore_tree_reasons, in every dialect.
    assert set(statements) == {"score", "contributions", COMPARISON_KIND}
    assert set(statements[COMPARISON_KIND]) == set(DIALECTS)
    assert statements[COMPARISON_KIND]["duckdb"].text == saabas.sql("duckdb")
    assert "shapley_sums_0" not in statements[COMPARISON_KIND]["duckdb"].text
    contributions = statements["contributions"]
    assert set(contributions) == set(DIALECTS)
    assert all(statement.split is not None for statement in contributions.values())
    assert all(statement.size.largest_part <= 60000 for statement in contributions.values())
    assert "shapley_sums_0" in contributions["snowflake"].split[0][0]
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    connection = duckdb.connect()
    connection.register("rows_frame", table)
    parts, final = contributions["duckdb"].split
    names = []
    for index, part in enumerate(parts):
        connection.execute(
            f"create temp table part{index} as {part.replace(INPUT_PLACEHOLDER, 'rows_frame')}"
        )
        names.append(f"part{index}")
    for index, name in reversed(list(enumerate(names))):  # part 10 before part 1
        final = final.replace(PART_PLACEHOLDER.format(index), name)
    got = connection.execute(final).df().sort_values("row_id")
    columns = ["bias", *[CONTRIBUTION_PREFIX + c for c in cell.columns]]
    assert np.abs(got[columns].to_numpy(float) - whole[columns].to_numpy(float)).max() < 1e-12


def _over_the_planning_budget(monkeypatch):
    """The lightgbm cell's statements fitted with a planning budget of a third of its TreeSHAP
    terms (no text budget lowered): (cell, model, fitted statements, budget)."""
    from leadscore.transpile.query import DIALECTS
    from leadscore.transpile.statements import fit_model_statements

    cell = next(c for c in CELLS if c.name == "lightgbm")
    model = cell.build()
    budget = statement_terms(explain(model, ["row_id"]).translation.raw.trees) // 3
    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_TERMS", str(budget))
    query = build_scoring_query(model, ["row_id"])
    reasons = build_contribution_query(model, ["row_id"], cell.columns, method="shapley")
    saabas = build_contribution_query(model, ["row_id"], cell.columns, method="saabas")
    statements = fit_model_statements(model, ["row_id"], cell.columns, None, query, reasons, DIALECTS, saabas)
    return cell, model, statements, budget


def _check_split_run(
    got: pd.DataFrame, whole: pd.DataFrame, scored: pd.DataFrame, columns: list[str]
) -> None:
    """A split statement's rows are the whole statement's, and add up to the log-odds."""
    got = got.sort_values("row_id").reset_index(drop=True)
    assert len(got) == len(whole)
    names = ["bias", *[CONTRIBUTION_PREFIX + c for c in columns]]
    values = got[names].astype(float).to_numpy()
    assert np.abs(values - whole[names].to_numpy(float)).max() < TOLERANCE
    rows = scored["log_odds"].notna().to_numpy()
    assert rows.sum() > 40
    assert np.abs(values.sum(axis=1) - scored["log_odds"].astype(float).to_numpy())[rows].max() < TOLERANCE


def test_a_treeshap_statement_over_the_planning_budget_is_split_on_every_dialect(
    monkeypatch, tmp_path
) -> None:
    """Over the planning budget (budgets.term_budget) the TreeSHAP reasons are batch statements on
    every dialect, DuckDB, Postgres and Spark included (no text limit there), none holding more
    than the budget's terms; the score and the Saabas statements stay whole. Run as training's sum
    check runs them (parity.run_fitted: the batches as temporary tables, dropped after), they give
    the unsplit statement's values, which add up to the log-odds."""
    from leadscore.evaluation.parity import run_fitted
    from leadscore.transpile.split import batch_tree, leaves, planning_batches
    from leadscore.transpile.statements import COMPARISON_KIND
    from leadscore.warehouse.duckdb_warehouse import DuckDBWarehouse
    from leadscore.warehouse.profiles import WarehouseTarget

    cell, model, statements, budget = _over_the_planning_budget(monkeypatch)
    trees = explain(model, ["row_id"], method="shapley").translation.raw.trees
    batches = planning_batches(explain(model, ["row_id"], method="shapley"))
    assert batches >= 4
    for batch in leaves(batch_tree(list(range(len(trees))), batches)):
        assert statement_terms([trees[k] for k in batch]) <= budget
    for name, statement in statements["contributions"].items():
        assert statement.split is not None and len(statement.split[0]) == batches, name
        assert statement.size.parts == batches
    assert all(s.split is None for kind in ("score", COMPARISON_KIND) for s in statements[kind].values())

    frame, _ = _odd_rows(model, cell.columns)
    whole, scored = _sql_shapley(model, frame, cell.columns)
    warehouse = DuckDBWarehouse(
        WarehouseTarget("split", {"type": "duckdb", "path": str(tmp_path / "w.duckdb")})
    )
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table)))
    warehouse.connection.register("rows_frame", table)
    try:
        got = run_fitted(warehouse, statements["contributions"]["duckdb"], "rows_frame")
        _check_split_run(got, whole, scored, cell.columns)
        left = warehouse.query(
            "select table_name from information_schema.tables where table_name like 'leadscore_check_part%'"
        )
        assert left.empty
    finally:
        warehouse.close()


@pytest.mark.postgres
def test_treeshap_split_for_planning_runs_on_postgres(monkeypatch, postgres_rows_warehouse) -> None:
    """The batches of a TreeSHAP statement split for its planning budget, printed for PostgreSQL and
    run as training runs them, give DuckDB's unsplit values on every row, NULL and NaN included."""
    from leadscore.evaluation.parity import run_fitted

    cell, model, statements, _ = _over_the_planning_budget(monkeypatch)
    frame, nan_cells = _odd_rows(model, cell.columns)
    write_rows(postgres_rows_warehouse, "shapley_planning_split", frame, cell.columns, nan_cells)
    whole, scored = _sql_shapley(model, frame, cell.columns)
    got = run_fitted(
        postgres_rows_warehouse, statements["contributions"]["postgres"], "shapley_planning_split"
    )
    _check_split_run(got, whole, scored, cell.columns)


def test_an_xgboost_treeshap_statement_over_the_planning_budget_is_refused(monkeypatch) -> None:
    """XGBoost's float32 sum cannot be split, so over the planning budget its TreeSHAP reasons are
    refused (training then serves Saabas ones) rather than planned whole; under it they are built."""
    from leadscore.transpile.explain import ShapleyTooLargeError

    cell = next(c for c in CELLS if c.name == "xgboost")
    model = cell.build()
    terms = statement_terms(explain(model, ["row_id"]).translation.raw.trees)
    assert terms > 10
    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_TERMS", str(terms - 1))
    with pytest.raises(ShapleyTooLargeError, match=r"float32 sum cannot be split.*--reasons saabas"):
        explain(model, ["row_id"], method="shapley")
    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_TERMS", str(terms))
    assert explain(model, ["row_id"], method="shapley").method == "shapley"


def test_a_treeshap_statement_too_large_to_plan_is_refused_with_what_to_do(monkeypatch) -> None:
    """Over MAX_SHAPLEY_TERMS the translator refuses before writing SQL (training then serves Saabas
    reasons for that model and says so); the message says how large and what to do."""
    import leadscore.transpile.explain as explain_module
    from leadscore.transpile.explain import ShapleyTooLargeError
    from leadscore.transpile.shapley import statement_terms

    cell = next(c for c in CELLS if c.name == "lightgbm")
    model = cell.build()
    terms = statement_terms(explain(model, ["row_id"]).translation.raw.trees)
    assert terms > 1000
    monkeypatch.setattr(explain_module, "MAX_SHAPLEY_TERMS", terms - 1)
    with pytest.raises(ShapleyTooLargeError, match=f"{terms:,} SQL terms.*--reasons saabas"):
        explain(model, ["row_id"], method="shapley")
    assert explain(model, ["row_id"], method="saabas").method == "saabas"
    monkeypatch.setattr(explain_module, "MAX_SHAPLEY_TERMS", terms)
    assert explain(model, ["row_id"], method="shapley").method == "shapley"
