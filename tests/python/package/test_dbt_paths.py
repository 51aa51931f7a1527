"""One place reads dbt's paths (leadscore.paths): DBT_TARGET_PATH over the project's target-path,
DBT_PROFILES_DIR over the project folder, for every command; no other module builds them by hand."""

from __future__ import annotations

import re
from pathlib import Path

import leadscore


def test_target_path_comes_from_the_environment_then_the_project(tmp_path, monkeypatch):
    from leadscore.paths import dbt_target_dir, profiles_dir
    from leadscore.relations import manifest_path

    (tmp_path / "dbt_project.yml").write_text("name: acme\nprofile: acme\ntarget-path: build_output\n")
    monkeypatch.setenv("LEADSCORE_PROJECT_DIR", str(tmp_path))
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    assert dbt_target_dir() == tmp_path / "build_output"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "elsewhere"))
    assert dbt_target_dir() == tmp_path / "elsewhere"
    assert manifest_path() == tmp_path / "elsewhere" / "manifest.json"
    (tmp_path / "profiles.yml").write_text("acme: {}\n")
    assert profiles_dir() == tmp_path
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path / "profiles"))
    assert profiles_dir() == tmp_path / "profiles"


def test_no_module_but_paths_builds_dbts_folders_by_hand():
    """`retrain` and `train` without --manifest used to look for target/manifest.json whatever
    DBT_TARGET_PATH said."""
    package = Path(leadscore.__file__).parent
    # Reading the variables, or building target/manifest.json or target/run_results.json by hand
    # (setting them for a child process, as the benchmarks and leadscore.yml instances do, is fine).
    by_hand = re.compile(
        r"""environ(\.get\(|\[)["'](DBT_TARGET_PATH|DBT_PROFILES_DIR)|["']target["'] / ["'](manifest|run_results)"""
    )
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "paths.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
