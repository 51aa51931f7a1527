"""Where the project's rooms are, found from the working directory so the CLI runs from anywhere inside it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
    """The folder holding dbt_project.yml: $LEADSCORE_PROJECT_DIR, else the nearest parent of the cwd."""
    configured = os.environ.get("LEADSCORE_PROJECT_DIR")
    if configured:
        return Path(configured).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise FileNotFoundError(
        "No dbt_project.yml in this folder or its parents: run leadscore from inside the project "
        "or set LEADSCORE_PROJECT_DIR."
    )


def profiles_dir() -> Path:
    configured = os.environ.get("DBT_PROFILES_DIR")
    return Path(configured).resolve() if configured else project_dir() / "profiles"


def dbt_target_dir() -> Path:
    """Where dbt writes manifest.json and run_results.json: $DBT_TARGET_PATH, else target/."""
    return Path(os.environ.get("DBT_TARGET_PATH", project_dir() / "target"))


def artifacts_dir() -> Path:
    """Trained model versions and the registry: $LEADSCORE_ARTIFACTS_DIR, else artifacts/ (the demo's)."""
    configured = os.environ.get("LEADSCORE_ARTIFACTS_DIR")
    return Path(configured).resolve() if configured else project_dir() / "artifacts"


def generated_macros_dir() -> Path:
    """Where the generated scoring macros of this instance go (dbt_project.yml reads the same variable)."""
    configured = os.environ.get("LEADSCORE_GENERATED_MACROS")
    folder = Path(configured) if configured else Path("generated") / "demo"
    return folder if folder.is_absolute() else project_dir() / folder
