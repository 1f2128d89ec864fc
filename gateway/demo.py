"""The demo scenario `make run` loads into an empty database; later domains add to it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import demo_billing, demo_products
from gateway.db.base import new_id
from gateway.db.models import Membership, Organization, StaffMember, User
from gateway.resources import Resources
from permissions.rights import ALL_TOPICS
from resolvers.passwords import hash_password

DEMO_USERS = (
    ("webmaster@example.com", "Marco Rossi", "Agency webmaster: owner of Studio Web Demo, admin of three clients."),
    ("accountant@example.com", "Giulia Bianchi", "Accountant: billing and payments of Pizzeria Da Mario only."),
    ("collaborator@example.com", "Luca Verdi", "Collaborator: products of Hotel Belvedere, limited scope."),
)
# The provider's own people: staff roles, no memberships.
DEMO_STAFF = (
    ("support@example.com", "Sara Neri", "SUPPORT_AGENT"),
    ("billing@example.com", "Franco Gallo", "BILLING_STAFF"),
)
CLIENT_OWNERS = (
    ("mario.esposito@example.com", "Mario Esposito"),
    ("anna.conti@example.com", "Anna Conti"),
    ("paolo.ricci@example.com", "Paolo Ricci"),
)
# name, legal name, VAT/tax code (valid check digits), city
ORGANIZATIONS = (
    ("Studio Web Demo", "Studio Web Demo S.r.l.", "01114601006", "Firenze"),
    ("Pizzeria Da Mario", "Da Mario di Mario Esposito", "07643520567", "Napoli"),
    ("Hotel Belvedere", "Belvedere Hotels S.p.A.", "02166810236", "Verona"),
    ("Ferramenta Ricci", "Ferramenta Ricci S.n.c.", "03318780966", "Milano"),
)
ALL_TOPIC_NAMES = sorted(t.value for t in ALL_TOPICS)


def _user(email: str, name: str, password_hash: str, now: datetime) -> User:
    return User(
        id=new_id(),
        email=email,
        full_name=name,
        password_hash=password_hash,
        language="it",
        failed_logins=0,
        password_changed_at=now,
        email_verified_at=now,  # demo logins see and accept invitations like real, verified people
        created_at=now,
        updated_at=now,
    )


def _organization(name: str, legal: str, vat: str, city: str, owner: User, now: datetime) -> Organization:
    return Organization(
        id=new_id(),
        name=name,
        kind="COMPANY",
        legal_name=legal,
        tax_code=vat,
        vat_number=vat,
        street="Via Roma 1",
        postal_code="50100",
        city=city,
        country="IT",
        phone="+39 055 0000000",
        legal_representative_id=owner.id,
        created_at=now,
        updated_at=now,
    )


def _membership(
    organization: Organization,
    user: User,
    role: str,
    now: datetime,
    rights: tuple[str, ...] = (),
    topics: list[str] | None = None,
) -> Membership:
    return Membership(
        id=new_id(),
        organization_id=organization.id,
        user_id=user.id,
        role=role,
        rights=sorted(rights),
        all_products=True,
        product_ids=[],
        topics=ALL_TOPIC_NAMES if topics is None else topics,
        status="ACTIVE",
        created_at=now,
        updated_at=now,
    )


async def _add_organizations(session: AsyncSession, people: dict[str, User], now: datetime) -> dict[str, uuid.UUID]:
    webmaster, accountant, collaborator = (people[e] for e, _, _ in DEMO_USERS)
    owners = [people[e] for e, _ in CLIENT_OWNERS]
    agency_row, *client_rows = ORGANIZATIONS
    agency = _organization(*agency_row, webmaster, now)
    clients = [_organization(*row, owner, now) for row, owner in zip(client_rows, owners, strict=True)]
    session.add_all([agency, *clients])
    await session.flush()
    session.add(_membership(agency, webmaster, "OWNER", now))
    for client, owner in zip(clients, owners, strict=True):
        session.add(_membership(client, owner, "OWNER", now))
        session.add(_membership(client, webmaster, "ADMIN", now, topics=["EXPIRY", "SECURITY", "TECHNICAL"]))
    pizzeria, hotel, _ = clients
    session.add(_membership(pizzeria, accountant, "MEMBER", now, ("PAY", "VIEW_BILLING"), ["BILLING"]))
    # The product scope is filled in once the hotel has products (see the products demo data).
    scoped = _membership(hotel, collaborator, "MEMBER", now, ("MANAGE_PRODUCTS", "VIEW_PRODUCTS"), ["TECHNICAL"])
    scoped.all_products = False
    session.add(scoped)
    for user in (webmaster, accountant, collaborator):
        user.active_organization_id = (
            agency.id if user is webmaster else (pizzeria.id if user is accountant else hotel.id)
        )
    return {org.name: org.id for org in (agency, *clients)}


async def seed(resources: Resources) -> bool:
    """Load the demo data unless the database already has users; True when it loaded."""
    now = resources.clock.now()
    password_hash = await hash_password(resources.settings.demo_password)
    async with resources.db.begin() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            return False
        people = {
            email: _user(email, name, password_hash, now)
            for email, name in [*((e, n) for e, n, _ in (*DEMO_USERS, *DEMO_STAFF)), *CLIENT_OWNERS]
        }
        session.add_all(people.values())
        await session.flush()
        for email, _, role in DEMO_STAFF:
            session.add(StaffMember(id=new_id(), user_id=people[email].id, role=role, created_at=now, updated_at=now))
        organizations = await _add_organizations(session, people, now)
        await demo_products.add(session, organizations, people[DEMO_USERS[0][0]].id, now)
        await session.flush()
        await demo_billing.add(session, organizations, now)
    return True
