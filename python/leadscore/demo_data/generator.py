"""Builds the demo CRM chunk by chunk (bounded memory at a million leads) and hands each chunk to a sink."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from leadscore.demo_data import dirt, shapes
from leadscore.demo_data.activities import ACTIVITY_NAMES, generate_activities, raw_activity_columns
from leadscore.demo_data.entities import make_accounts, make_leads
from leadscore.demo_data.timeline import Timeline
from leadscore.demo_data.truth import HAZARD_WIDTH_DAYS

DEFAULT_END_DATE = date(2026, 11, 1)
LEADS_PER_CHUNK = 50_000
# Leads per account average about 1.75 before the window cut; this many accounts yield a chunk.
ACCOUNTS_PER_CHUNK = 32_000

TIMESTAMP = "timestamp"
DOUBLE = "double precision"
TEXT = "varchar"
# Column types of every table the generator writes, in column order.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "crm_accounts": {
        "account_id": "bigint",
        "account_name": TEXT,
        "website_domain": TEXT,
        "industry": TEXT,
        "employee_count": "bigint",
        "annual_revenue": DOUBLE,
        "country": TEXT,
        "funding_stage": TEXT,
        "uses_salesforce": "boolean",
        "uses_competitor": "boolean",
        "created_at": TIMESTAMP,
        "_loaded_at": TIMESTAMP,
    },
    "crm_leads": {
        "lead_id": "bigint",
        "crm_record_id": TEXT,
        "account_id": "bigint",
        "email": TEXT,
        "job_title": TEXT,
        "lead_source": TEXT,
        "created_at": TIMESTAMP,
        "_loaded_at": TIMESTAMP,
    },
    "crm_activities": {
        "activity_id": "bigint",
        "lead_id": "bigint",
        "activity_type": TEXT,
        "url_path": TEXT,
        "occurred_at": TIMESTAMP,
        "_loaded_at": TIMESTAMP,
    },
    "crm_opportunities": {
        "opportunity_id": "bigint",
        "lead_id": "bigint",
        "account_id": "bigint",
        "created_at": TIMESTAMP,
        "stage": TEXT,
        "amount": DOUBLE,
        "closed_at": TIMESTAMP,
        "_loaded_at": TIMESTAMP,
    },
    "lead_propensity": {
        "lead_id": "bigint",
        "created_day": DOUBLE,
        "buying_moment_day": DOUBLE,
        "bump_mass": DOUBLE,
        "background_rate": DOUBLE,
        "lifetime_conversion_probability": DOUBLE,
        "true_seniority": TEXT,
        "true_job_function": TEXT,
    },
    "generation_parameters": {
        "history_start_at": TIMESTAMP,
        "history_end_at": TIMESTAMP,
        "drift_start_day": DOUBLE,
        "hazard_width_days": DOUBLE,
        "seed": "bigint",
        "leads": "bigint",
        "activity_names": TEXT,
    },
}


@dataclass(frozen=True)
class GeneratorConfig:
    leads: int = 30_000
    seed: int = 42
    end_date: date = DEFAULT_END_DATE
    history_months: int = 26
    drift_months: int = 5
    rates: dirt.DirtRates = field(default_factory=dirt.DirtRates)

    @property
    def timeline(self) -> Timeline:
        return Timeline(end=self.end_date, history_months=self.history_months, drift_months=self.drift_months)


@dataclass
class Chunk:
    """Raw tables (what the CRM exports) and oracle tables (what only the evaluation may read)."""

    raw: dict[str, pd.DataFrame]
    oracle: dict[str, pd.DataFrame]


def _chunk(
    config: GeneratorConfig, index: int, leads_wanted: int, ids: dict[str, int], log: dirt.DirtLog
) -> Chunk:
    rng = np.random.default_rng([config.seed, index])
    timeline = config.timeline
    end_day = timeline.length_days
    loaded_at = timeline.end_timestamp()

    accounts = make_accounts(rng, timeline, ACCOUNTS_PER_CHUNK, ids["account"])
    leads = make_leads(rng, timeline, accounts, ids["lead"], leads_wanted)
    used_accounts = accounts.frame[accounts.frame["account_id"].isin(leads.frame["account_id"])].reset_index(
        drop=True
    )

    conversion_day = leads.hazard.sample_conversion_day(rng)
    observed_conversion = np.where(conversion_day < end_day, conversion_day, np.nan)
    activities = generate_activities(rng, timeline, leads, conversion_day)
    activity_types, url_paths = raw_activity_columns(rng, activities["activity_code"].to_numpy())
    activity_frame = pd.DataFrame(
        {
            "lead_id": leads.frame["lead_id"].to_numpy()[activities["lead_index"].to_numpy()],
            "day": activities["day"].to_numpy(),
            "activity_type": activity_types,
            "url_path": url_paths,
        }
    )
    activity_frame.insert(
        0, "activity_id", np.arange(ids["activity"], ids["activity"] + len(activity_frame), dtype=np.int64)
    )

    converted = np.flatnonzero(~np.isnan(observed_conversion))
    opportunity_days = observed_conversion[converted]
    employees = used_accounts.set_index("account_id")["employee_count"]
    lead_employees = leads.frame["account_id"].iloc[converted].map(employees).to_numpy(dtype=float)
    close_day = opportunity_days + rng.gamma(3.0, 20.0, size=len(converted))
    won = rng.random(len(converted)) < 1.0 / (1.0 + np.exp(-(-0.6 + 0.5 * leads.fit[converted])))
    stage = np.where(close_day >= end_day, "Open", np.where(won, "Closed Won", "Closed Lost"))
    opportunities = pd.DataFrame(
        {
            "opportunity_id": np.arange(
                ids["opportunity"], ids["opportunity"] + len(converted), dtype=np.int64
            ),
            "lead_id": leads.frame["lead_id"].to_numpy()[converted],
            "account_id": leads.frame["account_id"].to_numpy()[converted],
            "created_at": timeline.to_timestamps(opportunity_days),
            "stage": stage,
            "amount": np.round(
                8_000 * (lead_employees / 100.0) ** 0.35 * rng.lognormal(0, 0.6, size=len(converted)), 2
            ),
            "closed_at": timeline.to_timestamps(np.where(stage == "Open", np.nan, close_day)),
        }
    )

    raw_accounts = dirt.dirty_accounts(rng, used_accounts, config.rates, log)
    dirty_leads = dirt.dirty_leads(rng, leads.frame, end_day, config.rates, log)
    raw_activities = dirt.dirty_activities(rng, activity_frame, dirty_leads, end_day, config.rates, log)
    raw_opportunities = dirt.dirty_opportunities(rng, opportunities, config.rates, log)

    raw_accounts = raw_accounts.assign(
        created_at=timeline.to_timestamps(raw_accounts.pop("created_day").to_numpy())
    )
    lead_rows = dirty_leads.frame
    raw_leads = pd.DataFrame(
        {
            "lead_id": lead_rows["lead_id"].to_numpy(dtype=np.int64),
            "crm_record_id": lead_rows["crm_record_id"],
            "account_id": lead_rows["account_id"].to_numpy(dtype=np.int64),
            "email": lead_rows["email"],
            "job_title": lead_rows["job_title"],
            "lead_source": lead_rows["lead_source"],
            "created_at": timeline.to_timestamps(lead_rows["created_day"].to_numpy()),
        }
    )
    raw_activities = raw_activities.assign(
        occurred_at=timeline.to_timestamps(raw_activities.pop("day").to_numpy())
    )

    hazard = leads.hazard
    oracle = pd.DataFrame(
        {
            "lead_id": leads.frame["lead_id"].to_numpy(),
            "created_day": hazard.created_day,
            "buying_moment_day": hazard.buying_moment_day,
            "bump_mass": hazard.bump_mass,
            "background_rate": hazard.background_rate,
            "lifetime_conversion_probability": hazard.lifetime_conversion_probability(),
            "true_seniority": leads.frame["true_seniority"],
            "true_job_function": leads.frame["true_function"],
        }
    )

    ids["account"] += ACCOUNTS_PER_CHUNK
    ids["lead"] = int(raw_leads["lead_id"].max()) + 1
    ids["activity"] += len(activity_frame)
    ids["opportunity"] += len(opportunities)
    raw = {
        "crm_accounts": raw_accounts,
        "crm_leads": raw_leads,
        "crm_activities": raw_activities[
            ["activity_id", "lead_id", "activity_type", "url_path", "occurred_at"]
        ],
        "crm_opportunities": raw_opportunities,
    }
    for frame in raw.values():
        frame["_loaded_at"] = loaded_at
    return Chunk(raw=raw, oracle={"lead_propensity": oracle})


def iter_chunks(config: GeneratorConfig, log: dirt.DirtLog) -> Iterator[Chunk]:
    """Yields chunks until config.leads clean leads exist (duplicates come on top)."""
    ids = {"account": 1, "lead": 1, "activity": 1, "opportunity": 1}
    made = 0
    index = 0
    while made < config.leads:
        chunk = _chunk(config, index, min(LEADS_PER_CHUNK, config.leads - made), ids, log)
        made += len(chunk.oracle["lead_propensity"])
        index += 1
        yield chunk


def generation_parameters(config: GeneratorConfig) -> pd.DataFrame:
    timeline = config.timeline
    return pd.DataFrame(
        {
            "history_start_at": [pd.Timestamp(timeline.start)],
            "history_end_at": [pd.Timestamp(timeline.end)],
            "drift_start_day": [timeline.drift_start_day],
            "hazard_width_days": [HAZARD_WIDTH_DAYS],
            "seed": [config.seed],
            "leads": [config.leads],
            "activity_names": [",".join(ACTIVITY_NAMES)],
        }
    )


def generate(
    config: GeneratorConfig,
    write: Callable[[str, str, pd.DataFrame, dict[str, str], bool], None],
    on_progress: Callable[[int, int], None] | None = None,
    shape: str = "native",
) -> dirt.DirtLog:
    """Writes the CRM's tables (raw.* natively, or a connector's tables: see shapes.py) and oracle.*
    through write(schema, table, frame, columns, append); returns the dirt counts."""
    log = dirt.DirtLog()
    made = 0
    schema = shapes.SHAPE_SCHEMAS[shape]
    columns = TABLE_COLUMNS if shape == "native" else shapes.SHAPE_COLUMNS[shape]
    for position, chunk in enumerate(iter_chunks(config, log)):
        for table, frame in shapes.reshape(shape, chunk.raw).items():
            write(schema, table, frame, columns[table], position > 0)
        for table, frame in chunk.oracle.items():
            write("oracle", table, frame, TABLE_COLUMNS[table], position > 0)
        made += len(chunk.oracle["lead_propensity"])
        if on_progress:
            on_progress(made, config.leads)
    for table, frame in shapes.once_per_shape(shape, pd.Timestamp(config.timeline.end_timestamp())).items():
        write(schema, table, frame, columns[table], False)
    write(
        "oracle",
        "generation_parameters",
        generation_parameters(config),
        TABLE_COLUMNS["generation_parameters"],
        False,
    )
    return log
