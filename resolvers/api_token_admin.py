"""API tokens in a person's hands: issue, list, rotate, revoke. Every action goes to the audit log.

Only people manage tokens (the fields say `@inPerson`): a token never issues, rotates or revokes one.
Audit: an integration token's actions go to its organization's log; a personal token's to the logs of the
organizations it covers (all of its user's, when it is not limited), so their owners and admins see them.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import ApiToken, Organization
from gateway.i18n import text
from permissions.check import authorize
from permissions.errors import NotFound
from permissions.policy import ACTIVE, Grant, grant_refusal
from permissions.principal import TokenKind
from permissions.rights import ALL_RIGHTS, Right, Role, right_name
from resolvers import audit, scopes
from resolvers.api_token_format import new_secret
from resolvers.api_tokens import audited_organizations
from resolvers.context import Context
from resolvers.loaders.tokens import token_rows
from resolvers.pagination import Page, Window, build_page, list_identity, seek
from resolvers.results import Outcome
from resolvers.tokens import token_hash

MAX_LIFETIME = timedelta(days=366)
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class TokenDraft:
    name: str
    expires_at: datetime
    rights: Sequence[Right] | None = None  # None: every right (a personal token) or the issuer's (integration)
    product_ids: Sequence[uuid.UUID] | None = None  # None: every product the holder sees
    ip_allowlist: Sequence[str] = ()
    organization_ids: Sequence[uuid.UUID] | None = None  # a personal token's organizations; None: all


@dataclass(frozen=True, slots=True)
class Issued:
    token: Any
    secret: str | None = None  # shown once, in the answer that issued it


def _fail(code: str, message: Any, *path: str, **params: Any) -> Outcome[Any]:
    return Outcome.fail(code, message, "input", *path, **params)


def _settings_problem(ctx: Context, draft: TokenDraft) -> Outcome[Any] | list[str]:
    """What is wrong with the settings every token has, or the allowlist in canonical form."""
    if not draft.name.strip() or len(draft.name.strip()) > MAX_NAME:
        return _fail("NAME_INVALID", "A token needs a name of at most {maximum} characters.", "name", maximum=MAX_NAME)
    now = ctx.clock.now()
    if draft.expires_at.tzinfo is None or draft.expires_at <= now:
        return _fail("EXPIRY_IN_PAST", "The expiry must be a moment in the future, with its time zone.", "expiresAt")
    if draft.expires_at > now + MAX_LIFETIME:
        return _fail("EXPIRY_TOO_LONG", "A token lives at most {days} days.", "expiresAt", days=MAX_LIFETIME.days)
    networks = []
    for index, entry in enumerate(draft.ip_allowlist):
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            return _fail("INVALID_CIDR", "Give addresses or networks, e.g. 203.0.113.0/24.", "ipAllowlist", str(index))
    return networks


def _row(kind: TokenKind, ctx: Context, draft: TokenDraft, networks: list[str], **owner: Any) -> tuple[Any, str]:
    secret = new_secret(kind)
    row = ApiToken(
        id=new_id(),
        kind=kind.value,
        token_hash=token_hash(ctx.settings.secret_key, secret),
        hint=secret[-4:],
        name=draft.name.strip(),
        ip_allowlist=networks,
        created_by_id=ctx.principal.user_id,
        created_at=ctx.clock.now(),
        expires_at=draft.expires_at,
        known_ips=[],
        **owner,
    )
    return row, secret


async def _covered_grants(ctx: Context, organization_ids: Sequence[uuid.UUID] | None) -> list[Grant]:
    mine = ctx.caller.memberships()
    stmt = (
        select(mine)
        .join(Organization, Organization.id == mine.c.organization_id)
        .where(mine.c.status == ACTIVE, Organization.deleted_at.is_(None))
    )
    if organization_ids is not None:
        stmt = stmt.where(mine.c.organization_id.in_(organization_ids))
    async with ctx.reads() as session:
        return [Grant.from_row(r) for r in await session.execute(stmt)]


async def create_personal(ctx: Context, draft: TokenDraft) -> Outcome[Issued]:
    networks = _settings_problem(ctx, draft)
    if isinstance(networks, Outcome):
        return networks
    grants = await _covered_grants(ctx, draft.organization_ids)
    covered = {g.organization_id: g for g in grants}
    for index, organization_id in enumerate(draft.organization_ids or ()):
        if organization_id not in covered:
            return _fail(
                "ORGANIZATION_NOT_FOUND", "You are not an active member of this organization.", "organizationIds",
                str(index),
            )  # fmt: skip
    rights = set(draft.rights) if draft.rights is not None else set(ALL_RIGHTS)
    held = set().union(*(g.rights for g in grants)) if grants else set()
    if draft.rights is not None and (missing := sorted(rights - held, key=lambda r: r.value)):
        message = text("You cannot grant rights you do not hold: {rights}.", rights=[right_name(r) for r in missing])
        return _fail("RIGHT_NOT_HELD", message, "rights")
    for index, product_id in enumerate(draft.product_ids or ()):
        organization_id = await ctx.loaders.organization_of_product.load(product_id)
        grant = covered.get(organization_id) if organization_id else None
        if grant is None or not grant.sees_product(product_id):
            return _fail(
                "PRODUCT_NOT_IN_SCOPE", "A token can name only products you see in the organizations it covers.",
                "productIds", str(index),
            )  # fmt: skip
    row, secret = _row(
        TokenKind.PERSONAL,
        ctx,
        draft,
        networks,
        user_id=ctx.user_id,
        organization_ids=sorted(set(draft.organization_ids)) if draft.organization_ids is not None else None,
        rights=sorted(r.value for r in rights),
        all_products=draft.product_ids is None,
        product_ids=sorted(set(draft.product_ids or ())),
    )
    async with ctx.db.begin() as session:
        session.add(row)
        await session.flush()
        await _audit(session, ctx, row, "api_token.create")
    return Outcome(Issued(row, secret))


async def create_integration(ctx: Context, organization_id: uuid.UUID, draft: TokenDraft) -> Outcome[Issued]:
    networks = _settings_problem(ctx, draft)
    if isinstance(networks, Outcome):
        return networks
    issuer = await authorize(ctx, organization_id, role=Role.ADMIN)
    rights = set(draft.rights) if draft.rights is not None else set(issuer.rights)
    all_products = draft.product_ids is None and issuer.all_products
    product_ids = set(draft.product_ids) if draft.product_ids is not None else set(issuer.product_ids)
    async with ctx.db.begin() as session:
        if foreign := await scopes.foreign_ids(session, organization_id, draft.product_ids or ()):
            return _fail(
                "PRODUCT_NOT_IN_ORGANIZATION", "A token can name only products of this organization.", "productIds",
                str(foreign[0]),
            )  # fmt: skip
        if refusal := grant_refusal(issuer, Role.MEMBER, rights, all_products, product_ids):
            field = "rights" if refusal.code == "RIGHT_NOT_HELD" else "productIds"
            return _fail(refusal.code, refusal.message, field)
        row, secret = _row(
            TokenKind.INTEGRATION,
            ctx,
            draft,
            networks,
            organization_id=organization_id,
            rights=sorted(r.value for r in rights),
            all_products=all_products,
            product_ids=[] if all_products else sorted(product_ids),
        )
        session.add(row)
        await session.flush()
        await _audit(session, ctx, row, "api_token.create")
    return Outcome(Issued(row, secret))


async def _managed(ctx: Context, session: AsyncSession, token_id: uuid.UUID | None) -> ApiToken:
    """The token, locked, if the caller manages it: its own personal token, or (owners and admins) their
    organization's integration token; NOT_FOUND otherwise, as if it did not exist."""
    row = await session.get(ApiToken, token_id, with_for_update=True) if token_id else None
    if row is None:
        raise NotFound
    if row.kind == TokenKind.PERSONAL.value:
        if row.user_id != ctx.principal.user_id:
            raise NotFound
    else:
        await authorize(ctx, row.organization_id, role=Role.ADMIN)
    return row


async def revoke(ctx: Context, token_id: uuid.UUID | None) -> Outcome[Issued]:
    async with ctx.db.begin() as session:
        row = await _managed(ctx, session, token_id)
        if row.revoked_at is not None:
            return _fail("ALREADY_REVOKED", "This token is already revoked.", "tokenId")
        row.revoked_at = ctx.clock.now()
        await _audit(session, ctx, row, "api_token.revoke")
    return Outcome(Issued(row))


async def rotate(ctx: Context, token_id: uuid.UUID | None) -> Outcome[Issued]:
    """A new secret for the same settings (expiry included); the old secret stops working at once."""
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        row = await _managed(ctx, session, token_id)
        if row.revoked_at is not None or row.expires_at <= now:
            return _fail("NOT_ACTIVE", "A revoked or expired token cannot be rotated: create a new one.", "tokenId")
        secret = new_secret(TokenKind(row.kind))
        row.token_hash = token_hash(ctx.settings.secret_key, secret)
        row.hint = secret[-4:]
        row.rotated_at = now
        await _audit(session, ctx, row, "api_token.rotate")
    return Outcome(Issued(row, secret))


async def _audit(session: AsyncSession, ctx: Context, row: ApiToken, action: str) -> None:
    details = {"name": row.name, "kind": row.kind}
    for organization_id in await audited_organizations(session, row):
        audit.record(session, ctx, organization_id, action, ("ApiToken", row.id), **details)


async def viewer_tokens(ctx: Context, page: Window) -> Page[Any]:
    """The viewer's personal tokens, newest first."""
    identity = list_identity("viewer.apiTokens", ctx.user_id, "created,id", "desc")
    stmt = seek(
        token_rows().where(ApiToken.user_id == ctx.user_id),
        [ApiToken.created_at, ApiToken.id],
        True,
        page,
        identity,
        [datetime.fromisoformat, uuid.UUID],
    )
    async with ctx.reads() as session:
        rows = (await session.execute(stmt)).all()
    return build_page(rows, page, identity, lambda r: [r.created_at, r.id])


async def viewer_token_count(ctx: Context) -> int:
    async with ctx.reads() as session:
        return int(await session.scalar(select(func.count()).where(ApiToken.user_id == ctx.user_id)) or 0)


async def covered_organizations(ctx: Context, row: Any) -> list[Any]:
    """The organizations a token acts in, as far as the caller may see them."""
    if row.organization_id is not None:
        candidates = [row.organization_id]
    elif row.organization_ids is not None:
        candidates = list(row.organization_ids)
    else:
        candidates = [g.organization_id for g in await _covered_grants(ctx, None)]
    grants = await ctx.loaders.grant_by_organization_id.load_many(candidates)
    seen = [g.organization_id for g in grants if g is not None and g.active]
    found = await ctx.loaders.organization_by_id.load_many(seen)
    return sorted((o for o in found if o is not None), key=lambda o: (o.name.lower(), o.id))
