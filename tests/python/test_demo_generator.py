"""The demo CRM generator: deterministic, dirty at the stated rates, and faithful to its own oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.demo_data.generator import GeneratorConfig, generate
from leadscore.demo_data.truth import HazardParameters


def _generate(config: GeneratorConfig) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    tables: dict[str, pd.DataFrame] = {}

    def write(schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool) -> None:
        assert set(columns) <= set(frame.columns), f"{table} lacks {set(columns) - set(frame.columns)}"
        key = f"{schema}.{table}"
        tables[key] = (
            pd.concat([tables[key], frame], ignore_index=True) if append else frame.reset_index(drop=True)
        )

    log = generate(config, write)
    return tables, dict(log)


@pytest.fixture(scope="module")
def generated() -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    return _generate(GeneratorConfig(leads=20_000, seed=3))


def test_same_seed_gives_the_same_crm_and_another_seed_does_not():
    first, _ = _generate(GeneratorConfig(leads=800, seed=11))
    again, _ = _generate(GeneratorConfig(leads=800, seed=11))
    other, _ = _generate(GeneratorConfig(leads=800, seed=12))
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["raw.crm_activities"]["occurred_at"].equals(other["raw.crm_activities"]["occurred_at"])


def test_exactly_the_requested_number_of_distinct_leads(generated):
    tables, log = generated
    assert len(tables["oracle.lead_propensity"]) == 20_000
    assert len(tables["raw.crm_leads"]) == 20_000 + log["leads.email.duplicate"]


@pytest.mark.parametrize(
    ("key", "rate", "denominator"),
    [
        ("leads.email.duplicate", 0.03, "leads.rows"),
        ("accounts.industry.missing", 0.05, "accounts.rows"),
        ("activities.lead_id.orphan", 0.005, "activities.rows"),
        ("activities.occurred_at.in_future", 0.003, "activities.rows"),
        ("opportunities.amount.out_of_range", 0.01, "opportunities.rows"),
    ],
)
def test_dirt_is_injected_near_its_stated_rate(generated, key, rate, denominator):
    _, log = generated
    observed = log[key] / log[denominator]
    assert 0.6 * rate < observed < 1.4 * rate, f"{key}: {observed:.4%} vs {rate:.2%}"


def test_base_rate_and_volume_are_realistic(generated):
    tables, _ = generated
    converted = tables["raw.crm_opportunities"]["lead_id"].nunique() / 20_000
    assert 0.10 < converted < 0.30  # lead-to-opportunity within the observed history
    per_lead = len(tables["raw.crm_activities"]) / 20_000
    assert 15 < per_lead < 40


def test_conversions_follow_the_oracle_hazard(generated):
    """The sampled conversions agree with the oracle's probabilities: within each decile of the
    oracle probability of converting before the extract date, the observed rate matches."""
    tables, _ = generated
    oracle = tables["oracle.lead_propensity"]
    params = tables["oracle.generation_parameters"].iloc[0]
    end_day = (params["history_end_at"] - params["history_start_at"]).days
    hazard = HazardParameters.from_oracle(oracle, params["drift_start_day"])
    expected = 1 - np.exp(
        -(
            hazard.cumulative_hazard(np.full(len(oracle), float(end_day)))
            - hazard.cumulative_hazard(hazard.created_day)
        )
    )
    observed = oracle["lead_id"].isin(tables["raw.crm_opportunities"]["lead_id"]).to_numpy()
    deciles = pd.qcut(expected, 10, labels=False, duplicates="drop")
    frame = (
        pd.DataFrame({"expected": expected, "observed": observed, "decile": deciles}).groupby("decile").mean()
    )
    assert np.allclose(frame["observed"], frame["expected"], atol=0.03), frame
    assert abs(observed.mean() - expected.mean()) < 0.01
