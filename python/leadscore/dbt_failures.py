"""What a failed `dbt build` means, in one block: each failing model or test, the first line of the
database error, the test's fix hint (its `meta.fix` or description), and, for a failing test, its first
failing rows read back from the warehouse, so "Got 1 result" becomes "leads * empty".
"""

from __future__ import annotations

from pathlib import Path

from leadscore.dbt_artifacts import FAILED, last_results, manifest_nodes, node_name

SHOWN_ROWS = 5
WRAPPERS = ("Runtime Error in", "Database Error in", "Compilation Error in")


def _first_line(message: str | None) -> str:
    """The database's own first line, not dbt's "Runtime Error in model x" wrapper around it."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    while len(lines) > 1 and lines[0].startswith(WRAPPERS):
        lines = lines[1:]
    return lines[0] if lines else ""


def _connect(target: str | None):
    """A read-only connection for the failing rows, or None: the report must never hide the failure."""
    from leadscore.warehouse import connect

    try:
        return connect(target, read_only=True)
    except Exception:
        return None


def _failing_rows(warehouse, compiled_sql: str) -> str:
    """The test's first failing rows as `column=value` lines (empty when they cannot be read)."""
    try:
        rows = warehouse.query(f"select * from ({compiled_sql}) as failing_rows limit {SHOWN_ROWS}")
    except Exception:
        return ""
    return "\n".join(
        "      " + ", ".join(f"{column}={value}" for column, value in row.items())
        for row in rows.to_dict(orient="records")
    )


def _has_rows(result: dict) -> bool:
    return (
        result["unique_id"].startswith("test.")
        and result["status"] == "fail"
        and bool(result.get("compiled_code"))
    )


def _describe(result: dict, node: dict, warehouse) -> str:
    kind, name = result["unique_id"].split(".")[0], node_name(result["unique_id"])
    relation = ", ".join(
        dependency.split(".")[-1] for dependency in node.get("depends_on", {}).get("nodes", [])
    )
    lines = [
        f"  {kind} {name} {result['status']}" + (f" (on {relation})" if relation and kind == "test" else "")
    ]
    message = _first_line(result.get("message"))
    if message:
        lines.append(f"    {message}")
    fix = (node.get("meta") or node.get("config", {}).get("meta") or {}).get("fix") or node.get("description")
    if fix:
        lines.append(f"    what to do: {fix}")
    if warehouse is not None and _has_rows(result):
        rows = _failing_rows(warehouse, result["compiled_code"])
        if rows:
            lines.append(f"    first failing rows:\n{rows}")
    return "\n".join(lines)


def describe_failures(target_dir: Path, target: str | None = None, read_rows: bool = True) -> str:
    """The failures of dbt's last invocation, from run_results.json and manifest.json; the failing
    rows of every failing test are read through one connection."""
    results = [result for result in last_results(target_dir) if result["status"] in FAILED]
    nodes = manifest_nodes(target_dir) if results else {}
    warehouse = _connect(target) if read_rows and any(map(_has_rows, results)) else None
    try:
        return "\n".join(
            _describe(result, nodes.get(result["unique_id"], {}), warehouse) for result in results
        )
    finally:
        if warehouse is not None:
            warehouse.close()
