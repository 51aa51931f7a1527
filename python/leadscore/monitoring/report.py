"""The HTML monitoring report (`leadscore monitor`, and the end of `make demo`): drift over time, live
and estimated ROC-AUC over time, tier conversion over time, the alerts of the last build and the
decision log. It reads only the warehouse's monitoring models and dbt's run results, so what it shows
is what the dbt tests judged."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from leadscore.dbt_artifacts import last_results, node_name
from leadscore.evaluation.report import figure_html, html_table
from leadscore.monitoring.drift import PSI_ALERT
from leadscore.relations import model_relation
from leadscore.warehouse import Warehouse

ALERT_FOLDER = "tests/dbt/monitoring/"


def _read(warehouse: Warehouse, table: str, order: str) -> pd.DataFrame:
    return warehouse.query(
        f"select * from {model_relation(table, warehouse.target.sql_dialect)} order by {order}"
    )


# The drift charts' y axis covers the last this many snapshots (and at least 3x the alert line), so
# the first months of history, when every open lead is young and PSI is huge, do not flatten the rest.
DRIFT_SCALE_SNAPSHOTS = 12


def _psi_axis_top(psi: pd.Series, as_of_at: pd.Series) -> float:
    recent = psi[as_of_at >= sorted(as_of_at.unique())[-DRIFT_SCALE_SNAPSHOTS:][0]]
    return max(3 * PSI_ALERT, 1.15 * float(recent.max()) if len(recent.dropna()) else 0.0)


def _drift_figure(drift: pd.DataFrame) -> str:
    watched = drift[drift["is_score"] | drift["is_top_feature"]]
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    off_scale = []
    for feature, rows in watched.groupby("feature"):
        style = {"color": "black", "linewidth": 2.5} if feature == "champion_probability" else {}
        axes[0].plot(rows["as_of_at"], rows["psi_vs_training"], marker="o", label=feature, **style)
        axes[1].plot(rows["as_of_at"], rows["psi_vs_previous"], marker="o", label=feature, **style)
    for axis, column, title in zip(
        axes,
        ("psi_vs_training", "psi_vs_previous"),
        ("PSI against the training baseline", "PSI against the previous period"),
        strict=True,
    ):
        top = _psi_axis_top(watched[column], watched["as_of_at"])
        above = watched[watched[column] > top]
        off_scale.extend(
            f"{column} {row.feature} {row.as_of_at:%Y-%m} ({row[column]:.2f})" for _, row in above.iterrows()
        )
        axis.set_ylim(0, top)
        axis.axhline(PSI_ALERT, color="red", linestyle=":", label=f"alert ({PSI_ALERT:g})")
        axis.set(title=title, xlabel="snapshot (the last point is the current run)", ylabel="PSI")
        axis.tick_params(axis="x", rotation=45, labelsize=8)
    axes[0].legend(fontsize=7)
    caption = "Drift of the score and the champion's five most important features"
    if off_scale:
        caption += (
            f". Off the scale ({len(off_scale)} points, mostly the first months of history, when every open lead"
            f" is young): {'; '.join(off_scale[:6])}{' ...' if len(off_scale) > 6 else ''}"
        )
    return figure_html(figure, caption)


def _auc_figure(performance: pd.DataFrame, estimated: pd.DataFrame) -> str:
    figure, axis = plt.subplots(figsize=(10, 4.5))
    seen = performance[~performance["is_after_training"].astype(bool)]
    live = performance[performance["is_after_training"].astype(bool)]
    axis.plot(
        seen["as_of_at"],
        seen["roc_auc"],
        marker="o",
        color="grey",
        label="realised (in the champion's training data)",
    )
    if len(live):
        axis.plot(
            live["as_of_at"],
            live["roc_auc"],
            marker="o",
            color="tab:green",
            label="realised, live (after training)",
        )
    axis.plot(
        estimated["as_of_at"],
        estimated["estimated_auc"],
        marker="x",
        label="estimated from probabilities (CBPE)",
    )
    estimate = performance["estimated_auc"].dropna()
    if len(estimate):
        axis.axhline(
            estimate.iloc[0], color="tab:blue", linestyle="--", label="walk-forward estimate at training"
        )
        axis.axhline(
            estimate.iloc[0] * 0.95, color="red", linestyle=":", label="alert: 5% below the estimate"
        )
    axis.set(title="ROC-AUC over time", xlabel="snapshot month", ylabel="ROC-AUC")
    axis.tick_params(axis="x", rotation=45, labelsize=8)
    axis.legend(fontsize=8)
    return figure_html(figure, "Live and estimated ROC-AUC per month")


def _tier_figure(tiers: pd.DataFrame) -> str:
    figure, axis = plt.subplots(figsize=(10, 4.5))
    for (_, tier), rows in tiers.groupby(["tier_rank", "tier"]):
        axis.plot(rows["as_of_at"], rows["conversion_rate"], marker="o", label=tier)
    # symlog: log above 0.1%, linear below, so a tier that converted nobody shows at 0 instead of vanishing.
    axis.set_yscale("symlog", linthresh=1e-3)
    axis.set(title="Conversion rate per tier", xlabel="snapshot month", ylabel="conversion rate (symlog)")
    axis.tick_params(axis="x", rotation=45, labelsize=8)
    axis.legend(fontsize=8)
    return figure_html(figure, "Tier conversion over time")


def alert_results(target_dir: Path) -> pd.DataFrame:
    """The monitoring alerts of the last dbt invocation that ran them: name, status, failing rows."""
    rows = [
        {
            "alert": node_name(result["unique_id"]),
            "status": result["status"],
            "rows": result.get("failures"),
        }
        for result in last_results(target_dir)
        if result["unique_id"].startswith("test.") and ".alert_" in result["unique_id"]
    ]
    return pd.DataFrame(rows, columns=["alert", "status", "rows"]).sort_values("alert")


def render_monitoring_report(warehouse: Warehouse, target_dir: Path, path: Path) -> Path:
    drift = _read(warehouse, "monitoring_feature_drift", "as_of_at, feature")
    performance = _read(warehouse, "monitoring_performance_by_month", "as_of_at")
    estimated = _read(warehouse, "monitoring_estimated_performance", "as_of_at")
    tiers = _read(warehouse, "monitoring_tier_performance_by_month", "as_of_at, tier_rank")
    registry = _read(warehouse, "model_registry", "model_id")
    decisions = _read(warehouse, "model_decision_log", "decision_number")
    alerts = alert_results(target_dir)
    current = drift[drift["snapshot_kind"] == "current"].sort_values("psi_vs_training", ascending=False)
    firing = alerts[alerts["status"].isin(["warn", "fail", "error"])]
    headline = (
        f"{len(firing)} alert(s) fired in the last build: " + ", ".join(firing["alert"])
        if len(firing)
        else f"No alert fired in the last build ({len(alerts)} checked)."
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Lead scoring: monitoring report</title>
<style>body{{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}} table{{border-collapse:collapse}}
td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}} figure{{margin:1.5em 0}} img{{max-width:100%}}</style>
</head><body><h1>Lead scoring: monitoring report</h1>
<p><b>{html.escape(headline)}</b> Alerts are dbt tests with warn severity (tests/dbt/monitoring/); thresholds
are the vars <code>monitoring_*</code> in dbt_project.yml.</p>{html_table(alerts)}
<h2>Drift</h2>{_drift_figure(drift)}
<p>The current run against the training baseline, largest PSI first:</p>
{html_table(current[["feature", "is_top_feature", "psi_vs_training", "js_distance_vs_training", "psi_vs_previous"]].head(12))}
<h2>Performance</h2>{_auc_figure(performance, estimated)}
<p>Months before the champion's newest training label are in its training data: their realised AUC
is optimistic. The walk-forward estimate and the CBPE line are the figures to watch until live months arrive.</p>
{_tier_figure(tiers)}
<h2>Models</h2>{html_table(registry)}<h3>Decision log</h3>{html_table(decisions)}
</body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
