"""How `leadscore build` counts dbt's node results: the same words on every adapter."""

from __future__ import annotations

import json

from leadscore.dbt_invocation import DbtOutcome, _read_event


def result_event(status: str, index: int) -> str:
    return json.dumps(
        {
            "info": {"name": "LogModelResult", "level": "info"},
            "data": {"status": status, "index": index, "total": 5},
        }
    )


def test_postgres_row_counts_and_duckdb_ok_count_as_one_ok():
    outcome = DbtOutcome()
    for index, status in enumerate(["SELECT 104", "OK", "INSERT 0 12", "pass", "warn"], start=1):
        _read_event(result_event(status, index), outcome, lambda done, total: None)
    assert outcome.counts == {"ok": 3, "pass": 1, "warn": 1}
