"""A first run leaves the checkout as it found it: everything `make demo`, `leadscore train`, `dbt
build` and the sync write in this repository is ignored by git, and nothing they write is tracked."""

from __future__ import annotations

import subprocess

import pytest

from conftest import REPOSITORY


def _git(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *arguments], cwd=REPOSITORY, capture_output=True, text=True)


def test_what_a_run_writes_is_ignored_and_untracked(monkeypatch):
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git checkout")
    monkeypatch.setenv("LEADSCORE_PROJECT_DIR", str(REPOSITORY))
    monkeypatch.delenv("LEADSCORE_ARTIFACTS_DIR", raising=False)
    monkeypatch.setenv("LEADSCORE_GENERATED_MACROS", "generated/demo")
    from leadscore.paths import artifacts_dir, demo_manifest_path, generated_macros_dir
    from leadscore.registry.lock import LIFECYCLE_LOCK, SYNC_LOCK

    artifacts = artifacts_dir()
    written = [
        artifacts / "registry.json",
        artifacts / "decisions.jsonl",
        artifacts / LIFECYCLE_LOCK,
        artifacts / SYNC_LOCK,
        artifacts / "models" / "lightgbm_0123456789" / "model.joblib",
        artifacts.parent / "reports" / "training_report.html",
        generated_macros_dir() / "scoring_models.sql",
        demo_manifest_path(),
        REPOSITORY / "warehouse" / "lead_scoring.duckdb",
        REPOSITORY / "warehouse" / "lead_scoring.duckdb.wal",
        REPOSITORY / "target" / "manifest.json",
        REPOSITORY / "logs" / "dbt.log",
        REPOSITORY / "dbt_packages" / "x",
    ]
    relative = [str(path.relative_to(REPOSITORY)) for path in written]
    ignored = _git("check-ignore", "--no-index", *relative).stdout.split()
    assert sorted(ignored) == sorted(relative)
    for folder in ("artifacts", "generated", "warehouse/lead_scoring.duckdb", "reports", "target"):
        assert _git("ls-files", folder).stdout == "", f"{folder} is tracked: a run would change the checkout"
