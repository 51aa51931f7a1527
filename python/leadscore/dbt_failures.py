"""What a failed `dbt build` means, in one block: each failing model or test, the first line of the
database error, the test's fix hint (its `meta.fix` or description), and, for a failing test, its first
failing rows read back from the warehouse, so "Got 1 result" becomes "leads * empty".
"""

from __future__ import annotations

import json
from pathlib import Path

FAILED = ("fail", "error")
SHOWN_ROWS = 5


WRAPPERS = ("Runtime Error in", "Database Error in", "Compilation Error in")


def _first_line(message: str | None) -> str:
    """The database's own first line, not dbt's "Runtime Error in model x" wrapper around it."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    while len(lines) > 1 and lines[0].startswith(WRAPPERS):
        lines = lines[1:]
    return lines[0] if lines else ""


def _failing_rows(compiled_sql: str, target: str | None) -> str:
    """The test's first failing rows as `column=value` lines (empty when they cannot be read)."""
    from leadscore.warehouse import connect

    try:
        warehouse = connect(target, read_only=True)
    except Exception:
        return ""
    try:
        rows = warehouse.query(f"select * from ({compiled_sql}) as failing_rows limit {SHOWN_ROWS}")
    except Exception:
        return ""
    finally:
        warehouse.close()
    return "\n".join(
        "      " + ", ".join(f"{column}={value}" for column, value in row.items())
        for row in rows.to_dict(orient="records")
    )


def describe_failures(target_path: Path, target: str | None = None, read_rows: bool = True) -> str:
    """The failures of dbt's last invocation, from run_results.json and manifest.json."""
    results_path, manifest_path = target_path / "run_results.json", target_path / "manifest.json"
    if not results_path.exists():
        return ""
    results = [r for r in json.loads(results_path.read_text())["results"] if r["status"] in FAILED]
    nodes = json.loads(manifest_path.read_text()).get("nodes", {}) if manifest_path.exists() else {}
    blocks = []
    for result in results:
        node = nodes.get(result["unique_id"], {})
        kind, name = result["unique_id"].split(".")[0], result["unique_id"].split(".")[2]
        relation = ", ".join(
            dependency.split(".")[-1] for dependency in node.get("depends_on", {}).get("nodes", [])
        )
        lines = [
            f"  {kind} {name} {result['status']}"
            + (f" (on {relation})" if relation and kind == "test" else "")
        ]
        message = _first_line(result.get("message"))
        if message:
            lines.append(f"    {message}")
        fix = (node.get("meta") or node.get("config", {}).get("meta") or {}).get("fix") or node.get(
            "description"
        )
        if fix:
            lines.append(f"    what to do: {fix}")
        if read_rows and kind == "test" and result["status"] == "fail" and result.get("compiled_code"):
            rows = _failing_rows(result["compiled_code"], target)
            if rows:
                lines.append(f"    first failing rows:\n{rows}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
