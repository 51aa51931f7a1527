"""Reads the dbt profile the project uses, so Python and dbt always talk to the same warehouse."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from leadscore.paths import ProjectError, dbt_project, profiles_dir, project_dir


def profile_name() -> str:
    """The profile the project builds with: $DBT_PROFILE (dbt's --profile), else dbt_project.yml's."""
    return os.environ.get("DBT_PROFILE") or str(dbt_project().get("profile") or dbt_project().get("name"))


@dataclass(frozen=True)
class WarehouseTarget:
    name: str
    settings: dict[str, Any]

    @property
    def adapter(self) -> str:
        return str(self.settings["type"])

    @property
    def sql_dialect(self) -> str:
        """sqlglot's name for the adapter's SQL."""
        return {"databricks": "databricks", "spark": "spark", "bigquery": "bigquery"}.get(
            self.adapter, self.adapter
        )


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"profiles.yml needs the environment variable {name}, which is not set")
    return value


def _render_profile(folder: Path | None) -> tuple[Path, dict[str, Any]]:
    path = (folder or profiles_dir()) / "profiles.yml"
    if not path.is_file():
        raise ProjectError(
            f"No profiles.yml in {path.parent}: pass --profiles-dir (or set DBT_PROFILES_DIR) to the folder dbt reads."
        )
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(path.read_text())
    profiles = yaml.safe_load(rendered.render(env_var=_env_var)) or {}
    name = profile_name()
    if name not in profiles:
        raise ProjectError(
            f"{path} has no profile {name!r} (dbt_project.yml's profile); profiles: {sorted(profiles)}"
        )
    return path, profiles[name]


def profile_adapters(folder: Path | None = None) -> list[str]:
    """The adapter types of every target in the profile (which SQL dialects the project must serve)."""
    _, profile = _render_profile(folder)
    return sorted({str(output["type"]) for output in profile["outputs"].values()})


def load_target(target: str | None = None, folder: Path | None = None) -> WarehouseTarget:
    """The profile's target: the one named, else $DBT_TARGET, else the profile's default."""
    path, profile = _render_profile(folder)
    name = target or os.environ.get("DBT_TARGET") or profile["target"]
    if name not in profile["outputs"]:
        raise KeyError(
            f"profile {profile_name()!r} in {path} has no target {name!r}; targets: {sorted(profile['outputs'])}"
        )
    settings = dict(profile["outputs"][name])
    if settings["type"] == "duckdb" and not Path(settings["path"]).is_absolute():
        settings["path"] = str(project_dir() / settings["path"])
    return WarehouseTarget(name=name, settings=settings)
