"""Which model version is champion (drives tiers), which is challenger (scored in shadow), and
which segment models replace the champion for their segment. Every change is appended to a
history, so `rollback` returns to the previous state."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadscore.paths import artifacts_dir
from leadscore.registry.artifacts import load_model_version


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

    def save(self, path: Path | None = None) -> None:
        target = path or registry_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({**self.state(), "history": self.history}, indent=2) + "\n")


def _segments(data: dict | None) -> Segments | None:
    return Segments(column=data["column"], models=dict(data["models"])) if data else None


def load_registry(path: Path | None = None) -> Registry | None:
    source = path or registry_path()
    if not source.exists():
        return None
    data = json.loads(source.read_text())
    return Registry(
        champion=data["champion"],
        challenger=data.get("challenger"),
        segments=_segments(data.get("segments")),
        history=data.get("history", []),
    )


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
    proposed = Registry(champion=champion, challenger=challenger, segments=segments)
    for model_id in proposed.model_ids():
        load_model_version(model_id)  # refuse unknown versions before touching the registry
    current = load_registry(path)
    if current and current.state() == proposed.state() and not log_unchanged:
        return current
    entry = {**proposed.state(), "reason": reason, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    if restores is not None:
        entry["restores"] = restores
    if figures:
        entry["figures"] = figures
    proposed.history = [*(current.history if current else []), entry]
    proposed.save(path)
    return proposed


def _state_of(entry: dict) -> dict[str, object]:
    return {key: entry.get(key) for key in ("champion", "challenger", "segments")}


def rollback(path: Path | None = None) -> Registry:
    """Step back one state; repeated rollbacks keep walking back (they do not toggle)."""
    current = load_registry(path)
    if current is None or not current.history:
        raise LookupError("nothing to roll back to: the registry has no history")
    last = len(current.history) - 1
    effective = int(current.history[last].get("restores", last))  # type: ignore[arg-type]
    target = effective - 1
    # Entries that left the state as it was (a retrain that kept the champion) are not a step back.
    while target >= 0 and _state_of(current.history[target]) == current.state():
        target -= 1
    if target < 0:
        raise LookupError("nothing to roll back to: this is the first recorded champion")
    previous = current.history[target]
    return promote(
        str(previous["champion"]),
        previous.get("challenger"),  # type: ignore[arg-type]
        reason=f"rollback from {current.champion}",
        segments=_segments(previous.get("segments")),  # type: ignore[arg-type]
        path=path,
        restores=target,
    )
