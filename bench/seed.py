"""A large, deterministic dataset written with INSERT ... SELECT generate_series, never through the API.

Ids are md5 of a label, so the same sizes always give the same rows. User 1 is the
heavy user (ADMIN or OWNER in `heavy_orgs` organizations), user 2 the light one (ADMIN
in `light_orgs`); every organization has one OWNER among the other users, and the rest
of the memberships spread evenly over the organizations.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher

PASSWORD = "correct horse battery staple 42"  # noqa: S105 (every bench account, in a throwaway database)
HEAVY_EMAIL = "heavy@bench.example"
LIGHT_EMAIL = "light@bench.example"


@dataclass(frozen=True, slots=True)
class Sizes:
    orgs: int = 2000
    users: int = 5000
    memberships: int = 20000
    audit_per_org: int = 5
    heavy_orgs: int = 60
    light_orgs: int = 5

    @property
    def extra_memberships(self) -> int:
        return self.memberships - self.orgs - self.heavy_orgs - self.light_orgs

    def problem(self) -> str | None:
        if not 50 <= self.heavy_orgs <= self.orgs:
            return "the heavy user needs 50 organizations or more (--heavy-orgs), and no more than --orgs"
        if self.users < 10:
            return "need at least 10 users"
        if self.extra_memberships < 0:
            return f"need at least {self.orgs + self.heavy_orgs + self.light_orgs} memberships (one owner per org)"
        # Each organization's extra members are distinct users, other than its owner.
        if math.ceil(self.extra_memberships / self.orgs) + 1 > self.users - 2:
            return "too many memberships for so few users"
        return None


@dataclass(frozen=True, slots=True)
class Seeded:
    heavy_user_id: uuid.UUID
    light_user_id: uuid.UUID
    heavy_org_id: uuid.UUID  # the heavy user's first organization by name
    counts: dict[str, int]


def plain_dsn(url: str) -> str:
    """asyncpg wants `postgresql://`, SQLAlchemy's URL names the driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


USERS = """
INSERT INTO users (id, email, full_name, language, password_hash, failed_logins,
                   password_changed_at, created_at, updated_at)
SELECT md5('user-' || i)::uuid,
       CASE i WHEN 1 THEN $3 WHEN 2 THEN $4 ELSE 'user' || i || '@bench.example' END,
       'Bench User ' || i, 'it', $2, 0, now(), now() - make_interval(days => i % 700), now()
FROM generate_series(1, $1) AS i
"""

# Owner of organization i: user 3 + ((i - 1) mod (users - 2)).
ORGANIZATIONS = """
INSERT INTO organizations (id, name, kind, legal_name, tax_code, vat_number, street, postal_code, city,
                           province, country, phone, legal_representative_id, created_at, updated_at)
SELECT md5('org-' || i)::uuid,
       initcap(substr(md5('name-' || i), 1, 8)) || ' ' || (ARRAY['Srl', 'SpA', 'Snc', 'Sas'])[1 + i % 4],
       'COMPANY', 'Bench Company ' || i || ' S.r.l.', lpad(i::text, 11, '0'), lpad(i::text, 11, '0'),
       'Via Roma ' || i, '50100', 'Firenze', 'FI', 'IT', '+39 055 ' || lpad(i::text, 6, '0'),
       md5('user-' || (3 + (i - 1) % ($2 - 2)))::uuid,
       now() - make_interval(days => 1000 - i % 900), now()
FROM generate_series(1, $1) AS i
"""

OWNERS = """
INSERT INTO memberships (id, organization_id, user_id, role, rights, all_products, product_ids, topics,
                         status, created_at, updated_at)
SELECT gen_random_uuid(), md5('org-' || i)::uuid, md5('user-' || (3 + (i - 1) % ($2 - 2)))::uuid,
       'OWNER', '{}', true, '{}', '{BILLING,EXPIRY,SECURITY,SUPPORT,TECHNICAL}', 'ACTIVE',
       now() - make_interval(days => 1000 - i % 900), now()
FROM generate_series(1, $1) AS i
"""

# User $3 joins $2 organizations spread over the whole range (so their names sort anywhere).
SPREAD = """
INSERT INTO memberships (id, organization_id, user_id, role, rights, all_products, product_ids, topics,
                         status, created_at, updated_at)
SELECT gen_random_uuid(), md5('org-' || (1 + ((k - 1) * $1) / $2))::uuid, md5('user-' || $3::int)::uuid,
       CASE WHEN $4 AND k % 3 = 0 THEN 'OWNER' ELSE 'ADMIN' END, '{}', true, '{}',
       '{BILLING,EXPIRY,SECURITY,SUPPORT,TECHNICAL}', 'ACTIVE', now() - make_interval(days => k), now()
FROM generate_series(1, $2) AS k
"""

# Pass j gives every organization (while rows remain) one more member, user
# 3 + ((o - 1) + j * step) mod (users - 2): distinct from its owner (j = 0) and from each other.
EXTRAS = """
INSERT INTO memberships (id, organization_id, user_id, role, rights, all_products, product_ids, topics,
                         status, created_at, updated_at)
SELECT gen_random_uuid(), md5('org-' || o)::uuid, md5('user-' || (3 + ((o - 1) + j * $4) % ($2 - 2)))::uuid,
       CASE WHEN (o + j) % 7 = 0 THEN 'ADMIN' ELSE 'MEMBER' END,
       CASE WHEN (o + j) % 7 = 0 THEN '{}'::varchar[] ELSE '{VIEW_PRODUCTS,VIEW_BILLING}'::varchar[] END,
       true, '{}', '{BILLING,EXPIRY,SECURITY,SUPPORT,TECHNICAL}', 'ACTIVE',
       now() - make_interval(days => 1000 - o % 900) + make_interval(hours => j), now()
FROM generate_series(1, $5) AS j CROSS JOIN generate_series(1, $1) AS o
WHERE (j - 1) * $1 + o <= $3
"""

AUDIT = """
INSERT INTO audit_log (id, organization_id, actor_id, action, target_type, target_id, details, ip, created_at)
SELECT gen_random_uuid(), md5('org-' || i)::uuid, md5('user-' || (3 + (i - 1) % ($2 - 2)))::uuid,
       ('{organization.update,member.update,invitation.create,member.block,invitation.revoke}'::text[])
           [1 + (i + k) % 5],
       'Organization', md5('org-' || i)::uuid,
       jsonb_build_object('fields', jsonb_build_array('name')), '198.51.100.' || (k % 250),
       now() - make_interval(hours => k, mins => i % 60)
FROM generate_series(1, $1) AS i CROSS JOIN generate_series(1, $3) AS k
"""

FIRST_ORG = """
SELECT o.id FROM memberships m JOIN organizations o ON o.id = m.organization_id
WHERE m.user_id = $1 ORDER BY lower(o.name), o.id LIMIT 1
"""


async def seed(url: str, sizes: Sizes) -> Seeded:
    password_hash = PasswordHasher().hash(PASSWORD)  # argon2id, the product's parameters; shared by every user
    extra = sizes.extra_memberships
    passes = math.ceil(extra / sizes.orgs)
    step = max(1, (sizes.users - 2) // (passes + 1))
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute(USERS, sizes.users, password_hash, HEAVY_EMAIL, LIGHT_EMAIL)
            await conn.execute(ORGANIZATIONS, sizes.orgs, sizes.users)
            await conn.execute(OWNERS, sizes.orgs, sizes.users)
            await conn.execute(SPREAD, sizes.orgs, sizes.heavy_orgs, 1, True)
            await conn.execute(SPREAD, sizes.orgs, sizes.light_orgs, 2, False)
            await conn.execute(EXTRAS, sizes.orgs, sizes.users, extra, step, passes)
            await conn.execute(AUDIT, sizes.orgs, sizes.users, sizes.audit_per_org)
        await conn.execute("ANALYZE")
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            for table in ("organizations", "users", "memberships", "audit_log")
        }
        heavy, light = label_id("user-1"), label_id("user-2")
        heavy_org = await conn.fetchval(FIRST_ORG, heavy)
    finally:
        await conn.close()
    return Seeded(heavy, light, heavy_org, counts)


def label_id(label: str) -> uuid.UUID:
    """The id the SQL above gives a label: `md5(label)::uuid`."""
    return uuid.UUID(hashlib.md5(label.encode()).hexdigest())  # noqa: S324 (an id, not a secret)
