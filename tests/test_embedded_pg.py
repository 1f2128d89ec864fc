"""The embedded PostgreSQL is supervised: it comes back when it dies, stops fast, and never outlives the gateway."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import psutil
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from gateway.app import create_app
from gateway.db.engine import create_engine
from gateway.embedded_pg import EmbeddedPostgres, postmaster
from gateway.settings import PROJECT_ROOT
from tests.graphql import answer_of


def servers_on(pgdata: Path) -> list[psutil.Process]:
    """Every process of a server on `pgdata` (postmaster and its children)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            command = " ".join(process.info["cmdline"] or ())
            if process.info["status"] != psutil.STATUS_ZOMBIE and str(pgdata) in command:
                found.append(process)
        except psutil.Error:
            continue
    return found


async def eventually(check, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.25)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Under the project, like the suite's server: as root the server runs as its own user, who
    # cannot enter pytest's temporary directories.
    path = PROJECT_ROOT / ".data" / f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield path
    for process in servers_on((path / "pg").resolve()):  # never leave one behind, even when a test fails
        process.kill()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def embedded(settings, data_dir):
    return replace(settings, database_url=None, data_dir=data_dir)


async def test_a_postmaster_that_dies_is_restarted_and_never_left_running(embedded):
    pgdata = embedded.embedded_pgdata.resolve()
    async with LifespanManager(create_app(embedded, migrate=True), startup_timeout=180, shutdown_timeout=30) as manager:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver")
        assert (await client.get("/readyz")).status_code == 200
        first = postmaster(pgdata)
        assert first is not None
        first.send_signal(signal.SIGKILL)

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready)
        second = postmaster(pgdata)
        assert second is not None and second.pid != first.pid
        body = await client.post("/graphql", json={"query": '{ __type(name: "User") { name } }'})
        assert answer_of(body.json()) == {"data": {"__type": {"name": "User"}}}
        await client.aclose()
    assert not servers_on(pgdata)


async def test_stop_does_not_wait_for_an_open_pooled_session(data_dir):
    pgdata = data_dir / "pg"
    server = EmbeddedPostgres(pgdata)
    url = await asyncio.to_thread(server.start)
    engine = create_engine(url)
    try:
        conn = await engine.connect()
        await conn.execute(text("BEGIN"))
        await conn.execute(text("SELECT 1"))  # checked out, in an open transaction, as a pooled session can be
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        assert time.monotonic() - started < 5  # the package's own stop took 17 s here
        assert not servers_on(pgdata.resolve())
        await conn.invalidate()
    finally:
        await engine.dispose()
