"""Accounts and leads of the demo CRM, clean, with the latent parameters that drive them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.demo_data import catalog
from leadscore.demo_data.timeline import Timeline
from leadscore.demo_data.truth import BACKGROUND_HAZARD_PER_DAY, BASE_CONVERSION_MASS, HazardParameters


def _choice(rng: np.random.Generator, table: dict, size: int, share_index: int = 0) -> np.ndarray:
    names = list(table)
    shares = np.array([table[name][share_index] if isinstance(table[name], tuple) else 1.0 for name in names])
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=size, p=shares / shares.sum())]


def _effect(table: dict, values: np.ndarray, effect_index: int = 1) -> np.ndarray:
    lookup = {name: spec[effect_index] if isinstance(spec, tuple) else spec for name, spec in table.items()}
    return np.array([lookup[value] for value in values], dtype=float)


# The demo's covariate drift: accounts first seen after the drift start are this many times bigger
# (a campaign aimed upmarket), so employee_count, a top feature, moves against its training baseline.
UPMARKET_FACTOR = 3.0


def size_effect(employee_count: np.ndarray) -> np.ndarray:
    """Mid-market companies buy most: a bump on log10(employees) centred at 1,000."""
    log_size = np.log10(np.maximum(employee_count, 1))
    return 1.0 * np.exp(-(((log_size - 3.0) / 0.8) ** 2)) - 0.4


@dataclass
class Accounts:
    frame: pd.DataFrame  # clean columns, one row per account
    fit: np.ndarray
    anchor_day: np.ndarray  # when the account's first lead arrives
    buying_moment_day: np.ndarray  # NaN when not in market


def make_accounts(rng: np.random.Generator, timeline: Timeline, count: int, first_id: int) -> Accounts:
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    anchor = timeline.sample_days(rng, count)
    industry = _choice(rng, catalog.INDUSTRIES, count)
    # From the drift start marketing moves upmarket: new accounts are UPMARKET_FACTOR times bigger.
    median_employees = np.where(anchor >= timeline.drift_start_day, 180.0 * UPMARKET_FACTOR, 180.0)
    employees = np.clip(np.round(rng.lognormal(np.log(median_employees), 1.5)), 1, 400_000).astype(np.int64)
    revenue = np.round(employees * rng.lognormal(np.log(180_000), 0.5, size=count), -3)
    country = _choice(rng, catalog.COUNTRIES, count)
    # Bigger companies are further along in funding.
    log_size = np.log10(employees)
    stage_index = np.clip(np.round(log_size * 1.3 + rng.normal(0, 1.0, size=count)) - 1, 0, 5).astype(int)
    funding = np.asarray(list(catalog.FUNDING_STAGES), dtype=object)[stage_index]
    uses_salesforce = rng.random(count) < np.clip(0.15 + 0.12 * log_size, 0, 0.85)
    uses_competitor = rng.random(count) < 0.22

    fit = (
        size_effect(employees)
        + _effect(catalog.INDUSTRIES, industry)
        + np.array([catalog.FUNDING_STAGES[s] for s in funding])
        + 0.3 * uses_salesforce
        - 0.6 * uses_competitor
    )
    in_market = rng.random(count) < 1.0 / (1.0 + np.exp(-(-0.9 + 0.9 * fit)))
    buying_moment = np.where(in_market, anchor + rng.gamma(2.0, 14.0, size=count), np.nan)

    frame = pd.DataFrame(
        {
            "account_id": ids,
            "account_name": [f"Account {i:07d}" for i in ids],
            "website_domain": [f"account{i}.example.com" for i in ids],
            "industry": industry,
            "employee_count": employees,
            "annual_revenue": revenue,
            "country": country,
            "funding_stage": funding,
            "uses_salesforce": uses_salesforce,
            "uses_competitor": uses_competitor,
            "created_day": anchor - rng.uniform(0, 30, size=count),
        }
    )
    return Accounts(frame=frame, fit=fit, anchor_day=anchor, buying_moment_day=buying_moment)


def _job_title(rng: np.random.Generator, seniority: str, function: str) -> str | None:
    if seniority == "unknown":
        return [None, "", "n/a", "-"][rng.integers(4)]
    if seniority == "individual_contributor" and rng.random() < 0.5:
        roles = catalog.IC_ROLE_TITLES[function]
        return roles[rng.integers(len(roles))]
    templates = catalog.TITLE_PREFIXES[seniority]
    template = templates[rng.integers(len(templates))]
    words = catalog.FUNCTION_WORDS[function]
    word = words[rng.integers(len(words))]
    if template == "C{f1}O":
        return f"C{catalog.C_LEVEL_LETTER[function]}O"
    if template in ("Founder & CEO", "Co-Founder", "CEO"):
        return template
    return template.replace("{F}", word).replace("{f}", word.lower())


@dataclass
class Leads:
    frame: pd.DataFrame  # clean columns, one row per lead
    hazard: HazardParameters
    engagement_interest: np.ndarray  # multiplier of awareness activity
    intent_day: np.ndarray  # centre of the intent burst (real or tyre-kicking), NaN if none
    intent_volume: np.ndarray  # expected number of intent activities
    fit: np.ndarray


def make_leads(
    rng: np.random.Generator, timeline: Timeline, accounts: Accounts, first_id: int, max_leads: int
) -> Leads:
    account_frame = accounts.frame
    size = account_frame["employee_count"].to_numpy()
    per_account = 1 + rng.poisson(0.25 + 0.2 * np.log10(size))
    account_index = np.repeat(np.arange(len(account_frame)), per_account)
    first_of_account = np.r_[True, account_index[1:] != account_index[:-1]]
    anchor = accounts.anchor_day[account_index]
    moment = accounts.buying_moment_day[account_index]
    # The first lead arrives at the anchor; the buying committee trickles in around the buying moment.
    later = np.where(
        np.isnan(moment),
        anchor + rng.exponential(40.0, size=len(anchor)),
        moment - rng.gamma(2.0, 6.0, size=len(anchor)),
    )
    created = np.where(first_of_account, anchor, np.maximum(anchor, later))
    keep = created < timeline.length_days
    account_index, created, first_of_account = account_index[keep], created[keep], first_of_account[keep]
    if len(created) > max_leads:
        account_index, created = account_index[:max_leads], created[:max_leads]
    count = len(created)
    committee = np.bincount(account_index, minlength=len(account_frame))[account_index]

    seniority = _choice(rng, catalog.SENIORITIES, count)
    function = _choice(rng, catalog.JOB_FUNCTIONS, count)
    after_drift = created >= timeline.drift_start_day
    source = np.where(
        after_drift,
        _choice(rng, catalog.LEAD_SOURCES, count, share_index=1),
        _choice(rng, catalog.LEAD_SOURCES, count, share_index=0),
    )
    free_email = rng.random(count) < 0.15
    industry = account_frame["industry"].to_numpy()[account_index]

    interaction = np.zeros(count)
    for industries, seniorities, effect in catalog.INTERACTIONS:
        interaction += effect * (np.isin(industry, list(industries)) & np.isin(seniority, list(seniorities)))
    fit = (
        accounts.fit[account_index]
        + _effect(catalog.SENIORITIES, seniority)
        + _effect(catalog.JOB_FUNCTIONS, function)
        + interaction
        + np.array([catalog.LEAD_SOURCES[s][2] for s in source])
        + catalog.FREE_EMAIL_EFFECT * free_email
        + rng.normal(0, 0.3, size=count)
    )
    committee_factor = np.minimum(1.0 + 0.25 * (committee - 1), 2.0)
    lead_moment = accounts.buying_moment_day[account_index] + rng.normal(0, 6.0, size=count)
    bump_mass = BASE_CONVERSION_MASS * np.exp(fit - 0.8) * committee_factor
    hazard = HazardParameters(
        created_day=created,
        buying_moment_day=lead_moment,
        bump_mass=bump_mass,
        background_rate=BACKGROUND_HAZARD_PER_DAY * np.exp(fit),
        drift_start_day=timeline.drift_start_day,
    )

    interest = rng.lognormal(0.0, 0.7, size=count) * np.array([catalog.SOURCE_ENGAGEMENT[s] for s in source])
    # In-market leads research before buying; some others kick tyres with no intention to buy.
    tyre_kicker = np.isnan(lead_moment) & (rng.random(count) < 0.12)
    intent_day = np.where(tyre_kicker, created + rng.uniform(5, 120, size=count), lead_moment - 5.0)
    intent_volume = np.where(
        tyre_kicker,
        7.0 * interest,
        14.0 * np.sqrt(bump_mass / BASE_CONVERSION_MASS) * rng.lognormal(0.0, 0.5, size=count),
    )
    intent_volume = np.where(np.isnan(intent_day), 0.0, intent_volume)

    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    domains = np.where(
        free_email,
        np.asarray(catalog.FREE_EMAIL_DOMAINS, dtype=object)[
            rng.integers(len(catalog.FREE_EMAIL_DOMAINS), size=count)
        ],
        account_frame["website_domain"].to_numpy()[account_index],
    )
    frame = pd.DataFrame(
        {
            "lead_id": ids,
            "crm_record_id": [f"00Q{i:012d}" for i in ids],
            "account_id": account_frame["account_id"].to_numpy()[account_index],
            "email": [f"person{i}@{d}" for i, d in zip(ids, domains, strict=True)],
            "job_title": [_job_title(rng, s, f) for s, f in zip(seniority, function, strict=True)],
            "lead_source": source,
            "created_day": created,
            "true_seniority": seniority,
            "true_function": function,
        }
    )
    return Leads(
        frame=frame,
        hazard=hazard,
        engagement_interest=interest,
        intent_day=intent_day,
        intent_volume=intent_volume,
        fit=fit,
    )
