"""The check every warehouse's scoring models must pass: dbt's lead_training_scores equals the saved
models' predict_proba on every test row (champion and challenger)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.registry.artifacts import load_model_version

TOLERANCE = 1e-9


def saved_estimators(warehouse, outcome) -> dict[str, object]:
    """The fitted estimators as saved in the warehouse's project (family -> estimator)."""
    with warehouse.env():
        return {
            kind: load_model_version(version.model_id).load_estimator()
            for kind, version in outcome.versions.items()
        }


def assert_training_scores_equal_predict_proba(warehouse, outcome) -> pd.DataFrame:
    spec = outcome.run.data.spec
    features = list(spec.features)
    test = warehouse.query("select * from features.lead_training_set where split = 'test'")
    scored = warehouse.query("select * from scoring.lead_training_scores where split = 'test'")
    merged = test.merge(scored, on=["lead_id", "as_of_at"], validate="one_to_one")
    assert len(merged) == len(test) > 500
    for column in spec.numeric:  # Spark returns decimals as Decimal objects
        merged[column] = pd.to_numeric(merged[column]).astype(float)
    estimators = saved_estimators(warehouse, outcome)
    served = [(outcome.registry.champion, "champion_probability")]
    if outcome.registry.challenger is not None:
        served.append((outcome.registry.challenger, "challenger_probability"))
    else:  # no challenger: the column is there, empty
        assert merged["challenger_probability"].isna().all()
    for model_id, column in served:
        kind = model_id.split("_")[0]
        expected = estimators[kind].predict_proba(merged[features])[:, 1]
        assert np.abs(merged[column].astype(float).to_numpy() - expected).max() < TOLERANCE, kind
    return merged
