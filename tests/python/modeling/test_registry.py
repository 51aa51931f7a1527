"""Champion, challenger, rollback; the registry as a transaction that refuses damaged or foreign
versions and leaves everything as it was; and generated macros that data cannot turn into Jinja."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from leadscore.registry.artifacts import CHECKSUM_FILE, SQL_KINDS, file_checksums, sql_file_name
from leadscore.registry.dbt_assets import GENERATED_FILE, jinja_safe
from leadscore.registry.errors import RegistryError
from leadscore.registry.registry import Segments, load_registry, promote, rollback
from leadscore.transpile.query import DIALECTS


def _fake_version(root: Path, model_id: str) -> Path:
    folder = root / "models" / model_id
    (folder / "sql").mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"model_id": model_id, "kind": "logistic"}))
    (folder / "metrics.json").write_text("{}")
    (folder / "model.joblib").write_bytes(b"not really a model")
    for dialect in DIALECTS:
        for kind in SQL_KINDS:
            (folder / "sql" / sql_file_name(dialect, kind)).write_text(f"-- generated\nselect '{model_id}'")
    (folder / CHECKSUM_FILE).write_text(json.dumps(file_checksums(folder)))
    return folder


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A throwaway dbt project with three saved versions; its macros go to tmp_path/generated."""
    monkeypatch.setenv("LEADSCORE_PROJECT_DIR", str(tmp_path))
    monkeypatch.setenv("LEADSCORE_GENERATED_MACROS", str(tmp_path / "generated"))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.delenv("LEADSCORE_ARTIFACTS_DIR", raising=False)
    (tmp_path / "dbt_project.yml").write_text("name: lead_scoring\nprofile: lead_scoring\n")
    (tmp_path / "profiles.yml").write_text(
        "lead_scoring:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n"
    )
    for model_id in ("gbm_a", "logistic_a", "gbm_b"):
        _fake_version(tmp_path / "artifacts", model_id)
    return tmp_path


def _state(project: Path) -> dict[str, bytes | None]:
    """Every byte the registry and the generated macros hold."""
    files = [project / "artifacts" / "registry.json", project / "generated" / GENERATED_FILE]
    return {str(path): path.read_bytes() if path.exists() else None for path in files}


def test_promote_and_roll_back(project):
    promote("gbm_a", "logistic_a", reason="first")
    promote("gbm_a", "logistic_a", reason="same again")  # no-op
    assert len(load_registry().history) == 1
    assert "return('gbm_a')" in (project / "generated" / GENERATED_FILE).read_text()
    promote("gbm_b", "gbm_a", reason="retrained")
    assert load_registry().champion == "gbm_b"
    assert "return('gbm_b')" in (project / "generated" / GENERATED_FILE).read_text()
    promote("gbm_b", "gbm_a", reason="segments", segments=Segments("lead_source", {"referral": "logistic_a"}))
    assert load_registry().model_ids() == ["gbm_b", "gbm_a", "logistic_a"]
    back = rollback()
    assert (back.champion, back.challenger, back.segments) == ("gbm_b", "gbm_a", None)
    back = rollback()
    assert (back.champion, back.challenger) == ("gbm_a", "logistic_a")
    assert "return('gbm_a')" in (project / "generated" / GENERATED_FILE).read_text()
    with pytest.raises(RegistryError, match="first recorded champion"):
        rollback()


def test_rollback_without_registry_is_refused(project):
    with pytest.raises(RegistryError, match=r"no model registry at .*Run `leadscore train` first"):
        rollback()
    assert _state(project) == {
        str(project / "artifacts" / "registry.json"): None,
        str(project / "generated" / GENERATED_FILE): None,
    }


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda folder: (folder / "model.joblib").write_bytes(b"tampered"),
            "model.joblib changed since it was saved",
        ),
        (
            lambda folder: (folder / "metadata.json").write_text('{"model_id": "gbm_b", "ki'),
            "metadata.json changed",
        ),
        (lambda folder: (folder / "sql" / "duckdb.sql").unlink(), "lacks SQL"),
        (lambda folder: (folder / CHECKSUM_FILE).unlink(), "never finished"),
        (lambda folder: (folder / "sql" / "evil.sql").write_text("drop table leads"), "evil.sql was added"),
    ],
    ids=["joblib", "truncated-metadata", "missing-sql", "no-checksums", "added-file"],
)
def test_a_damaged_version_is_refused_and_nothing_changes(project, damage, message):
    promote("gbm_a", "logistic_a", reason="first")
    before = _state(project)
    damage(project / "artifacts" / "models" / "gbm_b")
    with pytest.raises(RegistryError, match=message):
        promote("gbm_b", "gbm_a", reason="by hand")
    assert _state(project) == before


def test_a_rollback_to_a_damaged_version_changes_nothing(project):
    """The half-applied rollback: the registry used to be rewritten before the champion's truncated
    metadata.json was read."""
    promote("gbm_a", "logistic_a", reason="first")
    promote("gbm_b", "gbm_a", reason="second")
    before = _state(project)
    (project / "artifacts" / "models" / "gbm_a" / "metadata.json").write_text("{")
    with pytest.raises(RegistryError, match=r"gbm_a .* is damaged: metadata.json changed"):
        rollback()
    assert _state(project) == before


@pytest.mark.parametrize("model_id", ["../../outside/evil_model", "..", "gbm_a/../gbm_b", "/etc", "a b", ""])
def test_ids_that_are_not_plain_names_are_refused(project, model_id):
    outside = project / "outside" / "evil_model"
    _fake_version(project / "outside_root", "evil_model")
    outside.parent.mkdir()
    (project / "outside_root" / "models" / "evil_model").rename(outside)
    with pytest.raises(RegistryError, match="is not a model id"):
        promote(model_id, None, reason="attack")
    assert load_registry() is None
    assert not (project / "generated" / GENERATED_FILE).exists()


def test_a_failed_registry_write_puts_the_macros_back(project, monkeypatch):
    promote("gbm_a", "logistic_a", reason="first")
    before = _state(project)
    import leadscore.registry.registry as registry_module

    def disk_full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(registry_module, "write_atomically", disk_full)
    with pytest.raises(OSError, match="No space left"):
        promote("gbm_b", "gbm_a", reason="second")
    assert _state(project) == before


def test_a_truncated_registry_is_named(project):
    promote("gbm_a", "logistic_a", reason="first")
    path = project / "artifacts" / "registry.json"
    path.write_text(path.read_text()[:40])
    with pytest.raises(RegistryError, match=r"registry.json cannot be read .*truncated or edited"):
        load_registry()


def _cli(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "leadscore.cli", *arguments, "--project-dir", str(project)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_lifecycle_commands_give_one_message_and_exit_1(project):
    """Every ordinary mistake: exit 1, one message naming what and what to do, no traceback."""
    cases = [
        (("models", "rollback"), "no model registry at"),
        (("models", "promote", "nope_123"), "no model version 'nope_123'"),
        (("models", "promote", "../../outside/evil_model"), "is not a model id"),
        (("models", "show", "../../etc"), "is not a model id"),
        (("models", "verify", "--offline"), "no model registry"),
    ]
    for arguments, message in cases:
        result = _cli(project, *arguments)
        output = result.stdout + result.stderr
        assert result.returncode == 1, (arguments, output)
        assert message in " ".join(output.split()), (arguments, output)
        assert "Traceback" not in output, (arguments, output)
    assert load_registry() is None
    promote("gbm_a", "logistic_a", reason="first")
    (project / "artifacts" / "registry.json").write_text('{"champion": "gbm_a", "chall')
    result = _cli(project, "models", "rollback")
    assert result.returncode == 1 and "registry.json cannot be read" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_verify_and_list_name_a_damaged_version_and_clean_removes_leftovers(project):
    promote("gbm_a", "logistic_a", reason="first")
    (project / "artifacts" / "models" / "logistic_a" / "model.joblib").write_bytes(b"corrupt")
    (project / "artifacts" / "models" / ".incomplete-gbm_c-123" / "sql").mkdir(parents=True)
    result = _cli(project, "models", "verify", "--offline")
    text = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert "FAILED logistic_a" in text and "model.joblib changed since it was saved" in text
    listed = _cli(project, "models", "list")
    table, message = " ".join(listed.stdout.split()), " ".join(listed.stderr.split())
    # The table is the command's result (stdout: `models list > file` holds it); the note is a message.
    assert "DAMAGED" in table and "walk-forward AUC" in table and "DAMAGED" not in message
    assert "1 unfinished version folder(s)" in message
    as_json = json.loads(_cli(project, "models", "list", "--format", "json").stdout)
    assert {row["model"]: row["role"] for row in as_json}.items() >= {
        ("gbm_a", "champion"),
        ("logistic_a", "challenger"),
    }
    assert next(row for row in as_json if row["model"] == "logistic_a")["files"].startswith("DAMAGED: ")
    as_csv = list(csv.DictReader(io.StringIO(_cli(project, "models", "list", "--format", "csv").stdout)))
    assert [row["model"] for row in as_csv] == [row["model"] for row in as_json]
    assert "unfinished:" in _cli(project, "models", "clean").stderr
    assert (project / "artifacts" / "models" / ".incomplete-gbm_c-123").exists()
    assert _cli(project, "models", "clean", "--delete").returncode == 0
    assert not (project / "artifacts" / "models" / ".incomplete-gbm_c-123").exists()
    assert (project / "artifacts" / "models" / "logistic_a").exists()  # served: never cleaned


def test_a_second_lifecycle_command_is_refused_while_one_runs(project):
    from leadscore.registry.lock import lifecycle_lock

    promote("gbm_a", "logistic_a", reason="first")
    before = _state(project)
    with lifecycle_lock("train"):
        result = _cli(project, "models", "promote", "gbm_b")
    text = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Traceback" not in text
    assert "`leadscore train` (process" in text and "Wait for that command to finish" in text
    assert _state(project) == before
    with lifecycle_lock("models promote"):
        second_train = _cli(project, "train")
    text = " ".join(second_train.stderr.split())
    assert second_train.returncode == 1 and "Traceback" not in text
    assert "`leadscore models promote` (process" in text and "`leadscore train` did not start" in text
    assert _cli(project, "models", "promote", "gbm_b").returncode == 0  # released


def test_a_warehouse_held_by_another_process_is_named(project):
    """DuckDB allows one writer: a second process used to get a raw lock traceback."""
    import duckdb

    holder = duckdb.connect(str(project / "w.duckdb"))
    try:
        result = _cli(project, "summary")
    finally:
        holder.close()
    text = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Traceback" not in text, text
    assert f"(PID {os.getpid()}) holds the DuckDB warehouse" in text and "Wait for it to finish" in text


@pytest.mark.parametrize(
    "text", ["select '{{ 7 * 7 }}'", "select '{% endraw %}{{ x }}'", "select '{# c #}'", "select '{ }'"]
)
def test_jinja_safe_sql_renders_to_itself(text):
    assert jinja2.Environment().from_string(jinja_safe(text)).render() == text


def test_segment_values_cannot_become_jinja():
    from leadscore.registry.dbt_assets import _segment_macros
    from leadscore.registry.registry import Registry

    evil = "}}{{ 7 * 7 }}{% endmacro %}"
    macros = _segment_macros(Registry("m", None, Segments("lead_source", {evil: "m"})))
    environment = jinja2.Environment()
    environment.globals["return"] = lambda value: value  # what dbt provides
    rendered = environment.from_string("".join(macros) + "{{ segment_models() }}").render()
    assert evil in rendered
