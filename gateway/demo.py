"""The demo scenario `make run` loads into an empty database; later domains add to it."""

from __future__ import annotations

from sqlalchemy import func, select

from gateway.db.base import new_id
from gateway.db.models import User
from gateway.resources import Resources
from resolvers.passwords import hash_password

DEMO_USERS = (
    ("webmaster@example.com", "Marco Rossi", "Agency webmaster: manages many client organizations."),
    ("accountant@example.com", "Giulia Bianchi", "Accountant: sees billing only."),
    ("collaborator@example.com", "Luca Verdi", "Collaborator: limited to a few products."),
)


async def seed(resources: Resources) -> bool:
    """Load the demo data unless the database already has users; True when it loaded."""
    now = resources.clock.now()
    password_hash = await hash_password(resources.settings.demo_password)
    async with resources.db.begin() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            return False
        for email, name, _ in DEMO_USERS:
            session.add(
                User(
                    id=new_id(),
                    email=email,
                    full_name=name,
                    password_hash=password_hash,
                    language="it",
                    failed_logins=0,
                    password_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
    return True
