"""One sync: check the feed, read changed rows, send them in batches, record each acknowledged record.

Delivery is at-least-once: a record is written to the sync state only after the CRM confirmed it, so a
crash or a rejected record means a resend on the next run, never a skip."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from leadscore.sync.client import MAX_BATCH, BatchUpdateClient, CrmSyncError
from leadscore.sync.preflight import FeedTests, duplicate_record_ids
from leadscore.sync.properties import PROPERTIES
from leadscore.sync.replies import TRACE_FIELD, RecordFailure
from leadscore.sync.state import changed_rows, ensure_state, record_sent
from leadscore.warehouse import Warehouse

BATCH_SIZE = MAX_BATCH  # HubSpot's batch limit


def check_sizes(batch_size: int, limit: int | None, max_batch: int) -> None:
    """--batch-size and --limit, refused before the warehouse is read."""
    if not 1 <= batch_size <= max_batch:
        raise CrmSyncError(
            f"--batch-size {batch_size}: give 1 to {max_batch} records per request ({max_batch} is the "
            "endpoint's documented maximum per batch call)"
        )
    if limit is not None and limit < 1:
        raise CrmSyncError(f"--limit {limit}: give a positive number of records, or leave it out to send all")


@dataclass
class SyncOutcome:
    changed: int
    sent: int
    batches: int
    retries: int
    failures: list[RecordFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def to_inputs(rows: pd.DataFrame) -> list[dict[str, object]]:
    inputs = []
    for row in rows.to_dict(orient="records"):
        properties = {
            prop: (None if pd.isna(row[col]) else (int(row[col]) if col == "score" else str(row[col])))
            for col, prop in PROPERTIES.items()
        }
        inputs.append(
            {"id": str(row["crm_record_id"]), "properties": properties, TRACE_FIELD: str(row["sync_hash"])}
        )
    return inputs


def check_feed(warehouse: Warehouse, tests: FeedTests | None, allow_failed_tests: bool = False) -> list[str]:
    """Raises when the feed must not be sent; returns warnings otherwise."""
    duplicates = duplicate_record_ids(warehouse)
    if duplicates:
        listed = ", ".join(f"{record_id} ({count} rows)" for record_id, count in duplicates)
        raise CrmSyncError(
            f"scoring.crm_lead_sync has {len(duplicates)}{'+' if len(duplicates) == 20 else ''} CRM record ids "
            f"on more than one lead: {listed}. One CRM record would get conflicting tiers, so nothing was sent. "
            "Fix crm_record_id in raw.crm_leads (see staging.stg_crm__leads.dq_crm_record_id__shared), "
            "rebuild, and sync again."
        )
    if tests is None:
        return []
    if tests.failed and not allow_failed_tests:
        shown = ", ".join(tests.failed[:10]) + (
            f" and {len(tests.failed) - 10} more" if len(tests.failed) > 10 else ""
        )
        raise CrmSyncError(
            f"the last dbt build failed upstream of the CRM feed ({len(tests.failed)}: {shown}), so the feed may "
            "hold tiers computed from broken data and nothing was sent. Fix the failures (`leadscore build` "
            "prints each cause) and rebuild, or pass --allow-failed-tests to send anyway."
        )
    if not tests.ran:
        return ["the last dbt invocation did not run the feed's tests: run `dbt build` before syncing"]
    return [f"sent despite failures upstream of the feed: {', '.join(tests.failed)}"] if tests.failed else []


def sync(
    warehouse: Warehouse,
    client: BatchUpdateClient | None,
    dry_run_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
    tests: FeedTests | None = None,
    allow_failed_tests: bool = False,
    include_closed: bool = False,
) -> SyncOutcome:
    """With dry_run_path, batches are written there (one JSON request body per line) and nothing is recorded.
    By default only open, tiered leads are sent, and a closed lead only when it closes after having been
    sent (once, so the CRM stops showing its tier); include_closed sends every changed lead."""
    check_sizes(batch_size, limit, client.endpoint.max_batch if client else MAX_BATCH)
    warnings = check_feed(warehouse, tests, allow_failed_tests)
    ensure_state(warehouse)
    rows = changed_rows(warehouse, limit, include_closed)
    batches = [rows.iloc[start : start + batch_size] for start in range(0, len(rows), batch_size)]
    if dry_run_path is not None:
        dry_run_path.parent.mkdir(parents=True, exist_ok=True)
        with dry_run_path.open("w") as out:
            for batch in batches:
                out.write(json.dumps({"inputs": to_inputs(batch)}) + "\n")
        return SyncOutcome(changed=len(rows), sent=0, batches=len(batches), retries=0, warnings=warnings)
    if client is None:
        raise ValueError("a client is needed unless dry_run_path is given")
    outcome = SyncOutcome(changed=len(rows), sent=0, batches=len(batches), retries=0, warnings=warnings)
    for batch in batches:
        reply = client.send(to_inputs(batch))
        delivered = batch[batch["crm_record_id"].astype(str).isin(set(reply.acknowledged))]
        if len(delivered):
            record_sent(warehouse, delivered)  # after delivery: a crash resends, never skips
        outcome.sent += len(delivered)
        outcome.failures.extend(reply.failures)
        outcome.warnings.extend(reply.warnings)
    outcome.retries = client.retries
    return outcome
