"""GraphiQL in a real browser: Debian's chromium, headless, against `gateway serve` on loopback."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Route, async_playwright, expect

from tests.live import LiveGateway, live_gateway  # noqa: F401 (fixture)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOG_IN = (
    'mutation { logIn(input: {email: "webmaster@example.com", password: "demo-Password-2026!"}) '
    "{ sessionToken user { email } userErrors { code } } }"
)
VIEWER = "{ viewer { user { email fullName } } }"


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser test: install Debian's chromium (.ci/run does)")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    return CHROMIUM


async def replace_query(page: Page, text: str) -> None:
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await editor.click()
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.press("Delete")
    # Pasted, not typed key by key: the editor would close every bracket a second time.
    await page.keyboard.insert_text(text)
    # GraphiQL re-reads the operation's name from an edit after a debounce of up to 500 ms.
    await page.wait_for_timeout(700)


async def run_and_read(page: Page, expected: str) -> str:
    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    await expect(result).to_contain_text(expected, timeout=20_000)
    return await result.inner_text()


async def test_log_in_through_graphiql_and_ask_who_i_am(live_gateway: LiveGateway, chromium: Path):  # noqa: F811
    origin = live_gateway.url
    outside: list[str] = []
    problems: list[str] = []

    async def only_this_origin(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if f"{parts.scheme}://{parts.netloc}" == origin or parts.scheme == "data":
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            context = await browser.new_context()
            await context.route("**/*", only_this_origin)
            page = await context.new_page()
            page.on("request", lambda r: None if r.url.startswith((origin, "data:")) else outside.append(r.url))
            # A request the CSP blocks never reaches the network, but the console says so.
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            await page.goto(f"{origin}/graphql")
            # The default tab shows how to log in.
            default_tab = page.locator(".graphiql-query-editor")
            await expect(default_tab).to_contain_text('logIn(input: {email: "webmaster@example.com"')
            await expect(default_tab).to_contain_text("sessionToken")

            await replace_query(page, LOG_IN)
            answer = await run_and_read(page, '"sessionToken": "gws_')
            assert '"userErrors": []' in answer

            # The cookie the login set is what this query is answered for.
            await replace_query(page, VIEWER)
            answer = await run_and_read(page, '"email": "webmaster@example.com"')
            assert '"errors"' not in answer
            cookies = await context.cookies(origin)
            assert [c["name"] for c in cookies] == ["gateway_session"]
        finally:
            await browser.close()

    assert outside == []
    assert problems == []
