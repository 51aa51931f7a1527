"""The HTML training report: charts (ROC, precision-recall, calibration, lift by decile, feature
importance, score distribution) and tables, in one self-contained file that opens offline."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve


def _figure_html(figure: plt.Figure, title: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}"><figcaption>{html.escape(title)}</figcaption></figure>'


def render_report(
    path: Path,
    y_test: np.ndarray,
    probabilities: dict[str, np.ndarray],
    rankings: dict[str, np.ndarray],
    comparison: pd.DataFrame,
    importances: dict[str, pd.Series],
    deciles: dict[str, pd.DataFrame],
    champion: str,
) -> Path:
    figures = []
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
    figures.append(_figure_html(figure, "Ranking on the test split"))

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
    figures.append(_figure_html(figure, "Calibration"))

    figure, axis = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(deciles)
    for i, (name, table) in enumerate(deciles.items()):
        axis.bar(table["decile"] + i * width - 0.4 + width / 2, table["lift"], width=width, label=name)
    axis.axhline(1.0, color="grey", linestyle=":")
    axis.set(xlabel="decile (1 = highest scores)", ylabel="lift over base rate", title="Lift by decile")
    axis.legend(fontsize=8)
    figures.append(_figure_html(figure, "Lift by decile against the legacy rule score"))

    figure, axes = plt.subplots(1, len(importances), figsize=(5.5 * len(importances), 5))
    for axis, (name, importance) in zip(np.atleast_1d(axes), importances.items(), strict=True):
        top_features = importance.head(15)[::-1]
        axis.barh(top_features.index, top_features.to_numpy())
        axis.set(title=f"{name}: importance", xlabel="share")
        axis.tick_params(axis="y", labelsize=8)
    figures.append(_figure_html(figure, "Feature importance"))

    figure, axis = plt.subplots(figsize=(7, 4.5))
    champion_probability = probabilities[champion]
    bins = np.logspace(np.log10(max(champion_probability.min(), 1e-5)), 0, 40)
    axis.hist(champion_probability[y_test == 0], bins=bins, alpha=0.6, density=True, label="did not convert")
    axis.hist(champion_probability[y_test == 1], bins=bins, alpha=0.6, density=True, label="converted")
    axis.set(xscale="log", xlabel="champion probability", ylabel="density", title="Score distribution")
    axis.legend()
    figures.append(_figure_html(figure, "Score distribution on the test split"))

    table = comparison.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", border=0)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Lead scoring: training report</title>
<style>body{{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}} table{{border-collapse:collapse}}
td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}} figure{{margin:1.5em 0}} img{{max-width:100%}}</style>
</head><body><h1>Lead scoring: training report</h1><p>Champion: <b>{html.escape(champion)}</b>. All numbers on the test split, which no choice was made on.</p>
{table}{"".join(figures)}</body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
