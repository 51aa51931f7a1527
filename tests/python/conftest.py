"""Shared fixtures. Each test worker gets its own copy of the dbt project (so training writes
artifacts and macros there, never into the repository) and small demo warehouses built end to end
(generator -> dbt build), on DuckDB and, where PostgreSQL server binaries exist, on Postgres."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Two xdist workers share two cores: a fit with two OpenMP threads while the other worker keeps a
# core busy ran 8 to 13 times slower here (LightGBM, HistGradientBoosting; OpenMP spins waiting for
# the descheduled thread), and far worse on CI's shared cores. So each worker, and every process it
# starts (the CLI, dbt), uses one thread. Set before LightGBM, scikit-learn or BLAS load.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in ("LEADSCORE_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
os.environ["LEADSCORE_PROJECT_DIR"] = str(REPOSITORY)
os.environ["DBT_PROFILES_DIR"] = str(REPOSITORY / "profiles")
# dbt run by hand (not through the CLI) in this repository's project or a copy reads the demo's
# generated scoring macros from here, relative to the project it runs in (dbt_project.yml's macro-paths).
os.environ.setdefault("LEADSCORE_GENERATED_MACROS", "generated/demo")

from leadscore.demo_data.dirt import DirtLog  # noqa: E402
from leadscore.demo_data.generator import GeneratorConfig  # noqa: E402
from leadscore.warehouse.local_postgres import LocalPostgres, postgres_bin_dir  # noqa: E402

TEST_LEADS = 5000
TEST_SEED = 7


class Environment:
    """Temporarily sets environment variables (session fixtures outlive monkeypatch)."""

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


# The pre-trained demo model every test project starts from (a champion and a challenger, their
# generated SQL and the registry): tracked here, so a checkout's own artifacts/ and generated/ (what
# `make demo` wrote, untracked) never leak into a test.
DEMO_MODEL = REPOSITORY / "tests" / "fixtures" / "demo_model"


def copy_project(destination: Path) -> Path:
    from leadscore.paths import copy_project as copy

    copy(destination, REPOSITORY)
    for part in ("artifacts", "generated"):
        shutil.rmtree(destination / part, ignore_errors=True)
        shutil.copytree(DEMO_MODEL / part, destination / part)
    return destination


@dataclass
class BuiltWarehouse:
    """A demo warehouse after `dbt build`, in its own project copy, with what the generator knows."""

    target: str
    project: Path
    config: GeneratorConfig
    dirt: DirtLog
    environment: dict[str, str]

    def env(self) -> Environment:
        return Environment(self.environment)

    def manifest(self) -> dict:
        return json.loads((self.project / "target" / "manifest.json").read_text())

    def dbt(self, *arguments: str, check: bool = True):
        from leadscore.dbt_invocation import run_dbt

        with self.env():
            return run_dbt(list(arguments), f"dbt {arguments[0]}", target=self.target, check=check)

    def connect(self, read_only: bool = True):
        from leadscore.warehouse import connect

        with self.env():
            return (
                connect(self.target, read_only=read_only) if self.target == "duckdb" else connect(self.target)
            )

    def train(self, **options):
        """`leadscore train` on this warehouse (job.run_training with `options`), in its environment,
        its connection closed after whatever happens."""
        from leadscore.modeling.job import run_training

        warehouse = self.connect(read_only=False)
        try:
            with self.env():
                return run_training(warehouse, self.project / "target" / "manifest.json", **options)
        finally:
            warehouse.close()

    def query(self, sql: str):
        warehouse = self.connect()
        try:
            return warehouse.query(sql)
        finally:
            warehouse.close()

    def copy_to(self, folder: Path) -> BuiltWarehouse:
        """This DuckDB warehouse and its project (trained artifacts, generated SQL, dbt's target)
        copied to folder, so a test can mutate and rebuild without touching the shared one."""
        shutil.copytree(self.project, folder / "project")
        database = folder / "lead_scoring.duckdb"
        shutil.copy(self.environment["LEADSCORE_DUCKDB_PATH"], database)
        environment = {
            **self.environment,
            "LEADSCORE_PROJECT_DIR": str(folder / "project"),
            "DBT_PROFILES_DIR": str(folder / "project" / "profiles"),
            "LEADSCORE_DUCKDB_PATH": str(database),
        }
        return dataclasses.replace(self, project=folder / "project", environment=environment)


def build_warehouse(
    target: str, folder: Path, environment: dict[str, str], config: GeneratorConfig
) -> BuiltWarehouse:
    from leadscore.demo_data.load import load_demo_data
    from leadscore.warehouse import connect

    project = copy_project(folder / "project")
    environment = {
        **environment,
        "LEADSCORE_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project / "profiles"),
    }
    with Environment(environment):
        warehouse = connect(target)
        try:
            dirt = load_demo_data(warehouse, config)
        finally:
            warehouse.close()
    built = BuiltWarehouse(target=target, project=project, config=config, dirt=dirt, environment=environment)
    built.dbt("build")
    return built


@pytest.fixture(scope="session")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    # One per xdist worker: each worker owns its copy, so tests that write to it never meet. (Built
    # once per session and copied between workers under a file lock, it was faster here, but a CI
    # run with it stalled past its 90 minutes: the per-worker build is the one CI has passed with.)
    folder = tmp_path_factory.mktemp("duckdb_warehouse")
    environment = {"LEADSCORE_TARGET": "duckdb", "LEADSCORE_DUCKDB_PATH": str(folder / "lead_scoring.duckdb")}
    return build_warehouse("duckdb", folder, environment, GeneratorConfig(leads=TEST_LEADS, seed=TEST_SEED))


@pytest.fixture(scope="session")
def trained_warehouse(duckdb_warehouse: BuiltWarehouse):
    """The DuckDB warehouse after `leadscore train` and a rebuild of the scoring models (in place:
    duckdb_warehouse is trained from here on, as `leadscore train` would leave it). Shapley reasons,
    the default, said here because duckdb_warehouse starts from the tracked demo model, which has
    Saabas ones: the reasons views, the CRM feed and the account roll-up are tested on both."""
    outcome = duckdb_warehouse.train(reasons="shapley")
    duckdb_warehouse.dbt("build", "--selector", "scores")
    return duckdb_warehouse, outcome


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


def spark_unavailable() -> str | None:
    """Why Spark cannot run here (None when it can): dbt-spark's session method needs pyspark and a Java runtime."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return 'pyspark and dbt-spark are not installed (`pip install "dbt-spark[session]"`; make test does)'
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (CI installs openjdk-17-jre-headless; see .ci/run)"
    return None


@pytest.fixture(scope="session")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The demo on Apache Spark in local mode through dbt-spark's session method: raw tables loaded
    through Spark, then the whole `dbt build`. The catalog lives in this test's folder."""
    reason = spark_unavailable()
    if reason:
        if os.environ.get("LEADSCORE_REQUIRE_SPARK") == "1":
            pytest.fail(f"LEADSCORE_REQUIRE_SPARK=1 but {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("spark_warehouse")
    environment = {"LEADSCORE_TARGET": "spark", "LEADSCORE_SPARK_DIR": str(folder / "spark")}
    return build_warehouse("spark", folder, environment, GeneratorConfig(leads=TEST_LEADS, seed=TEST_SEED))


def execute(built: BuiltWarehouse, *statements: str) -> None:
    """Run statements on a built warehouse through one writable connection."""
    warehouse = built.connect(read_only=False)
    try:
        for statement in statements:
            warehouse.execute(statement)
    finally:
        warehouse.close()


def clone_warehouse(built: BuiltWarehouse, folder: Path) -> BuiltWarehouse:
    """An independent copy (project folder and DuckDB file) for tests that change data or the registry."""
    project = folder / "project"
    shutil.copytree(built.project, project, ignore=shutil.ignore_patterns("logs"))
    database = folder / "lead_scoring.duckdb"
    shutil.copy(built.environment["LEADSCORE_DUCKDB_PATH"], database)
    environment = {
        **built.environment,
        "LEADSCORE_DUCKDB_PATH": str(database),
        "LEADSCORE_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project / "profiles"),
    }
    return BuiltWarehouse(
        target=built.target, project=project, config=built.config, dirt=built.dirt, environment=environment
    )


# The longest modules first: `make test` runs `--dist loadfile`, which hands modules to the two
# workers in collection order, so starting these early keeps one worker from running a long module
# alone at the end. Order within a module is unchanged (the sort is stable).
SLOWEST_MODULES_FIRST = (
    "test_spark_build.py",
    "test_host_project.py",
    "test_x_education.py",
    "test_retrain.py",
    "test_postgres_build.py",
    "test_crm_integrity.py",
    "test_crm_sync_failures.py",
    "test_walk_forward.py",
    "test_hostile_lead_table.py",
    "test_connector_shapes.py",
    "test_blend.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOWEST_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
