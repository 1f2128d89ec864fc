"""The processes of a run: uvicorn servers on core 0; PostgreSQL, the load generator and this process on core 1."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from gateway.settings import KINDS, PROJECT_ROOT

SERVER_CORE = 0
CLIENT_CORE = 1
START_TIMEOUT = 60.0
SETTLE_LIMIT = 60.0
TASKSET = shutil.which("taskset")
PINNED = TASKSET is not None and len(os.sched_getaffinity(0)) >= 2


def pinned(core: int) -> list[str]:
    return [TASKSET, "-c", str(core)] if PINNED and TASKSET else []


def pin_self() -> None:
    if PINNED:
        os.sched_setaffinity(0, {CLIENT_CORE})


def pin_postgres(pgdata: Path) -> int | None:
    """Pins the postmaster and its children (backends forked later inherit it); returns its pid."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split()[0])
    if PINNED and TASKSET:
        for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
            subprocess.run(  # noqa: S603 (taskset on a pid of ours)
                [TASKSET, "-a", "-p", "-c", str(CLIENT_CORE), str(process.pid)],
                check=False,
                capture_output=True,
                timeout=10,
            )
    return pid


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start(name: str, argv: list[str], env: dict[str, str], log: Path) -> Server:
    """Runs `argv` pinned to the server core (taskset execs, so the pid is the server's) and waits for /healthz."""
    port = int(env["PORT"])
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
            [*pinned(SERVER_CORE), *argv],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, process, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: {name} exited with {process.returncode} while starting:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1.0).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise SystemExit(f"bench: {name} did not answer /healthz within {START_TIMEOUT:.0f} s:\n{server.log_tail()}")


# Budgets on, as in production, but large enough that the load never drains one: the check and its
# statement run on every request, and no answer is a 429 (`viewer-off` runs with them switched off).
BENCH_BUDGET = 1_000_000_000


def budget_env(enabled: bool = True) -> dict[str, str]:
    env = {"GATEWAY_COST_BUDGETS": "on" if enabled else "off"}
    for kind in KINDS:
        env[f"GATEWAY_COST_{kind.upper()}_MAXIMUM"] = str(BENCH_BUDGET)
        env[f"GATEWAY_COST_{kind.upper()}_RESTORE_RATE"] = str(BENCH_BUDGET)
    return env


def gateway(
    database_url: str, secret_key: str, data_dir: Path, log: Path, *, budgets: bool = True, compiled: bool = True
) -> Server:
    port = free_port()
    env = {
        "PORT": str(port),
        "GATEWAY_PORT": str(port),
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_SECRET_KEY": secret_key,
        "GATEWAY_DATA_DIR": str(data_dir),
        # logIn under load would trip the per-IP throttle, which is not what it measures.
        "GATEWAY_IP_ATTEMPTS_PER_MINUTE": "1000000000",
        # Production must name its payment provider; the only one there is moves no money.
        "GATEWAY_PAYMENT_PROVIDER": "local-test",
        **budget_env(budgets),
        "GATEWAY_COMPILED_READS": "on" if compiled else "off",
    }
    return start("gateway", [sys.executable, "-m", "gateway.cli", "serve"], env, log)


def floor(database_url: str, secret_key: str, log: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bench.floor", "--database-url", database_url, "--secret-key", secret_key]
    return start("floor", [*argv, "--port", str(port)], {"PORT": str(port)}, log)


BUSY = """
SELECT count(*) FROM pg_stat_activity
WHERE application_name = 'organization-gateway' AND state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid()
"""


async def settle(database_url: str, quiet: float = 0.5) -> float:
    """Waits (at most SETTLE_LIMIT s) until no gateway connection has been busy for `quiet` s: the
    start-up jobs round sends expiry notices for every product due within 30 days. Returns the wait."""
    started = time.monotonic()
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        calm_since = time.monotonic()
        while time.monotonic() - started < SETTLE_LIMIT:
            if await conn.fetchval(BUSY):
                calm_since = time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                break
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return time.monotonic() - started


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    """One timed run of the load generator, in its own process on the client core."""
    timeout = spec["warmup"] + spec["seconds"] + 60
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [*pinned(CLIENT_CORE), sys.executable, "-m", "bench.load"],
        cwd=PROJECT_ROOT,
        input=json.dumps(spec).encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench: load generator failed:\n{completed.stderr.decode(errors='replace')[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result
