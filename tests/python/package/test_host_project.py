"""leadscore as a team adds it to the dbt project it already has: the wheel installed into a fresh
virtualenv, the dbt package added through packages.yml (`local:`), and the commands run as a user
runs them, from outside this repository, with nothing of it on the path or in the environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import REPOSITORY

pytestmark = pytest.mark.slow

HOST_LEADS = 3000
HOST_MODEL = "select 1 as day_number, 10 as orders\n"


def run(command: list[str], cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"{' '.join(command)} exited {result.returncode}:\n{(result.stdout + result.stderr)[-4000:]}"
    )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build --wheel` on a copy of what the package is built from (so the build leaves
    nothing in this checkout)."""
    source = tmp_path_factory.mktemp("source")
    for part in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPOSITORY / part, source / part)
    shutil.copytree(
        REPOSITORY / "python", source / "python", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    output = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(output), str(source)],
        source,
        dict(os.environ),
    )
    (built,) = output.glob("leadscore-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and its DuckDB and Postgres extras (the bin folder)."""
    venv = tmp_path_factory.mktemp("host_venv") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], venv.parent, dict(os.environ))
    run(
        [
            str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
            "-c", str(REPOSITORY / "requirements.lock"), f"{wheel}[duckdb,postgres]",
        ],
        venv.parent,
        dict(os.environ),
    )  # fmt: skip
    return venv / "bin"


def user_environment(bin_folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a user's shell: none of this repository's variables, the venv first on PATH."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("LEADSCORE_", "DBT_"))
    }
    environment["PATH"] = f"{bin_folder}{os.pathsep}{environment.get('PATH', '')}"
    environment.pop("VIRTUAL_ENV", None)
    return {**environment, **(extra or {})}


def git_package(folder: Path) -> dict[str, str]:
    """The dbt package as a `git:` entry: this checkout's package files committed to a throwaway
    repository (so the working tree is what is tested), pinned to that commit."""
    repository = folder / "lead_scoring_git"
    repository.mkdir()
    for part in ("dbt_project.yml", "models", "macros", "seeds", "tests/dbt", "LICENSE", "README.md"):
        origin = REPOSITORY / part
        if origin.is_dir():
            shutil.copytree(origin, repository / part)
        else:
            (repository / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, repository / part)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    environment = dict(os.environ)
    run([*git, "init", "--quiet"], repository, environment)
    run([*git, "add", "."], repository, environment)
    run([*git, "commit", "--quiet", "-m", "package"], repository, environment)
    commit = run(["git", "rev-parse", "HEAD"], repository, environment).stdout.strip()
    return {"git": f"file://{repository}", "revision": commit}


def write_host_project(folder: Path, output: dict[str, object], package: dict[str, str]) -> Path:
    """A host dbt project with its own profile, its own model, and leadscore as a package."""
    host = folder / "acme_analytics"
    (host / "models").mkdir(parents=True)
    (host / "models" / "orders_per_day.sql").write_text(HOST_MODEL)
    (host / "dbt_project.yml").write_text(
        yaml.safe_dump(
            {
                "name": "acme_analytics",
                "version": "1.0.0",
                "config-version": 2,
                "profile": "acme",
                "models": {"acme_analytics": {"+materialized": "table"}},
                "vars": {"leadscore_value_per_conversion_usd": 1000},
            },
            sort_keys=False,
        )
    )
    (host / "packages.yml").write_text(yaml.safe_dump({"packages": [package]}))
    profiles = folder / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text(
        yaml.safe_dump({"acme": {"target": "dev", "outputs": {"dev": output}}}, sort_keys=False)
    )
    return host


@dataclass
class HostRun:
    host: Path
    environment: dict[str, str]
    untrained_build: subprocess.CompletedProcess
    untrained_results: dict[str, str]
    final_results: dict[str, str]
    champion: str
    parity: dict[str, object]


def results(host: Path) -> dict[str, str]:
    data = json.loads((host / "target" / "run_results.json").read_text())["results"]
    return {result["unique_id"]: result["status"] for result in data}


def use_as_a_user(
    installed: Path, folder: Path, output: dict[str, object], package: dict[str, str]
) -> HostRun:
    host = write_host_project(folder, output, package)
    # dbt reads the profile from DBT_PROFILES_DIR; leadscore takes --profiles-dir as dbt spells it.
    environment = user_environment(installed, {"DBT_PROFILES_DIR": str(folder / "profiles")})
    dbt, leadscore = str(installed / "dbt"), str(installed / "leadscore")
    elsewhere = folder  # the CLI runs from outside the project: --project-dir finds it
    run([dbt, "deps"], host, environment)
    run(
        [leadscore, "generate", "--project-dir", str(host), "--leads", str(HOST_LEADS)],
        elsewhere,
        environment,
    )
    untrained = run([dbt, "build"], host, environment)
    untrained_results = results(host)
    # Two walk-forward periods: what is tested here is the host's wiring, not the model's quality.
    run([leadscore, "train", "--project-dir", str(host), "--backtest-periods", "2"], elsewhere, environment)
    run([dbt, "build"], host, environment)
    run([dbt, "deps"], host, environment)  # again: the champion lives in the host, not in dbt_packages/
    run([leadscore, "build", "--project-dir", str(host)], elsewhere, environment)  # leadscore's nodes only
    registry = json.loads((host / "leadscore" / "artifacts" / "registry.json").read_text())
    metadata = json.loads(
        (host / "leadscore" / "artifacts" / "models" / registry["champion"] / "metadata.json").read_text()
    )
    return HostRun(
        host=host,
        environment=environment,
        untrained_build=untrained,
        untrained_results=untrained_results,
        final_results=results(host),
        champion=registry["champion"],
        parity=metadata["sql_parity"],
    )


@pytest.fixture(scope="module")
def duckdb_host(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> HostRun:
    output = {"type": "duckdb", "path": "acme.duckdb", "schema": "analytics", "threads": 2}
    return use_as_a_user(
        installed, tmp_path_factory.mktemp("duckdb_host"), output, {"local": str(REPOSITORY)}
    )


def duckdb_query(host: HostRun, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(host.host / "acme.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_the_wheel_carries_the_cli_and_nothing_of_the_tests(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert all(
        name.split("/")[0]
        in ("leadscore", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info")
        for name in names
    )
    assert "leadscore/cli.py" in names and "leadscore/demo_data/generator.py" in names
    assert "leadscore/py.typed" in names
    assert not [name for name in names if "test" in name.split("/")[-1] or name.startswith("tests/")]
    metadata = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("dist-info/METADATA"))).decode()
    )
    # One extra per adapter; pydantic and jinja2 are declared.
    for extra in ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino", "xgboost"):
        assert f"Provides-Extra: {extra}" in metadata
    assert "Requires-Dist: pydantic" in metadata and "Requires-Dist: jinja2" in metadata
    assert "pyspark" not in metadata.split("Provides-Extra: spark")[0]  # not a runtime dependency


def test_the_python_and_dbt_packages_share_one_version():
    pyproject = (REPOSITORY / "pyproject.toml").read_text()
    dbt_project = yaml.safe_load((REPOSITORY / "dbt_project.yml").read_text())
    assert f'version = "{dbt_project["version"]}"' in pyproject
    assert f"## [{dbt_project['version']}]" in (REPOSITORY / "CHANGELOG.md").read_text()


def test_a_host_build_before_training_succeeds_and_says_why_scores_are_empty(duckdb_host: HostRun):
    statuses = duckdb_host.untrained_results
    assert statuses["model.acme_analytics.orders_per_day"] == "success"
    assert statuses["test.lead_scoring.assert_a_model_is_trained"] == "warn"
    assert not [node for node, status in statuses.items() if status in ("error", "fail")]


def test_the_host_builds_its_own_model_and_leadscore_in_its_own_schemas(duckdb_host: HostRun):
    assert duckdb_query(duckdb_host, "select orders from analytics.orders_per_day") == [(10,)]
    schemas = {
        row[0]
        for row in duckdb_query(duckdb_host, "select distinct table_schema from information_schema.tables")
    }
    # The host's generate_schema_name (dbt's default: <target schema>_<layer>), not ours.
    assert {"analytics_staging", "analytics_features", "analytics_scoring", "analytics_monitoring"} <= schemas
    assert not {"staging", "features", "scoring"} & schemas


def test_every_open_lead_is_scored_in_the_host(duckdb_host: HostRun):
    statuses = duckdb_host.final_results
    assert not [node for node, status in statuses.items() if status in ("error", "fail")]
    assert statuses["test.lead_scoring.assert_a_model_is_trained"] == "pass"
    [(open_leads, unscored)] = duckdb_query(
        duckdb_host,
        "select count(*), count(*) filter (where probability is null or tier is null) "
        "from analytics_scoring.lead_scores where is_open",
    )
    assert open_leads > 100 and unscored == 0
    [(model_versions,)] = duckdb_query(
        duckdb_host, "select count(distinct model_version) from analytics_scoring.lead_scores where is_open"
    )
    assert model_versions == 1


def test_the_champion_lives_in_the_host_and_survives_dbt_deps(duckdb_host: HostRun):
    generated = duckdb_host.host / "macros" / "leadscore_generated" / "scoring_models.sql"
    assert generated.is_file() and duckdb_host.champion in generated.read_text()
    assert not (REPOSITORY / "macros" / "leadscore_generated").exists()
    installed_package = duckdb_host.host / "dbt_packages" / "lead_scoring"
    assert not list(installed_package.resolve().glob("macros/**/scoring_models.sql"))


def test_the_sql_parity_check_passed_in_the_host(duckdb_host: HostRun):
    assert duckdb_host.parity["rows"] > 100
    assert duckdb_host.parity["max_abs_difference"] < 1e-9


def test_the_cli_names_a_missing_project_in_one_message(installed: Path, tmp_path: Path):
    result = subprocess.run(
        [str(installed / "leadscore"), "train", "--project-dir", str(tmp_path / "nowhere")],
        cwd=tmp_path, env=user_environment(installed), capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    printed = result.stdout + result.stderr
    assert "holds no dbt_project.yml" in printed and "Traceback" not in printed


@pytest.mark.postgres
def test_the_same_host_on_postgres(
    installed: Path, postgres_server, tmp_path_factory: pytest.TempPathFactory
):
    postgres_server.create_database("acme_host")
    output = {
        "type": "postgres", "host": "127.0.0.1", "port": int(postgres_server.port),
        "user": postgres_server.user, "password": "", "dbname": "acme_host", "schema": "analytics", "threads": 2,
    }  # fmt: skip
    folder = tmp_path_factory.mktemp("postgres_host")
    # This one installs the package as a `git:` entry (a real copy in dbt_packages/, not a link).
    host = use_as_a_user(installed, folder, output, git_package(folder))
    assert not (host.host / "dbt_packages" / "lead_scoring").is_symlink()
    assert host.untrained_results["model.acme_analytics.orders_per_day"] == "success"
    assert not [node for node, status in host.final_results.items() if status in ("error", "fail")]
    assert host.parity["dialect"] == "postgres" and host.parity["max_abs_difference"] < 1e-9
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=postgres_server.port, user=postgres_server.user, dbname="acme_host"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select count(*), count(*) filter (where probability is null or tier is null) "
                "from analytics_scoring.lead_scores where is_open"
            )
            open_leads, unscored = cursor.fetchone()
    finally:
        connection.close()
    assert open_leads > 100 and unscored == 0


def test_a_host_run_without_leadscore_nodes_is_not_checked_or_touched(duckdb_host: HostRun):
    """A var that would be refused does not stop `dbt run -s orders_per_day`, which selects no
    leadscore node; a run that selects leadscore's nodes refuses it before any SQL runs."""
    dbt = [str(Path(duckdb_host.environment["PATH"].split(os.pathsep)[0]) / "dbt")]
    bad = json.dumps({"leadscore_raw_schema": 'raw"; drop table raw.crm_leads; --'})
    own = subprocess.run(
        [*dbt, "run", "--select", "orders_per_day", "--vars", bad],
        cwd=duckdb_host.host, env=duckdb_host.environment, capture_output=True, text=True,
    )  # fmt: skip
    assert own.returncode == 0, own.stdout[-2000:]
    ours = subprocess.run(
        [*dbt, "run", "--select", "stg_crm__leads", "--vars", bad],
        cwd=duckdb_host.host, env=duckdb_host.environment, capture_output=True, text=True,
    )  # fmt: skip
    assert ours.returncode != 0 and "Configuration refused before any SQL ran" in ours.stdout
    assert duckdb_query(duckdb_host, "select count(*) from raw.crm_leads")[0][0] > 0


def test_a_host_can_keep_the_layer_schema_names(duckdb_host: HostRun, tmp_path: Path):
    dbt = str(Path(duckdb_host.environment["PATH"].split(os.pathsep)[0]) / "dbt")
    run(
        [dbt, "parse", "--vars", "{leadscore_layer_schemas: true}", "--target-path", str(tmp_path)],
        duckdb_host.host,
        duckdb_host.environment,
    )
    nodes = json.loads((tmp_path / "manifest.json").read_text())["nodes"]
    assert nodes["model.lead_scoring.lead_scores"]["schema"] == "scoring"
    assert nodes["model.lead_scoring.lead_features"]["schema"] == "features"
    assert nodes["model.acme_analytics.orders_per_day"]["schema"] == "analytics"
