"""What the served reasons say about the model as a whole, for the model card and the training
report: each feature's mean |contribution| beside its share of the model's importance, and one
worked example lead. Both read contribution_sum_check's result (evaluation/parity.py), which the
warehouse computed from the served reasons SQL on the test rows."""

from __future__ import annotations

import pandas as pd

SHOWN_FEATURES = 8


def contribution_measure(method: str | None) -> str:
    """What the mean |contribution| column measures. Served reasons are Shapley values unless they
    are Saabas path contributions: TreeSHAP for trees, coefficient x (value - mean) for a linear
    model (its Shapley values under feature independence), and a blend's weighted mean of those (the
    Shapley values of its blended log-odds, by linearity)."""
    return "mean |Saabas contribution| (log-odds)" if "Saabas" in (method or "") else "mean |SHAP| (log-odds)"


def importance_table(checked: dict, importance: pd.Series, method: str | None = None) -> pd.DataFrame | None:
    """The features that matter most by either measure: mean |contribution| (log-odds, what the
    reasons imply; mean |SHAP| unless `method`, the served reasons' description, is Saabas) and the
    importance share (trees' split gain; |coefficient| x spread for a linear model). None when the
    check has no contributions."""
    mean_abs = checked.get("mean_abs_contribution")
    if not mean_abs:
        return None
    features = list(dict.fromkeys([*list(mean_abs)[:SHOWN_FEATURES], *importance.head(SHOWN_FEATURES).index]))
    return pd.DataFrame(
        {
            "feature": features,
            contribution_measure(method): [round(mean_abs.get(f, 0.0), 4) for f in features],
            "gain share": [f"{importance.get(f, 0.0):.1%}" for f in features],
        }
    )


def example_table(example: dict) -> pd.DataFrame:
    """The worked example's largest contributions, with the lead's value of each feature."""
    shown = pd.DataFrame(example["contributions"][:SHOWN_FEATURES])
    shown["contribution"] = shown["contribution"].round(4)
    return shown
