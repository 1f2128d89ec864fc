"""HTTP caching of answers to GET: what a browser or a shared cache may keep, and for whom.

- Anonymous answers without errors are the same for every anonymous caller: `public, max-age=60`.
- Answers for a session or a token are the caller's own: `private, no-cache`, so the browser
  keeps them but asks again each time (a mutation elsewhere must not leave a stale page); the ETag
  lets the answer to that question be an empty 304.
- Answers with errors are not kept.
Every answer varies on the headers that choose the caller, the language and the media type.
The ETag is of the answer's `data` alone: `extensions.cost` tells the caller's budget, which moves with
every request, and must not make an unchanged answer look new. (As GitHub's API does, a cached anonymous
answer may carry another moment's budget figures; they are advice, the bucket decides.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

PUBLIC_MAX_AGE = 60
VARY = "Accept, Accept-Language, Authorization, Cookie"


@dataclass(frozen=True, slots=True)
class GetRequest:
    authenticated: bool
    if_none_match: str | None


def cacheable(response: Response, get: GetRequest, answer: dict[str, Any]) -> Response:
    response.headers["vary"] = VARY
    if answer.get("errors") or response.status_code != 200 or "set-cookie" in response.headers:
        response.headers["cache-control"] = "no-store"
        return response
    public = f"public, max-age={PUBLIC_MAX_AGE}"
    response.headers["cache-control"] = "private, no-cache" if get.authenticated else public
    etag = 'W/"' + hashlib.sha256(orjson.dumps(answer.get("data"))).hexdigest()[:32] + '"'
    response.headers["etag"] = etag
    if get.if_none_match and etag in {tag.strip() for tag in get.if_none_match.split(",")}:
        headers = {k: v for k, v in response.headers.items() if k in ("cache-control", "etag", "vary")}
        return Response(status_code=304, headers=headers)
    return response
