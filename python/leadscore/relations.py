"""Where dbt built each leadscore model, read from the manifest of the project the CLI works against.

A host project names schemas its own way (its generate_schema_name, its target schema), so the
Python side never assumes `features.lead_training_set`: it asks the manifest for the node of this
package with that name and uses the schema and alias dbt gave it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from leadscore.paths import PACKAGE_NAME, dbt_target_dir
from leadscore.warehouse.sql_names import relation_name

RELATION_TYPES = ("model", "seed", "snapshot")


class ManifestError(RuntimeError):
    pass


# A manifest named on the command line (`leadscore train --manifest`), else the project's target/.
_manifest_override: list[Path] = []


def use_manifest(path: Path | None) -> None:
    """Read relations from this manifest (None: the project's target folder again)."""
    _manifest_override[:] = [Path(path)] if path else []


def manifest_path() -> Path:
    return _manifest_override[0] if _manifest_override else dbt_target_dir() / "manifest.json"


@cache
def _relations(path: Path, modified: float) -> dict[str, tuple[str, str]]:
    nodes = json.loads(path.read_text()).get("nodes", {})
    return {
        node["name"]: (str(node["schema"]), str(node.get("alias") or node["name"]))
        for node in nodes.values()
        if node.get("package_name") == PACKAGE_NAME and node.get("resource_type") in RELATION_TYPES
    }


def _schema_and_identifier(model: str) -> tuple[str, str]:
    path = manifest_path()
    if not path.is_file():
        raise ManifestError(
            f"No dbt manifest at {path}: run `dbt build` (or `dbt parse`) in the project first, "
            "so leadscore can find where its models were built."
        )
    relations = _relations(path, path.stat().st_mtime)
    if model not in relations:
        raise ManifestError(
            f"The dbt manifest at {path} has no leadscore model {model!r}: is the lead_scoring package "
            "installed (`dbt deps`) and enabled for this input mode? Run `dbt build` again."
        )
    return relations[model]


def model_relation(model: str, dialect: str) -> str:
    """The quoted schema.identifier of a leadscore model, seed or snapshot, as dbt built it."""
    return relation_name(*_schema_and_identifier(model), dialect)


def model_label(model: str) -> str:
    """schema.identifier, unquoted, for messages."""
    try:
        return ".".join(_schema_and_identifier(model))
    except ManifestError:
        return model
