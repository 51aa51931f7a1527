"""What the CRM last received, per record: kept in the warehouse beside the feed, so a sync only
sends rows whose sync_hash changed and a repeated sync sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from leadscore.relations import model_relation
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted, relation_name

STATE_SCHEMA = "leadscore_sync"
STATE_TABLE = "crm_sync_state"
BATCH_TABLE = "crm_sync_batch"
STATE_COLUMNS = {"crm_record_id": "varchar", "sync_hash": "varchar", "synced_at": "timestamp"}
FEED_MODEL = "crm_lead_sync"


def _state(warehouse: Warehouse) -> str:
    return relation_name(STATE_SCHEMA, STATE_TABLE, warehouse.target.sql_dialect)


def ensure_state(warehouse: Warehouse) -> None:
    dialect = warehouse.target.sql_dialect
    warehouse.execute(f"create schema if not exists {quoted(STATE_SCHEMA, dialect)}")
    columns = ", ".join(f"{quoted(name, dialect)} {sql_type}" for name, sql_type in STATE_COLUMNS.items())
    warehouse.execute(f"create table if not exists {_state(warehouse)} ({columns})")


def changed_rows(
    warehouse: Warehouse, limit: int | None = None, include_closed: bool = False
) -> pd.DataFrame:
    """Feed rows the CRM has not received in their current form: open, tiered leads, and closed leads
    the CRM was sent before (it must stop showing their tier); every lead with include_closed."""
    feed = model_relation(FEED_MODEL, warehouse.target.sql_dialect)
    relevant = "" if include_closed else " and (feed.tier is not null or sent.crm_record_id is not null)"
    sql = (
        f"select feed.* from {feed} as feed left join {_state(warehouse)} as sent "
        "on feed.crm_record_id = sent.crm_record_id "
        f"where (sent.sync_hash is null or sent.sync_hash <> feed.sync_hash){relevant} "
        "order by feed.crm_record_id"
    )
    if limit is not None:
        sql += f" limit {int(limit)}"
    return warehouse.query(sql)


def record_sent(warehouse: Warehouse, rows: pd.DataFrame) -> None:
    """Replace the state of the records just delivered."""
    dialect = warehouse.target.sql_dialect
    batch = rows[["crm_record_id", "sync_hash"]].assign(
        synced_at=pd.Timestamp(datetime.now(UTC).replace(tzinfo=None))
    )
    warehouse.write_frame(STATE_SCHEMA, BATCH_TABLE, batch, STATE_COLUMNS, append=False)
    staged = relation_name(STATE_SCHEMA, BATCH_TABLE, dialect)
    warehouse.execute(
        f"delete from {_state(warehouse)} where crm_record_id in (select crm_record_id from {staged})"
    )
    warehouse.execute(
        f"insert into {_state(warehouse)} select crm_record_id, sync_hash, synced_at from {staged}"
    )
