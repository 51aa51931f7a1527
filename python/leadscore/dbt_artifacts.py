"""Reading what dbt's last invocation wrote (run_results.json, manifest.json): for the failure report
after a build, the sync's check of the feed's tests, and the alerts in the monitoring report."""

from __future__ import annotations

import json
from pathlib import Path

FAILED = ("fail", "error")  # result statuses that failed the invocation (a test's "warn" did not)


def last_results(target_dir: Path) -> list[dict]:
    """Every node result of the last invocation ([] when dbt has not run here)."""
    path = target_dir / "run_results.json"
    return json.loads(path.read_text())["results"] if path.exists() else []


def manifest_nodes(target_dir: Path) -> dict[str, dict]:
    """The manifest's nodes by unique id ({} when there is no manifest)."""
    path = target_dir / "manifest.json"
    return json.loads(path.read_text()).get("nodes", {}) if path.exists() else {}


def node_name(unique_id: str) -> str:
    """test.lead_scoring.unique_x.3ae2c95819 -> unique_x (the name without the package and hash)."""
    return unique_id.split(".")[2]
