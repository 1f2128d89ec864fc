"""The README's shell examples, pasted in order into one shell, against a live `gateway serve` with the demo data."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from gateway.settings import PROJECT_ROOT
from tests.live import LiveGateway, live_gateway  # noqa: F401 (fixture)

README = PROJECT_ROOT / "README.md"
LOCAL = "http://127.0.0.1:8000"
# Every curl answer is printed on a line of its own, and a refused request fails the script.
PRELUDE = """set -euo pipefail
curl() { command curl --show-error --fail-with-body "$@"; echo; }
"""


def api_examples() -> list[str]:
    """The blocks that talk to the gateway of `make run`; `make` and Docker Compose are not run here."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", README.read_text(), re.M | re.S)
    return [block for block in blocks if LOCAL in block and "docker" not in block]


def problems_in(answer: Any, path: str = "") -> list[str]:
    if isinstance(answer, dict):
        found = [f"{path}.errors: {answer['errors']}"] if answer.get("errors") else []
        if answer.get("userErrors"):
            found.append(f"{path}.userErrors: {answer['userErrors']}")
        return found + [p for key, value in answer.items() for p in problems_in(value, f"{path}.{key}")]
    if isinstance(answer, list):
        return [p for i, value in enumerate(answer) for p in problems_in(value, f"{path}[{i}]")]
    return []


def test_the_readme_examples_run_as_pasted(live_gateway: LiveGateway, tmp_path: Path):  # noqa: F811
    examples = api_examples()
    assert len(examples) >= 4, "the README's API examples were not found"
    script = PRELUDE + "\n".join(examples).replace(LOCAL, live_gateway.url)
    # `.venv/bin/gateway` as the README runs it from the project directory, here on the test database.
    gateway = tmp_path / ".venv" / "bin" / "gateway"
    gateway.parent.mkdir(parents=True)
    gateway.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gateway.cli "$@"\n')
    gateway.chmod(gateway.stat().st_mode | stat.S_IXUSR)
    result = subprocess.run(
        ["bash", "-c", script],  # noqa: S607 (bash from PATH, as a person's shell)
        cwd=tmp_path,
        env=live_gateway.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"

    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    # sign-up, log-in, viewer by cookie, viewer by token, reset request, mailbox, organizations
    assert len(answers) >= 7, result.stdout
    assert [p for answer in answers for p in problems_in(answer)] == []
    assert result.stdout.count('"email":"webmaster@example.com"') >= 2  # the cookie and the bearer token
    assert "reset-password?token=gwr_" in result.stdout  # `gateway mail list` and /dev/mailbox
    assert '"name":"Studio Web Demo"' in result.stdout
    # For partners: the integration token reads as itself, and its organization's products.
    assert '"kind":"INTEGRATION"' in result.stdout and '"products":{"totalCount":' in result.stdout
    assert '"kind":"PERSONAL"' in result.stdout
