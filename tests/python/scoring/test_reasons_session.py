"""Reasons statements run with DuckDB's heaviest optimizer passes off, in dbt
(int_lead_score_contributions' hooks, macros/scoring/scoring_session.sql) and in training's check
of the reasons SQL (parity.contribution_sum_check) alike, and the setting never outlives them."""

from __future__ import annotations

import pytest

from conftest import REPOSITORY
from leadscore.warehouse.duckdb_warehouse import REASONS_DISABLED_OPTIMIZERS, DuckDBWarehouse, reasons_session
from leadscore.warehouse.profiles import WarehouseTarget


def test_training_and_dbt_turn_off_the_same_passes() -> None:
    macro = (REPOSITORY / "macros" / "scoring" / "scoring_session.sql").read_text()
    assert f"set disabled_optimizers = '{REASONS_DISABLED_OPTIMIZERS}'" in macro
    model = (
        REPOSITORY / "models" / "intermediate" / "scoring" / "int_lead_score_contributions.sql"
    ).read_text()
    assert 'pre_hook="{{ reasons_session_settings() }}"' in model
    assert 'post_hook="{{ reasons_session_reset() }}"' in model


def test_the_reasons_session_is_reset_whatever_happens(tmp_path) -> None:
    warehouse = DuckDBWarehouse(WarehouseTarget("t", {"type": "duckdb", "path": str(tmp_path / "w.duckdb")}))

    def disabled() -> set[str]:
        value = str(warehouse.query("select current_setting('disabled_optimizers') as value")["value"][0])
        return {name for name in value.split(",") if name}

    expected = set(REASONS_DISABLED_OPTIMIZERS.split(","))

    try:
        before = disabled()
        with reasons_session(warehouse):
            assert disabled() == expected
        assert disabled() == before
        with pytest.raises(ZeroDivisionError), reasons_session(warehouse):
            assert disabled() == expected
            _ = 1 / 0
        assert disabled() == before
    finally:
        warehouse.close()
