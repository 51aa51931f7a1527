"""lead_training_scores is incremental: a build rescores only the training-mart rows that are new,
changed, or scored by other models, deletes the rows gone from the mart, and leaves every other row
as it was; the result equals a full refresh, row for row."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import clone_warehouse, execute

SENTINEL = -1.0  # a probability no build writes: a row still holding it was not rescored
KEY = ["lead_id", "as_of_at"]


def _scores(built) -> pd.DataFrame:
    return built.query("select * from scoring.lead_training_scores order by lead_id, as_of_at").reset_index(
        drop=True
    )


def _keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[KEY].itertuples(index=False, name=None))


def _mart(built) -> str:
    schema = built.query(
        "select table_schema from information_schema.tables where table_name = 'lead_training_set'"
    )["table_schema"].iloc[0]
    return f"{schema}.lead_training_set"


def _in(keys: list[tuple]) -> str:
    return " or ".join(f"(lead_id = '{lead}' and as_of_at = timestamp '{at}')" for lead, at in keys)


@pytest.fixture
def clone(duckdb_warehouse, tmp_path):
    return clone_warehouse(duckdb_warehouse, tmp_path)


def test_a_build_rescores_only_changed_rows_and_equals_a_full_refresh(clone):
    before = _scores(clone)
    assert len(before) > 100 and before["scored_inputs_hash"].notna().all()
    mart = _mart(clone)
    keys = sorted(_keys(before))
    changed, deleted, copied = keys[10:15], keys[40:44], keys[70:73]
    execute(
        clone,
        f"update {mart} set employee_count = coalesce(employee_count, 0) + 1000 where {_in(changed)}",
        f"delete from {mart} where {_in(deleted)}",
        f"insert into {mart} select * replace (lead_id || '-copy' as lead_id) from {mart} where {_in(copied)}",
        f"update scoring.lead_training_scores set champion_probability = {SENTINEL}",
    )
    clone.dbt("run", "--select", "lead_training_scores")
    after = _scores(clone)

    mart_keys = _keys(clone.query(f"select lead_id, as_of_at from {mart}"))
    assert _keys(after) == mart_keys  # the deleted rows are gone, the new ones are in
    rescored = _keys(after[after["champion_probability"] != SENTINEL])
    new = {(lead + "-copy", at) for lead, at in copied}
    assert rescored == set(changed) | new  # and nothing else was scored again
    assert not set(deleted) & _keys(after)

    clone.dbt("run", "--select", "lead_training_scores", "--full-refresh")
    full = _scores(clone)
    assert _keys(full) == mart_keys
    kept = after["champion_probability"] == SENTINEL
    # The rows scored by the incremental build equal the full refresh's, every column.
    pd.testing.assert_frame_equal(
        after[~kept].reset_index(drop=True),
        full[full.set_index(KEY).index.isin(after[~kept].set_index(KEY).index)].reset_index(drop=True),
    )
    # The rows it kept were right to keep: the full refresh gives them what they held before.
    unchanged = full.merge(after[kept][KEY], on=KEY)
    pd.testing.assert_frame_equal(unchanged, before.merge(after[kept][KEY], on=KEY))
    # A changed row's digest changed, and only its score moved with it where the model reads it.
    moved = full.merge(pd.DataFrame(changed, columns=KEY), on=KEY).merge(
        before, on=KEY, suffixes=("", "_before")
    )
    assert (moved["scored_inputs_hash"] != moved["scored_inputs_hash_before"]).all()


def test_rows_scored_by_other_models_are_rescored(clone):
    before = _scores(clone)
    keys = sorted(_keys(before))[:3]
    execute(
        clone,
        f"update scoring.lead_training_scores set scored_with_models_key = 'an earlier champion' where {_in(keys)}",
        f"update scoring.lead_training_scores set champion_probability = {SENTINEL}",
    )
    clone.dbt("run", "--select", "lead_training_scores")
    after = _scores(clone)
    assert _keys(after[after["champion_probability"] != SENTINEL]) == set(keys)
    assert after["scored_with_models_key"].nunique() == 1
    pd.testing.assert_frame_equal(
        after.merge(pd.DataFrame(keys, columns=KEY), on=KEY),
        before.merge(pd.DataFrame(keys, columns=KEY), on=KEY),
    )
