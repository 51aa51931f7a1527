"""The leakage checks on data built to leak in each way, and on clean columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.drifting import SPEC, NoWarehouse, drifting_data
from leadscore.byo.config import LeakageSettings
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.modeling.leakage import LeakageError, enforce, find_leakage


@pytest.fixture(scope="module")
def data() -> TrainingData:
    rng = np.random.default_rng(0)
    n = 4000
    y = rng.random(n) < 0.3
    noise = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "lead_id": np.arange(n),
            "as_of_at": pd.date_range("2025-01-01", periods=n, freq="h"),
            "visits": rng.poisson(3 + y, size=n).astype(float),  # honest, weak signal
            "region": rng.choice(["north", "south", "east"], size=n),  # no signal
            "sales_outcome_note": np.where(y ^ (rng.random(n) < 0.03), "closed", "open"),  # a label copy
            "quality_rating": np.where(
                rng.random(n) < np.where(y, 0.8, 0.3), noise, np.nan
            ),  # filled after contact
            "account_number": np.arange(n, dtype=float) + noise * 0.01,  # a sequence number
            "is_converted_in_window": y,
            "split": "train",
        }
    )
    spec = FeatureSpec(
        numeric=("visits", "quality_rating", "account_number"),
        boolean=(),
        categorical=("region", "sales_outcome_note"),
        baseline=None,
    )
    return TrainingData(frame=frame, spec=spec, splits=pd.DataFrame())


def test_each_leak_is_flagged_for_its_reason(data):
    flags = find_leakage(data, LeakageSettings())
    reasons = {(flag.feature, flag.check) for flag in flags}
    assert ("sales_outcome_note", "single-feature AUC") in reasons
    assert ("quality_rating", "filled mostly for converters") in reasons
    assert ("account_number", "identifier") in reasons
    assert ("account_number", "counts up with time") in reasons
    assert not {feature for feature, _ in reasons} & {"visits", "region"}


def test_flags_stop_training_unless_allowed(data):
    flags = find_leakage(data, LeakageSettings())
    with pytest.raises(LeakageError, match="sales_outcome_note: single-feature AUC"):
        enforce(flags, allowed=(), allow_all=False, relation="features.t")
    allowed = tuple({flag.feature for flag in flags})
    assert enforce(flags, allowed=allowed, allow_all=False, relation="features.t") == flags
    assert enforce(flags, allowed=(), allow_all=True, relation="features.t") == flags


@pytest.fixture(scope="module")
def joined_export() -> TrainingData:
    """Leads joined to closed deals, the gaps filled the way exports fill them: "none" and 0."""
    rng = np.random.default_rng(3)
    n = 8000
    y = rng.random(n) < 0.1
    with_deal = y & (rng.random(n) < 0.9)
    frame = pd.DataFrame(
        {
            "lead_id": np.arange(n),
            "as_of_at": pd.date_range("2025-01-01", periods=n, freq="h"),
            "business_type": np.where(with_deal, rng.choice(["reseller", "manufacturer"], size=n), "none"),
            "declared_monthly_revenue": np.where(with_deal, rng.lognormal(10, 1, size=n), 0.0),
            "deal_segment": np.where(
                with_deal, rng.choice(["home_decor", "health_beauty", "car_accessories"], size=n), "unknown"
            ),
            "landing_page_id": rng.integers(0, 495, size=n).astype(str),  # many levels, still a category
            "origin": rng.choice(["organic", "paid", "email"], size=n),
            "web_visits": rng.poisson(np.where(y, 1.2, 0.6)).astype(float),  # a sparse count, honest
            "is_converted_in_window": y,
            "split": "train",
        }
    )
    spec = FeatureSpec(
        numeric=("declared_monthly_revenue", "web_visits"),
        boolean=(),
        categorical=("business_type", "deal_segment", "landing_page_id", "origin"),
        baseline=None,
    )
    return TrainingData(frame=frame, spec=spec, splits=pd.DataFrame())


def test_placeholder_filled_leaks_are_flagged_and_stop_training(joined_export):
    flags = find_leakage(joined_export, LeakageSettings(missing_values=("",)))
    by_feature = {flag.feature: flag for flag in flags if flag.check == "filled mostly for converters"}
    assert set(by_feature) == {"business_type", "declared_monthly_revenue", "deal_segment"}
    revenue = by_feature["declared_monthly_revenue"].line()
    frame = joined_export.frame
    converters_with_deal = (frame["declared_monthly_revenue"] > 0)[frame["is_converted_in_window"]].mean()
    assert f"filled for {converters_with_deal:.0%} of converters, 0% of the rest" in revenue
    assert "NULL and 0 (the column is otherwise positive)" in revenue
    assert "placeholders ['none']" in by_feature["business_type"].line()
    assert "1000000000" not in "".join(flag.line() for flag in flags)  # ratios read as shares
    converting = {flag.feature for flag in flags if flag.check == "values that almost only convert"}
    assert converting == {"business_type", "deal_segment"}
    flagged = {flag.feature for flag in flags}
    assert not flagged & {"landing_page_id", "origin", "web_visits"}
    with pytest.raises(LeakageError, match="declared_monthly_revenue: filled mostly for converters"):
        enforce(flags, allowed=(), allow_all=False, relation="features.t")


def test_a_model_that_scores_implausibly_well_stops_training():
    """The column checks allowed, the leak still shows in the walk-forward AUC: training stops and
    names the features the model leans on."""
    from leadscore.modeling.train import train_models

    data = drifting_data()
    leak = (
        data.frame["is_converted_in_window"].astype(float) * 3
        + np.random.default_rng(0).normal(size=len(data.frame)) * 0.1
    )
    frame = data.frame.assign(sales_stage_code=leak)
    spec = FeatureSpec(
        numeric=(*SPEC.numeric, "sales_stage_code"), boolean=(), categorical=SPEC.categorical, baseline=None
    )
    leaky = TrainingData(frame=frame, spec=spec, splits=pd.DataFrame())
    with pytest.raises(LeakageError, match=r"walk-forward ROC-AUC 1\.000 .*\n  sales_stage_code: \d+%"):
        train_models(NoWarehouse(), leaky, [], 30.0, ("logistic", "lightgbm"), max_model_auc=0.97)


@pytest.mark.parametrize("default", [0.0, -1.0])
def test_a_deal_column_filled_with_a_constant_for_everyone_else_is_flagged(default):
    """The export wrote `default` for everyone who never reached the deal stage: the amount differs
    for 6% of converters and 0% of the rest. The 0-means-missing rule needed half of converters
    non-zero, so this leak used to train silently (test AUC 0.763 against 0.715 honest)."""
    rng = np.random.default_rng(7)
    n = 20_000
    y = rng.random(n) < 0.1
    deal = y & (rng.random(n) < 0.06)
    frame = pd.DataFrame(
        {
            "lead_id": np.arange(n),
            "as_of_at": pd.date_range("2025-01-01", periods=n, freq="h"),
            "deal_amount": np.where(deal, rng.lognormal(9, 1, size=n), default),
            "web_visits": rng.poisson(np.where(y, 1.2, 0.6)).astype(float),  # honest and sparse
            "rare_signal": (rng.random(n) < np.where(y, 0.05, 0.004)).astype(float),  # honest and rare
            "is_converted_in_window": y,
            "split": "train",
        }
    )
    spec = FeatureSpec(
        numeric=("deal_amount", "web_visits", "rare_signal"), boolean=(), categorical=(), baseline=None
    )
    flags = find_leakage(TrainingData(frame=frame, spec=spec, splits=pd.DataFrame()), LeakageSettings())
    by_feature = {flag.feature: flag for flag in flags}
    assert set(by_feature) == {"deal_amount"}
    line = by_feature["deal_amount"].line()
    assert (
        "filled mostly for converters" in line
        and f"NULL and {default:g}, the value of nearly every non-converter" in line
    )
    assert f"filled for {deal[y].mean():.0%} of converters, 0% of the rest" in line
    with pytest.raises(LeakageError, match="deal_amount: filled mostly for converters"):
        enforce(flags, allowed=(), allow_all=False, relation="features.t")
    assert enforce(flags, allowed=("deal_amount",), allow_all=False, relation="features.t") == flags
