"""Activity streams: Poisson processes driven by each lead's latent engagement, never by its conversion draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from leadscore.demo_data import catalog
from leadscore.demo_data.entities import Leads
from leadscore.demo_data.timeline import Timeline

AWARENESS_RATE_PER_DAY = 0.45
AWARENESS_DECAY_DAYS = 30.0
NEWSLETTER_RATE_PER_DAY = 0.02
NEWSLETTER_MEAN_DAYS = 300.0
INTENT_WIDTH_DAYS = 20.0
# From the drift start a new email tool also counts machine opens: 0.6 extra per real open.
DRIFT_EXTRA_OPENS = 0.6

ACTIVITY_NAMES = list(catalog.ACTIVITY_RAW)
_NAME_CODE = {name: code for code, name in enumerate(ACTIVITY_NAMES)}


def _mix_codes(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    codes = np.array([_NAME_CODE[name] for name in mix])
    shares = np.array(list(mix.values()))
    return codes[rng.choice(len(codes), size=size, p=shares / shares.sum())]


def _expanded(counts: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def generate_activities(
    rng: np.random.Generator, timeline: Timeline, leads: Leads, conversion_day: np.ndarray
) -> pd.DataFrame:
    """One row per activity: lead_index (into leads), day, activity code."""
    created = leads.hazard.created_day
    end = timeline.length_days
    remaining = np.maximum(end - created, 0.0)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    # Awareness: a burst of interest at sign-up that decays.
    rate = AWARENESS_RATE_PER_DAY * leads.engagement_interest
    reach = 1.0 - np.exp(-remaining / AWARENESS_DECAY_DAYS)
    counts = rng.poisson(rate * AWARENESS_DECAY_DAYS * reach)
    index = _expanded(counts)
    u = rng.random(len(index))
    day = created[index] - AWARENESS_DECAY_DAYS * np.log1p(-u * reach[index])
    parts.append((index, day, _mix_codes(rng, catalog.AWARENESS_MIX, len(index))))

    # Newsletter: a trickle until the lead unsubscribes.
    duration = np.minimum(remaining, rng.exponential(NEWSLETTER_MEAN_DAYS, size=len(created)))
    counts = rng.poisson(NEWSLETTER_RATE_PER_DAY * np.sqrt(leads.engagement_interest) * duration)
    index = _expanded(counts)
    day = created[index] + rng.random(len(index)) * duration[index]
    parts.append((index, day, _mix_codes(rng, catalog.NEWSLETTER_MIX, len(index))))

    # Intent: research around the buying moment (or a tyre-kicker's burst).
    has_intent = ~np.isnan(leads.intent_day)
    centre = np.where(has_intent, leads.intent_day, 0.0)
    low = ndtr((created - centre) / INTENT_WIDTH_DAYS)
    high = ndtr((end - centre) / INTENT_WIDTH_DAYS)
    counts = np.where(has_intent, rng.poisson(leads.intent_volume * np.clip(high - low, 0, 1)), 0)
    index = _expanded(counts)
    u = low[index] + rng.random(len(index)) * (high[index] - low[index])
    day = centre[index] + INTENT_WIDTH_DAYS * ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    parts.append((index, day, _mix_codes(rng, catalog.INTENT_MIX, len(index))))

    # After conversion, sales logs meetings: caused by the outcome, so never a feature.
    converted = conversion_day < end
    counts = np.where(converted, 1 + rng.poisson(1.5, size=len(created)), 0)
    index = _expanded(counts)
    day = conversion_day[index] + rng.uniform(0.1, 30.0, size=len(index))
    parts.append((index, day, np.full(len(index), _NAME_CODE["sales_meeting"])))

    index = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    code = np.concatenate([p[2] for p in parts])
    day = np.maximum(day, created[index] + 1.0 / 1440.0)  # nothing before the lead exists (dirt comes later)

    machine_open = (code == _NAME_CODE["email_open"]) & (day >= timeline.drift_start_day)
    machine_open &= rng.random(len(code)) < DRIFT_EXTRA_OPENS
    index = np.concatenate([index, index[machine_open]])
    code = np.concatenate([code, code[machine_open]])
    day = np.concatenate([day, day[machine_open] + rng.uniform(0.0, 0.05, size=int(machine_open.sum()))])

    observed = day < end
    order = np.lexsort((day[observed], index[observed]))
    return pd.DataFrame(
        {
            "lead_index": index[observed][order],
            "day": day[observed][order],
            "activity_code": code[observed][order],
        }
    )


def raw_activity_columns(rng: np.random.Generator, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How the CRM records an activity: a type label and a URL path."""
    types = np.asarray([catalog.ACTIVITY_RAW[name][0] for name in ACTIVITY_NAMES], dtype=object)
    slugs = catalog.URL_SLUGS
    url_table = np.empty((len(ACTIVITY_NAMES), len(slugs)), dtype=object)
    for code, name in enumerate(ACTIVITY_NAMES):
        template = catalog.ACTIVITY_RAW[name][1]
        for slug_index, slug in enumerate(slugs):
            url_table[code, slug_index] = None if template is None else template.format(slug=slug)
    slug_index = rng.integers(len(slugs), size=len(codes))
    return types[codes], url_table[codes, slug_index]
