"""Which model version is champion (drives tiers) and which is challenger (scored in shadow).
Every change is appended to a history, so `rollback` returns to the previous pair."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadscore.paths import artifacts_dir
from leadscore.registry.artifacts import load_model_version


def registry_path() -> Path:
    return artifacts_dir() / "registry.json"


@dataclass
class Registry:
    champion: str
    challenger: str | None
    history: list[dict[str, str | None]] = field(default_factory=list)

    def save(self, path: Path | None = None) -> None:
        target = path or registry_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(
                {"champion": self.champion, "challenger": self.challenger, "history": self.history}, indent=2
            )
            + "\n"
        )


def load_registry(path: Path | None = None) -> Registry | None:
    source = path or registry_path()
    if not source.exists():
        return None
    data = json.loads(source.read_text())
    return Registry(
        champion=data["champion"], challenger=data.get("challenger"), history=data.get("history", [])
    )


def promote(champion: str, challenger: str | None, reason: str, path: Path | None = None) -> Registry:
    """Make `champion` drive the tiers; a no-op (no history entry) when nothing changes."""
    for model_id in filter(None, (champion, challenger)):
        load_model_version(model_id)  # refuse unknown versions before touching the registry
    current = load_registry(path)
    if current and current.champion == champion and current.challenger == challenger:
        return current
    history = current.history if current else []
    history.append(
        {
            "champion": champion,
            "challenger": challenger,
            "reason": reason,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    registry = Registry(champion=champion, challenger=challenger, history=history)
    registry.save(path)
    return registry


def rollback(path: Path | None = None) -> Registry:
    current = load_registry(path)
    if current is None or len(current.history) < 2:
        raise LookupError("nothing to roll back to: the registry has no earlier champion")
    previous = current.history[-2]
    return promote(
        str(previous["champion"]),
        previous.get("challenger"),
        reason=f"rollback from {current.champion}",
        path=path,
    )
