"""The floor: scenario (a)'s answer straight from SQL on raw asyncpg, behind the same uvicorn.

No GraphQL, no ORM, no loaders: it checks the bearer session like the gateway does, then
- `POST /graphql`: two statements (organizations; member pages and counts), dicts built here;
- `POST /graphql-sql`: one statement that builds the whole JSON inside PostgreSQL.
Both answer exactly what the gateway answers for VIEWER_ORGANIZATIONS; the bench compares.

    python -m bench.floor --database-url URL --secret-key KEY --port 8123
"""

from __future__ import annotations

import argparse
import base64
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.seed import plain_dsn
from permissions.rights import Right
from resolvers.tokens import token_hash

ORGANIZATIONS_PAGE = 50
MEMBERS_PAGE = 10
ALL_RIGHTS = sorted(right.value for right in Right)

SESSION = """
SELECT user_id FROM sessions
WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND last_seen_at > now() - interval '30 minutes'
"""

ORGANIZATIONS = """
SELECT o.id, o.name, m.role, m.rights
FROM memberships m JOIN organizations o ON o.id = m.organization_id
WHERE m.user_id = $1 AND m.status = 'ACTIVE' AND o.deleted_at IS NULL
ORDER BY lower(o.name), o.id LIMIT $2
"""

MEMBERS = """
SELECT o.id AS organization_id, c.n, p.full_name, p.email, p.role
FROM unnest($1::uuid[]) AS o(id)
CROSS JOIN LATERAL (SELECT count(*) AS n FROM memberships WHERE organization_id = o.id) AS c
LEFT JOIN LATERAL (
    SELECT u.full_name, u.email, m.role, m.created_at, m.id
    FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.organization_id = o.id ORDER BY m.created_at, m.id LIMIT $2
) AS p ON true
ORDER BY o.id, p.created_at, p.id
"""

WHOLE_ANSWER = """
WITH orgs AS (
    SELECT o.id, o.name, m.role, m.rights
    FROM memberships m JOIN organizations o ON o.id = m.organization_id
    WHERE m.user_id = $1 AND m.status = 'ACTIVE' AND o.deleted_at IS NULL
    ORDER BY lower(o.name), o.id LIMIT $2
)
SELECT json_build_object('data', json_build_object('viewer', json_build_object('organizations',
    json_build_object('edges', coalesce(json_agg(json_build_object(
        'role', orgs.role,
        'node', json_build_object(
            'id', translate(encode(convert_to('Organization:' || orgs.id, 'UTF8'), 'base64'), E'\\n', ''),
            'name', orgs.name,
            'myMembership', json_build_object('role', orgs.role, 'rights',
                CASE WHEN orgs.role IN ('OWNER', 'ADMIN') THEN $4::json
                     ELSE (SELECT coalesce(json_agg(r ORDER BY r COLLATE "C"), '[]')
                           FROM unnest(orgs.rights) AS r) END),
            'members', json_build_object(
                'totalCount', (SELECT count(*) FROM memberships WHERE organization_id = orgs.id),
                'edges', (
                    SELECT coalesce(json_agg(json_build_object('node', json_build_object(
                        'fullName', p.full_name, 'email', p.email, 'role', p.role)) ORDER BY p.created_at, p.id), '[]')
                    FROM (
                        SELECT u.full_name, u.email, m.role, m.created_at, m.id
                        FROM memberships m JOIN users u ON u.id = m.user_id
                        WHERE m.organization_id = orgs.id ORDER BY m.created_at, m.id LIMIT $3
                    ) AS p)))
    ) ORDER BY lower(orgs.name), orgs.id), '[]')))))::text
FROM orgs
"""

UNAUTHENTICATED = orjson.dumps({"errors": [{"message": "Not logged in.", "extensions": {"code": "UNAUTHENTICATED"}}]})


class Floor:
    def __init__(self, pool: asyncpg.Pool, secret_key: str) -> None:
        self.pool = pool
        self.secret_key = secret_key
        self.statements = 0  # read by the bench's in-process count

    async def user_id(self, conn: asyncpg.Connection, request: Request) -> Any:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        self.statements += 1
        return await conn.fetchval(SESSION, token_hash(self.secret_key, token.strip()))

    async def in_python(self, request: Request) -> Response:
        orjson.loads(await request.body())  # a GraphQL server reads its request, so the floor does too
        async with self.pool.acquire() as conn:
            user_id = await self.user_id(conn, request)
            if user_id is None:
                return Response(UNAUTHENTICATED, 401, media_type="application/json")
            orgs = await conn.fetch(ORGANIZATIONS, user_id, ORGANIZATIONS_PAGE)
            members = await conn.fetch(MEMBERS, [o["id"] for o in orgs], MEMBERS_PAGE)
            self.statements += 2
        pages: dict[Any, dict[str, Any]] = {o["id"]: {"totalCount": 0, "edges": []} for o in orgs}
        for row in members:
            page = pages[row["organization_id"]]
            page["totalCount"] = row["n"]
            if row["email"] is not None:
                page["edges"].append(
                    {"node": {"fullName": row["full_name"], "email": row["email"], "role": row["role"]}}
                )
        edges = [
            {
                "role": o["role"],
                "node": {
                    "id": base64.b64encode(f"Organization:{o['id']}".encode()).decode(),
                    "name": o["name"],
                    "myMembership": {"role": o["role"], "rights": _rights(o["role"], o["rights"])},
                    "members": pages[o["id"]],
                },
            }
            for o in orgs
        ]
        body = {"data": {"viewer": {"organizations": {"edges": edges}}}}
        return Response(orjson.dumps(body), media_type="application/json")

    async def in_sql(self, request: Request) -> Response:
        orjson.loads(await request.body())
        async with self.pool.acquire() as conn:
            user_id = await self.user_id(conn, request)
            if user_id is None:
                return Response(UNAUTHENTICATED, 401, media_type="application/json")
            text = await conn.fetchval(
                WHOLE_ANSWER, user_id, ORGANIZATIONS_PAGE, MEMBERS_PAGE, orjson.dumps(ALL_RIGHTS).decode()
            )
            self.statements += 1
        return Response(text.encode(), media_type="application/json")


def _rights(role: str, granted: list[str]) -> list[str]:
    return ALL_RIGHTS if role in ("OWNER", "ADMIN") else sorted(granted)


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def in_python(request: Request) -> Response:
    floor: Floor = request.state.floor
    return await floor.in_python(request)


async def in_sql(request: Request) -> Response:
    floor: Floor = request.state.floor
    return await floor.in_sql(request)


def create_app(database_url: str, secret_key: str) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Floor]]:
        settings = {"application_name": "bench-floor", "timezone": "UTC"}
        async with asyncpg.create_pool(
            plain_dsn(database_url), min_size=2, max_size=10, server_settings=settings
        ) as pool:
            yield {"floor": Floor(pool, secret_key)}

    routes = [
        Route("/graphql", in_python, methods=["POST"]),
        Route("/graphql-sql", in_sql, methods=["POST"]),
        Route("/healthz", healthz),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(args.database_url, args.secret_key)
    gc.freeze()  # as `gateway serve` does
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
