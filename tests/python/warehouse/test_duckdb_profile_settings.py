"""Training's own DuckDB connection runs under the profile's `settings:`, as dbt's connections do: a
memory cap set for the dbt build (LEADSCORE_DUCKDB_MEMORY_LIMIT) holds for `leadscore train` too."""

from __future__ import annotations

import pytest

from leadscore.paths import ProjectError, project_dir
from leadscore.warehouse.connection import connect
from leadscore.warehouse.profiles import WarehouseTarget, load_target


def _target(tmp_path, settings: dict[str, object]) -> WarehouseTarget:
    return WarehouseTarget(
        "duckdb", {"type": "duckdb", "path": str(tmp_path / "w.duckdb"), "settings": settings}
    )


def test_the_shipped_profiles_memory_limit_reaches_trainings_connection(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCORE_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("LEADSCORE_DUCKDB_MEMORY_LIMIT", "3GB")
    warehouse = connect(load_target("duckdb", project_dir() / "profiles"))
    try:
        limit = warehouse.query("select current_setting('memory_limit') as limit_").iloc[0, 0]
        threads = warehouse.query("select current_setting('threads') as threads").iloc[0, 0]
    finally:
        warehouse.close()
    assert limit == "2.7 GiB"  # 3 GB as DuckDB prints it
    assert int(threads) >= 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"memory_limit": "lots"}, "sets DuckDB's memory_limit to 'lots', which DuckDB refuses"),
        ({"memory_limit": "1GB'; drop table leads; --"}, "which DuckDB refuses"),
        ({"x; drop table leads": "1"}, "named 'x; drop table leads', which is not a setting name"),
    ],
)
def test_a_bad_setting_is_named_with_the_file_and_what_to_do(tmp_path, settings, message):
    with pytest.raises(ProjectError) as raised:
        connect(_target(tmp_path, settings))
    assert message in str(raised.value) and "profiles.yml" in str(raised.value)
    # The file was not left locked: the next connection opens it.
    connect(_target(tmp_path, {})).close()


def test_an_extensions_setting_is_left_to_dbt(tmp_path):
    """s3_region exists once dbt has loaded httpfs (the profile's `extensions:`); training's connection
    reads local tables, so it skips the setting instead of making DuckDB fetch the extension."""
    warehouse = connect(_target(tmp_path, {"s3_region": "eu-west-1", "memory_limit": "1GB"}))
    try:
        assert warehouse.query("select current_setting('memory_limit') as m").iloc[0, 0] == "953.6 MiB"
    finally:
        warehouse.close()
