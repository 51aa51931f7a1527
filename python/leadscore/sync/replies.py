"""Reading a CRM's success reply record by record, so a partial failure is never recorded as delivered.

Understood shapes:
- HubSpot batch (200/207): {"results": [{"id": ...}], "errors": [{"message": ..., "context": {"ids": [...]}}]};
  an error may name records by id or by the objectWriteTraceId we sent.
- Salesforce composite collections: a list in request order of {"id", "success", "errors"}.
- 204 No Content: the whole batch was applied.
- Anything else (an empty 200, a body that is not JSON, `results` that is not a list, an object that
  names no record) confirms nothing: those records are failures, sent again on the next run, never
  recorded as delivered on a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

TRACE_FIELD = "objectWriteTraceId"


@dataclass(frozen=True)
class RecordFailure:
    record_id: str
    message: str


@dataclass
class BatchReply:
    """acknowledged: record ids the CRM confirmed; failures: records it rejected or did not confirm."""

    acknowledged: list[str]
    failures: list[RecordFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _all(inputs: list[dict[str, object]]) -> list[str]:
    return [str(record["id"]) for record in inputs]


def _unconfirmed(inputs: list[dict[str, object]], why: str) -> BatchReply:
    return BatchReply(acknowledged=[], failures=[RecordFailure(record_id, why) for record_id in _all(inputs)])


def _error_message(error: object) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("category") or error.get("statusCode") or error)[:300]
    return str(error)[:300]


def _values(sources: tuple[dict, ...], key: str) -> list[str]:
    """A key's value in each source, as text, whether one value or a list."""
    found: list[str] = []
    for source in sources:
        value = source.get(key)
        found.extend(
            str(item) for item in (value if isinstance(value, list) else [] if value is None else [value])
        )
    return found


def _named_records(error: dict, by_trace: dict[str, str]) -> set[str]:
    """The records an error names: by id (context.ids, context.id, id) or by the trace id we sent."""
    context = error.get("context") if isinstance(error.get("context"), dict) else {}
    sources = (context, error)
    named = {*_values(sources, "ids"), *_values(sources, "id")}
    named.update(by_trace[trace] for trace in _values(sources, TRACE_FIELD) if trace in by_trace)
    return named


def _read_list(body: list, inputs: list[dict[str, object]]) -> BatchReply:
    if len(body) != len(inputs) or not all(isinstance(item, dict) for item in body):
        return _unconfirmed(inputs, f"the reply lists {len(body)} results for {len(inputs)} records")
    reply = BatchReply(acknowledged=[])
    for record, item in zip(inputs, body, strict=True):
        errors = item.get("errors") or []
        if item.get("success", not errors) and not errors:
            reply.acknowledged.append(str(record["id"]))
        else:
            message = "; ".join(_error_message(error) for error in errors) or "success: false"
            reply.failures.append(RecordFailure(str(record["id"]), message))
    return reply


def _read_dict(status: int, body: dict, inputs: list[dict[str, object]]) -> BatchReply:
    sent = _all(inputs)
    errors = body.get("errors") or []
    if not isinstance(errors, list):
        errors = [errors]
    by_trace = {str(record[TRACE_FIELD]): str(record["id"]) for record in inputs if TRACE_FIELD in record}
    rejected: dict[str, str] = {}
    unattributed = []
    for error in errors:
        named = _named_records(error, by_trace) if isinstance(error, dict) else set()
        named &= set(sent)
        if not named:
            unattributed.append(_error_message(error))
        for record_id in named:
            rejected.setdefault(record_id, _error_message(error))
    try:
        declared_errors = int(body.get("numErrors") or 0)
    except (TypeError, ValueError):
        declared_errors = 0
    if declared_errors > len(rejected) and not unattributed:
        unattributed.append(f"numErrors={declared_errors} but {len(rejected)} records named")
    results = body.get("results")
    if results is not None and not isinstance(results, list):
        return _unconfirmed(inputs, f"the reply's `results` is a {type(results).__name__}, not a list")
    confirmed = (
        {str(item.get("id")) for item in results if isinstance(item, dict)}
        if isinstance(results, list)
        else None
    )
    if confirmed is None and not errors:
        return _unconfirmed(inputs, f"an HTTP {status} reply that names no record (no `results` list)")
    if unattributed and confirmed is None:
        return _unconfirmed(
            inputs, "the CRM reported errors without naming the records: " + "; ".join(unattributed)
        )
    reply = BatchReply(acknowledged=[])
    for record_id in sent:
        if record_id in rejected:
            reply.failures.append(RecordFailure(record_id, rejected[record_id]))
        elif confirmed is None or record_id in confirmed:
            reply.acknowledged.append(record_id)
        else:
            reply.failures.append(RecordFailure(record_id, "not confirmed in the reply's results"))
    return reply


def read_reply(status: int, content: bytes, inputs: list[dict[str, object]]) -> BatchReply:
    """Which records of a 2xx reply were delivered."""
    if not content.strip():
        if status == 204:
            return BatchReply(acknowledged=_all(inputs))
        return _unconfirmed(inputs, f"an HTTP {status} reply with an empty body confirms no record")
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        preview = content[:80].decode("utf-8", "replace")
        return _unconfirmed(inputs, f"an HTTP {status} reply whose body is not JSON ({preview!r})")
    if isinstance(body, list):
        return _read_list(body, inputs)
    if isinstance(body, dict):
        return _read_dict(status, body, inputs)
    return _unconfirmed(
        inputs, f"an HTTP {status} reply whose JSON is a {type(body).__name__}, not a list or an object"
    )
