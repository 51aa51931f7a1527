"""The HTML monitoring report (`leadscore monitor`, and the end of `make demo`), for two readers: first
the sales-ops lead (today's open leads per tier, how each tier converted, an example lead with its
reasons, in plain words), then the technical detail (alerts, drift, live and estimated ROC-AUC, tier
conversion over time, the registry and decision log). It reads only the warehouse's scoring and
monitoring models and dbt's run results, so what it shows is what the dbt tests judged. The page is
templates/monitoring_report.html.j2; the drift section is shared with the training report."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import PercentFormatter

from leadscore.dbt_artifacts import last_results, node_name
from leadscore.monitoring.baselines import SCORE_FEATURE
from leadscore.monitoring.drift import PSI_ALERT
from leadscore.relations import model_relation
from leadscore.reporting.drift_section import SCORE_LABEL, drift_section
from leadscore.reporting.page import figure_html, html_table, render_page
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
        style = {"color": "black", "linewidth": 2.5} if feature == SCORE_FEATURE else {}
        name = SCORE_LABEL if feature == SCORE_FEATURE else feature.replace("_", " ")
        axes[0].plot(rows["as_of_at"], rows["psi_vs_training"], marker="o", label=name, **style)
        axes[1].plot(rows["as_of_at"], rows["psi_vs_previous"], marker="o", label=name, **style)
    for axis, column, title in zip(
        axes,
        ("psi_vs_training", "psi_vs_previous"),
        ("PSI against the training baseline", "PSI against the previous period"),
        strict=True,
    ):
        top = _psi_axis_top(watched[column], watched["as_of_at"])
        above = watched[watched[column] > top]
        off_scale.extend(
            (
                float(row[column]),
                f"{row.feature.replace('_', ' ')} in {row.as_of_at:%B %Y} (PSI {row[column]:.2f})",
            )
            for _, row in above.iterrows()
        )
        axis.set_ylim(0, top)
        axis.axhline(PSI_ALERT, color="red", linestyle=":", label=f"alert ({PSI_ALERT:g})")
        axis.set(title=title, xlabel="snapshot (the last point is the current run)", ylabel="PSI")
        axis.tick_params(axis="x", rotation=45, labelsize=8)
    axes[0].legend(fontsize=7)
    caption = "Drift of the score and the champion's five most important features"
    if off_scale:
        largest = [text for _, text in sorted(off_scale, reverse=True)[:3]]
        caption += (
            f". {len(off_scale)} point(s) are above the chart, mostly from the first months of history, when"
            f" every open lead was young; the largest: {', '.join(largest)}"
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
    axis.set_ylim(0, max(0.01, 1.1 * float(tiers["conversion_rate"].max() or 0)))
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set(title="Conversion rate per tier", xlabel="snapshot month", ylabel="leads that converted")
    axis.tick_params(axis="x", rotation=45, labelsize=8)
    axis.legend(fontsize=8)
    return figure_html(figure, "Tier conversion over time: the top tier should stay on top")


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


def _open_tiers(warehouse: Warehouse, history: pd.DataFrame) -> pd.DataFrame:
    """Today's open leads per tier, beside how each tier converted in the labelled months."""
    scores = _read(warehouse, "lead_scores", "lead_id")
    open_leads = scores[scores["is_open"].astype(bool)]
    today = (
        open_leads.groupby(["tier_rank", "tier", "recommended_action"], dropna=False)
        .agg(leads=("lead_id", "size"), sla_hours=("sla_hours", "first"))
        .reset_index()
    )
    today["share of open leads"] = today["leads"] / max(len(open_leads), 1)
    converted = history.groupby("tier_rank")[["labelled_rows", "conversions"]].sum()
    rate = (
        converted["conversions"] / converted["labelled_rows"].where(converted["labelled_rows"] > 0)
    ).rename("converted in labelled months")
    today = today.join(rate, on="tier_rank").sort_values("tier_rank")
    return today[
        [
            "tier",
            "leads",
            "share of open leads",
            "recommended_action",
            "sla_hours",
            "converted in labelled months",
        ]
    ].rename(columns={"recommended_action": "what to do", "sla_hours": "within (hours)"})


def _sentence_case(text: str) -> str:
    """'Route to sales now' -> 'route to sales now'; 'SDR sequence' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _tier_sentence(row) -> str:
    """'274 hot (route to sales now, within 4 hours)'."""
    leads, tier, action, hours = row[1], row[0], row[3], row[4]
    what = "" if pd.isna(action) else _sentence_case(str(action))
    if not pd.isna(hours):
        what += f", within {int(hours)} hours"
    return f"{leads:,} {tier}" + (f" ({what})" if what else "")


def _example_lead(warehouse: Warehouse) -> dict[str, object] | None:
    """The open lead with the highest score, with its reasons, as a rep sees it."""
    scores = _read(warehouse, "lead_scores", "score desc, lead_id")
    open_leads = scores[scores["is_open"].astype(bool)]
    if open_leads.empty:
        return None
    lead = open_leads.iloc[0]
    reasons = _read(warehouse, "lead_score_reasons", "direction desc, reason_rank")
    reasons = reasons[reasons["lead_id"] == lead["lead_id"]]
    return {
        "lead_id": lead["lead_id"],
        "score": int(lead["score"]),
        "probability": float(lead["probability"]),
        "tier": lead["tier"],
        "action_text": _sentence_case(str(lead["recommended_action"])),
        "sla_hours": None if pd.isna(lead["sla_hours"]) else int(lead["sla_hours"]),
        "for": reasons.loc[reasons["direction"] == "positive", "reason_text"].tolist(),
        "against": reasons.loc[reasons["direction"] == "negative", "reason_text"].tolist(),
    }


def render_monitoring_report(warehouse: Warehouse, target_dir: Path, path: Path) -> Path:
    drift = _read(warehouse, "monitoring_feature_drift", "as_of_at, feature")
    performance = _read(warehouse, "monitoring_performance_by_month", "as_of_at")
    estimated = _read(warehouse, "monitoring_estimated_performance", "as_of_at")
    tiers = _read(warehouse, "monitoring_tier_performance_by_month", "as_of_at, tier_rank")
    registry = _read(warehouse, "model_registry", "model_id")
    decisions = _read(warehouse, "model_decision_log", "decision_number")
    alerts = alert_results(target_dir)
    current = drift[(drift["snapshot_kind"] == "current") & (drift["is_score"] | drift["is_top_feature"])]
    firing = alerts[alerts["status"].isin(["warn", "fail", "error"])]
    headline = (
        f"{len(firing)} alert(s) fired in the last build: " + ", ".join(firing["alert"])
        if len(firing)
        else f"No alert fired in the last build ({len(alerts)} checked)."
    )
    open_tiers = _open_tiers(warehouse, tiers)
    return render_page(
        "monitoring_report.html.j2",
        path,
        title="Lead scoring: monitoring report",
        open_leads=int(open_tiers["leads"].sum()),
        tier_sentences=[_tier_sentence(row) for row in open_tiers.itertuples(index=False)],
        open_tiers=html_table(
            open_tiers, percent_columns=("share of open leads", "converted in labelled months")
        ),
        example=_example_lead(warehouse),
        headline=headline,
        alerts=html_table(alerts),
        drift=drift_section(current[["feature", "psi_vs_training", "js_distance_vs_training"]]),
        drift_figure=_drift_figure(drift),
        auc_figure=_auc_figure(performance, estimated),
        tier_figure=_tier_figure(tiers),
        registry=html_table(registry),
        decisions=html_table(decisions),
    )
