"""GraphiQL in development, served whole by the gateway: pinned assets, a page that loads nothing from elsewhere."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from gateway.demo import DEMO_USERS
from gateway.resources import Resources

STATIC = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/graphiql"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The bootstrap is a file too, so the page needs no inline script: 'self' is the whole script policy.
# Fonts and icons of graphiql.min.css are data: URLs; GraphiQL talks only to this origin's /graphql.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self' data:; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# An asset's URL names its content digest, so a changed file is a new URL and caches may keep each forever.
IMMUTABLE = "public, max-age=31536000, immutable"

LOG_IN = """\
# Log in first: run this (Ctrl-Enter, or the pink button).
# It is the demo webmaster that `make run` loads; put your
# own email and password in its place.
#
# The answer sets the session cookie (HttpOnly). This page
# sends it with each request to this origin, so the query of
# the second tab then answers for you.
#
# Programs use the returned sessionToken instead of the
# cookie: send it as "Authorization: Bearer <sessionToken>"
# (here: the Headers pane below, {"Authorization": "Bearer gws_..."}).
mutation LogIn {
  logIn(input: {email: EMAIL, password: PASSWORD}) {
    sessionToken
    sessionExpiresAt
    user { id email fullName }
    userErrors { field code message }
  }
}
"""
VIEWER = """\
# Who am I, and where (after the login of the first tab).
{
  viewer {
    user { id email fullName }
    organizations(first: 10) { edges { role rights node { id name } } }
  }
}
"""


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: bytes
    digest: str
    media_type: str

    @property
    def url(self) -> str:
        return f"{PREFIX}/{self.digest}/{self.name}"


@cache
def assets() -> dict[str, Asset]:
    found = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix in MEDIA_TYPES:
            body = path.read_bytes()
            found[path.name] = Asset(path.name, body, hashlib.sha256(body).hexdigest()[:16], MEDIA_TYPES[path.suffix])
    return found


async def graphiql_asset(request: Request) -> Response:
    asset = assets().get(request.path_params["name"])
    if asset is None or asset.digest != request.path_params["digest"]:
        return Response("Not found.", status_code=404, media_type="text/plain")
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE})


def graphiql_page(request: Request) -> HTMLResponse:
    resources: Resources = request.state.resources
    # Literal arguments: GraphiQL 3 does not show a default tab's variables. A JSON string is a GraphQL string.
    log_in = LOG_IN.replace("EMAIL", orjson.dumps(DEMO_USERS[0][0]).decode()).replace(
        "PASSWORD", orjson.dumps(resources.settings.demo_password).decode()
    )
    config = {"tabs": [{"query": log_in}, {"query": VIEWER}]}
    # Data, not script: a JSON block the bootstrap reads. "<" is escaped so no text can close the element.
    config_json = orjson.dumps(config).decode().replace("<", "\\u003c")
    found = assets()
    scripts = "".join(
        f'<script src="{html.escape(found[name].url)}"></script>'
        for name in ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql-start.js")
    )
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphiQL · Organization gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{html.escape(found["graphiql.min.css"].url)}">
<link rel="stylesheet" href="{html.escape(found["graphiql-start.css"].url)}">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="graphiql-config" type="application/json">{config_json}</script>
{scripts}
</body>
</html>
"""
    return HTMLResponse(page, headers={"Content-Security-Policy": PAGE_CSP})
