"""Checks before anything is sent: a feed whose dbt tests failed in the last build, or that holds one
CRM record id twice (conflicting tiers for one record), must not reach the CRM."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leadscore.dbt_artifacts import FAILED, last_results, manifest_nodes, node_name
from leadscore.relations import model_relation
from leadscore.warehouse import Warehouse

FEED_MODEL = "crm_lead_sync"


@dataclass(frozen=True)
class FeedTests:
    failed: list[str]  # test names that failed or errored in the last dbt invocation
    ran: bool  # whether the last invocation ran the feed's tests at all


def feed_test_results(target_dir: Path) -> FeedTests:
    """The feed's tests (every test that depends on the feed model) in dbt's last run_results.json."""
    nodes = manifest_nodes(target_dir)
    feed_tests = {
        unique_id
        for unique_id, node in nodes.items()
        if node.get("resource_type") == "test"
        and any(dependency.split(".")[-1] == FEED_MODEL for dependency in node["depends_on"]["nodes"])
    }
    results = [result for result in last_results(target_dir) if result["unique_id"] in feed_tests]
    failed = sorted(node_name(result["unique_id"]) for result in results if result["status"] in FAILED)
    return FeedTests(failed=failed, ran=bool(results))


def duplicate_record_ids(warehouse: Warehouse) -> list[tuple[str, int]]:
    """CRM record ids that appear more than once in the feed, with their row counts (first 20)."""
    feed = model_relation(FEED_MODEL, warehouse.target.sql_dialect)
    frame = warehouse.query(
        f"select crm_record_id, count(*) as n from {feed} group by crm_record_id having count(*) > 1 "
        "order by n desc, crm_record_id limit 20"
    )
    return [(str(row.crm_record_id), int(row.n)) for row in frame.itertuples(index=False)]
