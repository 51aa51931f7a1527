"""A HubSpot-style batch update endpoint: POST {"inputs": [{"id": ..., "properties": {...}}]}.
Retries 429 (honouring Retry-After) and 5xx with exponential backoff; other errors stop the sync."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

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

    def send(self, inputs: list[dict[str, object]]) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.session.post(
                    self.endpoint.url, json={"inputs": inputs}, timeout=self.timeout_seconds
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                failure = f"{type(error).__name__}: {error}"
                wait = self._backoff(attempt, None)
            else:
                if response.status_code < 300:
                    return
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

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(float(retry_after), self.max_backoff_seconds)
            except ValueError:
                pass
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)
