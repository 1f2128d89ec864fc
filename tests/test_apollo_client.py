"""Apollo Client's own persisted-query link (tests/clients/apollo, pinned by its package-lock.json)
against `gateway serve`: a miss, the retry with the text, then the hash alone; by POST and by GET."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live import LiveGateway, live_gateway  # noqa: F401 (fixture)

PROJECT = Path(__file__).parent / "clients" / "apollo"


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run Apollo's client: install Node.js and npm (.ci/run does)")
        pytest.skip("needs Node.js (`node` on PATH) to run Apollo's client")
    return found


def install(project: Path) -> None:
    """`npm ci` when node_modules is missing or older than the lock file (npm records its own copy)."""
    installed = project / "node_modules" / ".package-lock.json"
    lock = project / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    assert npm, "Node.js is installed without npm: install npm too (apt-get install npm)"
    # --ignore-scripts: nothing from the registry runs at install time.
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.timeout(600)  # the first run installs the client from the npm registry
def test_apollo_persisted_query_link_end_to_end(live_gateway: LiveGateway, node: str):  # noqa: F811
    install(PROJECT)
    result = subprocess.run(
        [node, "apq.mjs", f"{live_gateway.url}/graphql"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)

    def wire(name: str) -> list[tuple[str, bool, bool, int, str | None]]:
        return [(s["method"], s["withQuery"], s["withHash"], s["status"], s["code"]) for s in runs[name]["sent"]]

    # Unknown hash: the link reads PERSISTED_QUERY_NOT_FOUND and sends the text with the hash (always POST).
    miss = [("POST", False, True, 200, "PERSISTED_QUERY_NOT_FOUND"), ("POST", True, True, 200, None)]
    assert wire("firstPost") == miss
    assert wire("secondPost") == [("POST", False, True, 200, None)]
    assert wire("firstGet") == [("GET", False, True, 200, "PERSISTED_QUERY_NOT_FOUND"), ("POST", True, True, 200, None)]
    assert wire("secondGet") == [("GET", False, True, 200, None)]
    assert runs["secondGet"]["sent"][0]["cacheControl"] == "public, max-age=60"

    for name in ("firstPost", "secondPost"):
        assert "hosting-linux-start" in [item["sku"] for item in runs[name]["data"]["catalog"]]
    for name in ("firstGet", "secondGet"):
        assert {item["kind"] for item in runs[name]["data"]["catalog"]} == {"DOMAIN"}
