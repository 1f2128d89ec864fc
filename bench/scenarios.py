"""What is timed: the operations, the check that one answer carries data, and SQL statements per request.

Statements are counted in process (create_app over httpx's ASGITransport, a SQLAlchemy
`after_cursor_execute` listener on the engine): pool pre-pings and BEGIN/COMMIT are not
cursor executions and are not counted. Each count is of the second of two identical
requests, so nothing warms up inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from bench import floor as floor_app
from gateway.app import create_app
from gateway.resources import Resources
from gateway.settings import Settings

VIEWER_ORGANIZATIONS = """query ViewerOrganizations { viewer { organizations(first: 50) { edges { role node {
  id name myMembership { role rights }
  members(first: 10) { totalCount edges { node { fullName email role } } } } } } } }"""
ORGANIZATION = """query Organization($id: ID!) { organization(id: $id) { name
  members(first: 20) { edges { node { fullName role } } }
  auditLog(first: 20) { edges { node { action createdAt actorName } } } } }"""
VIEWER = "query Viewer { viewer { user { id email fullName } } }"
LOG_IN = """mutation LogIn($input: LogInInput!) { logIn(input: $input) {
  sessionToken userErrors { code } } }"""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    server: str  # "gateway" or "floor"
    path: str
    query: str
    variables: dict[str, Any]
    token: str | None
    check: Callable[[dict[str, Any]], str | None]  # what is wrong with a good-looking answer, or None
    statements: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def problem(scenario: Scenario, status: int, answer: Any) -> str | None:
    if status != 200 or not isinstance(answer, dict):
        return f"HTTP {status}: {str(answer)[:500]}"
    if answer.get("errors"):
        return f"errors: {answer['errors']}"
    if not answer.get("data"):
        return "no data"
    return scenario.check(answer["data"])


def organizations_check(expected: int) -> Callable[[dict[str, Any]], str | None]:
    def check(data: dict[str, Any]) -> str | None:
        edges = data["viewer"]["organizations"]["edges"]
        if len(edges) != expected:
            return f"{len(edges)} organizations, expected {expected}"
        if not all(e["node"]["members"]["edges"] and e["node"]["myMembership"]["rights"] for e in edges):
            return "an organization without members or rights"
        return None

    return check


def organization_check(data: dict[str, Any]) -> str | None:
    org = data["organization"]
    if not (org["name"] and org["members"]["edges"] and org["auditLog"]["edges"]):
        return "organization without name, members or audit entries"
    return None


def viewer_check(email: str) -> Callable[[dict[str, Any]], str | None]:
    def check(data: dict[str, Any]) -> str | None:
        return None if data["viewer"]["user"]["email"] == email else f"viewer is {data['viewer']['user']['email']}"

    return check


def log_in_check(data: dict[str, Any]) -> str | None:
    payload = data["logIn"]
    return None if payload["sessionToken"] and not payload["userErrors"] else f"logIn refused: {payload}"


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0  # pool checkouts: each is a pre-ping and a BEGIN ... ROLLBACK around its statements

    def statement(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    def checkout(self, *_: Any) -> None:
        self.checkouts += 1


async def _post(client: httpx.AsyncClient, scenario: Scenario) -> None:
    response = await client.post(scenario.path, json=scenario.body(), headers=scenario.headers())
    client.cookies.clear()
    if issue := problem(scenario, response.status_code, response.json()):
        raise SystemExit(f"bench: {scenario.name} (in process): {issue}")


async def count_gateway_statements(settings: Settings, scenarios: list[Scenario]) -> dict[str, Counted]:
    """The SQL each scenario's request runs, keyed by scenario name."""
    counted: dict[str, Counted] = {}
    async with LifespanManager(create_app(settings)) as manager:
        resources: Resources = manager._state["resources"]
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for scenario in scenarios:
                await _post(client, scenario)
                count = counted[scenario.name] = Counted()
                event.listen(resources.engine.sync_engine, "after_cursor_execute", count.statement)
                event.listen(resources.engine.sync_engine.pool, "checkout", count.checkout)
                try:
                    await _post(client, scenario)
                finally:
                    event.remove(resources.engine.sync_engine, "after_cursor_execute", count.statement)
                    event.remove(resources.engine.sync_engine.pool, "checkout", count.checkout)
    return counted


async def count_floor_statements(database_url: str, secret_key: str, scenarios: list[Scenario]) -> dict[str, int]:
    counted: dict[str, int] = {}
    async with LifespanManager(floor_app.create_app(database_url, secret_key)) as manager:
        floor: floor_app.Floor = manager._state["floor"]
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for scenario in scenarios:
                await _post(client, scenario)
                before = floor.statements
                await _post(client, scenario)
                counted[scenario.name] = floor.statements - before
    return counted


def in_process_settings(database_url: str, secret_key: str, data_dir: Path) -> Settings:
    """What the served gateway reads from its GATEWAY_* variables (servers.gateway), as Settings."""
    return Settings(
        environment="production",
        database_url=database_url,
        secret_key=secret_key,
        data_dir=data_dir,
        cookie_secure=True,
        ip_attempts_per_minute=1_000_000_000,
    )
