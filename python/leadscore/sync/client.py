"""A HubSpot-style batch update endpoint: POST {"inputs": [{"id": ..., "properties": {...}}]}.

Delivery is at-least-once. Each record carries its sync_hash as `objectWriteTraceId` (HubSpot's
per-input trace id, echoed in per-record errors) and each request an `Idempotency-Key` header, so an
endpoint can drop a repeat. 429 (honouring Retry-After) and 5xx are retried with exponential backoff;
other errors stop the sync. A success reply is read per record: only the records the CRM acknowledged
are reported as delivered (see replies.py)."""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

import requests

from leadscore.sync.replies import TRACE_FIELD, BatchReply, read_reply

URL_VARIABLE = "LEADSCORE_CRM_URL"
TOKEN_VARIABLE = "LEADSCORE_CRM_TOKEN"
BATCH_UPDATE_PATH = "/crm/v3/objects/contacts/batch/update"


class CrmSyncError(RuntimeError):
    pass


@dataclass(frozen=True)
class CrmEndpoint:
    base_url: str
    token: str
    path: str = BATCH_UPDATE_PATH

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
    timeout_seconds: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    retries: int = 0

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.endpoint.token}", "Content-Type": "application/json"}
        )

    def send(self, inputs: list[dict[str, object]]) -> BatchReply:
        headers = {"Idempotency-Key": idempotency_key(inputs)}
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.post(
                    self.endpoint.url, json={"inputs": inputs}, headers=headers, timeout=self.timeout_seconds
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                failure = f"{type(error).__name__}: {error}"
                wait = self._backoff(attempt, None)
            else:
                if response.status_code < 300:
                    return read_reply(response.status_code, response.content, inputs)
                failure = f"HTTP {response.status_code}: {response.text[:300]}"
                if response.status_code != 429 and response.status_code < 500:
                    raise CrmSyncError(
                        f"the CRM refused a batch of {len(inputs)} records ({failure}); not retried"
                    )
                wait = self._backoff(attempt, response.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                raise CrmSyncError(f"gave up after {attempt} attempts; last failure: {failure}")
            self.retries += 1
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_backoff_seconds)
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
