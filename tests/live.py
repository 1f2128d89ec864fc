"""A real `gateway serve` (uvicorn) on a free loopback port, on the test database, with the demo data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import SECRET


@dataclass(frozen=True)
class LiveGateway:
    url: str
    env: dict[str, str]
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_gateway(engine: object, database_url: str, tmp_path: Path) -> Iterator[LiveGateway]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "GATEWAY_ENVIRONMENT": "development",
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEY": SECRET,
        "GATEWAY_DATA_DIR": str(tmp_path / "data"),
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_PUBLIC_URL": url,
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "gateway.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--demo"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(url, process, log)
        yield LiveGateway(url, env, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gateway serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            # The demo data is loaded before the server accepts connections.
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gateway serve did not answer within 60 s:\n{log.read_text()}")
