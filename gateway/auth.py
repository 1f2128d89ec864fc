"""Who is calling: the bearer token or the session cookie, and whether a cookie may be trusted."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from gateway.clock import Clock
from gateway.settings import Settings
from permissions.errors import Forbidden, Unauthenticated
from permissions.principal import ANONYMOUS, AuthMethod, Principal
from permissions.staff import StaffRole
from resolvers import api_tokens, sessions
from resolvers.api_token_format import looks_like_api_token
from resolvers.sessions import AuthenticatedSession

TRUSTED_FETCH_SITES = ("same-origin", "none")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cross_site(request: Request, settings: Settings) -> bool:
    """True when a browser sent this request from a page that is not one of ours.

    `Sec-Fetch-Site` is authoritative where the browser sends it; older browsers
    send only `Origin`. Requests with neither come from programs, not pages.
    """
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/").lower() in {o.lower() for o in settings.allowed_origins}:
        return False
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in TRUSTED_FETCH_SITES
    if origin:
        own = {_origin(settings.public_url), _origin(str(request.base_url))}
        return origin.rstrip("/").lower() not in own
    return False


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be `Bearer <token>`.")
    return token.strip()


async def resolve_principal(
    request: Request, settings: Settings, clock: Clock, db: async_sessionmaker[AsyncSession]
) -> Principal:
    token = bearer_token(request)
    if token is not None and looks_like_api_token(token):
        ip = request.client.host if request.client else "unknown"
        principal = await api_tokens.authenticate(db, settings, token, clock.now(), ip)
        if principal is None:
            raise Unauthenticated("The token is not valid or has expired.")
        return principal
    if token is not None:
        row = await sessions.authenticate(db, settings, token, clock.now())
        if row is None:
            raise Unauthenticated("The token is not valid or has expired.")
        return _session_principal(row, AuthMethod.BEARER)
    cookie = request.cookies.get(settings.cookie_name)
    if not cookie:
        return ANONYMOUS
    if is_cross_site(request, settings):
        raise Forbidden("Cross-site requests may not use the session cookie.")
    row = await sessions.authenticate(db, settings, cookie, clock.now())
    if row is None:
        return ANONYMOUS
    return _session_principal(row, AuthMethod.COOKIE)


def _session_principal(row: AuthenticatedSession, method: AuthMethod) -> Principal:
    staff_role = StaffRole(row.staff_role) if row.staff_role is not None else None
    return Principal(
        user_id=row.user_id, session_id=row.id, method=method, language=row.language, staff_role=staff_role
    )
