"""A local HTTP server standing in for a CRM's batch update endpoint."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from leadscore.sync.client import BatchUpdateClient, CrmEndpoint


class FakeCrm:
    """Answers each POST from a script, then with 200. A script entry is a status code, or a function
    of the request's inputs returning (status, headers, body); records of 2xx replies count as accepted
    unless the body names them as failed (the tests check what the sync recorded, not this)."""

    def __init__(self, script: list | None = None) -> None:
        self.script = list(script or [])
        self.accepted: list[dict] = []
        self.bodies: list[dict] = []
        self.requests = 0
        self.tokens: set[str] = set()
        self.idempotency_keys: list[str] = []
        self.properties: dict[str, dict] = {}  # created through the properties API
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                crm.requests += 1
                if self.path.startswith("/crm/v3/properties/"):
                    exists = body["name"] in crm.properties
                    crm.properties.setdefault(body["name"], body)
                    self.send_response(409 if exists else 201)
                    self.end_headers()
                    self.wfile.write(b"{}")
                    return
                crm.bodies.append(body)
                crm.tokens.add(self.headers.get("Authorization", ""))
                crm.idempotency_keys.append(self.headers.get("Idempotency-Key", ""))
                entry = crm.script.pop(0) if crm.script else 200
                if callable(entry):
                    status, headers, reply = entry(body["inputs"])
                else:
                    status, headers = entry, {"Retry-After": "0"} if entry == 429 else {}
                    reply = (
                        json.dumps(
                            {"status": "COMPLETE", "results": [{"id": r["id"]} for r in body["inputs"]]}
                        ).encode()
                        if entry < 300
                        else b'{"message": "scripted failure"}'
                    )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if status < 300:
                    crm.accepted.extend(body["inputs"])
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def client(self) -> BatchUpdateClient:
        return BatchUpdateClient(CrmEndpoint(self.url, "secret-token"), sleep=lambda seconds: None)
