"""Which family serves: chosen for the periods ahead, not for the average of the past.

Each family's walk-forward ROC-AUC per period is weighed by recency (the newest period weighs 1,
one HALF_LIFE_PERIODS older 0.5), since the next period looks more like the last ones than like the
oldest. A more complex family must beat the simplest one (logistic) by COMPLEXITY_MARGIN on that
weighted figure to serve: a tree that wins by noise-level margins costs readable reasons and trust
for nothing. The figures, the trend (AUC change per period, least squares) and the rule are recorded
in the metadata and shown in training's output and the report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HALF_LIFE_PERIODS = 2.0
COMPLEXITY_MARGIN = 0.005
# Simplest first: a family serves over a simpler one only by the margin.
COMPLEXITY = {"logistic": 0, "hgb": 1, "gbm": 1, "lightgbm": 1}
SELECTION_RULE = (
    f"champion: the family with the highest recency-weighted mean walk-forward ROC-AUC (the newest period "
    f"weighs 1, each {HALF_LIFE_PERIODS:g} periods older half as much); a family more complex than logistic "
    f"serves only when it beats logistic by at least {COMPLEXITY_MARGIN} on that figure"
)


@dataclass(frozen=True)
class FamilyFigures:
    kind: str
    period_aucs: list[float]
    mean_auc: float
    weighted_auc: float
    trend_per_period: float  # least-squares slope of AUC over the periods

    def to_dict(self) -> dict[str, object]:
        return {
            "period_aucs": self.period_aucs,
            "mean_auc": self.mean_auc,
            "weighted_auc": self.weighted_auc,
            "trend_per_period": self.trend_per_period,
        }


def recency_weights(count: int) -> np.ndarray:
    ages = np.arange(count)[::-1]  # the newest period has age 0
    return 0.5 ** (ages / HALF_LIFE_PERIODS)


def family_figures(kind: str, period_aucs: list[float]) -> FamilyFigures:
    aucs = np.asarray(period_aucs, dtype=float)
    weights = recency_weights(len(aucs))
    trend = float(np.polyfit(np.arange(len(aucs)), aucs, 1)[0]) if len(aucs) > 1 else 0.0
    return FamilyFigures(
        kind=kind,
        period_aucs=[float(auc) for auc in aucs],
        mean_auc=float(aucs.mean()),
        weighted_auc=float(np.average(aucs, weights=weights)),
        trend_per_period=trend,
    )


def rank_families(figures: list[FamilyFigures]) -> tuple[list[str], str]:
    """Families in serving order (champion first) and one sentence saying why."""
    by_weighted = sorted(figures, key=lambda f: (-f.weighted_auc, COMPLEXITY.get(f.kind, 1), f.kind))
    best = by_weighted[0]
    simplest = min(figures, key=lambda f: (COMPLEXITY.get(f.kind, 1), -f.weighted_auc, f.kind))
    if best.kind != simplest.kind and best.weighted_auc < simplest.weighted_auc + COMPLEXITY_MARGIN:
        order = [simplest, *[f for f in by_weighted if f.kind != simplest.kind]]
        why = (
            f"{simplest.kind} serves: {best.kind} scores {best.weighted_auc:.4f} recency-weighted against "
            f"{simplest.weighted_auc:.4f}, short of the {COMPLEXITY_MARGIN} margin a more complex family needs"
        )
        return [f.kind for f in order], why
    runner_up = by_weighted[1] if len(by_weighted) > 1 else None
    why = f"{best.kind} serves: recency-weighted walk-forward ROC-AUC {best.weighted_auc:.4f}" + (
        f" against {runner_up.kind} {runner_up.weighted_auc:.4f}" if runner_up else ""
    )
    return [f.kind for f in by_weighted], why
