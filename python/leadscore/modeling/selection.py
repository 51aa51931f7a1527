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
# Simplest first: a family serves over a simpler one only by the margin. The blend reads two models.
COMPLEXITY = {"logistic": 0, "hgb": 1, "gbm": 1, "lightgbm": 1, "xgboost": 1, "blend": 2}
SELECTION_RULE = (
    f"champion: the simplest family (logistic) unless a more complex one scores at least {COMPLEXITY_MARGIN} "
    f"higher on recency-weighted mean walk-forward ROC-AUC (the newest period weighs 1, each "
    f"{HALF_LIFE_PERIODS:g} periods older half as much); trees (one model) are weighed first, then the blend "
    f"(logistic and the best tree averaged in log-odds), each against the family chosen so far"
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
    """Families in serving order (champion first) and one sentence saying why.

    Complexity levels are climbed from the simplest: the best family of the next level replaces the
    one chosen so far only when it beats it by COMPLEXITY_MARGIN on the recency-weighted AUC."""
    levels = sorted({COMPLEXITY.get(f.kind, 1) for f in figures})

    def best_at(level: int) -> FamilyFigures:
        return max(
            (f for f in figures if COMPLEXITY.get(f.kind, 1) == level), key=lambda f: (f.weighted_auc, f.kind)
        )

    chosen = best_at(levels[0])
    passed_over: list[FamilyFigures] = []
    for level in levels[1:]:
        candidate = best_at(level)
        if candidate.weighted_auc >= chosen.weighted_auc + COMPLEXITY_MARGIN:
            chosen = candidate
        else:
            passed_over.append(candidate)
    others = sorted(
        (f for f in figures if f.kind != chosen.kind),
        key=lambda f: (-f.weighted_auc, COMPLEXITY.get(f.kind, 1), f.kind),
    )
    order = [chosen.kind, *[f.kind for f in others]]
    why = f"{chosen.kind} serves: recency-weighted walk-forward ROC-AUC {chosen.weighted_auc:.4f}"
    if others:
        why += " against " + ", ".join(f"{f.kind} {f.weighted_auc:.4f}" for f in others)
    short = [f for f in passed_over if f.weighted_auc > chosen.weighted_auc]
    if short:
        why += (
            f"; {', '.join(f.kind for f in short)} scored higher but short of the {COMPLEXITY_MARGIN} margin "
            "a more complex family needs"
        )
    return order, why
