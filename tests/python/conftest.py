"""Shared fixtures: small demo warehouses built end to end (generator -> dbt build), once per
test worker, on DuckDB and, where PostgreSQL server binaries exist, on a throwaway Postgres."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
os.environ["LEADSCORE_PROJECT_DIR"] = str(PROJECT_DIR)
os.environ["DBT_PROFILES_DIR"] = str(PROJECT_DIR / "profiles")

from helpers.postgres_server import LocalPostgres, postgres_bin_dir  # noqa: E402
from leadscore.demo_data.dirt import DirtLog  # noqa: E402
from leadscore.demo_data.generator import GeneratorConfig  # noqa: E402

TEST_LEADS = 5000
TEST_SEED = 7


@dataclass
class BuiltWarehouse:
    """A demo warehouse after `dbt build`, with what the generator knows about it."""

    target: str
    folder: Path
    config: GeneratorConfig
    dirt: DirtLog
    environment: dict[str, str]

    @property
    def target_path(self) -> Path:
        return self.folder / "target"

    def manifest(self) -> dict:
        return json.loads((self.target_path / "manifest.json").read_text())

    def dbt(self, *arguments: str, check: bool = True):
        from leadscore.dbt_invocation import run_dbt

        with _Environment(self.environment):
            return run_dbt(
                [*arguments, *self.dbt_paths()], f"dbt {arguments[0]}", target=self.target, check=check
            )

    def dbt_paths(self) -> list[str]:
        return ["--target-path", str(self.target_path), "--log-path", str(self.folder / "logs")]

    def connect(self, read_only: bool = True):
        from leadscore.warehouse import connect

        with _Environment(self.environment):
            return (
                connect(self.target, read_only=read_only) if self.target == "duckdb" else connect(self.target)
            )

    def query(self, sql: str):
        warehouse = self.connect()
        try:
            return warehouse.query(sql)
        finally:
            warehouse.close()


class _Environment:
    """Temporarily sets environment variables (fixtures outlive monkeypatch's scope)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values, self.saved = values, {}

    def __enter__(self) -> None:
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value

    def __exit__(self, *_: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_warehouse(
    target: str, folder: Path, environment: dict[str, str], config: GeneratorConfig
) -> BuiltWarehouse:
    from leadscore.demo_data.load import load_demo_data
    from leadscore.warehouse import connect

    with _Environment(environment):
        warehouse = connect(target)
        try:
            dirt = load_demo_data(warehouse, config)
        finally:
            warehouse.close()
    built = BuiltWarehouse(target=target, folder=folder, config=config, dirt=dirt, environment=environment)
    built.dbt("build")
    return built


@pytest.fixture(scope="session")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    folder = tmp_path_factory.mktemp("duckdb_warehouse")
    environment = {"LEADSCORE_TARGET": "duckdb", "LEADSCORE_DUCKDB_PATH": str(folder / "lead_scoring.duckdb")}
    return build_warehouse("duckdb", folder, environment, GeneratorConfig(leads=TEST_LEADS, seed=TEST_SEED))


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    if postgres_bin_dir() is None:
        if os.environ.get("LEADSCORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                "LEADSCORE_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries (initdb, pg_ctl) were found"
            )
        pytest.skip("no PostgreSQL server binaries here (CI installs them; see .ci/run)")
    server = LocalPostgres(tmp_path_factory.mktemp("postgres") / "server").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_warehouse(
    postgres_server: LocalPostgres, tmp_path_factory: pytest.TempPathFactory
) -> BuiltWarehouse:
    folder = tmp_path_factory.mktemp("postgres_warehouse")
    postgres_server.create_database("lead_scoring_test")
    environment = {
        "LEADSCORE_TARGET": "postgres",
        "LEADSCORE_PG_HOST": "127.0.0.1",
        "LEADSCORE_PG_PORT": str(postgres_server.port),
        "LEADSCORE_PG_USER": postgres_server.user,
        "LEADSCORE_PG_DATABASE": "lead_scoring_test",
    }
    return build_warehouse("postgres", folder, environment, GeneratorConfig(leads=TEST_LEADS, seed=TEST_SEED))
