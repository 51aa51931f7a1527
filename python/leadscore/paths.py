"""Where the dbt project the CLI works against keeps its rooms: the project, its profile, dbt's
target folder, the trained model versions and the generated scoring macros.

The CLI works against any dbt project: this repository's own (the package built as its root, as a
dbt package keeps an integration project) or a host project that added leadscore through
`packages.yml`. A host owns what training writes (model versions, generated macros); nothing is
read from or written to the CLI's install folder or `dbt_packages/`, which `dbt deps` overwrites."""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# The dbt package's name (its dbt_project.yml); a project of this name is this repository's own.
PACKAGE_NAME = "lead_scoring"
# Where training writes the generated scoring macros inside a host project's first macro path,
# and the model versions and registry beside the host's dbt_project.yml.
HOST_GENERATED_FOLDER = "leadscore_generated"
HOST_ARTIFACTS_FOLDER = "leadscore"
# This repository's demo instance (dbt_project.yml reads the same variable; see macro-paths).
INTEGRATION_GENERATED = Path("generated") / "demo"

# What a working copy of the dbt project needs (tests and the pipeline benchmark train into copies).
PROJECT_PARTS = (
    "dbt_project.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "tests/dbt",
    "profiles",
    "artifacts",
    "generated",
)


class ProjectError(FileNotFoundError):
    """The dbt project or its profile is not where the CLI was told to look."""


def copy_project(destination: Path, source: Path | None = None) -> Path:
    """A copy of the dbt project with its shipped model versions, so training writes there."""
    source = source or project_dir()
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        origin = source / part
        if origin.is_dir():
            shutil.copytree(origin, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif origin.exists():
            (destination / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(origin, destination / part)
    return destination


def project_dir() -> Path:
    """The folder holding dbt_project.yml: --project-dir (which sets $LEADSCORE_PROJECT_DIR), else
    $DBT_PROJECT_DIR as dbt reads it, else the nearest parent of the working directory."""
    for variable in ("LEADSCORE_PROJECT_DIR", "DBT_PROJECT_DIR"):
        configured = os.environ.get(variable)
        if configured:
            folder = Path(configured).expanduser().resolve()
            if not (folder / "dbt_project.yml").is_file():
                raise ProjectError(
                    f"{folder} (from {variable} or --project-dir) holds no dbt_project.yml: "
                    "point it at the folder of your dbt project."
                )
            return folder
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise ProjectError(
        "No dbt_project.yml in this folder or its parents: run leadscore from inside your dbt project "
        "or pass --project-dir."
    )


@cache
def _read_project(path: Path, modified: float) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def dbt_project() -> dict[str, Any]:
    """The project's dbt_project.yml as written (Jinja left unrendered)."""
    path = project_dir() / "dbt_project.yml"
    return _read_project(path, path.stat().st_mtime)


def is_integration_project() -> bool:
    """True in this repository's own project, where the package is the root."""
    return dbt_project().get("name") == PACKAGE_NAME


def profiles_dir() -> Path:
    """Where profiles.yml is, as dbt looks: --profiles-dir / $DBT_PROFILES_DIR, else the project
    folder when it holds one, else this repository's profiles/, else ~/.dbt."""
    configured = os.environ.get("DBT_PROFILES_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    project = project_dir()
    for folder in (project, project / "profiles"):
        if (folder / "profiles.yml").is_file():
            return folder
    return Path.home() / ".dbt"


def dbt_target_dir() -> Path:
    """Where dbt writes manifest.json and run_results.json: $DBT_TARGET_PATH, else the project's target-path."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if configured:
        return Path(configured)
    target_path = dbt_project().get("target-path") or "target"
    return project_dir() / str(target_path)


def artifacts_dir() -> Path:
    """Trained model versions and the registry: $LEADSCORE_ARTIFACTS_DIR, else artifacts/ in this
    repository (the demo's), else leadscore/artifacts/ beside a host project's dbt_project.yml
    (with its reports in leadscore/reports/)."""
    configured = os.environ.get("LEADSCORE_ARTIFACTS_DIR")
    if configured:
        return Path(configured).resolve()
    if is_integration_project():
        return project_dir() / "artifacts"
    return project_dir() / HOST_ARTIFACTS_FOLDER / "artifacts"


def demo_manifest_path() -> Path:
    """What `leadscore generate` wrote (the demo data's facts): warehouse/ here, leadscore/ in a host."""
    home = project_dir() if is_integration_project() else project_dir() / HOST_ARTIFACTS_FOLDER
    return home / "warehouse" / "demo_manifest.json"


def generated_macros_dir() -> Path:
    """Where the generated scoring macros go: $LEADSCORE_GENERATED_MACROS (a `leadscore.yml`
    instance), else generated/demo in this repository, else <first macro path>/leadscore_generated
    in a host project, a folder the host owns and dbt already reads."""
    configured = os.environ.get("LEADSCORE_GENERATED_MACROS")
    if configured:
        folder = Path(configured)
    elif is_integration_project():
        folder = INTEGRATION_GENERATED
    else:
        macro_paths = [
            str(path) for path in dbt_project().get("macro-paths") or ["macros"] if "{" not in str(path)
        ]
        folder = Path(macro_paths[0] if macro_paths else "macros") / HOST_GENERATED_FOLDER
    return folder if folder.is_absolute() else project_dir() / folder


def dbt_environment() -> dict[str, str]:
    """The environment dbt runs in: the profile folder, and in this repository the demo's generated
    macros (the package's macro-paths read $LEADSCORE_GENERATED_MACROS; a host reads its own)."""
    environment = {**os.environ, "DBT_PROFILES_DIR": str(profiles_dir())}
    if is_integration_project():
        environment["LEADSCORE_GENERATED_MACROS"] = str(generated_macros_dir())
    return environment
