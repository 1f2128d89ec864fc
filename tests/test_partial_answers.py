"""Partial answers: a refused field nulls that field only, with its error and path (GitHub's convention).

Every field whose rule can refuse a caller who may see the parent object is nullable, so one refusal never
blanks the objects around it; an agency dashboard over many organizations still shows all of them.
"""

from __future__ import annotations

from datetime import timedelta

from graphql import NonNullTypeNode, ObjectTypeDefinitionNode, parse

from gateway.graphql.schema import build_schema
from tests.orgs import buy, join, organization, person

# The rules that can refuse a caller who may see the object the field belongs to.
REFUSING = {"member", "requires", "requiresAny", "requiresRole"}


def test_every_field_that_can_be_refused_is_nullable():
    document = parse(build_schema().as_str())
    non_null = [
        f"{definition.name.value}.{field.name.value}"
        for definition in document.definitions
        if isinstance(definition, ObjectTypeDefinitionNode)
        for field in definition.fields or ()
        if {d.name.value for d in field.directives or ()} & REFUSING and isinstance(field.type, NonNullTypeNode)
    ]
    assert non_null == [], f"guarded fields that would blank their parent when refused: {non_null}"


DASHBOARD = """{ viewer { organizations(first: 10) { totalCount edges { node { name
  products(first: 10) { totalCount edges { node { name } } }
  invoices(first: 10) { edges { node { number } } }
  payments(first: 10) { totalCount }
  members(first: 10) { totalCount } } } } } }"""


def domain(name: str) -> dict:
    return {"sku": "domain-it", "periodMonths": 12, "domainName": name}


async def agency(client, engine, settings, clock):
    """An owner of three organizations, each with two paid domains (so two products and an invoice)."""
    owner = await person(client, "agency-owner@example.com", "Giulia Agenzia")
    organizations, products = {}, {}
    for name in ("Alfa Srl", "Beta Srl", "Gamma Srl"):
        org = await organization(client, owner, name)
        stem = name.split()[0].lower()
        bought = await buy(
            client, engine, settings, clock, owner, org, domain(f"{stem}-uno.it"), domain(f"{stem}-due.it")
        )
        organizations[name], products[name] = org, [p["id"] for p in bought]
    return owner, organizations, products


def refusals(body: dict) -> list[tuple[tuple, str, str | None]]:
    return sorted(
        (tuple(e["path"]), e["extensions"]["code"], e["extensions"].get("missingRight")) for e in body.get("errors", [])
    )


def path(index: int, field: str) -> tuple:
    return ("viewer", "organizations", "edges", index, "node", field)


async def test_the_accountants_dashboard_shows_every_organization_and_refuses_only_products(
    client, engine, settings, clock
):
    owner, orgs, _ = await agency(client, engine, settings, clock)
    accountant = await person(client, "accountant@example.com", "Carla Conti")
    for name in ("Alfa Srl", "Beta Srl"):
        clock.advance(timedelta(seconds=1))  # the mailbox lists the newest invitation first
        await join(client, owner, orgs[name], accountant, rights=["VIEW_BILLING"])

    body = await accountant.gql(client, DASHBOARD)

    listed = body["data"]["viewer"]["organizations"]
    assert listed["totalCount"] == 2
    nodes = [e["node"] for e in listed["edges"]]
    assert [n["name"] for n in nodes] == ["Alfa Srl", "Beta Srl"]
    assert [n["products"] for n in nodes] == [None, None]
    assert [len(n["invoices"]["edges"]) for n in nodes] == [1, 1]
    assert [n["payments"]["totalCount"] for n in nodes] == [1, 1]
    assert [n["members"]["totalCount"] for n in nodes] == [2, 2]
    assert refusals(body) == [
        (path(0, "products"), "FORBIDDEN", "VIEW_PRODUCTS"),
        (path(1, "products"), "FORBIDDEN", "VIEW_PRODUCTS"),
    ]


async def test_the_collaborators_dashboard_shows_their_products_and_refuses_only_invoices(
    client, engine, settings, clock
):
    owner, orgs, products = await agency(client, engine, settings, clock)
    collaborator = await person(client, "collaborator@example.com", "Marco Bianchi")
    scope = {"allProducts": False, "productIds": [products["Alfa Srl"][0]]}
    await join(client, owner, orgs["Alfa Srl"], collaborator, rights=["VIEW_PRODUCTS", "MANAGE_PRODUCTS"], scope=scope)
    clock.advance(timedelta(seconds=1))  # the mailbox lists the newest invitation first
    await join(client, owner, orgs["Gamma Srl"], collaborator, rights=["VIEW_PRODUCTS"])

    body = await collaborator.gql(client, DASHBOARD)

    nodes = [e["node"] for e in body["data"]["viewer"]["organizations"]["edges"]]
    assert [n["name"] for n in nodes] == ["Alfa Srl", "Gamma Srl"]
    assert nodes[0]["products"] == {"totalCount": 1, "edges": [{"node": {"name": "alfa-uno.it"}}]}
    assert nodes[1]["products"]["totalCount"] == 2
    assert [(n["invoices"], n["payments"]) for n in nodes] == [(None, None), (None, None)]
    assert [n["members"]["totalCount"] for n in nodes] == [2, 2]
    assert refusals(body) == [
        (path(0, "invoices"), "FORBIDDEN", "VIEW_BILLING"),
        (path(0, "payments"), "FORBIDDEN", "VIEW_BILLING"),
        (path(1, "invoices"), "FORBIDDEN", "VIEW_BILLING"),
        (path(1, "payments"), "FORBIDDEN", "VIEW_BILLING"),
    ]
