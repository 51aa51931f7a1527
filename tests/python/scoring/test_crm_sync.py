"""`leadscore sync` against a local HTTP server: batches, retries on 429/5xx, only changed rows,
safe to repeat, dry run."""

from __future__ import annotations

import json

import pytest

from helpers.fake_crm import FakeCrm
from leadscore.sync.client import CrmEndpoint, CrmSyncError
from leadscore.sync.run import sync


def test_sync_sends_changed_rows_once_and_retries(synced_warehouse):
    feed = synced_warehouse.query("select * from scoring.crm_lead_sync where tier is not null")
    crm = FakeCrm(script=[429, 503, 200, 500])
    outcome = sync(synced_warehouse, crm.client(), batch_size=100)
    # The first sync sends the open, tiered leads only: not every lead ever scored.
    assert outcome.sent == len(feed) == len({record["id"] for record in crm.accepted})
    assert all(record["properties"]["leadscore_tier"] is not None for record in crm.accepted)
    assert outcome.retries == 3 and crm.requests == outcome.batches + 3
    assert crm.tokens == {"Bearer secret-token"}
    sample = next(record for record in crm.accepted if record["properties"]["leadscore_tier"] is not None)
    assert set(sample["properties"]) >= {
        "leadscore_tier",
        "leadscore_score",
        "leadscore_reasons",
        "leadscore_action",
    }

    # Repeating sends nothing.
    again = FakeCrm()
    assert sync(synced_warehouse, again.client()).sent == 0 and again.requests == 0

    # Three leads change: exactly those three are sent.
    changed = feed["lead_id"].head(3).tolist()
    synced_warehouse.execute(
        f"update intermediate.int_crm_lead_sync_payload set sync_hash = 'changed' where lead_id in ({', '.join(map(str, changed))})"
    )
    third = FakeCrm()
    assert sync(synced_warehouse, third.client()).sent == 3
    assert {r["id"] for r in third.accepted} == set(feed.set_index("lead_id").loc[changed, "crm_record_id"])


def test_refused_batch_stops_without_recording(synced_warehouse):
    crm = FakeCrm(script=[400])
    with pytest.raises(CrmSyncError, match="HTTP 400"):
        sync(synced_warehouse, crm.client(), batch_size=50)
    assert crm.requests == 1  # a 400 is not retried
    assert synced_warehouse.query("select count(*) as n from leadscore_sync.crm_sync_state")["n"][0] == 0


def test_gives_up_after_repeated_server_errors(synced_warehouse):
    crm = FakeCrm(script=[500] * 10)
    client = crm.client()
    client.max_attempts = 3
    with pytest.raises(CrmSyncError, match="gave up after 3 attempts"):
        sync(synced_warehouse, client, batch_size=50)


def test_dry_run_writes_payload_and_sends_nothing(synced_warehouse, tmp_path):
    path = tmp_path / "payload.jsonl"
    outcome = sync(synced_warehouse, None, dry_run_path=path, batch_size=100)
    lines = path.read_text().splitlines()
    assert (
        len(lines) == outcome.batches
        and sum(len(json.loads(line)["inputs"]) for line in lines) == outcome.changed > 0
    )
    assert synced_warehouse.query("select count(*) as n from leadscore_sync.crm_sync_state")["n"][0] == 0


def test_missing_credentials_are_named(monkeypatch):
    monkeypatch.delenv("LEADSCORE_CRM_URL", raising=False)
    monkeypatch.setenv("LEADSCORE_CRM_TOKEN", "x")
    with pytest.raises(CrmSyncError, match="LEADSCORE_CRM_URL"):
        CrmEndpoint.from_environment()


def _sync_cli(warehouse, *arguments: str):
    import os
    import subprocess
    import sys

    with warehouse.env():
        return subprocess.run(
            [sys.executable, "-m", "leadscore.cli", "sync", *arguments],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
            cwd=warehouse.project,
            timeout=300,
        )


def test_the_sync_command_refuses_mistakes_and_a_second_sync_with_one_message(trained_warehouse, tmp_path):
    warehouse, _ = trained_warehouse
    cases = [
        (("--batch-size", "0", "--dry-run", str(tmp_path / "a.jsonl")), "--batch-size 0: give 1 to 100"),
        (("--limit", "-5", "--dry-run", str(tmp_path / "b.jsonl")), "--limit -5: give a positive number"),
    ]
    for arguments, message in cases:
        result = _sync_cli(warehouse, *arguments)
        text = " ".join(result.stderr.split())
        assert result.returncode == 1 and message in text and "Traceback" not in text, text
    from leadscore.registry.lock import sync_lock

    with warehouse.env(), sync_lock():
        result = _sync_cli(warehouse, "--dry-run", str(tmp_path / "c.jsonl"))
    text = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Traceback" not in text, text
    assert "another sync is running: `leadscore sync` (process" in text and "This one sent nothing" in text
    assert not (tmp_path / "c.jsonl").exists()

    # The CRM properties: listed as JSON on stdout, nothing sent (no credentials needed).
    listed = _sync_cli(warehouse, "--create-properties")
    assert listed.returncode == 0, listed.stderr
    names = {definition["name"] for definition in json.loads(listed.stdout)}
    assert "leadscore_tier" in names and "nothing was created" in " ".join(listed.stderr.split())
    mistaken = _sync_cli(warehouse, "--apply")
    assert mistaken.returncode == 1 and "--apply goes with --create-properties" in " ".join(
        mistaken.stderr.split()
    )


def test_a_closed_lead_is_sent_once_when_it_closes_and_closed_leads_never_sent_stay_out(synced_warehouse):
    everything = synced_warehouse.query("select * from scoring.crm_lead_sync")
    open_leads = everything[everything["tier"].notna()]
    closed = everything[everything["tier"].isna()]
    assert len(closed) > len(open_leads) > 0  # the demo: most leads ever scored are closed
    assert sync(synced_warehouse, FakeCrm().client()).sent == len(open_leads)

    # One sent lead closes (its tier goes, its status changes): the CRM hears it once.
    closing = open_leads["lead_id"].iloc[0]
    synced_warehouse.execute(
        "update intermediate.int_crm_lead_sync_payload set tier = null, lead_status = 'converted', "
        f"sync_hash = 'closed' where lead_id = '{closing}'"
    )
    crm = FakeCrm()
    assert sync(synced_warehouse, crm.client()).sent == 1
    assert crm.accepted[0]["properties"]["leadscore_tier"] is None
    assert crm.accepted[0]["properties"]["leadscore_status"] == "converted"
    assert sync(synced_warehouse, FakeCrm().client()).sent == 0

    # A backfill of the closed leads the CRM never received, on request.
    backfill = FakeCrm()
    assert sync(synced_warehouse, backfill.client(), include_closed=True).sent == len(closed)


def test_crm_properties_are_listed_and_created_once(synced_warehouse):
    from leadscore.sync.properties import CRM_PROPERTIES, PROPERTIES

    crm = FakeCrm()
    client = crm.client()
    assert [client.create_property(p.definition()) for p in CRM_PROPERTIES] == ["created"] * len(
        CRM_PROPERTIES
    )
    assert [client.create_property(p.definition()) for p in CRM_PROPERTIES] == ["exists"] * len(
        CRM_PROPERTIES
    )
    # Every property the sync writes is defined, with a type HubSpot knows.
    assert set(crm.properties) == set(PROPERTIES.values())
    assert {body["type"] for body in crm.properties.values()} <= {"string", "number"}
