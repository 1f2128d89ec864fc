"""Members: changing a member's role, rights and scope, blocking, removing, leaving, handing over ownership."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Membership, Organization, User
from gateway.i18n import N_
from permissions.policy import ACTIVE, BLOCKED, Grant, grant_refusal, may_manage
from permissions.rights import Right, Role, Topic
from resolvers import audit, scopes, webhook_events
from resolvers.context import Context
from resolvers.organizations import blockers_for_leaving
from resolvers.results import Outcome


@dataclass(frozen=True, slots=True)
class GrantChange:
    role: Role | None = None
    rights: Sequence[Right] | None = None
    all_products: bool | None = None
    product_ids: Sequence[uuid.UUID] | None = None
    topics: Sequence[Topic] | None = None


async def caller_grant(ctx: Context, organization_id: uuid.UUID) -> Grant:
    grant = await ctx.loaders.grant_by_organization_id.load(organization_id)
    assert grant is not None, "the field's permission rule admitted a member"
    return grant


async def _locked_target(session: AsyncSession, member_id: uuid.UUID) -> Membership:
    return (await session.execute(select(Membership).where(Membership.id == member_id).with_for_update())).scalar_one()


async def _locked_member_or_none(session: AsyncSession, member_id: uuid.UUID) -> Membership | None:
    stmt = select(Membership).where(Membership.id == member_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def _other_active_owners(session: AsyncSession, organization_id: uuid.UUID, member_id: uuid.UUID) -> int:
    # Locks every owner row, so two owners demoting each other at once cannot leave none.
    owners = (
        await session.execute(
            select(Membership.id)
            .where(
                Membership.organization_id == organization_id,
                Membership.role == Role.OWNER.value,
                Membership.status == ACTIVE,
            )
            .with_for_update()
        )
    ).scalars()
    return sum(1 for owner in owners if owner != member_id)


async def _refusal(
    ctx: Context, session: AsyncSession, target: Membership, *, losing_ownership: bool
) -> Outcome[Membership] | None:
    """Why the caller may not act on `target` (already locked), or None."""
    if target.user_id == ctx.principal.user_id:
        return Outcome.fail("CANNOT_CHANGE_SELF", "You cannot do this to your own membership.", "input", "memberId")
    manager = await caller_grant(ctx, target.organization_id)
    if refusal := may_manage(manager, Role(target.role)):
        return Outcome.fail(refusal.code, refusal.message, "input", "memberId")
    if (
        losing_ownership
        and target.role == Role.OWNER.value
        and not await _other_active_owners(session, target.organization_id, target.id)
    ):
        return Outcome.fail(
            "LAST_OWNER",
            "An organization needs at least one owner: make someone else owner first.",
            "input",
            "memberId",
        )
    return None


async def update_member(ctx: Context, member_id: uuid.UUID, change: GrantChange) -> Outcome[Membership]:
    regrant = any(v is not None for v in (change.role, change.rights, change.all_products, change.product_ids))
    async with ctx.db.begin() as session:
        target = await _locked_target(session, member_id)
        new_role = change.role or Role(target.role)
        if problem := await _refusal(ctx, session, target, losing_ownership=new_role is not Role.OWNER):
            return problem
        before = {"role": target.role, "rights": list(target.rights), "allProducts": target.all_products}
        if regrant:
            rights = [Right(r) for r in target.rights] if change.rights is None else list(change.rights)
            all_products = target.all_products if change.all_products is None else change.all_products
            product_ids = list(target.product_ids) if change.product_ids is None else list(change.product_ids)
            manager = await caller_grant(ctx, target.organization_id)
            if refusal := grant_refusal(manager, new_role, rights, all_products, product_ids):
                return Outcome.fail(refusal.code, refusal.message, "input")
            if not all_products and (foreign := await scopes.foreign_ids(session, target.organization_id, product_ids)):
                return scopes.foreign_problem(foreign)
            target.role = new_role.value
            # OWNER and ADMIN hold every right by role; only a MEMBER's rights are listed.
            target.rights = sorted({r.value for r in rights}) if new_role is Role.MEMBER else []
            target.all_products = all_products
            target.product_ids = [] if all_products else sorted(set(product_ids))
        if change.topics is not None:
            target.topics = sorted({t.value for t in change.topics})
        target.updated_at = ctx.clock.now()
        after = {"role": target.role, "rights": list(target.rights), "allProducts": target.all_products}
        audit.record(
            session, ctx, target.organization_id, "member.update", ("Member", target.id), before=before, after=after
        )
    return Outcome(target)


async def set_blocked(ctx: Context, member_id: uuid.UUID, blocked: bool) -> Outcome[Membership]:
    async with ctx.db.begin() as session:
        target = await _locked_target(session, member_id)
        if problem := await _refusal(ctx, session, target, losing_ownership=blocked):
            return problem
        target.status = BLOCKED if blocked else ACTIVE
        target.updated_at = ctx.clock.now()
        action = "member.block" if blocked else "member.unblock"
        audit.record(session, ctx, target.organization_id, action, ("Member", target.id), userId=str(target.user_id))
    return Outcome(target)


async def _drop(session: AsyncSession, membership: Membership) -> None:
    await session.execute(delete(Membership).where(Membership.id == membership.id))
    await session.execute(
        update(User)
        .where(User.id == membership.user_id, User.active_organization_id == membership.organization_id)
        .values(active_organization_id=None)
    )


async def remove_member(ctx: Context, member_id: uuid.UUID) -> Outcome[Membership]:
    async with ctx.db.begin() as session:
        target = await _locked_target(session, member_id)
        if problem := await _refusal(ctx, session, target, losing_ownership=True):
            return problem
        await _drop(session, target)
        audit.record(
            session, ctx, target.organization_id, "member.remove", ("Member", target.id), userId=str(target.user_id)
        )
        removed = webhook_events.member_removed(target, await session.get_one(User, target.user_id))
        await webhook_events.emit(session, target.organization_id, "member.removed", removed, ctx.clock.now())
    return Outcome(target)


async def leave(ctx: Context, organization_id: uuid.UUID) -> Outcome[uuid.UUID]:
    async with ctx.db.begin() as session:
        own = (
            await session.execute(
                select(Membership)
                .where(Membership.organization_id == organization_id, Membership.user_id == ctx.user_id)
                .with_for_update()
            )
        ).scalar_one()
        other_owners = await _other_active_owners(session, organization_id, own.id)
        active = await session.scalar(
            select(func.count()).where(Membership.organization_id == organization_id, Membership.status == ACTIVE)
        )
        blockers = blockers_for_leaving(active or 0, other_owners + 1, own.role == Role.OWNER.value)
        if blockers:
            messages = {
                "LAST_OWNER": N_("You are the last owner: make another member owner first."),
                "SOLE_MEMBER": N_("You are the only member: delete the organization instead."),
            }
            return Outcome.fail(blockers[0], messages[blockers[0]], "input", "organizationId")
        await _drop(session, own)
        audit.record(session, ctx, organization_id, "member.leave", ("Member", own.id))
    return Outcome(organization_id)


def not_a_member() -> Outcome[Organization]:
    return Outcome.fail("NOT_A_MEMBER", "Choose an active member of this organization.", "input", "toMemberId")


async def transfer_ownership(
    ctx: Context, organization_id: uuid.UUID, to_member_id: uuid.UUID, remain_owner: bool
) -> Outcome[Organization]:
    async with ctx.db.begin() as session:
        target = await _locked_member_or_none(session, to_member_id)
        if target is None or target.organization_id != organization_id or target.status != ACTIVE:
            return not_a_member()
        if target.user_id == ctx.user_id:
            return Outcome.fail("CANNOT_CHANGE_SELF", "You are already an owner.", "input", "toMemberId")
        now = ctx.clock.now()
        target.role, target.rights, target.all_products, target.product_ids = Role.OWNER.value, [], True, []
        target.updated_at = now
        if not remain_owner:
            await session.execute(
                update(Membership)
                .where(Membership.organization_id == organization_id, Membership.user_id == ctx.user_id)
                .values(role=Role.ADMIN.value, updated_at=now)
            )
        organization = await session.get_one(Organization, organization_id, with_for_update=True)
        organization.legal_representative_id = target.user_id
        organization.updated_at = now
        audit.record(
            session,
            ctx,
            organization_id,
            "organization.transfer_ownership",
            ("Member", target.id),
            remainOwner=remain_owner,
        )
    return Outcome(organization)


async def update_notifications(
    ctx: Context, organization_id: uuid.UUID, topics: Sequence[Topic]
) -> Outcome[Membership]:
    async with ctx.db.begin() as session:
        own = (
            await session.execute(
                update(Membership)
                .where(Membership.organization_id == organization_id, Membership.user_id == ctx.user_id)
                .values(topics=sorted({t.value for t in topics}), updated_at=ctx.clock.now())
                .returning(Membership)
            )
        ).scalar_one()
        audit.record(session, ctx, organization_id, "member.notifications", ("Member", own.id), topics=own.topics)
    return Outcome(own)
