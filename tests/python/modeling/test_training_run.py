"""`leadscore train` on the small demo warehouse: what it saves, what it claims, and that the
champion was chosen without looking at the test split."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

import leadscore
from leadscore.modeling.selection import COMPLEXITY_MARGIN

PACKAGE = Path(leadscore.__file__).parent


def test_models_beat_the_legacy_score_and_stay_under_the_oracle(trained_warehouse):
    _, outcome = trained_warehouse
    run = outcome.run
    legacy_auc = run.legacy_metrics["roc_auc"]
    for model in run.models.values():
        assert model.test_metrics["roc_auc"] > legacy_auc + 0.1
        assert model.test_metrics["roc_auc"] < run.oracle["roc_auc"]
        assert model.walk_forward.mean_auc > run.legacy_walk_forward.mean_auc + 0.1
    assert set(run.models) == {"logistic", "lightgbm", "blend"}
    # The champion rule: logistic serves unless another family beats it by the margin (recency-weighted).
    figures = run.family_figures
    if run.champion != "logistic":
        assert figures[run.champion].weighted_auc >= figures["logistic"].weighted_auc + COMPLEXITY_MARGIN
    assert run.champion_reason.startswith(f"{run.champion} serves")


def test_walk_forward_covers_the_newest_labelled_periods_and_the_served_model_all_labels(trained_warehouse):
    """The backtest ends at the newest labelled month ('recent' rows included); the served model is
    fitted on every labelled row, not the train split."""
    warehouse, outcome = trained_warehouse
    run = outcome.run
    months = warehouse.query(
        "select distinct strftime(as_of_at, '%Y-%m') as month from features.lead_training_set order by 1"
    )["month"].tolist()
    for model in run.models.values():
        periods = model.walk_forward.periods["period"].tolist()
        assert periods == months[-len(periods) :] and len(periods) >= 2
        assert len(model.served_rows) == len(run.data.frame) > len(run.data.part("train"))
        summary = model.walk_forward.summary()
        assert summary["auc"]["min"] <= summary["auc"]["mean"] <= summary["auc"]["max"]
    metadata = outcome.versions[run.champion].metadata
    assert metadata["selection_rule"].startswith("the setting with the highest mean ROC-AUC")
    assert metadata["served_model"]["rows"] == len(run.data.frame)


def test_the_translator_stays_below_training():
    """transpile/ turns any fitted estimator into SQL; it must not depend on how we train."""
    importers = []
    for path in (PACKAGE / "transpile").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(name.startswith("leadscore.modeling") for name in names):
                importers.append(path.name)
    assert importers == []


def test_saved_version_is_complete_and_its_estimator_takes_mart_columns_by_name(trained_warehouse):
    warehouse, outcome = trained_warehouse
    spec = outcome.run.data.spec
    test = warehouse.query("select * from features.lead_training_set where split = 'test'")
    for version in outcome.versions.values():
        files = {p.relative_to(version.folder).as_posix() for p in version.folder.rglob("*") if p.is_file()}
        assert {
            "model.joblib",
            "metadata.json",
            "metrics.json",
            "model_card.md",
            "sql/duckdb.sql",
            "sql/snowflake.sql",
        } <= files
        metadata = version.metadata
        assert metadata["sql_parity"]["max_abs_difference"] < 1e-9
        assert set(metadata["libraries"]) >= {"scikit-learn", "m2cgen", "sqlglot", "dbt-core"}
        assert {row["split"] for row in metadata["splits"]} >= {"train", "validation", "test"}
        estimator = version.load_estimator()
        shuffled = test[list(reversed(test.columns))]  # extra columns, other order: selected by name
        pd.testing.assert_series_equal(
            pd.Series(estimator.predict_proba(shuffled)[:, 1]),
            pd.Series(estimator.predict_proba(test[list(spec.features)])[:, 1]),
        )
        card = (version.folder / "model_card.md").read_text()
        for section in (
            "## Intended use",
            "## What is served",
            "## Walk-forward backtest (the estimate)",
            "## Drift seen at training time",
            "## Data",
            "## Fixed test split",
            "## Limitations",
            "## SQL exactness",
            "## Reasons",
        ):
            assert section in card
        # The reasons' global importance and worked example come from the warehouse's reasons on
        # the test rows: the example's bias plus its contributions is its log-odds.
        checked = metadata["sql_parity"]["contribution_sum"]
        assert set(checked["mean_abs_contribution"]) == set(spec.features)
        example = checked["example"]
        total = example["bias"] + sum(item["contribution"] for item in example["contributions"])
        assert abs(total - example["log_odds"]) < 1e-9
        assert f"lead {example['lead_id']} as of" in card
        assert any(item["value"] is not None for item in example["contributions"])
        metrics = json.loads((version.folder / "metrics.json").read_text())
        assert metrics["oracle_test"]["roc_auc"] > metrics["test"]["roc_auc"]


def test_report_is_self_contained_with_all_charts(trained_warehouse):
    _, outcome = trained_warehouse
    page = outcome.report.read_text()
    assert page.count("<img") == 6 and "data:image/png;base64," in page
    assert "Walk-forward backtest" in page and "Has anything moved since the training data?" in page
    assert page.index("For sales") < page.index("Walk-forward backtest")
    assert "http" not in page.replace("http-equiv", "")
    # The champion's reasons: a worked example for sales, mean |contribution| beside gain for analysts.
    champion = outcome.run.champion
    checked = outcome.parity[champion]["contribution_sum"]
    example = checked["example"]
    assert f"lead {example['lead_id']} as of" in page
    assert page.index("Why a lead scores high") < page.index("Walk-forward backtest")
    assert "<h2>Reasons</h2>" in page and "mean |SHAP| (log-odds)" in page
    top_feature = next(iter(checked["mean_abs_contribution"]))
    assert top_feature in page[page.index("<h2>Reasons</h2>") :]
    # Where the run's time went, beside the report (the pipeline benchmark reads it).
    times = json.loads(outcome.report.with_name("training_times.json").read_text())
    assert list(times["wall_seconds"]) == [
        "families",
        "blend, legacy score, oracle, drift",
        "SQL for DuckDB and the warehouse",
        "score parity",
        "reasons checked",
        "saving",
        "report",
    ]
    assert set(times["task_seconds"]) == {
        "tuning",
        "backtest",
        "final fits",
        "plain baseline",
        "SQL for the other dialects, beside the checks",
    }
    assert times["wall_seconds"] == pytest.approx(outcome.times.wall)


def test_only_the_ceiling_module_reads_the_oracle():
    """Training code never touches the oracle schema: only evaluation/oracle_ceiling.py names it."""
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if "demo_data" in path.parts:
            continue  # the generator writes it
        tree = ast.parse(path.read_text())
        strings = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
        if any("oracle" in s and ("select" in s or s == "oracle") for s in strings):
            readers.append(path.relative_to(PACKAGE).as_posix())
    assert readers == ["evaluation/oracle_ceiling.py"]
    tuning = (PACKAGE / "modeling" / "tuning.py").read_text() + (
        PACKAGE / "modeling" / "pipelines.py"
    ).read_text()
    assert "oracle" not in tuning


def test_the_dialects_fitted_beside_the_checks_are_the_ones_fitted_at_once(trained_warehouse):
    """Training fits DuckDB's statements first and the other dialects' on a thread during the
    warehouse checks (job.later_statements): the saved files, splits and statement sizes are the
    bytes fitting every dialect at once gives, for each family and the blend over them."""
    from leadscore.modeling.job import transpile_blend, transpile_model
    from leadscore.transpile.query import DIALECTS

    _, outcome = trained_warehouse
    run, spec = outcome.run, outcome.run.data.spec
    at_once = {}
    for kind, trained in run.models.items():
        if trained.components:
            at_once[kind] = transpile_blend(trained.estimator, [at_once[k] for k in trained.components], spec)
        else:
            reference = run.data.frame.iloc[trained.served_rows][list(spec.features)]
            at_once[kind] = transpile_model(
                trained.estimator, trained.pipeline, reference, spec, kind, "shapley"
            )
        version = outcome.versions[kind]
        statements = at_once[kind].statements
        assert set(statements) == set(version.sql_kinds) and len(statements) >= 2
        for statement_kind, by_dialect in statements.items():
            assert list(by_dialect) == list(DIALECTS)
            for dialect, fitted in by_dialect.items():
                assert version.sql(dialect, statement_kind).split("\n", 1)[1] == fitted.text + "\n"
                saved_split = version.split_sql(dialect, statement_kind)
                expected = (
                    None
                    if fitted.split is None
                    else ([p.rstrip("\n") for p in fitted.split[0]], fitted.split[1].rstrip("\n"))
                )
                assert saved_split == expected, (kind, statement_kind, dialect)
        assert version.metadata["statement_sizes"] == [
            s.size.to_dict() for by_dialect in statements.values() for s in by_dialect.values()
        ]
    assert outcome.times.tasks["SQL for the other dialects, beside the checks"] > 0


def test_nothing_is_saved_when_the_other_dialects_fail_beside_the_checks(
    trained_warehouse, tmp_path, monkeypatch
):
    """The other dialects' statements are fitted on a thread while the warehouse checks the SQL
    (job.later_statements); when that fails, training raises before it saves any version, even those
    whose own statements were fitted."""
    import leadscore.modeling.job as job
    from leadscore.modeling.walk_forward import WalkForwardSettings

    fit_model_statements = job.fit_model_statements
    beside_the_checks = []

    def failing_beside_the_checks(*arguments, **keywords):
        """The thread's second model fails (LightGBM): the first (logistic) had its statements."""
        if "duckdb" not in arguments[6]:
            beside_the_checks.append(arguments[0])
            if len(beside_the_checks) == 2:
                raise RuntimeError("trino printing failed")
        return fit_model_statements(*arguments, **keywords)

    monkeypatch.setattr(job, "fit_model_statements", failing_beside_the_checks)
    saved = []
    monkeypatch.setattr(
        job, "save_model_version", lambda version_id, *rest, **keywords: saved.append(version_id)
    )
    warehouse, _ = trained_warehouse
    with pytest.raises(RuntimeError, match="trino printing failed"):
        warehouse.copy_to(tmp_path).train(settings=WalkForwardSettings(periods=2), reasons="saabas")
    assert saved == []
    assert len(beside_the_checks) == 2
