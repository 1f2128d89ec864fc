"""A large, deterministic dataset written with INSERT ... SELECT generate_series, never through the API.

Ids are md5 of a label, so the same sizes always give the same rows. User 1 is the
heavy user (ADMIN or OWNER in `heavy_orgs` organizations), user 2 the light one (ADMIN
in `light_orgs`); every organization has one OWNER among the other users, and the rest
of the memberships spread evenly over the organizations.

Products (`seed_products`): two more organizations owned by the heavy user, one with
`products` products and one with `small_products`, and `products_per_org` in each
organization of the heavy and the light user (the agency view). Names are domain names
(`<trade>-<city>.<tld>`, each trade in 1% of a block of names), add-ons (10%) are named
`<catalog item> · <parent>` as orders name them, and `name_trigrams` is computed in SQL,
then checked row by row against `resolvers.search.trigrams`.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
from argon2 import PasswordHasher

from resolvers.search import trigrams

if TYPE_CHECKING:
    from bench.billing import Billing

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
    products: int = 10_000  # in the heavy user's products organization
    small_products: int = 100  # in a second one: the statements must not grow from this to `products`
    products_per_org: int = 20  # in each organization of the heavy and the light user (the agency view)
    invoices: int = 100_000  # (g): of the billing user's invoices organization
    small_invoices: int = 1_000  # in a second one: (g)'s statements must not grow from this to `invoices`
    pay_orders: int = 3_000  # (h): PENDING_PAYMENT orders of 60.88 EUR to pay
    pay_funded: int = 300  # how many of them the prepaid balance covers
    pay_duplicates: int = 10  # (h): requests sent twice at once, same key

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
        if self.products < 100 or not 1 <= self.small_products <= self.products:
            return "need --products >= 100, and 1 <= --small-products <= --products"
        if not 10 <= self.products_per_org <= 1000:
            return "--products-per-org between 10 and 1000 (some of each expire within 30 days)"
        if not 1 <= self.small_invoices <= self.invoices or not 0 <= self.pay_duplicates <= 100:
            return "need 1 <= --small-invoices <= --invoices, and --pay-duplicates from 0 to 100"
        if not 3 + self.pay_duplicates <= self.pay_funded < self.pay_orders:
            return "need 3 + --pay-duplicates <= --pay-funded < --pay-orders (the checks pay 3 orders first)"
        return None


@dataclass(frozen=True, slots=True)
class Products:
    big_org_id: uuid.UUID  # `products` products; the heavy user is its OWNER
    small_org_id: uuid.UUID  # `small_products` products; OWNER too
    search: str  # a substring of ~1% of the big organization's names
    search_matches: int  # names of the big organization holding it (what totalCount must say)
    heavy_orgs: int  # organizations the heavy user sees products in
    light_orgs: int
    heavy_expiring: int  # products expiring within 30 days in them (1 to 29 days from the seeding)
    light_expiring: int


@dataclass(frozen=True, slots=True)
class Seeded:
    heavy_user_id: uuid.UUID
    light_user_id: uuid.UUID
    heavy_org_id: uuid.UUID  # the heavy user's first organization by name
    counts: dict[str, int]
    products: Products
    billing: Billing


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

# The two products organizations, owned by the heavy user ($2): labels $1[i], names $3[i].
PRODUCT_ORGS = """
INSERT INTO organizations (id, name, kind, legal_name, tax_code, vat_number, street, postal_code, city,
                           province, country, phone, legal_representative_id, created_at, updated_at)
SELECT md5(label)::uuid, name, 'COMPANY', name, lpad((90000000 + k)::text, 11, '0'),
       lpad((90000000 + k)::text, 11, '0'), 'Via dei Servizi ' || k, '50100', 'Firenze', 'FI', 'IT',
       '+39 055 9' || lpad(k::text, 5, '0'), $2, now() - interval '800 days', now()
FROM unnest($1::text[], $3::text[]) WITH ORDINALITY AS o(label, name, k)
"""

PRODUCT_OWNER = """
INSERT INTO memberships (id, organization_id, user_id, role, rights, all_products, product_ids, topics,
                         status, created_at, updated_at)
SELECT gen_random_uuid(), md5(label)::uuid, $2, 'OWNER', '{}', true, '{}',
       '{BILLING,EXPIRY,SECURITY,SUPPORT,TECHNICAL}', 'ACTIVE', now() - interval '800 days', now()
FROM unnest($1::text[]) AS label
"""


def _percent(label: str) -> str:
    """A deterministic 0..99 from product number g (28 bits of md5)."""
    return f"((('x' || substr(md5('{label}-' || g), 1, 7))::bit(28)::int) % 100)"


def _minutes(label: str, span: str) -> str:
    return f"((('x' || substr(md5('{label}-' || g), 1, 7))::bit(28)::int) % ({span}))"


# resolvers.search.trigrams in SQL: the distinct 3-character slices of lower(name), sorted by code point.
TRIGRAMS = """ARRAY(SELECT DISTINCT substr(lower(name), k, 3) COLLATE "C"
                   FROM generate_series(1, length(name) - 2) AS k ORDER BY 1)"""

# Product g (unique over the whole table, so DOMAIN names stay unique across organizations) is
# <trade>-<city>.<tld>: the tld cycles fastest, then the trade ($5, 100 of them: each in 1% of
# every 1,000 consecutive products), then the city ($6); a number joins them past 50,000.
# Organization o gets products o.first .. o.first + o.n - 1; o.soon percent expire within 30 days
# (1 to 29 days from now), the rest from 31 days to 2 years.
BASE_PRODUCTS = f"""
INSERT INTO products (id, organization_id, kind, name, name_trigrams, status, catalog_sku, term_months, auto_renew,
                      settings, created_at, updated_at, activated_at, expires_at)
SELECT md5('product-' || g)::uuid, organization_id, kind, name, {TRIGRAMS},
       CASE WHEN kind <> 'DOMAIN' AND {_percent("status")} < 15 THEN 'TO_CONFIGURE' ELSE 'ACTIVE' END,
       CASE kind WHEN 'DOMAIN' THEN 'domain-' || tld
                 WHEN 'HOSTING' THEN (ARRAY['hosting-linux-start', 'hosting-linux-pro'])[1 + g % 2]
                 WHEN 'WORDPRESS_HOSTING' THEN (ARRAY['wordpress-start', 'wordpress-business'])[1 + g % 2]
                 WHEN 'MAIL' THEN 'mail-pro'
                 ELSE (ARRAY['vps-cloud-s', 'vps-cloud-m'])[1 + g % 2] END,
       12, true, '{{}}', now(), now(), now(),
       CASE WHEN {_percent("soon")} < soon
            THEN now() + interval '1 day' + make_interval(mins => {_minutes("expires", "28 * 1440")})
            ELSE now() + interval '31 days' + make_interval(mins => {_minutes("expires", "699 * 1440")}) END
FROM (
    SELECT o.id AS organization_id, o.soon, g, tld,
           ($5::text[])[1 + (g / 10) % 100] || '-' || ($6::text[])[1 + (g / 1000) % 50]
               || CASE WHEN g >= 50000 THEN (g / 50000)::text ELSE '' END || '.' || tld AS name,
           CASE WHEN {_percent("kind")} < 55 THEN 'DOMAIN' WHEN {_percent("kind")} < 70 THEN 'HOSTING'
                WHEN {_percent("kind")} < 80 THEN 'WORDPRESS_HOSTING' WHEN {_percent("kind")} < 90 THEN 'MAIL'
                ELSE 'SERVER' END AS kind
    FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[]) AS o(id, first, n, soon)
    CROSS JOIN LATERAL generate_series(o.first, o.first + o.n - 1) AS g
    CROSS JOIN LATERAL (SELECT ($7::text[])[1 + g % 10] AS tld) AS t
) AS p
"""  # noqa: S608 (fixed fragments, no input)

# Organization o's first o.addons products (in md5 order) that take add-ons get one each, named as an
# order names it; it runs with its parent: same status and expiry.
ADDONS = f"""
INSERT INTO products (id, organization_id, kind, name, name_trigrams, status, catalog_sku, parent_id, term_months,
                      auto_renew, settings, created_at, updated_at, activated_at, expires_at)
SELECT md5('addon-' || parent_id)::uuid, organization_id, kind, name, {TRIGRAMS},
       status, sku, parent_id, 12, true, '{{}}', now(), now(), now(), expires_at
FROM (
    SELECT p.organization_id, a.kind, a.name || ' · ' || p.name AS name, p.status, a.sku, p.id AS parent_id,
           p.expires_at
    FROM (
        SELECT p.*, row_number() OVER (PARTITION BY p.organization_id ORDER BY md5(p.id::text)) AS rn
        FROM products p
        WHERE p.organization_id = ANY($1::uuid[]) AND p.kind <> 'MAIL' AND p.parent_id IS NULL
    ) AS p
    JOIN unnest($1::uuid[], $2::int[]) AS o(id, addons) ON o.id = p.organization_id
    JOIN catalog_items a ON a.sku = CASE WHEN p.kind = 'DOMAIN'
        THEN (ARRAY['dns-anycast', 'domain-privacy', 'renewal-warranty'])[1 + p.rn % 3]
        ELSE (ARRAY['ssl-dv', 'ssl-ev', 'backup-50'])[1 + p.rn % 3] END
    WHERE p.rn <= o.addons
) AS addon
"""  # noqa: S608 (fixed fragments, no input)

TRADES = (
    "accademia agenzia agriturismo albergo ambulatorio architetto arredamenti associazione autofficina "
    "autonoleggio avvocato baita birreria birrificio calzature campeggio cantiere cantina carrozzeria "
    "cartoleria cascina caseificio castello ceramiche clinica commercialista consorzio cooperativa "
    "costruzioni creperia dentista drogheria edilizia elettrica enoteca erboristeria estetica falegnameria "
    "farmacia fattoria ferramenta fioreria fondazione fotografo frantoio frutteto gelateria geometra "
    "giardini gioielleria grafica hotel idraulica impianti ingegneria istituto libreria locanda logistica "
    "macelleria maneggio marina masseria nautica notaio officina oleificio osteria ottica palestra panificio "
    "paninoteca parrucchieria pasticceria pelletteria pescheria piscina pizzeria podere profumeria residenza "
    "rifugio rosticceria salumeria sartoria scuola serramenti spedizioni studio taxi tessuti tipografia "
    "torrefazione traslochi trasporti trattoria veterinario villa vineria vivaio"
).split()
CITIES = (
    "ancona aosta arezzo asti bari bergamo bologna bolzano brescia cagliari catania como cosenza cremona cuneo "
    "ferrara firenze genova latina lecce livorno lucca mantova messina milano modena napoli novara padova palermo "
    "parma pavia perugia pesaro pisa prato ravenna rimini roma salerno sassari siena torino trento trieste udine "
    "urbino venezia verona viterbo"
).split()
TLDS = ("it", "com", "net", "org", "eu", "ch", "info", "biz", "shop", "cloud")  # every domain-<tld> of the catalog
assert len(TRADES) == 100 and len(set(TRADES)) == 100 and len(CITIES) == 50 and len(set(CITIES)) == 50

PRODUCT_ORG_LABELS = ("org-products-big", "org-products-small")
SOON_PERCENT = 3  # of the big organizations' products, expiring within 30 days (a few hundred of 10,000)
AGENCY_SOON_PERCENT = 15  # of each agency organization's (3 of 20)

FIRST_ORG = """
SELECT o.id FROM memberships m JOIN organizations o ON o.id = m.organization_id
WHERE m.user_id = $1 ORDER BY lower(o.name), o.id LIMIT 1
"""


async def seed(url: str, sizes: Sizes, search: str | None = None) -> Seeded:
    from bench.billing import seed_billing  # it imports this module

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
            products = await seed_products(conn, sizes, search)
            billing = await seed_billing(
                conn, password_hash, sizes.invoices, sizes.small_invoices, sizes.pay_orders, sizes.pay_funded
            )
        # As autovacuum would have left it: statistics, and a visibility map for index-only scans.
        await conn.execute("VACUUM ANALYZE")
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
            for table in ("organizations", "users", "memberships", "audit_log", "products", "orders", "invoices")
        }
        heavy, light = label_id("user-1"), label_id("user-2")
        heavy_org = await conn.fetchval(FIRST_ORG, heavy)
    finally:
        await conn.close()
    return Seeded(heavy, light, heavy_org, counts, products, billing)


def label_id(label: str) -> uuid.UUID:
    """The id the SQL above gives a label: `md5(label)::uuid`."""
    return uuid.UUID(hashlib.md5(label.encode()).hexdigest())  # noqa: S324 (an id, not a secret)


async def seed_products(conn: asyncpg.Connection, sizes: Sizes, search: str | None = None) -> Products:
    """The products domain, in the caller's transaction (after the organizations and memberships).

    `search` is the term of scenario (e), lower-case; by default one held by ~1% of the big organization's names.
    """
    heavy, light = label_id("user-1"), label_id("user-2")
    agency = [
        r["organization_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT organization_id FROM memberships WHERE user_id = ANY($1::uuid[]) ORDER BY 1",
            [heavy, light],
        )
    ]
    names = [f"Bench Products {sizes.products} Srl", f"Bench Products {sizes.small_products} Srl"]
    await conn.execute(PRODUCT_ORGS, list(PRODUCT_ORG_LABELS), heavy, names)
    await conn.execute(PRODUCT_OWNER, list(PRODUCT_ORG_LABELS), heavy)
    big, small = (label_id(label) for label in PRODUCT_ORG_LABELS)
    orgs = [big, small, *agency]
    totals = [sizes.products, sizes.small_products, *[sizes.products_per_org] * len(agency)]
    addons = [n // 10 for n in totals]
    base = [n - a for n, a in zip(totals, addons, strict=True)]
    firsts = [1 + sum(base[:i]) for i in range(len(base))]
    soon = [SOON_PERCENT, SOON_PERCENT, *[AGENCY_SOON_PERCENT] * len(agency)]
    await conn.execute(BASE_PRODUCTS, orgs, firsts, base, soon, list(TRADES), list(CITIES), list(TLDS))
    await conn.execute(ADDONS, orgs, addons)
    rows = await conn.fetch("SELECT organization_id, name, name_trigrams FROM products")
    wrong = [r["name"] for r in rows if list(r["name_trigrams"]) != trigrams(r["name"])]
    if wrong:
        raise SystemExit(f"bench: seeded name_trigrams differ from resolvers.search.trigrams, e.g. for {wrong[0]!r}")
    big_names = [r["name"].lower() for r in rows if r["organization_id"] == big]
    term = search or search_term(big_names)
    in_orgs = """
        SELECT count(DISTINCT m.organization_id), count(*) FILTER (WHERE p.expires_at < now() + interval '30 days')
        FROM memberships m JOIN products p USING (organization_id) WHERE m.user_id = $1
    """
    heavy_orgs, heavy_expiring = await conn.fetchrow(in_orgs, heavy)
    light_orgs, light_expiring = await conn.fetchrow(in_orgs, light)
    return Products(
        big_org_id=big,
        small_org_id=small,
        search=term,
        search_matches=sum(term in name for name in big_names),
        heavy_orgs=heavy_orgs,
        light_orgs=light_orgs,
        heavy_expiring=heavy_expiring,
        light_expiring=light_expiring,
    )


def search_term(names: list[str], share: float = 0.01) -> str:
    """The 4-5 letter substring held by the number of names nearest `share` of them (longest, then first)."""
    holding: dict[str, int] = {}
    for name in names:
        seen = {name[i : i + k] for k in (4, 5) for i in range(len(name) - k + 1)}
        for part in seen:
            if part.isalpha() and part.isascii():
                holding[part] = holding.get(part, 0) + 1
    target = share * len(names)
    return min(holding, key=lambda part: (abs(holding[part] - target), -len(part), part))
