"""A hostile lead export end to end through `leadscore --config ... run`: reserved words, spaces,
quotes and semicolons as column names, an injection string in every categorical column, a
semicolon-delimited Latin-1 file with Windows line endings. Every row is scored, parity holds, and
no payload changes the warehouse; configuration that would paste SQL is refused before any SQL runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import copy_project

ROWS = 1200
BAD_NUMBERS = {"not_finite": [5, 6, 7, 8, 9], "out_of_range": [20, 21, 22]}  # row positions in `default`
INJECTION = "x'); drop table raw.canary; --"
COLUMNS = {
    "key": "lead key",
    "order": "order",
    "numeric": ["default", 'we"ird; col'],
    "categorical": ["select", "Café"],
}
TABLE_PAYLOAD = (
    'byo_leads" ) select 1 as x ); drop table raw.canary; commit; begin transaction; '
    'create view zz_injected as ( with source as ( select * from "byo_leads'
)


def hostile_frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    default = rng.normal(size=ROWS)
    select = rng.choice(["web", "ads", "event", INJECTION], size=ROWS)
    cafe = rng.choice(["crème", "brûlée", INJECTION], size=ROWS)
    logit = -0.5 + 0.8 * default + np.where(select == "event", 0.9, 0.0) + rng.normal(scale=1.0, size=ROWS)
    values = np.round(default, 3).astype(str).astype(object)
    values[BAD_NUMBERS["not_finite"]] = ["NaN", "nan", "inf", "-inf", "Infinity"]
    values[BAD_NUMBERS["out_of_range"]] = ["1e308", "-1e300", "2e15"]
    return pd.DataFrame(
        {
            "lead key": np.arange(1, ROWS + 1),
            "order": np.arange(1, ROWS + 1),
            "default": values,
            'we"ird; col': np.round(rng.normal(size=ROWS), 3),
            "select": select,
            "Café": cafe,
            "Won": np.where(logit > 0, "yes", "no"),
        }
    )


def _leadscore(project: Path, config: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("LEADSCORE_", "DBT_"))
    }
    environment |= {"LEADSCORE_PROJECT_DIR": str(project), "COLUMNS": "200"}
    command = [str(Path(sys.executable).parent / "leadscore"), "--config", str(config), *arguments]
    return subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)


def _write_config(folder: Path, **changes) -> Path:
    config = {
        "name": "hostile",
        "source": {"csv": "hostile.csv", "table": "hostile_leads"},
        "key": COLUMNS["key"],
        "order_by": COLUMNS["order"],
        "label": {"column": "Won", "positive": ["yes"], "negative": ["no"]},
        "features": {"numeric": COLUMNS["numeric"], "categorical": COLUMNS["categorical"]},
        "economics": {"value_per_conversion_usd": 1000},
    } | changes
    path = folder / "leadscore.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def _with_canary(database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create schema if not exists raw; create or replace table raw.canary as select 42 as alive"
        )


def _canary_alive(database: Path) -> bool:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql("select alive from raw.canary").fetchall() == [(42,)]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile_lead_table") / "project")
    folder = project / "examples" / "hostile"
    folder.mkdir(parents=True)
    frame = hostile_frame()
    # Semicolons, Latin-1, Windows line endings: what a European CRM export looks like.
    (folder / "hostile.csv").write_bytes(
        frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("latin-1")
    )
    database = project / "warehouse" / "hostile.duckdb"
    _with_canary(database)
    config = _write_config(folder)
    result = _leadscore(project, config, "run")
    return project, database, frame, result


def test_reserved_word_columns_and_injection_values_are_scored_end_to_end(hostile_run):
    _, database, frame, result = hostile_run
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "SQL parity" in output
    with duckdb.connect(str(database), read_only=True) as connection:
        raw = connection.sql("select * from raw.hostile_leads").df()
        scores = connection.sql("select lead_id, probability from scoring.lead_scores").df()
        features = connection.sql("select * from features.lead_table_features").df()
    assert list(raw.columns) == list(frame.columns)  # the header as written, Café included
    assert (raw["select"] == INJECTION).sum() == (frame["select"] == INJECTION).sum() > 0
    assert len(scores) == ROWS and scores["probability"].between(0, 1).all()
    assert {"default_col", "we_ird_col", "select_col", "caf"} <= set(features.columns)
    assert _canary_alive(database)


def test_nan_infinite_and_huge_numbers_are_flagged_and_null_for_modelling(hostile_run):
    _, database, _, result = hostile_run
    assert result.returncode == 0
    with duckdb.connect(str(database), read_only=True) as connection:
        quality = connection.sql(
            "select check_name, failing_rows from features.lead_table_quality where column_name = 'default_col' "
            "and check_name in ('not_finite', 'out_of_range', 'missing') order by check_name"
        ).fetchall()
        flagged_ids = [position + 1 for positions in BAD_NUMBERS.values() for position in positions]
        values = connection.sql(
            f"select default_col from features.lead_table_features where lead_id in ({', '.join(map(str, flagged_ids))})"
        ).df()
        scored = connection.sql(
            f"select count(*) from scoring.lead_scores where lead_id in ({', '.join(map(str, flagged_ids))})"
        ).fetchall()[0][0]
    assert quality == [("missing", 0), ("not_finite", 5), ("out_of_range", 3)]
    assert len(values) == 8 and values["default_col"].isna().all() and scored == 8


@pytest.mark.parametrize("where", ["table", "schema"])
def test_a_stacked_statement_in_the_source_table_or_schema_is_refused(tmp_path, where):
    config = _write_config(
        tmp_path, source={"csv": "hostile.csv", "table": "hostile_leads"} | {where: TABLE_PAYLOAD}
    )
    project = copy_project(tmp_path / "project")
    database = project / "warehouse" / "hostile.duckdb"
    _with_canary(database)
    result = _leadscore(project, config, "build")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output
    assert f"`source.{where}`" in output and "is not a plain schema or table name" in output
    assert _canary_alive(database)


@pytest.mark.parametrize(
    "variables",
    [
        {"leadscore_raw_schema": 'raw" ; drop table raw.canary; --'},
        {"leadscore_crm_tables": {"leads": 'crm_leads"; drop table raw.canary; --'}},
        {"leadscore_label_window_days": "90; drop table raw.canary"},
    ],
    ids=["raw_schema", "crm_tables", "numeric-var"],
)
def test_dbt_vars_that_would_paste_sql_are_refused_before_any_sql_runs(
    trained_warehouse, tmp_path, variables
):
    import json

    # A copy: dbt writes its target/ (run_results.json) into the project it runs in, and other tests
    # read the shared warehouse's.
    built = trained_warehouse[0].copy_to(tmp_path)
    database = Path(built.environment["LEADSCORE_DUCKDB_PATH"])
    with duckdb.connect(str(database)) as connection:
        connection.execute("create or replace table raw.canary as select 42 as alive")
    environment = {**os.environ, **built.environment}
    command = [str(Path(sys.executable).parent / "dbt"), "build", "--vars", json.dumps(variables)]
    result = subprocess.run(command, cwd=built.project, env=environment, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Configuration refused before any SQL ran" in result.stdout + result.stderr
    assert _canary_alive(database)


@pytest.fixture(scope="module")
def dated_run(tmp_path_factory):
    """A table ordered by a date column, with a date feature and no created_at."""
    project = copy_project(tmp_path_factory.mktemp("dated_lead_table") / "project")
    folder = project / "examples" / "hostile"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(5)
    signup = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 700, size=ROWS)), unit="D")
    last_visit = signup + pd.to_timedelta(rng.integers(0, 90, size=ROWS), unit="D")
    visits = rng.poisson(3, size=ROWS)
    won = rng.random(ROWS) < 1 / (1 + np.exp(-(visits - 3) * 0.7))
    frame = pd.DataFrame(
        {
            "Lead Id": np.arange(1, ROWS + 1),
            "Signup Date": signup.strftime("%Y-%m-%d"),
            "Last Visit": np.where(np.arange(ROWS) % 50 == 0, "", last_visit.strftime("%Y-%m-%d %H:%M:%S")),
            "Visits": visits,
            "Won": np.where(won, "yes", "no"),
        }
    )
    frame.to_csv(folder / "hostile.csv", index=False)
    config = _write_config(
        folder,
        key="Lead Id",
        order_by="Signup Date",
        features={"numeric": ["Visits"], "date": ["Last Visit"]},
    )
    return project, frame, _leadscore(project, config, "run")


def test_a_date_orders_the_split_and_date_features_match_their_python_twin(dated_run):
    from leadscore.byo.dates import date_features

    project, frame, result = dated_run
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    with duckdb.connect(str(project / "warehouse" / "hostile.duckdb"), read_only=True) as connection:
        features = connection.sql(
            "select * from features.lead_table_features order by cast(lead_id as bigint)"
        ).df()
        splits = (
            connection.sql(
                "select split, min(ordering_value) as low, max(ordering_value) as high "
                "from features.lead_table_training_set group by split"
            )
            .df()
            .set_index("split")
        )
        scored_at = connection.sql("select distinct scored_at from scoring.lead_scores").df()["scored_at"]
    # The split follows the dates: every train signup comes before every test signup.
    assert splits.loc["train", "high"] <= splits.loc["test", "low"]
    # No created_at: the creation time is unknown, and the scores are as of the build, not 1970.
    assert features["lead_created_at"].isna().all()
    assert len(scored_at) == 1 and scored_at.iloc[0] > pd.Timestamp("2026-01-01")
    expected = date_features(frame["Last Visit"].replace("", None), features["as_of_at"])
    for part in ("days_since", "month", "weekday"):
        got = features[f"last_visit_{part}"]
        assert got.isna().sum() == ROWS // 50
        pd.testing.assert_series_equal(got.astype(expected[part].dtype), expected[part], check_names=False)


def test_a_failing_model_is_named_with_the_database_error_line(tmp_path):
    from leadscore.dbt_failures import describe_failures

    (tmp_path / "run_results.json").write_text(
        '{"results": [{"unique_id": "model.lead_scoring.lead_table_training_set", "status": "error", '
        '"message": "Runtime Error in model lead_table_training_set (models/x.sql)\\n  Conversion Error: '
        "Could not convert string '2017-07-04' to DOUBLE\\n  LINE 23: from leads\"}]}"
    )
    described = describe_failures(tmp_path, read_rows=False)
    assert described.splitlines() == [
        "  model lead_table_training_set error",
        "    Conversion Error: Could not convert string '2017-07-04' to DOUBLE",
    ]
