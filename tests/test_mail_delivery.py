from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import text

from gateway.mail_delivery import SmtpTarget, deliver_pending
from gateway.resources import Resources
from tests.conftest import PASSWORD
from tests.graphql import sign_up


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list = []

    def handle_message(self, message) -> None:
        self.received.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smtp_url_parsing():
    target = SmtpTarget.parse("smtps://mailer%40example.com:p%40ss@mail.example.com")
    assert (target.host, target.port, target.tls, target.username, target.password) == (
        "mail.example.com",
        465,
        True,
        "mailer@example.com",
        "p@ss",
    )
    plain = SmtpTarget.parse("smtp://localhost:2525?starttls=1")
    assert (plain.port, plain.tls, plain.starttls, plain.username) == (2525, False, True, None)


async def test_outbox_is_delivered_over_smtp_once(client, settings, engine, clock):
    await sign_up(client, "mailme@example.com", PASSWORD)  # one mail: the verification link

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        resources = Resources.open(replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"), clock, engine)
        target = SmtpTarget.parse(resources.settings.smtp_url)
        assert await deliver_pending(resources, target) == 1
        assert await deliver_pending(resources, target) == 0
    finally:
        await asyncio.to_thread(controller.stop)

    assert len(inbox.received) == 1
    assert inbox.received[0]["To"] == "mailme@example.com"
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL")) == 0


async def test_failed_delivery_is_retried_later(client, settings, engine, clock):
    await sign_up(client, "retry@example.com", PASSWORD)  # one mail: the verification link
    resources = Resources.open(settings, clock, engine)
    nowhere = SmtpTarget.parse("smtp://127.0.0.1:9")  # discard port: connection refused
    assert await deliver_pending(resources, nowhere) == 0
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT attempts, last_error, next_attempt_at FROM outbox_messages"))).one()
    assert row.attempts == 1
    assert row.last_error
    assert row.next_attempt_at > clock.now()
    assert await deliver_pending(resources, nowhere) == 0  # not due yet: not attempted again
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT attempts FROM outbox_messages")) == 1
