"""Lists are served by DataLoaders: the number of SQL statements does not grow with the number of rows."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.orgs import organization, person

VIEWER_ORGANIZATIONS = """{ viewer { organizations(first: 50) { edges { role rights node { id name
  myMembership { role rights productScope { allProducts } }
  legalRepresentative { fullName }
  members(first: 10) { totalCount edges { node { id fullName email role rights } } }
  leaveBlockers { code } } } } } }"""


async def _bulk_memberships(engine, owner_email: str, count: int) -> None:
    """Add `count` organizations, each with the owner and three other members, straight in SQL."""
    async with engine.begin() as conn:
        owner = await conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": owner_email})
        now = await conn.scalar(text("SELECT now()"))
        others = []
        for i in range(3):
            uid = uuid.uuid4()
            others.append(uid)
            await conn.execute(
                text(
                    "INSERT INTO users (id, email, full_name, password_hash, password_changed_at, created_at,"
                    " updated_at) VALUES (:id, :email, :name, 'x', :now, :now, :now)"
                ),
                {"id": uid, "email": f"extra{i}-{uid.hex[:6]}@example.com", "name": f"Extra {i}", "now": now},
            )
        for n in range(count):
            org = uuid.uuid4()
            await conn.execute(
                text(
                    "INSERT INTO organizations (id, name, kind, legal_name, country, legal_representative_id,"
                    " created_at, updated_at) VALUES (:id, :name, 'COMPANY', :name, 'IT', :owner, :now, :now)"
                ),
                {"id": org, "name": f"Client {n:03d}", "owner": owner, "now": now},
            )
            for uid, role in [(owner, "OWNER"), *((o, "MEMBER") for o in others)]:
                await conn.execute(
                    text(
                        "INSERT INTO memberships (id, organization_id, user_id, role, rights, created_at, updated_at)"
                        " VALUES (:id, :org, :uid, :role, '{VIEW_PRODUCTS}', :now, :now)"
                    ),
                    {"id": uuid.uuid4(), "org": org, "uid": uid, "role": role, "now": now},
                )


async def _statements_for(client, sql, agency) -> tuple[int, int]:
    sql.statements.clear()
    body = await agency.gql(client, VIEWER_ORGANIZATIONS)
    assert "errors" not in body, body
    return sql.count, len(body["data"]["viewer"]["organizations"]["edges"])


async def test_statement_count_is_the_same_for_5_and_50_organizations(client, engine, sql):
    agency = await person(client, "agency@example.com")
    await organization(client, agency, "Agency")
    await _bulk_memberships(engine, "agency@example.com", 4)
    small, small_edges = await _statements_for(client, sql, agency)
    await _bulk_memberships(engine, "agency@example.com", 45)
    large, large_edges = await _statements_for(client, sql, agency)
    assert (small_edges, large_edges) == (5, 50)
    assert small == large, f"{small} statements for 5 organizations, {large} for 50"
    assert large <= 7, sql.statements


EVERY_LIST = """{ viewer { organizations(first: 50) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id
  invitations(first: 5) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor } edges { node { id } } }
  auditLog(last: 5) { totalCount pageInfo { hasPreviousPage } edges { node { id } } }
  products(first: 5) { totalCount edges { node { id } } }
  orders(first: 5) { totalCount edges { node { id } } }
  toPay(last: 5) { totalCount edges { node { id } } }
  invoices(first: 5) { totalCount edges { node { id } } }
  payments(first: 5) { totalCount edges { node { id status order { id } } } }
  prepaidAccount { entries(first: 5) { totalCount edges { node { kind } } } } } } } } }"""


async def test_every_list_and_its_count_costs_the_same_for_5_and_50_organizations(client, engine, sql):
    agency = await person(client, "lists@example.com")
    await organization(client, agency, "Agency")
    await _bulk_memberships(engine, "lists@example.com", 4)
    sql.statements.clear()
    small_body = await agency.gql(client, EVERY_LIST)
    small = sql.count
    await _bulk_memberships(engine, "lists@example.com", 45)
    sql.statements.clear()
    large_body = await agency.gql(client, EVERY_LIST)
    assert "errors" not in small_body and "errors" not in large_body, large_body
    assert large_body["data"]["viewer"]["organizations"]["totalCount"] == 50
    assert small == sql.count, f"{small} statements for 5 organizations, {sql.count} for 50"
