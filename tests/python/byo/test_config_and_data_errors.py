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


def test_text_key_is_a_key(tmp_path):
    """Keys are text in every mode: Salesforce-style ids pass the checks like integer ones (the split
    is then ordered by another column)."""
    frame = _table(**{"Signup_Order": [str(i) for i in range(300)]})
    frame["Lead Id"] = [f"00Q{i:012d}AAB" for i in range(300)]
    counts = _check(tmp_path, frame, order_by="Signup Order")
    assert counts["positives"] + counts["negatives"] == 300


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


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exclued": ["Visits"]}, "unknown key `exclued`; did you mean `exclude`?"),
        ({"features": {**BASE["features"], "dates": ["Created"]}}, "unknown key `features.dates`; did you mean `date`?"),
        ({"features": {**BASE["features"], "text": ["Notes"]}}, "unknown key `features.text`; valid keys here"),
        ({"source": {"table": "tiny_leads", "delimeter": ";"}}, "unknown key `source.delimeter`; did you mean `delimiter`?"),
        ({"leakage": {"alow": ["Visits"]}}, "unknown key `leakage.alow`; did you mean `allow`?"),
        ({"label": {"column": "Won", "positive": [True], "negative": ["no"]}}, "YAML read this as true"),
        ({"min_rows": "many"}, "`min_rows`: Input should be a valid integer"),
        ({"training": {"backtest_periods": 1}}, "`training.backtest_periods`: Input should be greater than or equal to 2"),
        ({"exclude": ["Visitz"]}, "`exclude` names columns that are not features: 'Visitz' \\(did you mean 'Visits'\\?\\)"),
        ({"leakage": {"allow": ["nope"]}}, "`leakage.allow` names columns that are not features: 'nope'"),
        ({"source": {"table": 'x"; drop table raw.canary; --'}}, "`source.table` = .* is not a plain schema or table name"),
        ({"source": {"table": "t", "schema": "raw\nx"}}, "`source.schema` = .* is not a plain schema or table name"),
    ],
    ids=["typo", "unknown-section-key", "unknown-feature-kind", "source-typo", "leakage-typo", "yaml-yes", "type", "range", "exclude-typo",
         "allow-unknown", "table-injection", "schema-newline"],
)  # fmt: skip
def test_configuration_is_validated_with_the_key_named(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, **changes))


def test_exclude_and_allow_take_the_file_name_or_the_snake_case_name(tmp_path):
    by_file_name = load_config(_write(tmp_path, exclude=["Opted In"], leakage={"allow": ["Source"]}))
    by_snake_name = load_config(_write(tmp_path, exclude=["opted_in"], leakage={"allow": ["source"]}))
    for config in (by_file_name, by_snake_name):
        assert [c.source for c in config.excluded] == ["Opted In"]
        assert config.leakage.allow == ("source",)


def test_numbers_in_yaml_label_values_are_read_as_text(tmp_path):
    config = load_config(_write(tmp_path, label={"column": "Won", "positive": [1], "negative": [0]}))
    assert (config.positive, config.negative) == (("1",), ("0",))


def test_sql_keywords_never_become_column_names(tmp_path):
    config = load_config(_write(tmp_path, features={"numeric": ["default", "select", "Order", "date"]}))
    assert [feature.name for feature in config.features] == [
        "default_col",
        "select_col",
        "order_col",
        "date_col",
    ]


CSV_FRAME = pd.DataFrame(
    {
        "Lead Id": ["1", "2", "3"],
        "Note": ['says "hi"; then, bye', "", "plain"],
        "Café": ["crème", "brûlée", "x"],
    }
)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "line_end"),
    [("utf-8", ",", "\n"), ("utf-8-sig", ";", "\r\n"), ("utf-16", "\t", "\r\n"), ("latin-1", ";", "\r\n"),
     ("cp1252", "|", "\n")],
)  # fmt: skip
def test_exports_load_whatever_their_encoding_delimiter_and_line_endings(
    tmp_path, encoding, delimiter, line_end
):
    from leadscore.byo.load import read_lead_csv

    path = tmp_path / "export.csv"
    path.write_bytes(CSV_FRAME.to_csv(sep=delimiter, index=False, lineterminator=line_end).encode(encoding))
    frame, detected_encoding, detected_delimiter = read_lead_csv(path)
    assert detected_delimiter == delimiter
    assert frame.to_dict(orient="list") == CSV_FRAME.to_dict(orient="list"), detected_encoding


@pytest.mark.parametrize(
    ("encoding", "companies"),
    [("shift_jis", ["株式会社テスト", "東京商事", "大阪製作所", "日本システム"]),
     ("cp1251", ["ООО Ромашка", "Москва Торг", "Сибирь Нефть", "Волга Строй"]),
     ("cp1253", ["Αθήνα Εμπόριο", "Θεσσαλονίκη Λιμάνι", "Κρήτη Τουρισμός", "Πάτρα Ναυτιλία"]),
     ("gb18030", ["深圳有限公司", "北京科技", "上海贸易", "广州制造"]),
     ("utf-16-le", ["Société Générale", "Müller GmbH", "Ørsted", "Café Noir"]),
     ("utf-16-be", ["Société Générale", "Müller GmbH", "Ørsted", "Café Noir"])],
)  # fmt: skip
def test_exports_in_other_scripts_and_utf16_without_a_bom_are_read_as_written(tmp_path, encoding, companies):
    """charset-normalizer reads what is neither UTF-8 nor Latin-script single-byte text (a dozen rows:
    a handful of bytes of any single-byte code page could be anything)."""
    from leadscore.byo.load import read_lead_csv

    frame = pd.DataFrame(
        {"Lead Id": [str(i) for i in range(12)], "Company": companies * 3, "Note": ["first contact"] * 12}
    )
    path = tmp_path / "export.csv"
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    read, detected_encoding, _ = read_lead_csv(path)
    assert read.to_dict(orient="list") == frame.to_dict(orient="list"), detected_encoding


def test_a_ragged_row_names_its_line(tmp_path):
    from leadscore.byo.load import read_lead_csv

    path = tmp_path / "export.csv"
    path.write_text("Lead Id,Visits,Source\n1,2,web\n2,3,ads,extra,fields\n")
    with pytest.raises(DataError, match="line 3 has 5 fields, the header has 3"):
        read_lead_csv(path)


def test_a_duplicate_header_names_the_column(tmp_path):
    from leadscore.byo.load import read_lead_csv

    path = tmp_path / "export.csv"
    path.write_text("Lead Id,Visits,Visits\n1,2,3\n")
    with pytest.raises(DataError, match="the header names 'Visits' more than once"):
        read_lead_csv(path)


def test_a_configured_encoding_that_does_not_fit_is_named(tmp_path):
    from leadscore.byo.load import read_lead_csv

    path = tmp_path / "export.csv"
    path.write_bytes("Lead Id,Name\n1,Zoë\n".encode("utf-16"))
    with pytest.raises(DataError, match="cannot be read as utf-8"):
        read_lead_csv(path, encoding="utf-8")


def test_month_names_in_order_by_say_what_to_do(tmp_path):
    months = ["January", "February", "March", "April", "May", "June"] * 50
    frame = _table(**{"Signup_Month": months})
    with pytest.raises(DataError) as error:
        _check(tmp_path, frame, order_by="Signup Month")
    message = str(error.value)
    assert "tiny_leads.Signup Month (order_by) holds 300 values that are neither numbers nor dates" in message
    assert "they are month names" in message and "Map them to numbers (1-12" in message
    frame = _table(**{"Signup_Month": ["soon"] * 300})
    with pytest.raises(DataError, match=r"order_by must grow with time \(a number or a date\)"):
        _check(tmp_path, frame, order_by="Signup Month")
