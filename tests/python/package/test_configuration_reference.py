"""The one place a host reads what it may set (docs/configuration.md) stays true: it lists every var
the package declares, and the models read no var the package does not declare."""

from __future__ import annotations

import re

import yaml

from conftest import REPOSITORY

LINT_ONLY = {"leadscore_lint_with_stub_scores", "leadscore_lint_without_warehouse"}


def declared_vars() -> dict[str, object]:
    return yaml.safe_load((REPOSITORY / "dbt_project.yml").read_text())["vars"]


def vars_read_by_sql() -> set[str]:
    names: set[str] = set()
    for folder in ("models", "macros", "tests/dbt"):
        for path in (REPOSITORY / folder).rglob("*.sql"):
            names |= set(re.findall(r"var\(\s*'(leadscore_\w+)'", path.read_text()))
            # configured_timestamp('leadscore_...') passes a var name on
            names |= set(re.findall(r"configured_timestamp\(\s*'(leadscore_\w+)'", path.read_text()))
    return names


def test_every_var_is_namespaced():
    assert all(name.startswith("leadscore_") for name in declared_vars())


def test_every_var_the_sql_reads_is_declared_with_its_default():
    assert vars_read_by_sql() - LINT_ONLY <= set(declared_vars())


def test_the_configuration_page_lists_every_declared_var_with_its_default():
    page = (REPOSITORY / "docs" / "configuration.md").read_text()
    rows = dict(re.findall(r"^\| `(leadscore_\w+)` \| `([^`]*)` \|", page, flags=re.M))
    assert set(rows) == set(declared_vars())
    for name, value in declared_vars().items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            assert rows[name] == str(value), name
        elif value is None:
            assert rows[name] == "null", name
