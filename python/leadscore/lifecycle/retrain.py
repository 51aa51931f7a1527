"""`leadscore retrain`: train on the freshest labels with the walk-forward protocol, then compare the
new best model with the current champion on the same, most recent matured period, and promote it only
if it is better by a stated margin. Otherwise it becomes the challenger, scored in shadow. Either
way the decision, with its figures, goes into the registry's history (the warehouse's
`monitoring.model_decision_log` after `dbt build --selector scores`).

The figures are out-of-sample for both sides where possible: the candidate's is its walk-forward
AUC on that period (fitted on the labels known before it). The champion's is its own walk-forward
AUC on that period if its backtest covered it. Otherwise it comes from its scores in the warehouse,
which are out-of-sample when the period is newer than the champion's training labels and flagged
as in-sample when not. The challenger's shadow scores on the period are reported beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import roc_auc_score

from leadscore.modeling.train import TrainingRun
from leadscore.registry.artifacts import ModelVersion, load_model_version
from leadscore.registry.registry import Registry, Segments, load_registry, promote
from leadscore.relations import model_relation
from leadscore.warehouse import Warehouse

DEFAULT_MARGIN = 0.005  # ROC-AUC points the candidate must gain to replace the champion


@dataclass(frozen=True)
class Figure:
    model_id: str
    roc_auc: float | None
    source: str  # where the figure comes from, and whether it is out-of-sample


def _walk_forward_auc(version: ModelVersion, period: str) -> float | None:
    periods = version.metrics.get("walk_forward", {}).get("periods", [])
    return next((float(row["roc_auc"]) for row in periods if row["period"] == period), None)


def _warehouse_auc(warehouse: Warehouse, column: str, starts_at: object) -> float | None:
    dialect = warehouse.target.sql_dialect
    frame = warehouse.query(
        f"select is_converted_in_window, {column} from {model_relation('lead_training_scores', dialect)} "
        f"where as_of_at = '{starts_at}' and {column} is not null"
    )
    labels = frame["is_converted_in_window"].astype(int)
    if labels.nunique() < 2:
        return None
    return float(roc_auc_score(labels, frame[column]))


def incumbent_figure(
    warehouse: Warehouse, model_id: str, column: str, period: str, starts_at: object
) -> Figure:
    version = load_model_version(model_id)
    own = _walk_forward_auc(version, period)
    if own is not None:
        return Figure(model_id, own, f"its walk-forward backtest on {period} (out-of-sample)")
    trained_through = version.metadata.get("served_model", {}).get("trained_through")
    seen = trained_through is None or str(starts_at) <= str(trained_through)
    auc = _warehouse_auc(warehouse, column, starts_at)
    note = "in-sample: its training labels include this period" if seen else "out-of-sample"
    return Figure(model_id, auc, f"its scores in scoring.lead_training_scores on {period} ({note})")


def retrain_decision(warehouse: Warehouse, margin: float = DEFAULT_MARGIN):
    """The `decide` step for run_training: compare, then promote or keep, and log it."""

    def decide(run: TrainingRun, versions: dict[str, ModelVersion], segments: Segments | None) -> Registry:
        current = load_registry()
        candidate = run.models[run.champion]
        newest = candidate.walk_forward.periods.iloc[-1]
        period = str(newest["period"])
        starts_at = candidate.walk_forward.starts_at[-1]
        new = Figure(
            candidate.model_id, float(newest["roc_auc"]), f"walk-forward on {period} (out-of-sample)"
        )
        figures: dict[str, object] = {"period": period, "margin": margin, "candidate": new.__dict__}
        if current is None:
            return promote(
                candidate.model_id,
                versions[run.challenger].model_id,
                reason=f"retrain: no champion yet; {candidate.model_id} is champion",
                segments=segments,
                figures=figures,
            )
        champion = incumbent_figure(warehouse, current.champion, "champion_probability", period, starts_at)
        figures["champion"] = champion.__dict__
        if current.challenger:
            shadow = incumbent_figure(
                warehouse, current.challenger, "challenger_probability", period, starts_at
            )
            figures["shadow_challenger"] = shadow.__dict__
        if candidate.model_id == current.champion:
            return promote(
                current.champion,
                current.challenger,
                reason=f"retrain: the new fit is the champion itself ({candidate.model_id}: same data, same settings); kept",
                segments=current.segments,
                figures=figures,
                log_unchanged=True,
            )
        better = champion.roc_auc is None or new.roc_auc >= champion.roc_auc + margin
        if better:
            return promote(
                candidate.model_id,
                current.champion,
                reason=(
                    f"retrain: {candidate.model_id} AUC {new.roc_auc:.4f} on {period} beats champion "
                    f"{current.champion} {_auc_text(champion.roc_auc)} by at least {margin:g}; promoted, the old "
                    "champion scores in shadow"
                ),
                segments=segments,
                figures=figures,
            )
        return promote(
            current.champion,
            candidate.model_id,
            reason=(
                f"retrain: {candidate.model_id} AUC {new.roc_auc:.4f} on {period} does not beat champion "
                f"{current.champion} {_auc_text(champion.roc_auc)} by {margin:g}; kept as challenger in shadow"
            ),
            segments=current.segments,
            figures=figures,
            log_unchanged=True,
        )

    return decide


def _auc_text(auc: float | None) -> str:
    return "(no figure)" if auc is None else f"{auc:.4f}"
