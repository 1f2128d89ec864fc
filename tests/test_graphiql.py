"""GraphiQL's page and assets over HTTP: all from this origin, pinned, under a policy that allows nothing else."""

from __future__ import annotations

import hashlib
import re

from gateway.graphiql import STATIC

HTML = {"Accept": "text/html"}
VENDORED = {"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"}


def page_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


async def test_the_page_loads_only_assets_of_this_origin_under_a_strict_policy(client):
    page = await client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    # No inline script to allow: the only <script> without src is the JSON block the bootstrap reads.
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert inline == ['<script id="graphiql-config" type="application/json">']

    urls = page_assets(page.text)
    own = {"graphiql-start.js", "graphiql-start.css"}
    assert {url.rsplit("/", 1)[1] for url in urls if url.startswith("/")} == VENDORED | own
    assert [url for url in urls if not url.startswith(("/graphiql/", "data:"))] == []
    for url in urls:
        if url.startswith("data:"):
            continue
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))
        assert asset.headers["x-content-type-options"] == "nosniff"
        assert hashlib.sha256(asset.content).hexdigest()[:16] == url.split("/")[2]


async def test_the_default_tab_shows_how_to_log_in(client):
    page = await client.get("/graphql", headers=HTML)
    config = re.search(r'<script id="graphiql-config" type="application/json">(.*?)</script>', page.text).group(1)
    assert 'logIn(input: {email: \\"webmaster@example.com\\", password: \\"demo-Password-2026!\\"})' in config
    assert "sessionToken" in config and "Authorization: Bearer" in config


async def test_an_asset_is_served_only_at_its_current_digest(client):
    page = await client.get("/graphql", headers=HTML)
    url = next(u for u in page_assets(page.text) if u.endswith("/graphiql.min.js"))
    stale = await client.get(url.replace(url.split("/")[2], "0" * 16))
    assert stale.status_code == 404
    assert stale.headers["cache-control"] == "no-store"
    other = await client.get(url.replace("graphiql.min.js", "README.md"))
    assert other.status_code == 404


async def test_production_serves_neither_page_nor_assets(client, make_client, production):
    url = next(u for u in page_assets((await client.get("/graphql", headers=HTML)).text) if u.endswith(".js"))
    live = await make_client(production)
    assert (await live.get("/graphql", headers=HTML)).status_code == 404
    assert (await live.get(url)).status_code == 404


def test_the_vendored_files_are_the_pinned_ones():
    readme = (STATIC / "README.md").read_text()
    row = r"^\| `([\w.-]+\.(?:js|css))` \| `[^`]+` \| `[^`]+` \| `([0-9a-f]{64})` \|$"
    pinned = dict(re.findall(row, readme, re.M))
    assert set(pinned) == VENDORED
    for name, digest in pinned.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
