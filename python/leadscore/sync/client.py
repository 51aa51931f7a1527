"""A HubSpot-style batch update endpoint: POST {"inputs": [{"id": ..., "properties": {...}}]}.

Delivery is at-least-once. Each record carries its sync_hash as `objectWriteTraceId` (HubSpot's
per-input trace id, echoed in per-record errors) and each request an `Idempotency-Key` header, so an
endpoint can drop a repeat. 429 (honouring Retry-After) and 5xx are retried with exponential backoff;
other errors stop the sync. A success reply is read per record: only the records the CRM acknowledged
are reported as delivered (see replies.py).

Redirects are never followed: a POST carries lead data, and a 3xx sends it to whatever host the
server names. Each request has a total deadline (connect, headers and the whole body), not only a
per-read timeout, so a server that trickles its reply cannot hold a sync forever. The token never
appears in a message: whatever a server echoes back is redacted before it is shown or logged."""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

import requests

from leadscore.sync.properties import PROPERTIES_PATH
from leadscore.sync.replies import TRACE_FIELD, BatchReply, RecordFailure, read_reply

URL_VARIABLE = "LEADSCORE_CRM_URL"
TOKEN_VARIABLE = "LEADSCORE_CRM_TOKEN"
BATCH_UPDATE_PATH = "/crm/v3/objects/contacts/batch/update"
MAX_BATCH = 100  # HubSpot's documented maximum inputs per batch call
REDACTED = "[redacted]"


class CrmSyncError(RuntimeError):
    pass


class DeadlineError(RuntimeError):
    """A request that took longer than its total deadline (retried like a timeout)."""


@dataclass(frozen=True)
class CrmEndpoint:
    base_url: str
    token: str = field(repr=False)
    path: str = BATCH_UPDATE_PATH
    max_batch: int = MAX_BATCH

    def __post_init__(self) -> None:
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise CrmSyncError(
                f"{URL_VARIABLE}={self.base_url!r} is not an http(s) URL: give the scheme and host, "
                "for example https://api.hubapi.com"
            )

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + self.path

    def redact(self, text: str) -> str:
        """The text with the token (and any credentials in the URL) replaced, whatever echoed it."""
        secrets = [self.token, urlparse(self.base_url).password or ""]
        for secret in sorted({secret for secret in secrets if len(secret) >= 4}, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    @classmethod
    def from_environment(cls) -> CrmEndpoint:
        missing = [name for name in (URL_VARIABLE, TOKEN_VARIABLE) if not os.environ.get(name)]
        if missing:
            raise CrmSyncError(
                f"set {' and '.join(missing)} (the CRM's API base URL and a private-app token), or use --dry-run"
            )
        return cls(base_url=os.environ[URL_VARIABLE], token=os.environ[TOKEN_VARIABLE])


def idempotency_key(inputs: list[dict[str, object]]) -> str:
    """The same records in the same form give the same key, so a resent batch is recognisable."""
    digest = hashlib.sha256()
    for record in inputs:
        digest.update(f"{record['id']}\x1f{record.get(TRACE_FIELD, '')}\x1e".encode())
    return digest.hexdigest()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds (RFC 9110: delay-seconds or an HTTP date), or None when it is absent,
    negative, not finite or unreadable, so the caller falls back to its own backoff."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


@dataclass
class BatchUpdateClient:
    endpoint: CrmEndpoint
    max_attempts: int = 6
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    timeout_seconds: float = 30.0  # per read, and for connecting
    deadline_seconds: float = 120.0  # for a whole request: connect, headers and the complete body
    sleep: Callable[[float], None] = time.sleep
    retries: int = 0

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.endpoint.token}", "Content-Type": "application/json"}
        )

    def send(self, inputs: list[dict[str, object]]) -> BatchReply:
        if len(inputs) > self.endpoint.max_batch:
            raise CrmSyncError(
                f"a batch of {len(inputs)} records is over the endpoint's maximum of {self.endpoint.max_batch}"
            )
        status, content = self._post_with_retries(
            self.endpoint.url,
            {"inputs": inputs},
            {"Idempotency-Key": idempotency_key(inputs)},
            f"a batch of {len(inputs)} records",
            "Nothing in this batch was recorded as delivered.",
        )
        return self._redacted(read_reply(status, content, inputs))

    def create_property(self, definition: dict[str, str]) -> str:
        """POST one property definition: 'created', or 'exists' when the CRM already has it (409)."""
        status, _ = self._post_with_retries(
            self.endpoint.base_url.rstrip("/") + PROPERTIES_PATH,
            definition,
            {},
            f"the property {definition['name']}",
            "The property was not created.",
            accept=(409,),
        )
        return "exists" if status == 409 else "created"

    def _post_with_retries(
        self,
        url: str,
        body: dict[str, object],
        headers: dict[str, str],
        what: str,
        consequence: str,
        accept: tuple[int, ...] = (),
    ) -> tuple[int, bytes]:
        """(status, body) of a 2xx reply or an accepted status; 429 and 5xx retried, anything else raised."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                status, content, response_headers = self._post(url, body, headers)
            except (requests.ConnectionError, requests.Timeout, DeadlineError) as error:
                failure = self.endpoint.redact(f"{type(error).__name__}: {error}")
                wait = self._backoff(attempt, None)
            else:
                if 300 <= status < 400:
                    where = urlparse(response_headers.get("Location", "")).netloc or "an unnamed location"
                    raise CrmSyncError(
                        f"the CRM answered HTTP {status}, a redirect to {self.endpoint.redact(where)}; it was not "
                        f"followed, because the request carries lead data. Set {URL_VARIABLE} to the address "
                        f"that answers directly. {consequence}"
                    )
                if status < 300 or status in accept:
                    return status, content
                text = self.endpoint.redact(content[:300].decode("utf-8", "replace"))
                failure = f"HTTP {status}: {text}"
                if status != 429 and status < 500:
                    raise CrmSyncError(f"the CRM refused {what} ({failure}); not retried")
                wait = self._backoff(attempt, response_headers.get("Retry-After"))
            if attempt == self.max_attempts:
                raise CrmSyncError(f"gave up after {attempt} attempts; last failure: {failure}")
            self.retries += 1
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _post(self, url: str, body: dict[str, object], headers: dict[str, str]) -> tuple[int, bytes, dict]:
        """One POST, read in chunks against a total deadline; redirects are returned, not followed."""
        started = time.monotonic()
        response = self.session.post(
            url,
            json=body,
            headers=headers,
            timeout=(self.timeout_seconds, self.timeout_seconds),
            allow_redirects=False,
            stream=True,
        )
        try:
            chunks = []
            # read1 returns after one receive, so a trickled body is checked against the deadline often.
            while chunk := response.raw.read1(8192, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() - started > self.deadline_seconds:
                    raise DeadlineError(
                        f"the reply was still arriving after {self.deadline_seconds:g} s (the deadline per request)"
                    )
            return response.status_code, b"".join(chunks), dict(response.headers)
        finally:
            response.close()

    def _redacted(self, reply: BatchReply) -> BatchReply:
        reply.failures = [
            RecordFailure(failure.record_id, self.endpoint.redact(failure.message))
            for failure in reply.failures
        ]
        reply.warnings = [self.endpoint.redact(warning) for warning in reply.warnings]
        return reply

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_backoff_seconds)
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
