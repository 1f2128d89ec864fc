"""Invitations: by email, with the role, rights, scope and topics the new member will hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from gateway.db.base import new_id
from gateway.db.models import Invitation, Membership, Organization, User
from gateway.i18n import N_
from permissions.policy import ACTIVE, grant_refusal
from permissions.rights import ALL_TOPICS, Right, Role, Topic, role_name
from resolvers import audit, email_verification, identity, mail, scopes, webhook_events
from resolvers.context import Context
from resolvers.emails import normalize_email
from resolvers.results import Outcome
from resolvers.tokens import new_token, token_hash

TOKEN_PREFIX = "gwi"  # noqa: S105 (a prefix, not a secret)
ACCOUNT_EXISTS = N_("An account already uses this address: log in, then accept. Not yours? Reset its password.")
NOT_VERIFIED = N_("Verify your email address first, or open the link in the invitation email.")
PENDING, ACCEPTED, DECLINED, REVOKED = "PENDING", "ACCEPTED", "DECLINED", "REVOKED"


@dataclass(frozen=True, slots=True)
class InvitationDraft:
    email: str
    role: Role
    rights: list[Right]
    all_products: bool
    product_ids: list[uuid.UUID]
    topics: list[Topic] | None


@dataclass(frozen=True, slots=True)
class Accepted:
    membership: Membership
    session: identity.LoggedIn | None


def status_of(invitation: Any, now: Any) -> str:
    if invitation.status == PENDING and invitation.expires_at <= now:
        return "EXPIRED"
    return str(invitation.status)


async def _send(ctx: Context, session: Any, invitation: Invitation, token: str) -> None:
    organization = await session.get_one(Organization, invitation.organization_id)
    inviter = await session.get(User, ctx.user_id) if ctx.principal.user_id else None
    mail.enqueue(
        session,
        kind="invitation",
        recipient=invitation.email,
        language=inviter.language if inviter else "it",
        now=ctx.clock.now(),
        organization=organization.name,
        inviter=inviter.full_name if inviter else "",
        role=role_name(Role(invitation.role)),
        link=f"{ctx.settings.public_url}/invitations/accept?token={token}",
        token=token,
        days=str(ctx.settings.invitation_ttl.days),
    )


async def invite(ctx: Context, organization_id: uuid.UUID, draft: InvitationDraft) -> Outcome[Invitation]:
    email = normalize_email(draft.email)
    if email is None:
        return Outcome.fail("EMAIL_INVALID", "Enter a valid email address.", "input", "email")
    inviter = await ctx.loaders.grant_by_organization_id.load(organization_id)
    assert inviter is not None
    if refusal := grant_refusal(inviter, draft.role, draft.rights, draft.all_products, draft.product_ids):
        return Outcome.fail(refusal.code, refusal.message, "input")
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        member = await session.scalar(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization_id, func.lower(User.email) == email)
        )
        if member is not None:
            return Outcome.fail("ALREADY_MEMBER", "This person is already a member.", "input", "email")
        pending = await session.scalar(
            select(Invitation.id).where(
                Invitation.organization_id == organization_id,
                func.lower(Invitation.email) == email,
                Invitation.status == PENDING,
                Invitation.expires_at > now,
            )
        )
        if pending is not None:
            return Outcome.fail(
                "ALREADY_INVITED", "This address already has a pending invitation: resend it instead.", "input", "email"
            )
        foreign = [] if draft.all_products else await scopes.foreign_ids(session, organization_id, draft.product_ids)
        if foreign:
            return scopes.foreign_problem(foreign)
        token = new_token(TOKEN_PREFIX)
        invitation = Invitation(
            id=new_id(),
            organization_id=organization_id,
            email=email,
            role=draft.role.value,
            rights=sorted({r.value for r in draft.rights}) if draft.role is Role.MEMBER else [],
            all_products=draft.all_products,
            product_ids=[] if draft.all_products else sorted(set(draft.product_ids)),
            topics=sorted(t.value for t in (ALL_TOPICS if draft.topics is None else draft.topics)),
            token_hash=token_hash(ctx.settings.secret_key, token),
            status=PENDING,
            invited_by_id=ctx.user_id,
            created_at=now,
            expires_at=now + ctx.settings.invitation_ttl,
        )
        session.add(invitation)
        await session.flush()
        await _send(ctx, session, invitation, token)
        audit.record(session, ctx, organization_id, "invitation.create", ("Invitation", invitation.id), email=email)
    return Outcome(invitation)


async def _find_pending(
    ctx: Context, session: Any, token: str | None, invitation_id: uuid.UUID | None
) -> Invitation | Outcome[Any]:
    stmt = select(Invitation).with_for_update()
    if token:
        # The token proves control of the mailbox it was sent to, whichever account presents it.
        stmt = stmt.where(Invitation.token_hash == token_hash(ctx.settings.secret_key, token))
    elif invitation_id and ctx.principal.is_authenticated:
        # Without the token, only the invited address's own account may answer, and only once it has
        # proven it reads that address: anyone can sign up with an address that has no account yet.
        viewer = await session.get_one(User, ctx.user_id)
        if not email_verification.is_verified(viewer):
            return Outcome.fail("EMAIL_NOT_VERIFIED", NOT_VERIFIED, "input", "invitationId")
        stmt = stmt.where(Invitation.id == invitation_id, func.lower(Invitation.email) == viewer.email.lower())
    else:
        return Outcome.fail("TOKEN_REQUIRED", "Open the link in the invitation email.", "input", "token")
    invitation = (await session.execute(stmt)).scalar_one_or_none()
    if invitation is None or invitation.status != PENDING:
        return Outcome.fail("INVITATION_INVALID", "This invitation is not valid any more.", "input", "token")
    if invitation.expires_at <= ctx.clock.now():
        return Outcome.fail("INVITATION_EXPIRED", "This invitation has expired: ask for a new one.", "input", "token")
    return invitation


async def accept(
    ctx: Context,
    token: str | None,
    invitation_id: uuid.UUID | None,
    full_name: str | None,
    password: str | None,
) -> Outcome[Accepted]:
    created: identity.NewUser | None = None
    if not ctx.principal.is_authenticated:
        if not token:
            return Outcome.fail("TOKEN_REQUIRED", "Open the link in the invitation email.", "input", "token")
        # Checked before hashing a password: a stale link should not cost argon2 time.
        async with ctx.reads() as session:
            found = await _find_pending(ctx, session, token, None)
        if isinstance(found, Outcome):
            return found
        if await identity.email_in_use(ctx, found.email):
            return Outcome.fail("ACCOUNT_EXISTS", ACCOUNT_EXISTS, "input", "token")
        prepared = await identity.prepare_user(ctx, found.email, password or "", full_name or "")
        if not prepared.ok:
            return Outcome(problems=prepared.problems)
        created = prepared.value
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        invitation = await _find_pending(ctx, session, token, invitation_id)
        if isinstance(invitation, Outcome):
            return invitation
        logged_in = None
        if created is not None:
            # Created from the token mailed to the address: the address is proven.
            user = await identity.insert_user(session, created, now, verified=True)
            if user is None:
                return Outcome.fail("ACCOUNT_EXISTS", ACCOUNT_EXISTS)
            logged_in = await identity.start_session(ctx, session, user)
        else:
            user = await session.get_one(User, ctx.user_id, with_for_update=True)
            if token and user.email.lower() == invitation.email.lower():
                email_verification.mark_verified(user, now)
        user_id = user.id
        already = await session.scalar(
            select(Membership.id).where(
                Membership.organization_id == invitation.organization_id, Membership.user_id == user_id
            )
        )
        if already is not None:
            return Outcome.fail("ALREADY_MEMBER", "You are already a member of this organization.")
        membership = Membership(
            id=new_id(),
            organization_id=invitation.organization_id,
            user_id=user_id,
            role=invitation.role,
            rights=list(invitation.rights),
            all_products=invitation.all_products,
            product_ids=list(invitation.product_ids),
            topics=list(invitation.topics),
            status=ACTIVE,
            created_at=now,
            updated_at=now,
        )
        session.add(membership)
        invitation.status = ACCEPTED
        invitation.responded_at = now
        await session.flush()
        data = webhook_events.member_joined(membership, user)
        await webhook_events.emit(session, invitation.organization_id, "member.joined", data, now)
        entry_ctx = ctx if created is None else ctx.acting_as(user_id)
        audit.record(
            session,
            entry_ctx,
            invitation.organization_id,
            "invitation.accept",
            ("Member", membership.id),
            invitationId=str(invitation.id),
            # With a token, the accepting account may log in with another address than the invited one.
            invitedEmail=invitation.email,
            acceptedBy=user.email,
            proof="token" if token else "verified_email",
        )
    return Outcome(Accepted(membership, logged_in))


async def decline(ctx: Context, token: str | None, invitation_id: uuid.UUID | None) -> Outcome[Invitation]:
    async with ctx.db.begin() as session:
        invitation = await _find_pending(ctx, session, token, invitation_id)
        if isinstance(invitation, Outcome):
            return invitation
        invitation.status = DECLINED
        invitation.responded_at = ctx.clock.now()
        audit.record(session, ctx, invitation.organization_id, "invitation.decline", ("Invitation", invitation.id))
    return Outcome(invitation)


async def revoke(ctx: Context, invitation_id: uuid.UUID) -> Outcome[Invitation]:
    async with ctx.db.begin() as session:
        invitation = await session.get_one(Invitation, invitation_id, with_for_update=True)
        if invitation.status != PENDING:
            return Outcome.fail("NOT_PENDING", "Only a pending invitation can be revoked.", "input", "invitationId")
        invitation.status = REVOKED
        invitation.responded_at = ctx.clock.now()
        audit.record(session, ctx, invitation.organization_id, "invitation.revoke", ("Invitation", invitation.id))
    return Outcome(invitation)


async def resend(ctx: Context, invitation_id: uuid.UUID) -> Outcome[Invitation]:
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        invitation = await session.get_one(Invitation, invitation_id, with_for_update=True)
        if invitation.status != PENDING:
            return Outcome.fail("NOT_PENDING", "Only a pending invitation can be sent again.", "input", "invitationId")
        # A new link; the one sent before stops working.
        token = new_token(TOKEN_PREFIX)
        invitation.token_hash = token_hash(ctx.settings.secret_key, token)
        invitation.expires_at = now + ctx.settings.invitation_ttl
        await _send(ctx, session, invitation, token)
        audit.record(session, ctx, invitation.organization_id, "invitation.resend", ("Invitation", invitation.id))
    return Outcome(invitation)


async def pending_for_viewer(ctx: Context) -> list[Any]:
    now = ctx.clock.now()
    async with ctx.reads() as session:
        viewer = await session.get_one(User, ctx.user_id)
        if not email_verification.is_verified(viewer):
            return []
        rows = await session.execute(
            select(*Invitation.__table__.c, Organization.name.label("organization_name"))
            .join(Organization, Organization.id == Invitation.organization_id)
            .where(
                func.lower(Invitation.email) == viewer.email.lower(),
                Invitation.status == PENDING,
                Invitation.expires_at > now,
                Organization.deleted_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
        return list(rows)
