"""Helpers for webhook tests: registering endpoints through the API, reading deliveries, a local receiver."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.orgs import Person

CREATE = """mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  endpoint { id url events enabled } secret userErrors { field code message } } }"""
DELIVERIES = """query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { id enabled disabledAt disabledReason
  deliveries(first: 50) { totalCount edges { node { id messageId eventType payload status attemptCount nextAttemptAt
    retryUntil deliveredAt attempts { attemptedAt succeeded httpStatus durationMs responseExcerpt error } } } } } } }"""
PING = """mutation($id: ID!) { pingWebhookEndpoint(input: {endpointId: $id}) {
  delivery { id status messageId } userErrors { code } } }"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) {
  delivery { id status attemptCount nextAttemptAt } userErrors { code } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) {
  endpoint { id } secret previousSecretExpiresAt userErrors { code } } }"""
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  endpoint { id url events enabled disabledAt disabledReason } userErrors { field code } } }"""
ALL_EVENTS = [
    "ORDER_PAID",
    "INVOICE_ISSUED",
    "PRODUCT_EXPIRING",
    "PRODUCT_STATUS_CHANGED",
    "MEMBER_JOINED",
    "MEMBER_REMOVED",
]


async def create_endpoint(
    client: httpx.AsyncClient, who: Person, organization_id: str, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    data = {"organizationId": organization_id, "url": url, "events": ALL_EVENTS if events is None else events}
    body = await who.gql(client, CREATE, {"input": data})
    assert "errors" not in body, body
    return body["data"]["createWebhookEndpoint"]


async def registered(
    client: httpx.AsyncClient, who: Person, organization_id: str, url: str, **kw: Any
) -> tuple[str, str]:
    """A new endpoint's id and secret; the registration must succeed."""
    created = await create_endpoint(client, who, organization_id, url, **kw)
    assert created["userErrors"] == [], created
    return created["endpoint"]["id"], created["secret"]


async def deliveries(client: httpx.AsyncClient, who: Person, endpoint_id: str) -> dict[str, Any]:
    body = await who.gql(client, DELIVERIES, {"id": endpoint_id})
    assert "errors" not in body, body
    return body["data"]["node"]


def delivery_nodes(endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in endpoint["deliveries"]["edges"]]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that answers each request with the next planned answer (200 when the plan
    is used up) and keeps what it received."""

    plan: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def fail(self, times: int, status: int = 500) -> None:
        self.plan.extend((status, {}, b"receiver not ready") for _ in range(times))

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        return self.plan.pop(0) if self.plan else (200, {}, b"ok")


@contextmanager
def receiver(make: Callable[[], Receiver] = Receiver) -> Iterator[Receiver]:
    state = make()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode()
            state.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, headers, content = state.answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
