"""Times hot operations against a throwaway embedded PostgreSQL, in process, over ASGI.

Figures include the httpx client's own overhead; SQL counts are cursor executions
(pool pre-pings and BEGIN/COMMIT are not statements and are not counted).
"""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from gateway.app import create_app
from gateway.db.engine import create_engine
from gateway.db.migrate import upgrade
from gateway.embedded_pg import EmbeddedPostgres
from gateway.resources import Resources
from gateway.settings import PROJECT_ROOT, Settings

EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple 42"  # noqa: S105 (a throwaway account in a throwaway database)
# A scenario stops early when its budget is spent, so the whole run stays well under a minute.
BUDGET_SECONDS = 20.0

SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { sessionToken userErrors { code } } }"
LOG_IN = "mutation($input: LogInInput!) { logIn(input: $input) { sessionToken userErrors { code } } }"
VIEWER = "{ viewer { user { id email fullName } } }"


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_: Any) -> None:
        self.statements += 1


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    durations_ms: list[float]
    statements: int

    def row(self) -> str:
        n = len(self.durations_ms)
        p95 = statistics.quantiles(self.durations_ms, n=20)[18] if n > 1 else self.durations_ms[0]
        return (
            f"{self.name:<10} {n:>8} {statistics.fmean(self.durations_ms):>9.2f} "
            f"{statistics.median(self.durations_ms):>9.2f} {p95:>9.2f} {self.statements / n:>9.2f}"
        )


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = response.json()
    # A program, not a browser: no cookies, so no login ends the session of the one before.
    client.cookies.clear()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"bench: request failed ({response.status_code}): {body}")
    return body["data"]


async def scenario(
    name: str,
    client: httpx.AsyncClient,
    counter: Counter,
    requests: int,
    warmup: int,
    query: str,
    variables: dict[str, Any],
    token: str | None = None,
) -> Result:
    for _ in range(warmup):
        await post(client, query, variables, token)
    durations: list[float] = []
    before = counter.statements
    deadline = time.perf_counter() + BUDGET_SECONDS
    for _ in range(requests):
        started = time.perf_counter()
        data = await post(client, query, variables, token)
        durations.append((time.perf_counter() - started) * 1000)
        if any(payload.get("userErrors") for payload in data.values()):
            raise SystemExit(f"bench: {name} answered with userErrors: {data}")
        if started > deadline:
            break
    return Result(name, durations, counter.statements - before)


async def run(url: str, data_dir: Path) -> list[Result]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    # The login scenario alone exceeds the per-IP attempt limit, which is not what it measures.
    settings = Settings(
        database_url=url, secret_key=secrets.token_urlsafe(48), data_dir=data_dir, ip_attempts_per_minute=1_000_000
    )
    async with LifespanManager(create_app(settings)) as manager:
        resources: Resources = manager._state["resources"]
        counter = Counter()
        event.listen(resources.engine.sync_engine, "after_cursor_execute", counter)
        gc.freeze()  # as `gateway serve` does after start-up
        transport = httpx.ASGITransport(app=manager.app, client=("198.51.100.1", 4711))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            signed = await post(client, SIGN_UP, {"input": {"email": EMAIL, "password": PASSWORD, "fullName": "Bench"}})
            token = signed["signUp"]["sessionToken"]
            credentials = {"input": {"email": EMAIL, "password": PASSWORD}}
            return [
                await scenario("logIn", client, counter, 30, 3, LOG_IN, credentials),
                await scenario("viewer", client, counter, 500, 20, VIEWER, {}, token),
            ]


def main() -> None:
    started = time.perf_counter()
    root = PROJECT_ROOT / ".data" / f"bench-{os.getpid()}"
    server = EmbeddedPostgres(root / "pg")
    try:
        url = server.start(database="gateway_bench")
        with tempfile.TemporaryDirectory(prefix="gateway-bench-") as data_dir:
            results = asyncio.run(run(url, Path(data_dir)))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nin-process ASGI, one client, sequential; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'scenario':<10} {'requests':>8} {'mean ms':>9} {'p50 ms':>9} {'p95 ms':>9} {'SQL/req':>9}")
    for result in results:
        print(result.row())
    print(f"total {time.perf_counter() - started:.1f} s (including PostgreSQL start and stop)")


if __name__ == "__main__":
    main()
