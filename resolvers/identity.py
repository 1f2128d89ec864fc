"""Accounts and logins: sign up, log in and out, passwords, profile, recovery address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import PasswordResetToken, User
from gateway.i18n import N_
from permissions.errors import RateLimited
from resolvers import email_verification, mail, passwords, sessions, throttle
from resolvers.context import Context
from resolvers.emails import normalize_email
from resolvers.results import Outcome
from resolvers.tokens import live_mailed_token, new_token, token_hash

RESET_PREFIX = "gwr"
INVALID_CREDENTIALS = N_("The email or the password is not correct.")
LANGUAGES = ("it", "en")
# Reset mails one account may cause per hour, so the form cannot be used to flood a mailbox.
RESETS_PER_HOUR = 3


@dataclass(frozen=True, slots=True)
class LoggedIn:
    user: User
    session: sessions.IssuedSession


async def _throttle_ip(ctx: Context, action: str) -> None:
    async with ctx.db.begin() as session:
        count = await throttle.hit(session, f"{action}:ip:{ctx.client_ip}", ctx.clock.now())
    if count > ctx.settings.ip_attempts_per_minute:
        raise RateLimited(retryAfterSeconds=60)


async def _user_by_email(session: AsyncSession, email: str, *, lock: bool = False) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.lower())
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


def _set_cookie(ctx: Context, issued: sessions.IssuedSession) -> None:
    ctx.response.set_cookie(
        ctx.settings.cookie_name,
        issued.token,
        max_age=int(ctx.settings.session_absolute.total_seconds()),
        path="/",
        secure=ctx.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def _clear_cookie(ctx: Context) -> None:
    ctx.response.delete_cookie(
        ctx.settings.cookie_name, path="/", secure=ctx.settings.cookie_secure, httponly=True, samesite="lax"
    )


async def start_session(ctx: Context, session: AsyncSession, user: User) -> LoggedIn:
    now = ctx.clock.now()
    if ctx.principal.session_id is not None:
        # A login always gets a fresh id; the one the client held before is ended.
        await sessions.revoke(session, ctx.principal.session_id, now)
    issued = await sessions.create(
        session, ctx.settings, user.id, now, ctx.client_ip, ctx.request.headers.get("user-agent")
    )
    _set_cookie(ctx, issued)
    return LoggedIn(user, issued)


def _check_full_name(full_name: str) -> Outcome[None] | None:
    if not full_name.strip():
        return Outcome.fail("FULL_NAME_REQUIRED", "Enter your full name.", "input", "fullName")
    if len(full_name.strip()) > 200:
        return Outcome.fail("FULL_NAME_TOO_LONG", "The full name must be at most 200 characters.", "input", "fullName")
    return None


def _check_password(password: str, email: str, full_name: str, path: str) -> Outcome[None] | None:
    violation = passwords.check_policy(password, email, full_name)
    if violation is None:
        return None
    return Outcome.fail(violation.code, violation.message, "input", path)


@dataclass(frozen=True, slots=True)
class NewUser:
    """An account checked and hashed, ready to insert."""

    email: str
    full_name: str
    password_hash: str
    language: str  # the sign-up's: mails and messages keep to it until the user changes it


async def prepare_user(ctx: Context, email: str, password: str, full_name: str) -> Outcome[NewUser]:
    normalized = normalize_email(email)
    if normalized is None:
        return Outcome.fail("EMAIL_INVALID", "Enter a valid email address.", "input", "email")
    if problem := _check_full_name(full_name) or _check_password(password, normalized, full_name, "password"):
        return Outcome(problems=problem.problems)
    return Outcome(NewUser(normalized, full_name.strip(), await passwords.hash_password(password), ctx.language))


async def email_in_use(ctx: Context, email: str) -> bool:
    async with ctx.reads() as session:
        return await _user_by_email(session, email) is not None


async def insert_user(session: AsyncSession, new: NewUser, now: datetime, *, verified: bool = False) -> User | None:
    """Insert the account, or None when the address is taken (also by a concurrent sign-up).

    `verified` only when the caller proved it reads the address (an invitation's token mailed there).
    """
    user = User(
        id=new_id(),
        email=new.email,
        full_name=new.full_name,
        password_hash=new.password_hash,
        language=new.language,
        failed_logins=0,
        password_changed_at=now,
        email_verified_at=now if verified else None,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError:
        return None
    return user


async def sign_up(ctx: Context, email: str, password: str, full_name: str) -> Outcome[LoggedIn]:
    await _throttle_ip(ctx, "signup")
    prepared = await prepare_user(ctx, email, password, full_name)
    if prepared.value is None:
        return Outcome(problems=prepared.problems)
    async with ctx.db.begin() as session:
        user = await insert_user(session, prepared.value, ctx.clock.now())
        if user is None:
            return Outcome.fail("EMAIL_TAKEN", "An account with this email already exists.", "input", "email")
        await email_verification.send_link(ctx, session, user, user.email)
        return Outcome(await start_session(ctx, session, user))


async def log_in(ctx: Context, email: str, password: str) -> Outcome[LoggedIn]:
    await _throttle_ip(ctx, "login")
    normalized = normalize_email(email) or email.strip().lower()
    async with ctx.reads() as session:
        user = await _user_by_email(session, normalized)
    # Outside any transaction: argon2 takes tens of milliseconds and must not hold a connection.
    # Always one verification, so a missing account answers as slowly as a wrong password.
    valid = await passwords.verify_password(user.password_hash if user else None, password)
    if user is None:
        return Outcome.fail("INVALID_CREDENTIALS", INVALID_CREDENTIALS)
    now = ctx.clock.now()
    unlocked = or_(User.locked_until.is_(None), User.locked_until <= now)
    async with ctx.db.begin() as session:
        if not valid:
            await _record_failure(ctx, session, user.id, unlocked, now)
            return Outcome.fail("INVALID_CREDENTIALS", INVALID_CREDENTIALS)
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if passwords.needs_rehash(user.password_hash):
            values["password_hash"] = await passwords.hash_password(password)
        # The lock is checked in the same statement that clears the counter, so concurrent attempts agree.
        if await session.scalar(update(User).where(User.id == user.id, unlocked).values(**values).returning(User.id)):
            return Outcome(await start_session(ctx, session, user))
    return Outcome.fail("INVALID_CREDENTIALS", INVALID_CREDENTIALS)


async def _record_failure(
    ctx: Context, session: AsyncSession, user_id: uuid.UUID, unlocked: ColumnElement[bool], now: datetime
) -> None:
    # Attempts during a lockout do not count: the lock ends 15 minutes after it began.
    reached = User.failed_logins + 1 >= ctx.settings.login_max_failures
    await session.execute(
        update(User)
        .where(User.id == user_id, unlocked)
        .values(
            failed_logins=case((reached, 0), else_=User.failed_logins + 1),
            locked_until=case((reached, now + ctx.settings.login_lockout), else_=User.locked_until),
        )
        .execution_options(synchronize_session=False)
    )


async def log_out(ctx: Context) -> Outcome[bool]:
    if ctx.principal.session_id is not None:
        async with ctx.db.begin() as session:
            await sessions.revoke(session, ctx.principal.session_id, ctx.clock.now())
    _clear_cookie(ctx)
    return Outcome(True)


async def change_password(ctx: Context, current_password: str, new_password: str) -> Outcome[User]:
    async with ctx.db.begin() as session:
        user = await session.get_one(User, ctx.user_id, with_for_update=True)
        if not await passwords.verify_password(user.password_hash, current_password):
            return Outcome.fail("INVALID_PASSWORD", "The current password is not correct.", "input", "currentPassword")
        if problem := _check_password(new_password, user.email, user.full_name, "newPassword"):
            return Outcome(problems=problem.problems)
        if new_password == current_password:
            return Outcome.fail(
                "PASSWORD_UNCHANGED", "The new password must differ from the current one.", "input", "newPassword"
            )
        await _set_password(ctx, session, user, new_password, keep_session=ctx.principal.session_id)
        return Outcome(user)


async def _set_password(
    ctx: Context, session: AsyncSession, user: User, password: str, *, keep_session: uuid.UUID | None
) -> None:
    now = ctx.clock.now()
    user.password_hash = await passwords.hash_password(password)
    user.password_changed_at = now
    user.updated_at = now
    user.failed_logins = 0
    user.locked_until = None
    await sessions.revoke_all(session, user.id, now, keep=keep_session)
    mail.enqueue(
        session,
        kind="password_changed",
        recipient=user.email,
        language=user.language,
        now=now,
        name=user.full_name,
        when=now,
    )


async def request_password_reset(ctx: Context, email: str) -> Outcome[bool]:
    await _throttle_ip(ctx, "reset")
    normalized = normalize_email(email)
    if normalized is None:
        return Outcome.fail("EMAIL_INVALID", "Enter a valid email address.", "input", "email")
    now = ctx.clock.now()
    async with ctx.db.begin() as session:
        user = await _user_by_email(session, normalized, lock=True)
        if user is None:
            return Outcome(True)  # the same answer as for an existing account
        recent = await session.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(
                PasswordResetToken.user_id == user.id,
                PasswordResetToken.created_at > now - ctx.settings.password_reset_ttl,
            )
        )
        if (recent or 0) >= RESETS_PER_HOUR:
            return Outcome(True)
        token = new_token(RESET_PREFIX)
        session.add(
            PasswordResetToken(
                id=new_id(),
                user_id=user.id,
                token_hash=token_hash(ctx.settings.secret_key, token),
                created_at=now,
                expires_at=now + ctx.settings.password_reset_ttl,
                requested_ip=ctx.client_ip,
            )
        )
        mail.enqueue(
            session,
            kind="password_reset",
            # Whoever created an unverified account chose its recovery address too: its resets go to the
            # login address, so the owner of that mailbox can take the account back.
            recipient=(user.recovery_email if email_verification.is_verified(user) else None) or user.email,
            language=user.language,
            now=now,
            name=user.full_name,
            token=token,
            link=f"{ctx.settings.public_url}/reset-password?token={token}",
        )
    return Outcome(True)


async def reset_password(ctx: Context, token: str, new_password: str) -> Outcome[bool]:
    await _throttle_ip(ctx, "reset")
    now = ctx.clock.now()
    invalid: Outcome[bool] = Outcome.fail(
        "INVALID_TOKEN", "This reset link is not valid or has expired; ask for a new one.", "input", "token"
    )
    async with ctx.db.begin() as session:
        row = await live_mailed_token(session, PasswordResetToken, ctx.settings.secret_key, token, now)
        if row is None:
            return invalid
        user = await session.get_one(User, row.user_id, with_for_update=True)
        if problem := _check_password(new_password, user.email, user.full_name, "newPassword"):
            return Outcome(problems=problem.problems)
        # Using one link spends every other link still outstanding for the account.
        await session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )
        await _set_password(ctx, session, user, new_password, keep_session=None)
        if not email_verification.is_verified(user):
            email_verification.mark_verified(user, now)  # the link went to the login address (see above)
    return Outcome(True)


async def update_profile(ctx: Context, full_name: str | None, language: str | None) -> Outcome[User]:
    if full_name is not None and (problem := _check_full_name(full_name)):
        return Outcome(problems=problem.problems)
    if language is not None and language not in LANGUAGES:
        return Outcome.fail("LANGUAGE_UNSUPPORTED", "Choose Italian (it) or English (en).", "input", "language")
    async with ctx.db.begin() as session:
        user = await session.get_one(User, ctx.user_id, with_for_update=True)
        if full_name is not None:
            user.full_name = full_name.strip()
        if language is not None:
            user.language = language
        user.updated_at = ctx.clock.now()
    return Outcome(user)


async def set_recovery_email(ctx: Context, email: str | None, current_password: str) -> Outcome[User]:
    normalized = None
    if email is not None and email.strip():
        normalized = normalize_email(email)
        if normalized is None:
            return Outcome.fail("EMAIL_INVALID", "Enter a valid email address.", "input", "email")
    async with ctx.db.begin() as session:
        user = await session.get_one(User, ctx.user_id, with_for_update=True)
        if not await passwords.verify_password(user.password_hash, current_password):
            return Outcome.fail("INVALID_PASSWORD", "The current password is not correct.", "input", "currentPassword")
        if normalized is not None and normalized == user.email.lower():
            return Outcome.fail(
                "SAME_AS_LOGIN_EMAIL",
                "The recovery address must differ from the login email.",
                "input",
                "email",
            )
        previous = user.recovery_email
        user.recovery_email = normalized
        user.updated_at = ctx.clock.now()
        for recipient in {user.email, previous} - {None}:
            mail.enqueue(
                session,
                kind="recovery_email_changed",
                recipient=recipient,  # type: ignore[arg-type]
                language=user.language,
                now=user.updated_at,
                name=user.full_name,
                recovery=normalized or "-",
            )
    return Outcome(user)
