"""The HTML training report, for two readers: first the sales-ops lead (what the tiers would have
done on the test period, in plain words), then the technical detail (walk-forward backtest, how the
champion was chosen, drift, the fixed test split, charts). One self-contained file that opens
offline; the page is templates/training_report.html.j2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter
from sklearn.calibration import CalibrationDisplay
from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

from leadscore.evaluation.metrics import TierThreshold
from leadscore.evaluation.reasons_summary import example_table, importance_table
from leadscore.reporting.drift_section import drift_section
from leadscore.reporting.page import figure_html, html_table, render_page

LEGACY = "legacy_rule_score"


@dataclass(frozen=True)
class ReportInputs:
    y_test: np.ndarray
    probabilities: dict[str, np.ndarray]  # calibrated, on the fixed test split
    rankings: dict[str, np.ndarray]
    comparison: pd.DataFrame  # the fixed test split
    walk_forward: pd.DataFrame  # per score: spread and pooled walk-forward figures
    period_aucs: pd.DataFrame  # period, rows, conversions, label_rate, then one AUC column per score
    label_rates: pd.DataFrame  # every period of the history: period, rows, conversions, label_rate
    drift_warnings: list[str]
    importances: dict[str, pd.Series]
    deciles: dict[str, pd.DataFrame]
    champion: str
    served: str  # what the served champion was fitted on
    champion_rule: str = ""  # modeling/selection.py
    champion_reason: str = ""
    family_figures: pd.DataFrame | None = None  # per family: recency-weighted and mean AUC, trend
    tiers: tuple[TierThreshold, ...] | list[TierThreshold] = ()  # every tier but the last (cost 0)
    current_drift: pd.DataFrame | None = None  # reporting/drift_section.py current_drift
    has_oracle: bool = False  # the demo's generator knows every lead's true propensity
    # The champion's served reasons on the test rows (evaluation/parity.py contribution_sum_check)
    # and how they are computed: the global importance they imply and a worked example.
    reasons: dict | None = None
    reasons_method: str = ""


def label(name: str, champion: str) -> str:
    """How a score is named for people: the champion marked, the rule score in words."""
    if name == LEGACY:
        return "legacy rule score"
    return f"{name} (champion)" if name == champion else name


def tier_table(y: np.ndarray, probability: np.ndarray, tiers) -> pd.DataFrame:
    """Each test-period lead in the first tier its probability pays for (the rest in the last tier):
    how many leads, how many converted."""
    names = [tier.tier for tier in tiers] + ["the rest (last tier)"]
    assigned = np.full(len(probability), len(tiers))
    for index in reversed(range(len(tiers))):
        assigned[probability >= tiers[index].min_probability] = index
    rows = []
    for index, name in enumerate(names):
        chosen = assigned == index
        rows.append(
            {
                "tier": name,
                "leads": int(chosen.sum()),
                "share of leads": float(chosen.mean()) if len(chosen) else 0.0,
                "converted": int(y[chosen].sum()),
                "conversion rate": float(y[chosen].mean()) if chosen.any() else np.nan,
                "share of all conversions": float(y[chosen].sum() / max(y.sum(), 1)),
            }
        )
    return pd.DataFrame(rows)


def _summary(inputs: ReportInputs) -> str:
    champion = inputs.deciles[inputs.champion].iloc[0]
    base = float(inputs.y_test.mean())
    text = (
        f"On the test period, the tenth of leads the new model ranks highest converted at "
        f"{champion['conversion_rate']:.1%}, {champion['lift']:.1f} times the {base:.1%} of all leads"
    )
    if LEGACY in inputs.deciles:
        legacy = inputs.deciles[LEGACY].iloc[0]
        text += f"; the legacy rule score's top tenth converted at {legacy['conversion_rate']:.1%}"
    return text + "."


def _walk_forward_figure(period_aucs: pd.DataFrame, label_rates: pd.DataFrame, champion: str) -> str:
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    scores = [c for c in period_aucs.columns if c not in ("period", "rows", "conversions", "label_rate")]
    for name in scores:
        style = (
            {"linestyle": "--", "color": "black", "marker": "x"}
            if name == "selection_free"
            else {"marker": "o"}
        )
        shown = (
            "the whole procedure (selection included)" if name == "selection_free" else label(name, champion)
        )
        axes[0].plot(period_aucs["period"], period_aucs[name], label=shown, **style)
    axes[0].set(
        xlabel="period", ylabel="ROC-AUC", title="Walk-forward: each period scored by a fit made before it"
    )
    axes[0].legend(fontsize=8)
    axes[0].tick_params(axis="x", rotation=45, labelsize=8)
    axes[1].bar(label_rates["period"], label_rates["label_rate"])
    axes[1].yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].set(
        xlabel="period", ylabel="leads converted", title="Conversion rate per period (all labelled history)"
    )
    axes[1].tick_params(axis="x", rotation=90, labelsize=7)
    return figure_html(figure, "Walk-forward ROC-AUC per period, and the conversion rate over time")


def _ranking_figure(inputs: ReportInputs) -> str:
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, score in inputs.rankings.items():
        shown = label(name, inputs.champion)
        RocCurveDisplay.from_predictions(
            inputs.y_test, score, name=shown, ax=axes[0], plot_chance_level=False
        )
        PrecisionRecallDisplay.from_predictions(inputs.y_test, score, name=shown, ax=axes[1])
    axes[0].plot([0, 1], [0, 1], color="grey", linestyle=":")
    axes[1].axhline(inputs.y_test.mean(), color="grey", linestyle=":", label="every lead alike")
    axes[0].set(title="ROC")
    axes[1].set(title="Precision-recall")
    for axis in axes:
        axis.legend(fontsize=7)
    return figure_html(figure, "Ranking on the fixed test split")


def _calibration_figure(inputs: ReportInputs) -> str:
    figure, axis = plt.subplots(figsize=(6, 4.5))
    top = 0.0
    for name, probability in inputs.probabilities.items():
        display = CalibrationDisplay.from_predictions(
            inputs.y_test,
            probability,
            n_bins=10,
            strategy="quantile",
            name=label(name, inputs.champion),
            ax=axis,
        )
        top = max(top, float(np.max(display.prob_pred)), float(np.max(display.prob_true)))
    top = min(1.0, 1.1 * top) or 0.05
    axis.set_xlim(0, top)
    axis.set_ylim(0, top)
    axis.xaxis.set_major_formatter(PercentFormatter(1.0))
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set(
        xlabel="predicted chance to convert",
        ylabel="leads that converted",
        title="Calibration (tenths of leads)",
    )
    axis.legend(fontsize=7)
    return figure_html(figure, "Calibration: a point on the diagonal means the predicted chance came true")


def _lift_figure(inputs: ReportInputs) -> str:
    figure, axis = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(inputs.deciles)
    for i, (name, table) in enumerate(inputs.deciles.items()):
        axis.bar(
            table["decile"] + i * width - 0.4 + width / 2,
            table["lift"],
            width=width,
            label=label(name, inputs.champion),
        )
    axis.axhline(1.0, color="grey", linestyle=":")
    axis.set_xticks(range(1, 11))
    axis.set(
        xlabel="tenth of leads (1 = highest scores)",
        ylabel="times the average conversion rate",
        title="Lift by tenth",
    )
    axis.legend(fontsize=8)
    return figure_html(figure, "Lift by tenth of leads, against the legacy rule score")


def _importance_figure(inputs: ReportInputs) -> str:
    figure, axes = plt.subplots(1, len(inputs.importances), figsize=(5.5 * len(inputs.importances), 5))
    for axis, (name, importance) in zip(np.atleast_1d(axes), inputs.importances.items(), strict=True):
        top_features = importance.head(15)[::-1]
        axis.barh([feature.replace("_", " ") for feature in top_features.index], top_features.to_numpy())
        axis.xaxis.set_major_formatter(PercentFormatter(1.0))
        axis.set(title=label(name, inputs.champion), xlabel="share of importance")
        axis.tick_params(axis="y", labelsize=8)
    return figure_html(figure, "Feature importance")


def _distribution_figure(inputs: ReportInputs) -> str:
    figure, axis = plt.subplots(figsize=(7, 4.5))
    probability = inputs.probabilities[inputs.champion]
    top = float(np.quantile(probability, 0.995)) or float(probability.max()) or 1.0
    bins = np.linspace(0, top, 40)
    for converted, name in ((0, "did not convert"), (1, "converted")):
        chosen = np.clip(probability[inputs.y_test == converted], 0, top)
        axis.hist(chosen, bins=bins, alpha=0.6, density=True, label=name)
    axis.xaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set(
        xlabel="predicted chance to convert (the top 0.5% at the right edge)",
        ylabel="share of leads (density)",
        title="Score distribution",
    )
    axis.legend()
    return figure_html(
        figure, "Score distribution on the test split: converted leads should sit to the right"
    )


def _reasons(inputs: ReportInputs) -> dict[str, str] | None:
    """The reasons section's parts: the worked example for sales, the global importance for analysts."""
    checked = inputs.reasons or {}
    table = importance_table(
        checked, inputs.importances.get(inputs.champion, pd.Series(dtype=float)), inputs.reasons_method
    )
    if table is None:
        return None
    example = checked.get("example")
    return {
        "method": inputs.reasons_method,
        "rows": f"{checked.get('rows', 0):,} test rows"
        + (f" (a fixed sample of the {checked['sampled_from']:,})" if "sampled_from" in checked else ""),
        "importance": html_table(table),
        "sales_sentence": _sales_sentence(example) if example else "",
        "example_sum": _example_sum(example) if example else "",
        "example": html_table(example_table(example)) if example else "",
    }


def _example_sum(example: dict) -> str:
    """How the worked example's reasons add up, for analysts."""
    return (
        f"log-odds {example['log_odds']:.4f} = bias {example['bias']:.4f} + its "
        f"{len(example['contributions'])} non-zero contributions (probability {example['probability']:.1%})"
    )


def _sales_sentence(example: dict) -> str:
    """The worked example in a rep's words: which lead, how likely, then its reasons (the analysts'
    sum, with bias and log-odds, is in the Reasons section)."""
    as_of = str(example["as_of_at"]).removesuffix(" 00:00:00")
    return (
        f"lead {example['lead_id']} as of {as_of}, the highest-scored lead of the test period, had a "
        f"{example['probability']:.0%} chance to convert"
    )


def render_report(path: Path, inputs: ReportInputs) -> Path:
    comparison = inputs.comparison
    return render_page(
        "training_report.html.j2",
        path,
        title="Lead scoring: training report",
        inputs=inputs,
        summary=_summary(inputs),
        tiers=html_table(
            tier_table(inputs.y_test, inputs.probabilities[inputs.champion], list(inputs.tiers)),
            percent_columns=("share of leads", "conversion rate", "share of all conversions"),
        )
        if inputs.tiers
        else None,
        walk_forward=html_table(inputs.walk_forward),
        walk_forward_figure=_walk_forward_figure(inputs.period_aucs, inputs.label_rates, inputs.champion),
        period_aucs=html_table(inputs.period_aucs, percent_columns=("label_rate",)),
        family_figures=None if inputs.family_figures is None else html_table(inputs.family_figures),
        drift=None if inputs.current_drift is None else drift_section(inputs.current_drift),
        comparison=html_table(comparison),
        reasons=_reasons(inputs),
        figures=[
            _ranking_figure(inputs),
            _calibration_figure(inputs),
            _lift_figure(inputs),
            _importance_figure(inputs),
            _distribution_figure(inputs),
        ],
    )
