"""The demo's ceiling: the AUC of the true propensity (the generator's hidden hazard) on the same
test rows. Only this module reads the oracle schema, only to report, never to train; on real data
the oracle tables do not exist and the ceiling is simply absent."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from leadscore.demo_data.truth import HazardParameters
from leadscore.warehouse import Warehouse

ORACLE_SCHEMA = "oracle"


def oracle_ceiling(
    warehouse: Warehouse, rows: pd.DataFrame, label: str, window_days: float
) -> dict[str, float] | None:
    """rows: lead_id, as_of_at and the label, for the evaluation split."""
    try:
        oracle = warehouse.query(f"select * from {ORACLE_SCHEMA}.lead_propensity")
        parameters = warehouse.query(f"select * from {ORACLE_SCHEMA}.generation_parameters").iloc[0]
    except Exception:  # no demo oracle in this warehouse
        return None
    # Lead ids are text in the warehouse's marts; the oracle keeps the generator's integers.
    oracle["lead_id"] = oracle["lead_id"].astype(str)
    joined = rows.assign(lead_id=rows["lead_id"].astype(str)).merge(oracle, on="lead_id", how="left")
    known = joined["created_day"].notna().to_numpy()
    if known.mean() < 0.99:
        return None
    joined = joined[known]
    start = pd.Timestamp(parameters["history_start_at"])
    as_of_day = (pd.to_datetime(joined["as_of_at"]) - start).dt.total_seconds().to_numpy() / 86400.0
    hazard = HazardParameters.from_oracle(joined, parameters["drift_start_day"])
    probability = hazard.conversion_probability(as_of_day, window_days)
    y = joined[label].astype(int).to_numpy()
    return {
        "roc_auc": float(roc_auc_score(y, probability)),
        "pr_auc": float(average_precision_score(y, probability)),
        "rows": len(y),
        "mean_true_probability": float(np.mean(probability)),
    }
