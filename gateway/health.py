from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.db.migrate import current_revision, head_revision
from gateway.resources import Resources


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    resources: Resources = request.state.resources
    try:
        async with resources.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        revision = await current_revision(resources.engine)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    head = head_revision()
    if revision != head:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "migrations": {"current": revision, "head": head}},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migrations": {"current": revision, "head": head}})
