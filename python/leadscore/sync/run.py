"""One sync: read changed rows, send them in batches, record each delivered batch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from leadscore.sync.client import BatchUpdateClient
from leadscore.sync.state import changed_rows, ensure_state, record_sent
from leadscore.warehouse import Warehouse

# Feed column -> CRM property.
PROPERTIES = {
    "tier": "leadscore_tier",
    "score": "leadscore_score",
    "lead_status": "leadscore_status",
    "recommended_action": "leadscore_action",
    "score_trend": "leadscore_score_trend",
    "top_reasons": "leadscore_reasons",
    "model_version": "leadscore_model_version",
}
BATCH_SIZE = 100  # HubSpot's batch limit


@dataclass
class SyncOutcome:
    changed: int
    sent: int
    batches: int
    retries: int


def to_inputs(rows: pd.DataFrame) -> list[dict[str, object]]:
    inputs = []
    for row in rows.to_dict(orient="records"):
        properties = {
            prop: (None if pd.isna(row[col]) else (int(row[col]) if col == "score" else str(row[col])))
            for col, prop in PROPERTIES.items()
        }
        inputs.append({"id": str(row["crm_record_id"]), "properties": properties})
    return inputs


def sync(
    warehouse: Warehouse,
    client: BatchUpdateClient | None,
    dry_run_path: Path | None = None,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
) -> SyncOutcome:
    """With dry_run_path, batches are written there (one JSON request body per line) and nothing is recorded."""
    ensure_state(warehouse)
    rows = changed_rows(warehouse, limit)
    batches = [rows.iloc[start : start + batch_size] for start in range(0, len(rows), batch_size)]
    if dry_run_path is not None:
        dry_run_path.parent.mkdir(parents=True, exist_ok=True)
        with dry_run_path.open("w") as out:
            for batch in batches:
                out.write(json.dumps({"inputs": to_inputs(batch)}) + "\n")
        return SyncOutcome(changed=len(rows), sent=0, batches=len(batches), retries=0)
    if client is None:
        raise ValueError("a client is needed unless dry_run_path is given")
    sent = 0
    for batch in batches:
        client.send(to_inputs(batch))
        record_sent(warehouse, batch)  # after delivery: a crash resends, never skips
        sent += len(batch)
    return SyncOutcome(changed=len(rows), sent=sent, batches=len(batches), retries=client.retries)
