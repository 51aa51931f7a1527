"""Bad configuration or data stops early, naming the file or table, the column and the count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from leadscore.byo.checks import DataError, check_lead_table
from leadscore.byo.config import ConfigError, load_config
from leadscore.warehouse.duckdb_warehouse import DuckDBWarehouse
from leadscore.warehouse.profiles import WarehouseTarget

BASE = {
    "name": "tiny",
    "source": {"table": "tiny_leads"},
    "key": "Lead Id",
    "label": {"column": "Won", "positive": ["yes"], "negative": ["no"]},
    "features": {
        "numeric": ["Visits"],
        "categorical": ["Source"],
        "boolean": {"columns": ["Opted In"], "true_values": ["Y"], "false_values": ["N"]},
    },
    "min_rows": 100,
}


def _write(tmp_path, **changes) -> object:
    data = {**BASE, **changes}
    path = tmp_path / "leadscore.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def _table(rows: int = 300, **columns) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "Lead Id": [str(i) for i in range(rows)],
            "Won": rng.choice(["yes", "no"], size=rows),
            "Visits": [str(v) for v in rng.integers(0, 9, size=rows)],
            "Source": rng.choice(["web", "ads"], size=rows),
            "Opted In": rng.choice(["Y", "N", ""], size=rows),
        }
    )
    for name, values in columns.items():
        frame[name.replace("_", " ")] = values
    return frame


def _check(tmp_path, frame: pd.DataFrame, **config_changes):
    config = load_config(_write(tmp_path, **config_changes))
    warehouse = DuckDBWarehouse(WarehouseTarget("t", {"type": "duckdb", "path": str(tmp_path / "w.duckdb")}))
    try:
        warehouse.write_frame(
            "raw", "tiny_leads", frame.astype(object), {c: "varchar" for c in frame.columns}, append=False
        )
        return check_lead_table(warehouse, config)
    finally:
        warehouse.close()


def test_a_clean_table_passes(tmp_path):
    counts = _check(tmp_path, _table())
    assert counts["rows"] == 300 and counts["positives"] > 0 and counts["negatives"] > 0


def test_missing_column_names_table_and_role(tmp_path):
    with pytest.raises(ConfigError) as error:
        _check(tmp_path, _table().drop(columns=["Visits"]))
    assert "'Visits' (features.numeric)" in str(error.value) and "raw.tiny_leads" in str(error.value)


def test_label_that_is_not_binary(tmp_path):
    frame = _table()
    frame.loc[:9, "Won"] = "maybe"
    with pytest.raises(DataError, match=r"raw.tiny_leads.Won is not binary.*'maybe' \(10 rows\)"):
        _check(tmp_path, frame)


def test_no_positives(tmp_path):
    frame = _table()
    frame["Won"] = "no"
    with pytest.raises(DataError, match="Won has no positive rows"):
        _check(tmp_path, frame)


def test_too_few_rows(tmp_path):
    with pytest.raises(DataError, match="has 50 rows; at least 100"):
        _check(tmp_path, _table(rows=50))


def test_category_explosion(tmp_path):
    frame = _table()
    frame["Source"] = [f"campaign-{i}" for i in range(len(frame))]
    with pytest.raises(
        DataError, match=r"raw.tiny_leads.Source has 300 distinct values \(max_categories 200\)"
    ):
        _check(tmp_path, frame)


def test_numeric_column_with_text(tmp_path):
    frame = _table()
    frame.loc[:4, "Visits"] = "lots"
    with pytest.raises(DataError, match=r"Visits is declared numeric but 5\+ values are not numbers"):
        _check(tmp_path, frame)


def test_non_integer_key(tmp_path):
    frame = _table()
    frame.loc[0, "Lead Id"] = "00Q-abc"
    with pytest.raises(DataError, match="keys are not integers"):
        _check(tmp_path, frame)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Bad Name"}, "`name` must be lower-case"),
        ({"exclude": ["Nope"]}, "`exclude` names columns that are not features"),
        ({"split": {"train": 0.9, "validation": 0.2}}, "split shares"),
        ({"label": {"column": "Won", "positive": ["yes"], "negative": ["yes"]}}, "share values"),
        ({"key": ""}, "`key` is required"),
    ],
)
def test_bad_configuration(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, **changes))


def test_feature_names_are_safe_identifiers(tmp_path):
    config = load_config(
        _write(tmp_path, features={"numeric": ["Visits", "visits", "x'); drop table leads; --", "2nd score"]})
    )
    names = [feature.name for feature in config.features]
    assert names == ["visits", "visits_2", "x_drop_table_leads", "f_2nd_score"]
