"""What a CRM can answer, and what `leadscore sync` records: only acknowledged records are delivered.

Each case states the exact outcome: which records end in the sync state, which are reported as not
delivered (and so sent again next run), and what is refused before anything is sent."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from helpers.fake_crm import FakeCrm
from leadscore.sync.client import CrmEndpoint, CrmSyncError, idempotency_key, retry_after_seconds
from leadscore.sync.preflight import feed_test_results
from leadscore.sync.replies import read_reply
from leadscore.sync.run import sync

BATCH = 20


def recorded(connection) -> set[str]:
    return set(connection.query("select crm_record_id from leadscore_sync.crm_sync_state")["crm_record_id"])


def half_rejected_hubspot(inputs):
    """HubSpot's 207: results for half, errors naming the other half by id."""
    rejected = [record["id"] for record in inputs[::2]]
    body = {
        "status": "COMPLETE",
        "results": [{"id": record["id"]} for record in inputs[1::2]],
        "numErrors": 1,
        "errors": [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "not found",
                "context": {"ids": rejected},
            }
        ],
    }
    return 207, {}, json.dumps(body).encode()


def rejected_by_trace_id(inputs):
    """An error that names records only by the objectWriteTraceId we sent, with no results list."""
    body = {
        "errors": [
            {
                "message": "invalid property",
                "context": {"objectWriteTraceId": [inputs[0]["objectWriteTraceId"]]},
            }
        ]
    }
    return 207, {}, json.dumps(body).encode()


def salesforce_collection(inputs):
    body = [
        {
            "id": record["id"],
            "success": position != 1,
            "errors": [] if position != 1 else [{"statusCode": "ENTITY_IS_DELETED", "message": "deleted"}],
        }
        for position, record in enumerate(inputs)
    ]
    return 200, {}, json.dumps(body).encode()


def errors_without_ids(inputs):
    return 207, {}, json.dumps({"numErrors": 3, "errors": [{"message": "something failed"}]}).encode()


def garbage_207(inputs):
    return 207, {}, b"<html>oops</html>"


def garbage_200(inputs):
    return 200, {}, b"<html>ok</html>"


def test_hubspot_207_records_only_the_acknowledged_half(synced_warehouse):
    crm = FakeCrm(script=[half_rejected_hubspot])
    outcome = sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    sent_ids = [record["id"] for record in crm.bodies[0]["inputs"]]
    assert recorded(synced_warehouse) == set(sent_ids[1::2])
    assert outcome.sent == BATCH // 2 and {failure.record_id for failure in outcome.failures} == set(
        sent_ids[::2]
    )
    assert {failure.message for failure in outcome.failures} == {"not found"}
    # The next run sends exactly the rejected half again.
    again = FakeCrm()
    assert sync(synced_warehouse, again.client(), batch_size=BATCH, limit=BATCH // 2).sent == BATCH // 2
    assert {record["id"] for record in again.bodies[0]["inputs"]} == set(sent_ids[::2])


def test_error_named_by_trace_id_only_rejects_that_record(synced_warehouse):
    crm = FakeCrm(script=[rejected_by_trace_id])
    outcome = sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    sent_ids = [record["id"] for record in crm.bodies[0]["inputs"]]
    assert [failure.record_id for failure in outcome.failures] == [sent_ids[0]]
    assert recorded(synced_warehouse) == set(sent_ids[1:])


def test_salesforce_collection_failures_by_position(synced_warehouse):
    crm = FakeCrm(script=[salesforce_collection])
    outcome = sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    sent_ids = [record["id"] for record in crm.bodies[0]["inputs"]]
    assert [(failure.record_id, failure.message) for failure in outcome.failures] == [
        (sent_ids[1], "deleted")
    ]
    assert recorded(synced_warehouse) == set(sent_ids) - {sent_ids[1]}


@pytest.mark.parametrize(
    "reply", [errors_without_ids, garbage_207], ids=["errors-without-ids", "garbage-207"]
)
def test_unattributable_partial_failure_records_nothing(synced_warehouse, reply):
    crm = FakeCrm(script=[reply])
    outcome = sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    assert outcome.sent == 0 and len(outcome.failures) == BATCH and recorded(synced_warehouse) == set()


def results_as_text(inputs):
    return 200, {}, json.dumps({"status": "COMPLETE", "results": "all good"}).encode()


def empty_200(inputs):
    return 200, {}, b""


def json_number(inputs):
    return 200, {}, b"42"


def status_only(inputs):
    return 200, {}, b'{"status": "COMPLETE"}'


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (garbage_200, "whose body is not JSON ('<html>ok</html>')"),
        (results_as_text, "`results` is a str, not a list"),
        (empty_200, "an HTTP 200 reply with an empty body confirms no record"),
        (json_number, "JSON is a int, not a list or an object"),
        (status_only, "names no record"),
    ],
    ids=["not-json", "results-a-string", "empty-200", "json-number", "status-only"],
)
def test_a_200_the_sync_cannot_read_is_an_error_never_a_delivery(synced_warehouse, reply, message):
    crm = FakeCrm(script=[reply])
    outcome = sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    assert outcome.sent == 0 and recorded(synced_warehouse) == set()
    assert len(outcome.failures) == BATCH and {failure.message for failure in outcome.failures} == {
        next(failure.message for failure in outcome.failures)
    }
    assert message in outcome.failures[0].message


def test_a_redirect_is_not_followed_with_the_leads_data(synced_warehouse):
    elsewhere = FakeCrm()

    def redirect(inputs):
        return 307, {"Location": elsewhere.url + "/crm/v3/objects/contacts/batch/update"}, b""

    crm = FakeCrm(script=[redirect])
    with pytest.raises(CrmSyncError, match=r"HTTP 307, a redirect to 127\.0\.0\.1:\d+; it was not followed"):
        sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    assert elsewhere.requests == 0 and recorded(synced_warehouse) == set()


class TricklingServer:
    """Answers 200 at once, then sends its body one byte every 0.2 s for a minute."""

    def __init__(self) -> None:
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Length", "300")
                self.end_headers()
                for _ in range(300):
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.2)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def test_a_trickling_server_meets_a_total_deadline(synced_warehouse):
    import time

    from leadscore.sync.client import BatchUpdateClient

    server = TricklingServer()
    client = BatchUpdateClient(
        CrmEndpoint(server.url, "secret-token"), max_attempts=2, deadline_seconds=1.0, sleep=lambda s: None
    )
    started = time.monotonic()
    with pytest.raises(
        CrmSyncError, match=r"gave up after 2 attempts; last failure: DeadlineError: .*after 1 s"
    ):
        sync(synced_warehouse, client, batch_size=BATCH, limit=BATCH)
    # Each byte alone arrives well within the 30 s read timeout; only the total deadline stops it.
    assert time.monotonic() - started < 10
    assert recorded(synced_warehouse) == set()
    server.server.shutdown()


@pytest.mark.parametrize(
    ("batch_size", "limit", "message"),
    [
        (0, None, "--batch-size 0: give 1 to 100"),
        (5000, None, "--batch-size 5000: give 1 to 100"),
        (100, -5, "--limit -5: give a positive number"),
        (100, 0, "--limit 0: give a positive number"),
    ],
)
def test_batch_size_and_limit_are_validated_before_anything_is_read(
    synced_warehouse, batch_size, limit, message
):
    crm = FakeCrm()
    with pytest.raises(CrmSyncError, match=message):
        sync(synced_warehouse, crm.client(), batch_size=batch_size, limit=limit)
    assert crm.requests == 0


def test_the_token_never_appears_in_a_message_whatever_the_server_echoes(synced_warehouse):
    def echo_refusal(inputs):
        return 401, {}, b'{"message": "bad credentials: Authorization: Bearer secret-token"}'

    def echo_partial(inputs):
        body = {
            "results": [],
            "errors": [{"message": "token secret-token lacks scope", "context": {"ids": [inputs[0]["id"]]}}],
        }
        return 207, {}, json.dumps(body).encode()

    with pytest.raises(CrmSyncError) as refused:
        sync(synced_warehouse, FakeCrm(script=[echo_refusal]).client(), batch_size=BATCH, limit=BATCH)
    assert "secret-token" not in str(refused.value) and "Bearer [redacted]" in str(refused.value)
    outcome = sync(synced_warehouse, FakeCrm(script=[echo_partial]).client(), batch_size=BATCH, limit=BATCH)
    messages = " ".join(failure.message for failure in outcome.failures)
    assert "secret-token" not in messages and "token [redacted] lacks scope" in messages
    assert "secret-token" not in repr(CrmEndpoint("http://x.test", "secret-token"))


@pytest.mark.parametrize("retry_after", ["-1", "nan", "inf", "soon", ""])
def test_bad_retry_after_falls_back_to_the_default_backoff(synced_warehouse, retry_after):
    crm = FakeCrm(script=[lambda inputs: (429, {"Retry-After": retry_after}, b"{}")])
    waits: list[float] = []
    client = crm.client()
    client.sleep = waits.append
    outcome = sync(synced_warehouse, client, batch_size=BATCH, limit=BATCH)
    assert outcome.sent == BATCH and outcome.retries == 1 and waits == [client.backoff_seconds]


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=90), usegmt=True), now) is None
    assert retry_after_seconds(None, now) is None


def test_http_date_retry_after_is_honoured_and_capped(synced_warehouse):
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    crm = FakeCrm(script=[lambda inputs: (503, {"Retry-After": later}, b"{}")])
    waits: list[float] = []
    client = crm.client()
    client.sleep = waits.append
    sync(synced_warehouse, client, batch_size=BATCH, limit=BATCH)
    assert waits == [client.max_backoff_seconds]


def test_each_record_carries_its_sync_hash_and_each_batch_an_idempotency_key(synced_warehouse):
    crm = FakeCrm(script=[503])
    sync(synced_warehouse, crm.client(), batch_size=BATCH, limit=BATCH)
    hashes = dict(
        synced_warehouse.query("select crm_record_id, sync_hash from scoring.crm_lead_sync").itertuples(
            index=False
        )
    )
    inputs = crm.bodies[0]["inputs"]
    assert all(record["objectWriteTraceId"] == hashes[record["id"]] for record in inputs)
    # The retried request carries the same key, so an endpoint can drop the repeat.
    assert crm.idempotency_keys == [idempotency_key(inputs)] * 2


@pytest.mark.parametrize("url", ["crm.example.com", "ftp://crm.example.com", "https://"])
def test_url_without_scheme_or_host_is_named(url):
    with pytest.raises(CrmSyncError, match="is not an http\\(s\\) URL"):
        CrmEndpoint(url, "token")


def test_duplicate_crm_ids_in_the_feed_are_refused(synced_warehouse):
    original = synced_warehouse.query(
        "select lead_id, crm_record_id from scoring.crm_lead_sync order by lead_id limit 3"
    )
    ids = ", ".join(map(str, original["lead_id"]))
    synced_warehouse.execute(
        f"update intermediate.int_crm_lead_sync_payload set crm_record_id = 'SHARED-1' where lead_id in ({ids})"
    )
    try:
        crm = FakeCrm()
        with pytest.raises(
            CrmSyncError, match=r"1 CRM record ids on more than one lead: SHARED-1 \(3 rows\)"
        ):
            sync(synced_warehouse, crm.client())
        assert crm.requests == 0
    finally:
        for row in original.itertuples(index=False):
            synced_warehouse.execute(
                "update intermediate.int_crm_lead_sync_payload "
                f"set crm_record_id = '{row.crm_record_id}' where lead_id = {row.lead_id}"
            )


def _results_with(target, tmp_path, failing: str | None, status: str = "fail"):
    """A copy of the last build's artifacts where the first result whose id contains `failing` failed."""
    shutil.copy(target / "manifest.json", tmp_path / "manifest.json")
    results = json.loads((target / "run_results.json").read_text())
    if failing:
        match = next((r for r in results["results"] if failing in r["unique_id"]), None)
        if match is None:  # a node the scores build did not run: as a full build would report it
            nodes = json.loads((target / "manifest.json").read_text())["nodes"]
            match = {"unique_id": next(uid for uid in nodes if failing in uid)}
            results["results"].append(match)
        match["status"] = status
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    return feed_test_results(tmp_path)


def test_failures_upstream_of_the_feed_in_the_last_build_are_refused(
    trained_warehouse, synced_warehouse, tmp_path
):
    """Not only the feed's own tests: a model it reads from, a test on one, and the data-quality gate
    (4,991 records, 151 of them hot without any activity data, were sent when only the feed's tests counted)."""
    warehouse, _ = trained_warehouse
    target = warehouse.project / "target"
    clean = feed_test_results(target)
    assert clean.ran and clean.failed == []
    crm = FakeCrm()
    upstream = {
        "test.lead_scoring.not_null_crm_lead_sync": "not_null_crm_lead_sync",  # the feed's own test
        "model.lead_scoring.int_lead_model_scores": "int_lead_model_scores (error)",  # a model it reads
        "test.lead_scoring.data_quality_no_error_level_checks": "data_quality_no_error_level_checks",  # the gate
    }
    for failing, named in upstream.items():
        status = "error" if failing.startswith("model.") else "fail"
        tests = _results_with(target, tmp_path, failing, status)
        assert any(named in failure for failure in tests.failed), (failing, tests.failed)
        with pytest.raises(CrmSyncError, match=r"failed upstream of the CRM feed .*nothing was sent"):
            sync(synced_warehouse, crm.client(), tests=tests)
    assert crm.requests == 0
    # A warn-level result upstream does not block.
    assert _results_with(target, tmp_path, "data_quality_no_warn_level_checks", "warn").failed == []
    tests = _results_with(target, tmp_path, "data_quality_no_error_level_checks")
    outcome = sync(synced_warehouse, crm.client(), batch_size=100, tests=tests, allow_failed_tests=True)
    assert outcome.sent > 0 and any("despite failures upstream" in warning for warning in outcome.warnings)


def test_reply_reading_by_hand():
    inputs = [{"id": "a", "objectWriteTraceId": "ha"}, {"id": "b", "objectWriteTraceId": "hb"}]
    assert read_reply(204, b"", inputs).acknowledged == ["a", "b"]
    assert read_reply(207, b"", inputs).acknowledged == []
    partial = read_reply(200, json.dumps({"results": [{"id": "b"}]}).encode(), inputs)
    assert partial.acknowledged == ["b"] and partial.failures[0].record_id == "a"
    short = read_reply(200, json.dumps([{"success": True}]).encode(), inputs)
    assert short.acknowledged == [] and len(short.failures) == 2
