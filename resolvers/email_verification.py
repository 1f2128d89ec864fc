"""Proving that an account's holder reads its login address: links at sign-up and when the address changes.

Until then the account works, but nothing that the address alone would entitle it to reaches it
(invitations listed or answered by id): anyone can type someone else's address at sign-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import EmailVerificationToken, User
from gateway.i18n import N_
from permissions.errors import RateLimited
from resolvers import mail, passwords, throttle
from resolvers.context import Context
from resolvers.emails import normalize_email
from resolvers.results import Outcome
from resolvers.tokens import live_mailed_token, new_token, token_hash

PREFIX = "gwe"
TTL = timedelta(hours=24)
# Verification mails one account may cause per hour (sign-up, resends, address changes), so the
# mutations cannot be used to flood a mailbox.
LINKS_PER_HOUR = 5
INVALID = N_("This verification link is not valid or has expired; ask for a new one.")


def is_verified(user: User) -> bool:
    return user.email_verified_at is not None


def mark_verified(user: User, now: datetime) -> None:
    """The caller has shown it read mail sent to `user.email` (a link, a reset, an invitation's token)."""
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.updated_at = now


async def send_link(ctx: Context, session: AsyncSession, user: User, email: str) -> None:
    """Mail a link that proves `email` for `user` (and only that address, for only that account)."""
    now = ctx.clock.now()
    token = new_token(PREFIX)
    session.add(
        EmailVerificationToken(
            id=new_id(),
            user_id=user.id,
            email=email,
            token_hash=token_hash(ctx.settings.secret_key, token),
            created_at=now,
            expires_at=now + TTL,
        )
    )
    mail.enqueue(
        session,
        kind="email_verification",
        recipient=email,
        language=user.language,
        now=now,
        name=user.full_name,
        email=email,
        token=token,
        link=f"{ctx.settings.public_url}/verify-email?token={token}",
        hours=str(int(TTL.total_seconds() // 3600)),
    )


async def _check_budget(ctx: Context, session: AsyncSession, user: User) -> None:
    now = ctx.clock.now()
    window_start = now - timedelta(hours=1)
    sent = await session.scalars(
        select(EmailVerificationToken.created_at)
        .where(EmailVerificationToken.user_id == user.id, EmailVerificationToken.created_at > window_start)
        .order_by(EmailVerificationToken.created_at)
    )
    times = list(sent)
    if len(times) >= LINKS_PER_HOUR:
        raise RateLimited(retryAfterSeconds=max(1, int((times[0] - window_start).total_seconds())))


async def _spend_all(session: AsyncSession, user: User, now: datetime) -> None:
    await session.execute(
        update(EmailVerificationToken)
        .where(EmailVerificationToken.user_id == user.id, EmailVerificationToken.used_at.is_(None))
        .values(used_at=now)
    )


async def verify(ctx: Context, token: str) -> Outcome[str]:
    """Spend a link: its address becomes (or stays) the verified login email. Returns that address."""
    async with ctx.db.begin() as session:
        count = await throttle.hit(session, f"verify:ip:{ctx.client_ip}", ctx.clock.now())
    if count > ctx.settings.ip_attempts_per_minute:
        raise RateLimited(retryAfterSeconds=60)
    now = ctx.clock.now()
    invalid: Outcome[str] = Outcome.fail("INVALID_TOKEN", INVALID, "input", "token")
    async with ctx.db.begin() as session:
        row = await live_mailed_token(session, EmailVerificationToken, ctx.settings.secret_key, token, now)
        if row is None:
            return invalid
        user = await session.get_one(User, row.user_id, with_for_update=True)
        # A link proves the address it was mailed to, nothing else: once the account's login or
        # pending address is another one, the link has nothing left to prove.
        if row.email == user.email.lower():
            mark_verified(user, now)
        elif row.email == (user.pending_email or "").lower():
            if not await _replace_login_email(ctx, session, user, row.email, now):
                return Outcome.fail(
                    "EMAIL_TAKEN", "Another account now uses this address; yours is unchanged.", "input", "token"
                )
        else:
            return invalid
        await _spend_all(session, user, now)
        return Outcome(user.email)


async def _replace_login_email(ctx: Context, session: AsyncSession, user: User, email: str, now: datetime) -> bool:
    previous, was_verified = user.email, is_verified(user)
    try:
        async with session.begin_nested():
            user.email = email
            user.pending_email = None
            user.email_verified_at = now
            user.updated_at = now
            if (user.recovery_email or "").lower() == email:
                user.recovery_email = None  # the recovery address must differ from the login one
            await session.flush()
    except IntegrityError:  # an account signed up with the address after the change was asked for
        await session.refresh(user)
        user.pending_email = None
        return False
    if was_verified:
        # An address nobody proved may be a stranger's: it is not told where the account went.
        mail.enqueue(
            session,
            kind="email_changed",
            recipient=previous,
            language=user.language,
            now=now,
            name=user.full_name,
            email=email,
        )
    return True


async def resend(ctx: Context) -> Outcome[str]:
    """A new link for the address waiting for proof: the pending new one, else the unverified login email."""
    async with ctx.db.begin() as session:
        user = await session.get_one(User, ctx.user_id, with_for_update=True)
        target = user.pending_email or (None if is_verified(user) else user.email.lower())
        if target is None:
            return Outcome.fail("ALREADY_VERIFIED", "Your email address is already verified.")
        await _check_budget(ctx, session, user)
        await send_link(ctx, session, user, target)
        return Outcome(target)


async def change_email(ctx: Context, new_email: str, current_password: str) -> Outcome[User]:
    normalized = normalize_email(new_email)
    if normalized is None:
        return Outcome.fail("EMAIL_INVALID", "Enter a valid email address.", "input", "newEmail")
    async with ctx.db.begin() as session:
        user = await session.get_one(User, ctx.user_id, with_for_update=True)
        if not await passwords.verify_password(user.password_hash, current_password):
            return Outcome.fail("INVALID_PASSWORD", "The current password is not correct.", "input", "currentPassword")
        now = ctx.clock.now()
        if normalized == user.email.lower():
            if user.pending_email is None:
                return Outcome.fail("EMAIL_UNCHANGED", "This is already your login email.", "input", "newEmail")
            # Back to the current address: the change asked for is withdrawn, and its links stop working.
            await _spend_all(session, user, now)
            user.pending_email = None
            user.updated_at = now
            return Outcome(user)
        taken = await session.scalar(select(User.id).where(func.lower(User.email) == normalized, User.id != user.id))
        if taken is not None:
            return Outcome.fail("EMAIL_TAKEN", "An account with this email already exists.", "input", "newEmail")
        await _check_budget(ctx, session, user)
        # The latest request is the one that counts: links sent for earlier addresses stop working.
        await _spend_all(session, user, now)
        user.pending_email = normalized
        user.updated_at = now
        await send_link(ctx, session, user, normalized)
    return Outcome(user)
