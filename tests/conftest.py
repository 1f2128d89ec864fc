from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.clock import SettableClock
from gateway.db.base import Base
from gateway.db.engine import create_engine
from gateway.db.migrate import upgrade
from gateway.embedded_pg import EmbeddedPostgres
from gateway.settings import PROJECT_ROOT, Settings
from tests.books import problems_in_the_books

SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Loaded by the migration step from data files; every test reads them, none writes them.
REFERENCE_TABLES = {"catalog_items", "catalog_prices", "vat_rates"}
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    configured = os.environ.get("GATEWAY_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    pgdata = PROJECT_ROOT / ".data" / f"test-{os.getpid()}" / "pg"
    server = EmbeddedPostgres(pgdata)
    url = server.start(database="gateway_test")
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(pgdata.parent, ignore_errors=True)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    async with engine.connect() as conn:
        problems = await problems_in_the_books(conn)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    if problems:  # after the TRUNCATE, so one unbalanced test does not fail the ones after it
        pytest.fail("the books do not balance:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="development",
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=SECRET,
        public_url="http://testserver",
        allowed_origins=("https://app.example.net",),
        # `make test-standard` runs the suite on the standard path alone (tests/test_compiled_reads.py compares both).
        compiled_reads=os.environ.get("GATEWAY_TEST_COMPILED_READS", "on") != "off",
    )


@pytest.fixture
async def make_client(engine: AsyncEngine, clock: SettableClock) -> AsyncIterator[Any]:
    """Builds an app from settings and returns an HTTP client talking to it through ASGI."""
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def make(settings: Settings, **client_kwargs: Any) -> httpx.AsyncClient:
        manager = LifespanManager(create_app(settings, clock=clock))
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app, client=(client_kwargs.pop("ip", "203.0.113.7"), 4711))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver", **client_kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
    for manager in reversed(managers):
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def client(make_client: Any, settings: Settings) -> httpx.AsyncClient:
    return await make_client(settings)


@pytest.fixture
def production(settings: Settings) -> Settings:
    return replace(settings, environment="production", cookie_secure=True)


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The query cost budget's own statements (one, and a refund when an answer used less than it asked)
        # are not the resolvers'; tests/test_rate_limits.py covers them.
        if "query_cost_buckets" not in statement:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql() -> Iterator[StatementCounter]:
    """Counts SQL statements sent by every engine (the app's included) while the test runs, but the budget's."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counter = StatementCounter()
    event.listen(Engine, "after_cursor_execute", counter)
    yield counter
    event.remove(Engine, "after_cursor_execute", counter)
