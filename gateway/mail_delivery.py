"""Delivers outbox messages over SMTP when GATEWAY_SMTP_URL is set.

Several processes may run this at once: each claims rows with SKIP LOCKED, so a
message goes out once. A failed attempt is retried with growing delays.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select

from gateway.db.models import OutboxAttachment, OutboxMessage
from gateway.resources import Resources

log = logging.getLogger(__name__)

BATCH = 20
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("GATEWAY_SMTP_URL must start with smtp:// or smtps://")
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "smtps",
            starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        )

    def send(self, sender: str, message: OutboxMessage, attachments: list[OutboxAttachment] = ()) -> None:  # type: ignore[assignment]
        email = EmailMessage()
        email["From"] = sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message.id}@gateway>"
        email.set_content(message.body)
        for attachment in attachments:
            main, _, sub = attachment.media_type.partition("/")
            email.add_attachment(attachment.content, maintype=main, subtype=sub, filename=attachment.filename)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=20, context=context)
            if self.tls
            else smtplib.SMTP(self.host, self.port, timeout=20)
        )
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


async def deliver_pending(resources: Resources, target: SmtpTarget) -> int:
    now = resources.clock.now()
    sent = 0
    async with resources.db.begin() as session:
        rows = (
            (
                await session.execute(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.sent_at.is_(None),
                        OutboxMessage.next_attempt_at <= now,
                        OutboxMessage.attempts < MAX_ATTEMPTS,
                    )
                    .order_by(OutboxMessage.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for message in rows:
            message.attempts += 1
            attachments = (
                (await session.execute(select(OutboxAttachment).where(OutboxAttachment.message_id == message.id)))
                .scalars()
                .all()
            )
            try:
                await asyncio.to_thread(target.send, resources.settings.mail_from, message, list(attachments))
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
                log.warning("mail delivery failed", extra={"message_id": str(message.id), "error": message.last_error})
            else:
                message.sent_at = resources.clock.now()
                message.last_error = None
                sent += 1
    return sent
