"""The HTML training report: charts (ROC, precision-recall, calibration, lift by decile, feature
importance, score distribution) and tables, in one self-contained file that opens offline."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve


def figure_html(figure: plt.Figure, title: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}"><figcaption>{html.escape(title)}</figcaption></figure>'


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


def _walk_forward_figure(period_aucs: pd.DataFrame, label_rates: pd.DataFrame) -> str:
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    scores = [c for c in period_aucs.columns if c not in ("period", "rows", "conversions", "label_rate")]
    for name in scores:
        style = (
            {"linestyle": "--", "color": "black", "marker": "x"}
            if name == "selection_free"
            else {"marker": "o"}
        )
        axes[0].plot(period_aucs["period"], period_aucs[name], label=name, **style)
    axes[0].set(
        xlabel="period", ylabel="ROC-AUC", title="Walk-forward: each period scored by a fit made before it"
    )
    axes[0].legend(fontsize=8)
    axes[0].tick_params(axis="x", rotation=45, labelsize=8)
    axes[1].bar(label_rates["period"], label_rates["label_rate"])
    axes[1].set(xlabel="period", ylabel="label rate", title="Label rate per period (all labelled history)")
    axes[1].tick_params(axis="x", rotation=90, labelsize=7)
    return figure_html(figure, "Walk-forward ROC-AUC per period, and the label rate over time")


def _selection_section(inputs: ReportInputs) -> str:
    """How the champion was chosen: the rule, the figures it reads, and the sentence it produced."""
    if inputs.family_figures is None:
        return ""
    return (
        f"<h3>Choosing the champion</h3><p>{html.escape(inputs.champion_rule)}.</p>"
        f"{html_table(inputs.family_figures)}<p><b>{html.escape(inputs.champion_reason)}</b>.</p>"
    )


def html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", border=0)


def render_report(path: Path, inputs: ReportInputs) -> Path:
    y_test, probabilities, rankings = inputs.y_test, inputs.probabilities, inputs.rankings
    deciles, importances, champion = inputs.deciles, inputs.importances, inputs.champion
    figures = [_walk_forward_figure(inputs.period_aucs, inputs.label_rates)]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, score in rankings.items():
        fpr, tpr, _ = roc_curve(y_test, score)
        axes[0].plot(fpr, tpr, label=name)
        precision, recall, _ = precision_recall_curve(y_test, score)
        axes[1].plot(recall, precision, label=name)
    axes[0].plot([0, 1], [0, 1], color="grey", linestyle=":")
    axes[0].set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    axes[1].axhline(y_test.mean(), color="grey", linestyle=":")
    axes[1].set(xlabel="recall", ylabel="precision", title="Precision-recall")
    axes[0].legend(fontsize=8)
    figures.append(figure_html(figure, "Ranking on the fixed test split"))

    figure, axis = plt.subplots(figsize=(5.5, 4.5))
    for name, probability in probabilities.items():
        order = np.argsort(probability)
        bins = np.array_split(order, 10)
        axis.plot(
            [probability[b].mean() for b in bins], [y_test[b].mean() for b in bins], marker="o", label=name
        )
    top = max(float(np.max([p.max() for p in probabilities.values()])), 0.05)
    axis.plot([0, top], [0, top], color="grey", linestyle=":")
    axis.set(xlabel="predicted probability", ylabel="observed conversion rate", title="Calibration (deciles)")
    axis.legend(fontsize=8)
    figures.append(figure_html(figure, "Calibration"))

    figure, axis = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(deciles)
    for i, (name, table) in enumerate(deciles.items()):
        axis.bar(table["decile"] + i * width - 0.4 + width / 2, table["lift"], width=width, label=name)
    axis.axhline(1.0, color="grey", linestyle=":")
    axis.set(xlabel="decile (1 = highest scores)", ylabel="lift over base rate", title="Lift by decile")
    axis.legend(fontsize=8)
    figures.append(figure_html(figure, "Lift by decile against the legacy rule score"))

    figure, axes = plt.subplots(1, len(importances), figsize=(5.5 * len(importances), 5))
    for axis, (name, importance) in zip(np.atleast_1d(axes), importances.items(), strict=True):
        top_features = importance.head(15)[::-1]
        axis.barh(top_features.index, top_features.to_numpy())
        axis.set(title=f"{name}: importance", xlabel="share")
        axis.tick_params(axis="y", labelsize=8)
    figures.append(figure_html(figure, "Feature importance"))

    figure, axis = plt.subplots(figsize=(7, 4.5))
    champion_probability = probabilities[champion]
    bins = np.logspace(np.log10(max(champion_probability.min(), 1e-5)), 0, 40)
    axis.hist(champion_probability[y_test == 0], bins=bins, alpha=0.6, density=True, label="did not convert")
    axis.hist(champion_probability[y_test == 1], bins=bins, alpha=0.6, density=True, label="converted")
    axis.set(xscale="log", xlabel="champion probability", ylabel="density", title="Score distribution")
    axis.legend()
    figures.append(figure_html(figure, "Score distribution on the test split"))

    warnings = "".join(f"<li>{html.escape(line)}</li>" for line in inputs.drift_warnings) or "<li>none</li>"
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Lead scoring: training report</title>
<style>body{{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}} table{{border-collapse:collapse}}
td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}} figure{{margin:1.5em 0}} img{{max-width:100%}}</style>
</head><body><h1>Lead scoring: training report</h1>
<p>Champion: <b>{html.escape(champion)}</b>, served as fitted on {html.escape(inputs.served)}.
Its performance estimate is the walk-forward backtest: every recent period scored by the same procedure
run on the labels known when that period started.</p>
<h2>Walk-forward backtest</h2>{html_table(inputs.walk_forward)}{figures[0]}{html_table(inputs.period_aucs)}
{_selection_section(inputs)}
<h2>Drift seen at training time</h2><ul>{warnings}</ul>
<h2>Fixed test split</h2><p>Each procedure as of the test split's start, scored on it (comparable with earlier versions).</p>
{html_table(inputs.comparison)}{"".join(figures[1:])}</body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
