"""`leadscore retrain`: the new model is compared with the champion on the newest matured period and
promoted only past the margin; every outcome is logged with its figures, and the warehouse's
registry and decision log follow after `dbt build --selector scores`."""

from __future__ import annotations

import json
import shutil

from conftest import DEMO_MODEL, clone_warehouse
from leadscore.lifecycle.retrain import retrain_decision
from leadscore.modeling.job import run_training
from leadscore.modeling.walk_forward import WalkForwardSettings
from leadscore.registry.artifacts import load_model_version
from leadscore.registry.dbt_assets import write_macros
from leadscore.registry.registry import load_registry, rollback
from leadscore.steps import served_reasons


def _retrain(built, kinds, margin, settings=None):
    with built.env():
        warehouse = built.connect(read_only=False)
        try:
            return run_training(
                warehouse,
                built.project / "target" / "manifest.json",
                kinds=kinds,
                settings=settings,
                decide=retrain_decision(warehouse, margin),
                reasons=served_reasons(),  # as `leadscore retrain` does without --reasons
            )
        finally:
            warehouse.close()


def test_retrain_keeps_promotes_and_logs(trained_warehouse, tmp_path):
    built = clone_warehouse(trained_warehouse[0], tmp_path)
    with built.env():
        before = load_registry()

    same = _retrain(built, ("logistic", "lightgbm"), 0.005)  # same data, same settings: the champion itself
    assert (same.registry.champion, same.registry.challenger) == (before.champion, before.challenger)
    kept = same.registry.history[-1]
    assert len(same.registry.history) == len(before.history) + 1
    assert "the new fit is the champion itself" in kept["reason"]
    assert kept["figures"]["champion"]["source"].startswith("its walk-forward backtest")

    # Nobody gains a whole AUC point: kept, in shadow. (Two backtest periods: the comparison reads
    # only the newest, and the test stays fast.)
    other = _retrain(built, ("logistic", "hgb"), 1.0, WalkForwardSettings(periods=2))
    candidate = other.run.models[other.run.champion].model_id
    assert other.registry.champion == before.champion and other.registry.challenger == candidate
    shadow = other.registry.history[-1]
    assert "does not beat champion" in shadow["reason"] and shadow["figures"]["period"] == "2026-08"
    newest = other.run.models[other.run.champion].walk_forward.periods.iloc[-1]
    assert shadow["figures"]["candidate"]["roc_auc"] == newest["roc_auc"]

    with (
        built.env()
    ):  # the same comparison with a margin anyone passes, then the macros as the CLI writes them
        promoted = retrain_decision(None, margin=-1.0)(other.run, other.versions, None)
        write_macros(promoted, {model_id: load_model_version(model_id) for model_id in promoted.model_ids()})
    assert promoted.champion == candidate and promoted.challenger == before.champion
    assert "promoted" in promoted.history[-1]["reason"]

    built.dbt("build", "--selector", "scores")
    log = built.query("select * from monitoring.model_decision_log order by decision_number")
    assert log["reason"].tolist()[-3:] == [entry["reason"] for entry in promoted.history[-3:]]
    statuses = built.query("select model_id, status from monitoring.model_registry").set_index("model_id")[
        "status"
    ]
    assert statuses[candidate] == "champion" and statuses[before.champion] == "challenger"
    served = built.query("select distinct model_version from scoring.lead_scores")["model_version"].tolist()
    assert served == [candidate]

    with built.env():
        back = rollback()
        saved = json.loads((built.project / "artifacts" / "registry.json").read_text())
    assert (back.champion, back.challenger) == (before.champion, candidate)
    assert saved["history"][-1]["reason"] == f"rollback from {candidate}"


def test_a_retrain_keeps_the_reasons_the_served_models_were_trained_with(
    trained_warehouse, tmp_path, monkeypatch
):
    """A version's id covers its reasons SQL: a retrain that switched methods would turn the champion's
    own fit into a new model. trained_warehouse trained with Shapley reasons; the tracked demo model with
    Saabas ones; a registry of linear models gives no method to keep."""
    with trained_warehouse[0].env():
        assert served_reasons() == "shapley"
    artifacts = tmp_path / "artifacts"
    shutil.copytree(DEMO_MODEL / "artifacts", artifacts)
    monkeypatch.setenv("LEADSCORE_ARTIFACTS_DIR", str(artifacts))
    assert served_reasons() == "saabas"
    registry = json.loads((artifacts / "registry.json").read_text())
    registry.update(champion="logistic_49fb68641d", challenger="logistic_78246ef2b7")
    (artifacts / "registry.json").write_text(json.dumps(registry))
    assert served_reasons() is None
    (artifacts / "registry.json").unlink()
    assert served_reasons() is None
