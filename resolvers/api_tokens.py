"""API tokens at the door: who a bearer API token is, checked on every request, and its last use."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import ApiToken, Membership, Organization, StaffMember, User
from gateway.settings import Settings
from permissions.errors import Forbidden
from permissions.policy import ACTIVE
from permissions.principal import AuthMethod, Principal, TokenKind, TokenScope
from permissions.rights import Right
from resolvers import audit
from resolvers.api_token_format import kind_of
from resolvers.tokens import token_hash

# Recording each use would turn every read into a write: the last use is kept to about the minute.
TOUCH_EVERY = timedelta(minutes=1)
KNOWN_IPS = 20


class AddressNotAllowed(Forbidden):
    default_message = "This token may not be used from this address."

    def __init__(self) -> None:
        super().__init__(None, reason="IP_NOT_ALLOWED")


def scope_of(row: Any) -> TokenScope:
    kind = TokenKind(row.kind)
    organizations = row.organization_ids if kind is TokenKind.PERSONAL else [row.organization_id]
    return TokenScope(
        id=row.id,
        kind=kind,
        organization_ids=frozenset(organizations) if organizations is not None else None,
        rights=frozenset(Right(r) for r in row.rights),
        all_products=row.all_products,
        product_ids=frozenset(row.product_ids),
    )


def address_allowed(allowlist: Iterable[str], ip: str) -> bool:
    networks = list(allowlist)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n) for n in networks)


def live(now: datetime) -> Any:
    """The SQL condition of a token that still works: not revoked, not expired, its organization not deleted."""
    return (
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
        or_(ApiToken.organization_id.is_(None), Organization.deleted_at.is_(None)),
    )


async def authenticate(
    reads: async_sessionmaker[AsyncSession], settings: Settings, token: str, now: datetime, ip: str
) -> Principal | None:
    """The principal of a live API token, or None (unknown, malformed, revoked, expired); refused from an address
    outside its allowlist. Everything is read anew on each request, so a revocation holds on the next one."""
    if kind_of(token) is None:
        return None
    async with reads() as session:
        found = (
            await session.execute(
                select(ApiToken, User.language)
                .outerjoin(User, User.id == ApiToken.user_id)
                .outerjoin(Organization, Organization.id == ApiToken.organization_id)
                .where(ApiToken.token_hash == token_hash(settings.secret_key, token), *live(now))
                # Staff never act as a customer, also not through a token issued before they became staff.
                .where(~exists().where(StaffMember.user_id == ApiToken.user_id))
            )
        ).one_or_none()
        if found is None:
            return None
        row, language = found
        if not address_allowed(row.ip_allowlist, ip):
            raise AddressNotAllowed
        principal = Principal(user_id=row.user_id, method=AuthMethod.BEARER, language=language, token=scope_of(row))
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
            await _touch(session, row, principal, ip, now)
        return principal


async def _touch(session: AsyncSession, row: ApiToken, principal: Principal, ip: str, now: datetime) -> None:
    """Record the last use (at most once a minute, across processes); a new address also goes to the audit log."""
    new_address = ip not in row.known_ips
    known = [*row.known_ips, ip][-KNOWN_IPS:] if new_address else row.known_ips
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_EVERY)
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == row.id, stale)
        .values(last_used_at=now, last_used_ip=ip, known_ips=known)
        .returning(ApiToken.id)
    )
    if result.first() is None or not new_address:
        return
    for organization_id in await audited_organizations(session, row):
        details = {"name": row.name, "kind": row.kind}
        session.add(
            audit.entry(principal, ip, now, organization_id, "api_token.new_address", ("ApiToken", row.id), details)
        )
    await session.commit()


async def audited_organizations(session: AsyncSession, row: Any) -> list[uuid.UUID]:
    """Whose audit logs a token's actions go to: an integration token's organization; for a personal token,
    the organizations it covers where its user is an active member (all of them when it is not limited)."""
    if row.organization_id is not None:
        return [row.organization_id]
    stmt = (
        select(Membership.organization_id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == row.user_id, Membership.status == ACTIVE, Organization.deleted_at.is_(None))
    )
    if row.organization_ids is not None:
        stmt = stmt.where(Membership.organization_id.in_(row.organization_ids))
    return sorted((await session.execute(stmt)).scalars())
