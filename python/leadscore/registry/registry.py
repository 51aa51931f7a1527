"""Which model version is champion (drives tiers), which is challenger (scored in shadow), and
which segment models replace the champion for their segment. Every change is appended to a
history, so `rollback` returns to the previous state.

A change is a transaction: every version it names is checked (plain id, files against their
checksums) and the dbt macros are rendered before anything is written; then the macros and the
registry file are each replaced in one rename, and put back if the second rename fails. The
warehouse's monitoring.model_registry is built from those macros, so it follows on the next build."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadscore.files import write_atomically
from leadscore.paths import artifacts_dir
from leadscore.registry.artifacts import ModelVersion, load_model_version
from leadscore.registry.errors import RegistryError


def registry_path() -> Path:
    return artifacts_dir() / "registry.json"


@dataclass(frozen=True)
class Segments:
    """Leads whose `column` equals a key are scored by that key's model; others by the champion."""

    column: str
    models: dict[str, str]


@dataclass
class Registry:
    champion: str
    challenger: str | None
    segments: Segments | None = None
    history: list[dict[str, object]] = field(default_factory=list)

    def state(self) -> dict[str, object]:
        return {
            "champion": self.champion,
            "challenger": self.challenger,
            "segments": asdict(self.segments) if self.segments else None,
        }

    def model_ids(self) -> list[str]:
        ids = [self.champion, *([self.challenger] if self.challenger else [])]
        ids += list(self.segments.models.values()) if self.segments else []
        return list(dict.fromkeys(ids))

    def text(self) -> str:
        return json.dumps({**self.state(), "history": self.history}, indent=2) + "\n"


def _segments(data: dict | None) -> Segments | None:
    return Segments(column=data["column"], models=dict(data["models"])) if data else None


def load_registry(path: Path | None = None) -> Registry | None:
    """None when no model was trained yet; a RegistryError naming the file when it cannot be read."""
    source = path or registry_path()
    if not source.exists():
        return None
    try:
        data = json.loads(source.read_text())
        registry = Registry(
            champion=str(data["champion"]),
            challenger=data.get("challenger"),
            segments=_segments(data.get("segments")),
            history=list(data.get("history", [])),
        )
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        raise RegistryError(
            f"{source} cannot be read ({type(error).__name__}: {error}); it was truncated or edited. "
            "Nothing was changed. Restore it from a backup or version control, or run `leadscore train` "
            "to start a new registry."
        ) from None
    return registry


def require_registry(path: Path | None = None) -> Registry:
    registry = load_registry(path)
    if registry is None:
        raise RegistryError(
            f"no model registry at {path or registry_path()}: no model has been trained in this project. "
            "Run `leadscore train` first."
        )
    return registry


def commit(
    registry: Registry, path: Path | None = None, versions: dict[str, ModelVersion] | None = None
) -> Registry:
    """Write the registry and the dbt macros it implies, both or neither. versions: the registry's
    versions, already checked (else they are checked here)."""
    from leadscore.registry.dbt_assets import render_registry_macros, write_macros_text

    versions = versions if versions is not None else versions_of(registry)
    macros = render_registry_macros(registry, versions)
    target = path or registry_path()
    previous_macros = write_macros_text(macros)
    try:
        write_atomically(target, registry.text())
    except BaseException:
        write_macros_text(previous_macros)
        raise
    return registry


def versions_of(registry: Registry) -> dict[str, ModelVersion]:
    """Every version the registry serves, each checked against its checksums."""
    return {model_id: load_model_version(model_id) for model_id in registry.model_ids()}


def promote(
    champion: str,
    challenger: str | None,
    reason: str,
    segments: Segments | None = None,
    path: Path | None = None,
    restores: int | None = None,
    figures: dict[str, object] | None = None,
    log_unchanged: bool = False,
) -> Registry:
    """Make `champion` drive the tiers; a no-op (no history entry) when nothing changes.
    restores: the history index this state comes back to (set by rollback)."""
    if challenger is not None and challenger == champion:
        raise RegistryError(f"{champion} cannot be both champion and challenger; name another challenger")
    proposed = Registry(champion=champion, challenger=challenger, segments=segments)
    versions = versions_of(proposed)  # refuse unknown or damaged versions before touching anything
    current = load_registry(path)
    if current and current.state() == proposed.state() and not log_unchanged:
        return current
    entry = {**proposed.state(), "reason": reason, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if restores is not None:
        entry["restores"] = restores
    if figures:
        entry["figures"] = figures
    proposed.history = [*(current.history if current else []), entry]
    return commit(proposed, path, versions)


def _state_of(entry: dict) -> dict[str, object]:
    return {key: entry.get(key) for key in ("champion", "challenger", "segments")}


def rollback(path: Path | None = None) -> Registry:
    """Step back one state; repeated rollbacks keep walking back (they do not toggle)."""
    current = require_registry(path)
    if not current.history:
        raise RegistryError("nothing to roll back to: the registry has no history")
    last = len(current.history) - 1
    try:
        effective = int(current.history[last].get("restores", last))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        effective = last
    target = effective - 1
    # Entries that left the state as it was (a retrain that kept the champion) are not a step back.
    while target >= 0 and _state_of(current.history[target]) == current.state():
        target -= 1
    if target < 0:
        raise RegistryError(
            f"nothing to roll back to: {current.champion} is the first recorded champion. "
            "`leadscore models promote <id>` sets another saved version."
        )
    previous = current.history[target]
    return promote(
        str(previous["champion"]),
        previous.get("challenger"),  # type: ignore[arg-type]
        reason=f"rollback from {current.champion}",
        segments=_segments(previous.get("segments")),  # type: ignore[arg-type]
        path=path,
        restores=target,
    )
