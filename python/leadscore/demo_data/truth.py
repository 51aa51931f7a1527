"""The hidden truth behind the demo CRM: who converts, and when.

Conversion is a Poisson process whose hazard depends only on latent parameters fixed when a
lead is created (its fit and its account's buying moment). Activities are drawn from the same
latent parameters but independently of the conversion draw. So the probability computed here
from the latent parameters is the Bayes-optimal score for "converts within W days after t"
(no model that only sees activities and firmographics can beat it): its AUC is the ceiling we
report. No dbt model or training code may read these parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

# Hazard while an account is in market: a Gaussian bump around the lead's buying moment.
HAZARD_WIDTH_DAYS = 12.0
# Fraction of the bump's mass that a lead with fit 0 converts (before the committee effect).
BASE_CONVERSION_MASS = 1.2
# Background hazard per day for leads of accounts that are not in market.
BACKGROUND_HAZARD_PER_DAY = 0.00006
BACKGROUND_HORIZON_DAYS = 365.0
# From the drift start, sales converts a little less of the same demand.
DRIFT_HAZARD_FACTOR = 0.85


@dataclass(frozen=True)
class HazardParameters:
    """Per-lead latent parameters; arrays share one index."""

    created_day: np.ndarray  # days since history start
    buying_moment_day: np.ndarray  # NaN when the account is not in market
    bump_mass: np.ndarray  # integral of the in-market hazard over all time (before drift)
    background_rate: np.ndarray  # background hazard per day
    drift_start_day: float

    def cumulative_hazard(self, day: np.ndarray) -> np.ndarray:
        """H(t): expected conversions between creation and t, with the drift factor applied after its start."""
        day = np.maximum(np.asarray(day, dtype=float), self.created_day)
        in_market = ~np.isnan(self.buying_moment_day)
        moment = np.where(in_market, self.buying_moment_day, 0.0)

        def bump_mass_until(t: np.ndarray) -> np.ndarray:
            return ndtr((t - moment) / HAZARD_WIDTH_DAYS)

        start = self.created_day
        drift = np.full_like(start, self.drift_start_day)
        before_drift_end = np.minimum(day, np.maximum(drift, start))
        after_drift_start = np.maximum(drift, start)
        bump = bump_mass_until(before_drift_end) - bump_mass_until(start)
        bump += DRIFT_HAZARD_FACTOR * np.clip(
            bump_mass_until(day) - bump_mass_until(after_drift_start), 0, None
        )
        bump = np.where(in_market, bump * self.bump_mass, 0.0)

        background_end = np.minimum(day, start + BACKGROUND_HORIZON_DAYS)
        background = self.background_rate * np.clip(background_end - start, 0, None)
        return bump + background

    def conversion_probability(self, as_of_day: np.ndarray, window_days: float) -> np.ndarray:
        """P(convert in (as_of, as_of + window] | not converted by as_of): the oracle score."""
        as_of_day = np.asarray(as_of_day, dtype=float)
        gained = self.cumulative_hazard(as_of_day + window_days) - self.cumulative_hazard(as_of_day)
        return 1.0 - np.exp(-gained)

    def lifetime_conversion_probability(self) -> np.ndarray:
        return 1.0 - np.exp(-self.cumulative_hazard(self.created_day + 10_000.0))

    def sample_conversion_day(self, rng: np.random.Generator, horizon_days: float = 730.0) -> np.ndarray:
        """Inverse-transform sampling: the conversion happens where H(t) crosses an Exp(1) draw."""
        threshold = rng.exponential(1.0, size=self.created_day.shape)
        low = self.created_day.copy()
        high = self.created_day + horizon_days
        converts = self.cumulative_hazard(high) >= threshold
        for _ in range(50):  # bisection to well under a second
            middle = (low + high) / 2
            above = self.cumulative_hazard(middle) >= threshold
            high = np.where(above, middle, high)
            low = np.where(above, low, middle)
        return np.where(converts, high, np.nan)

    @classmethod
    def from_oracle(cls, oracle: pd.DataFrame, drift_start_day: float) -> HazardParameters:
        """From rows of oracle.lead_propensity (the generator's record of its own draws)."""
        return cls(
            created_day=oracle["created_day"].to_numpy(dtype=float),
            buying_moment_day=oracle["buying_moment_day"].to_numpy(dtype=float),
            bump_mass=oracle["bump_mass"].to_numpy(dtype=float),
            background_rate=oracle["background_rate"].to_numpy(dtype=float),
            drift_start_day=float(drift_start_day),
        )

    def take(self, index: np.ndarray) -> HazardParameters:
        return HazardParameters(
            created_day=self.created_day[index],
            buying_moment_day=self.buying_moment_day[index],
            bump_mass=self.bump_mass[index],
            background_rate=self.background_rate[index],
            drift_start_day=self.drift_start_day,
        )
