"""Checks before anything is sent. A feed must not reach the CRM when the last dbt build failed
anywhere upstream of it (a model that errored or was skipped, an error-level test on the feed or on
any node it reads from, or a test marked `meta: {leadscore_blocks_sync: true}` such as the
data-quality gate), or when it holds one CRM record id twice (conflicting tiers for one record)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadscore.dbt_artifacts import FAILED, last_results, manifest_nodes, node_name
from leadscore.relations import model_relation
from leadscore.warehouse import Warehouse

FEED_MODEL = "crm_lead_sync"
GATE_META = "leadscore_blocks_sync"  # a test with this meta true blocks the sync when it fails


@dataclass(frozen=True)
class FeedTests:
    failed: list[str]  # what failed upstream of the feed in the last dbt invocation, named
    ran: bool  # whether the last invocation ran the feed's tests at all


def _feed_id(nodes: dict[str, dict]) -> str | None:
    return next(
        (
            uid
            for uid, node in nodes.items()
            if node.get("resource_type") == "model" and node.get("name") == FEED_MODEL
        ),
        None,
    )


def _ancestors(nodes: dict[str, dict], start: str) -> set[str]:
    seen: set[str] = set()
    pending = [start]
    while pending:
        for parent in nodes.get(pending.pop(), {}).get("depends_on", {}).get("nodes", []):
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen


def _blocks(node: dict, status: str, upstream: set[str]) -> bool:
    if node.get("resource_type") == "test":
        gate = bool(
            (node.get("config", {}).get("meta") or {}).get(GATE_META)
            or (node.get("meta") or {}).get(GATE_META)
        )
        tested = set(node.get("depends_on", {}).get("nodes", []))
        return status in FAILED and (gate or bool(tested & upstream))
    return status in (*FAILED, "skipped") and node.get("unique_id") in upstream


def feed_test_results(target_dir: Path) -> FeedTests:
    """What failed, errored or was skipped upstream of the feed in dbt's last run_results.json."""
    nodes = manifest_nodes(target_dir)
    feed = _feed_id(nodes)
    if feed is None:
        return FeedTests(failed=[], ran=False)
    upstream = _ancestors(nodes, feed) | {feed}
    results = last_results(target_dir)
    failed = sorted(
        f"{node_name(result['unique_id'])} ({result['status']})"
        for result in results
        if _blocks(
            {"unique_id": result["unique_id"], **nodes.get(result["unique_id"], {})},
            result["status"],
            upstream,
        )
    )
    ran = any(
        nodes.get(result["unique_id"], {}).get("resource_type") == "test"
        and feed in nodes[result["unique_id"]].get("depends_on", {}).get("nodes", [])
        for result in results
    )
    return FeedTests(failed=failed, ran=ran)


def duplicate_record_ids(warehouse: Warehouse) -> list[tuple[str, int]]:
    """CRM record ids that appear more than once in the feed, with their row counts (first 20)."""
    feed = model_relation(FEED_MODEL, warehouse.target.sql_dialect)
    frame = warehouse.query(
        f"select crm_record_id, count(*) as n from {feed} group by crm_record_id having count(*) > 1 "
        "order by n desc, crm_record_id limit 20"
    )
    return [(str(row.crm_record_id), int(row.n)) for row in frame.itertuples(index=False)]
