"""The scoring tables that hold history are incremental (macros/scoring/incremental_scoring.sql): a
build rescores only the source rows that are new, changed, or scored by other models, deletes the
rows gone from the source, and leaves every other row as it was; the result equals a full refresh,
row for row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from conftest import clone_warehouse, execute

SENTINEL = -1.0  # a probability no build writes: a row still holding it was not rescored
KEY = ["lead_id", "as_of_at"]


@dataclass(frozen=True)
class Case:
    model: str  # the incremental scoring table (schema.name)
    source: str  # the table its rows come from
    kept: str  # which source rows it scores


CASES = [
    Case("scoring.lead_training_scores", "lead_training_set", "true"),
    Case(
        "monitoring.monitoring_scored_snapshots",
        "int_lead_features_as_of",
        "snapshot_kind = 'history' or is_open",
    ),
]


def _scores(built, case: Case) -> pd.DataFrame:
    return built.query(f"select * from {case.model} order by lead_id, as_of_at").reset_index(drop=True)


def _keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[KEY].itertuples(index=False, name=None))


def _source(built, case: Case) -> str:
    schema = built.query(
        f"select table_schema from information_schema.tables where table_name = '{case.source}'"
    )["table_schema"].iloc[0]
    return f"{schema}.{case.source}"


def _in(keys: list[tuple]) -> str:
    return " or ".join(f"(lead_id = '{lead}' and as_of_at = timestamp '{at}')" for lead, at in keys)


def _only(frame: pd.DataFrame, keys) -> pd.DataFrame:
    return frame.merge(pd.DataFrame(sorted(keys), columns=KEY), on=KEY).reset_index(drop=True)


@pytest.fixture
def clone(duckdb_warehouse, tmp_path):
    return clone_warehouse(duckdb_warehouse, tmp_path)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.model.split(".")[1])
def test_a_build_rescores_only_changed_rows_and_equals_a_full_refresh(clone, case):
    before = _scores(clone, case)
    assert len(before) > 100 and before["scored_inputs_hash"].notna().all()
    source = _source(clone, case)
    keys = sorted(_keys(before))
    changed, deleted, copied = keys[10:15], keys[40:44], keys[70:73]
    execute(
        clone,
        f"update {source} set employee_count = coalesce(employee_count, 0) + 1000 where {_in(changed)}",
        f"delete from {source} where {_in(deleted)}",
        f"insert into {source} select * replace (lead_id || '-copy' as lead_id) from {source} where {_in(copied)}",
        f"update {case.model} set champion_probability = {SENTINEL}",
    )
    name = case.model.split(".")[1]
    clone.dbt("run", "--select", name)
    after = _scores(clone, case)

    source_keys = _keys(clone.query(f"select lead_id, as_of_at from {source} where {case.kept}"))
    assert _keys(after) == source_keys  # the deleted rows are gone, the new ones are in
    rescored = _keys(after[after["champion_probability"] != SENTINEL])
    new = {(lead + "-copy", at) for lead, at in copied}
    assert rescored == set(changed) | new  # and nothing else was scored again

    clone.dbt("run", "--select", name, "--full-refresh")
    full = _scores(clone, case)
    assert _keys(full) == source_keys
    # The rows the incremental build scored equal the full refresh's, every column.
    pd.testing.assert_frame_equal(_only(after, rescored), _only(full, rescored))
    # The rows it kept were right to keep: the full refresh gives them what they held before.
    kept = _keys(after) - rescored
    pd.testing.assert_frame_equal(_only(full, kept), _only(before, kept))
    moved = _only(full, changed).merge(before, on=KEY, suffixes=("", "_before"))
    assert (moved["scored_inputs_hash"] != moved["scored_inputs_hash_before"]).all()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.model.split(".")[1])
def test_rows_scored_by_other_models_are_rescored(clone, case):
    before = _scores(clone, case)
    keys = sorted(_keys(before))[:3]
    execute(
        clone,
        f"update {case.model} set scored_with_models_key = 'an earlier champion' where {_in(keys)}",
        f"update {case.model} set champion_probability = {SENTINEL}",
    )
    clone.dbt("run", "--select", case.model.split(".")[1])
    after = _scores(clone, case)
    assert _keys(after[after["champion_probability"] != SENTINEL]) == set(keys)
    assert after["scored_with_models_key"].nunique() == 1
    pd.testing.assert_frame_equal(_only(after, keys), _only(before, keys))
