"""Where the project's rooms are, found from the working directory so the CLI runs from anywhere inside it."""

from __future__ import annotations

import os
from pathlib import Path


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


def artifacts_dir() -> Path:
    """Trained model versions and the registry: $LEADSCORE_ARTIFACTS_DIR, else artifacts/ (the demo's)."""
    configured = os.environ.get("LEADSCORE_ARTIFACTS_DIR")
    return Path(configured).resolve() if configured else project_dir() / "artifacts"


def generated_macros_dir() -> Path:
    """Where the generated scoring macros of this instance go (dbt_project.yml reads the same variable)."""
    configured = os.environ.get("LEADSCORE_GENERATED_MACROS")
    folder = Path(configured) if configured else Path("generated") / "demo"
    return folder if folder.is_absolute() else project_dir() / folder
