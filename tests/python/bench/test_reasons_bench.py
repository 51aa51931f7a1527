"""The reasons benchmark measures what it says: its SQL TreeSHAP (run as dbt runs it, in batches
when over the planning budget) equals the library's Shapley values and adds up to the log-odds."""

from __future__ import annotations

import pytest

from leadscore.bench.data import ModelSize
from leadscore.bench.reasons import DIALECTS, render_reasons_section, run_reasons_benchmark

pytest.importorskip("shap")


def test_split_treeshap_in_the_benchmark_equals_pred_contrib(monkeypatch) -> None:
    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_TERMS", "100")
    [result] = run_reasons_benchmark(3000, [ModelSize("lightgbm", 24, 7)], repeats=1, shap_rows=100)
    parts, largest = result.statements["duckdb"]
    assert parts >= 2 and largest > 0  # split on DuckDB, which has no text budget
    assert set(result.statements) == set(DIALECTS)
    assert result.max_difference < 1e-9
    assert result.sum_difference < 1e-9
    assert result.shapley_sql_seconds > 0 and result.library_seconds > 0
    section = render_reasons_section([result], {"cpu": "test"}, "leadscore bench reasons")
    assert "| lightgbm 24 x 7 leaves |" in section
    assert f"| {parts} x {largest:,} |" in section
