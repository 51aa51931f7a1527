"""Champion, challenger, rollback; and generated macros that data cannot turn into Jinja."""

from __future__ import annotations

import jinja2
import pytest

from leadscore.registry.dbt_assets import jinja_safe
from leadscore.registry.registry import Segments, load_registry, promote, rollback


def _fake_version(root, model_id):
    folder = root / "models" / model_id
    (folder / "sql").mkdir(parents=True)
    (folder / "metadata.json").write_text("{}")
    from leadscore.registry.artifacts import SQL_KINDS, sql_file_name
    from leadscore.transpile.query import DIALECTS

    for dialect in DIALECTS:
        for kind in SQL_KINDS:
            (folder / "sql" / sql_file_name(dialect, kind)).write_text("-- generated\nselect 1")


def test_promote_and_roll_back(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCORE_PROJECT_DIR", str(tmp_path))
    (tmp_path / "dbt_project.yml").write_text("name: lead_scoring\nprofile: lead_scoring\n")
    for model_id in ("gbm_a", "logistic_a", "gbm_b"):
        _fake_version(tmp_path / "artifacts", model_id)
    promote("gbm_a", "logistic_a", reason="first")
    promote("gbm_a", "logistic_a", reason="same again")  # no-op
    assert len(load_registry().history) == 1
    promote("gbm_b", "gbm_a", reason="retrained")
    assert load_registry().champion == "gbm_b"
    promote("gbm_b", "gbm_a", reason="segments", segments=Segments("lead_source", {"referral": "logistic_a"}))
    assert load_registry().model_ids() == ["gbm_b", "gbm_a", "logistic_a"]
    back = rollback()
    assert (back.champion, back.challenger, back.segments) == ("gbm_b", "gbm_a", None)
    back = rollback()
    assert (back.champion, back.challenger) == ("gbm_a", "logistic_a")
    with pytest.raises(LookupError, match="first recorded champion"):
        rollback()
    with pytest.raises(FileNotFoundError, match="no model version 'missing'"):
        promote("missing", None, reason="typo")


def test_rollback_without_history_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSCORE_PROJECT_DIR", str(tmp_path))
    (tmp_path / "dbt_project.yml").write_text("name: lead_scoring\nprofile: lead_scoring\n")
    with pytest.raises(LookupError):
        rollback()


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
