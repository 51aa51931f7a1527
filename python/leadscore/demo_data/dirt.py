"""Real CRMs are dirty. Each kind of dirt is injected at a known rate and counted exactly, so tests
can check that the data-quality scorecard finds every injected row and no more.

Dirt of different kinds touches disjoint rows, so every count in the manifest is exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.demo_data import catalog

# Ids no real record uses: orphans point here.
ORPHAN_ID_BASE = 900_000_000_000
EMPLOYEE_COUNT_VALID_MAX = 2_500_000


@dataclass(frozen=True)
class DirtRates:
    industry_missing: float = 0.05
    industry_unknown: float = 0.005
    industry_respelled: float = 0.25
    employee_count_missing: float = 0.06
    employee_count_out_of_range: float = 0.008
    country_missing: float = 0.02
    country_respelled: float = 0.3
    lead_duplicate: float = 0.03
    lead_created_at_missing: float = 0.002
    lead_email_missing: float = 0.01
    lead_orphan_account: float = 0.005
    lead_source_respelled: float = 0.3
    activity_orphan_lead: float = 0.005
    activity_before_lead_created: float = 0.005
    activity_in_future: float = 0.003
    activity_unknown_type: float = 0.002
    activity_duplicate_row: float = 0.005
    activity_type_respelled: float = 0.05
    opportunity_amount_negative: float = 0.01
    opportunity_amount_missing: float = 0.02


class DirtLog(Counter):
    """Counts of injected dirt, keyed '<table>.<check>' to match the scorecard's rows."""


def _pick(rng: np.random.Generator, candidates: np.ndarray, rate: float, total: int) -> np.ndarray:
    """About rate*total rows, drawn from the candidates (positions), never more than there are."""
    wanted = min(len(candidates), rng.binomial(total, rate) if total else 0)
    return rng.choice(candidates, size=wanted, replace=False) if wanted else np.array([], dtype=int)


def _respell(
    rng: np.random.Generator, clean: np.ndarray, spellings: dict[str, list[str]], rate: float
) -> np.ndarray:
    out = np.array([spellings[value][0] for value in clean], dtype=object)
    chosen = np.flatnonzero(rng.random(len(clean)) < rate)
    for position in chosen:
        options = spellings[clean[position]]
        out[position] = options[rng.integers(len(options))]
    return out


def dirty_accounts(
    rng: np.random.Generator, accounts: pd.DataFrame, rates: DirtRates, log: DirtLog
) -> pd.DataFrame:
    out = accounts.copy()
    n = len(out)
    out["industry"] = _respell(
        rng, out["industry"].to_numpy(), catalog.INDUSTRY_SPELLINGS, rates.industry_respelled
    )
    out["country"] = _respell(
        rng,
        out["country"].to_numpy(),
        {k: v[1] for k, v in catalog.COUNTRIES.items()},
        rates.country_respelled,
    )
    free = np.arange(n)
    missing = _pick(rng, free, rates.industry_missing, n)
    out.loc[missing, "industry"] = None
    free = np.setdiff1d(free, missing)
    unknown = _pick(rng, free, rates.industry_unknown, n)
    out.loc[unknown, "industry"] = rng.choice(catalog.UNKNOWN_INDUSTRIES, size=len(unknown))
    log["accounts.industry.missing"] += len(missing)
    log["accounts.industry.unknown_category"] += len(unknown)

    employees = out["employee_count"].astype("Int64")
    missing = _pick(rng, np.arange(n), rates.employee_count_missing, n)
    employees[missing] = pd.NA
    bad = _pick(rng, np.setdiff1d(np.arange(n), missing), rates.employee_count_out_of_range, n)
    kinds = rng.integers(3, size=len(bad))
    values = np.where(kinds == 0, -rng.integers(1, 500, size=len(bad)), 0)
    values = np.where(kinds == 2, rng.integers(5_000_000, 90_000_000, size=len(bad)), values)
    employees[bad] = values
    out["employee_count"] = employees
    log["accounts.employee_count.missing"] += len(missing)
    log["accounts.employee_count.out_of_range"] += len(bad)

    missing = _pick(rng, np.arange(n), rates.country_missing, n)
    out.loc[missing, "country"] = None
    log["accounts.country.missing"] += len(missing)
    log["accounts.rows"] += n
    return out


@dataclass
class DirtyLeads:
    frame: pd.DataFrame
    duplicate_of: dict[int, int]  # duplicate lead_id -> original lead_id


def dirty_leads(
    rng: np.random.Generator, leads: pd.DataFrame, end_day: float, rates: DirtRates, log: DirtLog
) -> DirtyLeads:
    out = leads.copy()
    n = len(out)
    out["lead_source"] = _respell(
        rng,
        out["lead_source"].to_numpy(),
        {k: v[3] for k, v in catalog.LEAD_SOURCES.items()},
        rates.lead_source_respelled,
    )
    positions = np.arange(n)
    no_created = _pick(rng, positions, rates.lead_created_at_missing, n)
    free = np.setdiff1d(positions, no_created)
    no_email = _pick(rng, free, rates.lead_email_missing, n)
    free = np.setdiff1d(free, no_email)
    orphan = _pick(rng, free, rates.lead_orphan_account, n)
    free = np.setdiff1d(free, orphan)
    # Only leads that can be matched (email, creation time) are duplicated, so every duplicate is findable.
    duplicated = _pick(
        rng, free[out["created_day"].to_numpy()[free] < end_day - 1.0], rates.lead_duplicate, n
    )

    out.loc[orphan, "account_id"] = ORPHAN_ID_BASE + rng.integers(1, 10**9, size=len(orphan))
    out.loc[no_email, "email"] = None

    copies = out.iloc[duplicated].copy()
    first_new_id = int(out["lead_id"].max()) + 1
    copies["lead_id"] = np.arange(first_new_id, first_new_id + len(copies), dtype=np.int64)
    copies["crm_record_id"] = [f"00Q{i:012d}" for i in copies["lead_id"]]
    # The same person, typed again: other casing or stray spaces, a little later.
    copies["email"] = [
        e.upper() if k == 0 else f" {e} "
        for e, k in zip(copies["email"], rng.integers(2, size=len(copies)), strict=True)
    ]
    room = np.maximum(end_day - copies["created_day"].to_numpy() - 0.5, 0.01)
    copies["created_day"] = copies["created_day"].to_numpy() + rng.uniform(0.01, np.minimum(room, 10.0))
    duplicate_of = dict(
        zip(copies["lead_id"].tolist(), out["lead_id"].to_numpy()[duplicated].tolist(), strict=True)
    )
    out["created_day"] = out["created_day"].astype(float)
    out.loc[no_created, "created_day"] = np.nan

    log["leads.created_at.missing"] += len(no_created)
    log["leads.email.missing"] += len(no_email)
    log["leads.account_id.orphan"] += len(orphan)
    log["leads.email.duplicate"] += len(copies)
    log["leads.job_title.missing"] += int(
        out["true_seniority"].eq("unknown").sum() + copies["true_seniority"].eq("unknown").sum()
    )
    log["leads.rows"] += n + len(copies)
    return DirtyLeads(frame=pd.concat([out, copies], ignore_index=True), duplicate_of=duplicate_of)


def dirty_activities(
    rng: np.random.Generator,
    activities: pd.DataFrame,
    leads: DirtyLeads,
    end_day: float,
    rates: DirtRates,
    log: DirtLog,
) -> pd.DataFrame:
    """activities has lead_id, day, activity_type, url_path, activity_id."""
    out = activities.copy()
    n = len(out)
    created_by_lead = leads.frame.set_index("lead_id")["created_day"]

    # A third of a duplicated person's later activity lands on the duplicate record.
    dup_ids = np.fromiter(leads.duplicate_of, dtype=np.int64)
    originals = np.fromiter(leads.duplicate_of.values(), dtype=np.int64)
    if len(dup_ids):
        dup_for_original = pd.Series(dup_ids, index=originals)
        owner = out["lead_id"].map(dup_for_original)
        has_dup = owner.notna().to_numpy()
        dup_created = owner.map(created_by_lead).to_numpy(dtype=float)
        move = has_dup & (out["day"].to_numpy() > dup_created) & (rng.random(n) < 0.33)
        out.loc[move, "lead_id"] = owner[move].astype(np.int64)

    lead_created = out["lead_id"].map(created_by_lead).to_numpy(dtype=float)
    free = np.flatnonzero(~np.isnan(lead_created))
    orphan = _pick(rng, free, rates.activity_orphan_lead, n)
    free = np.setdiff1d(free, orphan)
    early = _pick(rng, free, rates.activity_before_lead_created, n)
    free = np.setdiff1d(free, early)
    future = _pick(rng, free, rates.activity_in_future, n)
    free = np.setdiff1d(free, future)
    unknown = _pick(rng, free, rates.activity_unknown_type, n)
    free = np.setdiff1d(free, unknown)
    copied = _pick(rng, free, rates.activity_duplicate_row, n)
    free = np.setdiff1d(free, copied)
    respelled = free[rng.random(len(free)) < rates.activity_type_respelled]

    out.loc[orphan, "lead_id"] = ORPHAN_ID_BASE + rng.integers(1, 10**9, size=len(orphan))
    out.loc[early, "day"] = lead_created[early] - rng.uniform(0.5, 60.0, size=len(early))
    out.loc[future, "day"] = end_day + rng.uniform(0.01, 300.0, size=len(future))
    out.loc[unknown, "activity_type"] = "Legacy Import"
    types = out["activity_type"].to_numpy().copy()
    styles = rng.integers(3, size=len(respelled))
    types[respelled] = [
        t.lower() if s == 0 else t.upper() if s == 1 else t.lower().replace(" ", "_")
        for t, s in zip(types[respelled], styles, strict=True)
    ]
    out["activity_type"] = types

    log["activities.lead_id.orphan"] += len(orphan)
    log["activities.occurred_at.before_lead_created"] += len(early)
    log["activities.occurred_at.in_future"] += len(future)
    log["activities.activity_type.unknown_category"] += len(unknown)
    log["activities.activity_id.duplicate"] += len(copied)
    log["activities.rows"] += n + len(copied)
    return pd.concat([out, out.iloc[copied]], ignore_index=True)


def dirty_opportunities(
    rng: np.random.Generator, opportunities: pd.DataFrame, rates: DirtRates, log: DirtLog
) -> pd.DataFrame:
    out = opportunities.copy()
    n = len(out)
    amount = out["amount"].to_numpy(dtype=float, copy=True)
    negative = _pick(rng, np.arange(n), rates.opportunity_amount_negative, n)
    missing = _pick(rng, np.setdiff1d(np.arange(n), negative), rates.opportunity_amount_missing, n)
    amount[negative] = -amount[negative]
    amount[missing] = np.nan
    out["amount"] = amount
    log["opportunities.amount.out_of_range"] += len(negative)
    log["opportunities.amount.missing"] += len(missing)
    log["opportunities.rows"] += n
    return out
