"""The compiled read path answers byte for byte what the standard path answers (data, errors, cost).

Two gateways on one database, one with compiled reads and one without (budgets off, so that nothing but the
answer differs), are asked the same generated queries as the same callers: owners, admins, members with any
rights and scopes, a blocked member, a stranger, an API token, staff, nobody. The queries are drawn from the
SDL of the types that have a SQL source (aliases, fragments, variables, nested pages, page sizes in and out of
range, ids of other tenants and of nothing); every answer must be the same bytes. A second test shows that
what the plan can answer is answered by one statement, whatever the page sizes.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from strawberry import relay

from gateway.graphql.compiled.extension import ANSWERED
from tests.orgs import INVITE, Person, buy, join, organization, person
from tests.staff import make_staff, open_as
from tests.tokens import integration_token, personal_token

# What each type offers the generator: scalars, and fields holding objects or pages of them.
SCALARS: dict[str, list[str]] = {
    "User": ["id", "email", "fullName", "recoveryEmail", "language", "emailVerified", "emailVerifiedAt", "createdAt"],
    "Organization": ["id", "name", "kind", "legalName", "taxCode", "vatNumber", "phone", "logoUrl", "createdAt"],
    "Address": ["street", "postalCode", "city", "province", "country"],
    "Member": ["id", "fullName", "email", "role", "rights", "topics", "status", "joinedAt"],
    "Product": ["id", "name", "nameAscii", "kind", "status", "suspendedReason", "autoRenew", "termMonths", "expiresAt"],
    "OrganizationEdge": ["role", "rights"],
    "Invoice": ["id", "number", "status", "issuedAt", "vatNote", "paymentMethod", "pdfUrl"],
    "InvoiceLine": ["description", "vatRateBasisPoints"],
    "PrepaidAccount": [],
    "Money": ["amountCents", "currency"],
    "AuditEntry": [
        "id",
        "action",
        "actorKind",
        "actorName",
        "actorEmail",
        "actorTokenName",
        "targetId",
        "ip",
        "createdAt",
    ],
}
OBJECTS: dict[str, list[tuple[str, str, str]]] = {  # field, its type, "one" | "list" | "page"
    "Viewer": [
        ("user", "User", "one"),
        ("organizations", "Organization", "page"),
        ("expiringProducts", "Product", "page"),
    ],
    "Organization": [
        ("address", "Address", "one"),
        ("myMembership", "Member", "one"),
        ("legalRepresentative", "Member", "one"),
        ("members", "Member", "page"),
        ("products", "Product", "page"),
        ("auditLog", "AuditEntry", "page"),
        ("invoices", "Invoice", "page"),
        ("prepaidAccount", "PrepaidAccount", "one"),
    ],
    "Invoice": [("subtotal", "Money", "one"), ("total", "Money", "one"), ("lines", "InvoiceLine", "list")],
    "InvoiceLine": [("net", "Money", "one"), ("total", "Money", "one")],
    "PrepaidAccount": [("balance", "Money", "one")],
    "Product": [("addOns", "Product", "list"), ("organization", "Organization", "one")],
    "Member": [("organization", "Organization", "one")],
}
PAGE_SIZES = [None, 0, 1, 2, 20, 100] * 3 + [101, -1]  # out of range now and then: BAD_USER_INPUT either way


@st.composite
def selection(draw: Any, type_name: str, depth: int, variables: dict[str, Any]) -> str:
    """A selection set on `type_name`, fields in any order, some aliased, some in fragments."""
    scalars = SCALARS.get(type_name, [])
    objects = OBJECTS.get(type_name, []) if depth < 3 else []
    chosen = draw(st.lists(st.sampled_from(scalars), unique=True, max_size=5)) if scalars else []
    parts = [f"a{i}: {name}" if draw(st.booleans()) and i % 3 == 0 else name for i, name in enumerate(chosen)]
    if draw(st.integers(0, 5)) == 0:
        parts.append("__typename")
    for name, target, kind in objects:
        if not draw(st.integers(0, 2)) == 0:
            continue
        inner = draw(selection(target, depth + 1, variables))
        if kind == "page":
            size = draw(st.sampled_from(PAGE_SIZES))
            argument = ""
            if size is not None and draw(st.booleans()):
                var = f"n{len(variables)}"
                variables[var] = size
                argument = f"(first: ${var})"
            elif size is not None:
                argument = f"(first: {size})"
            if name == "expiringProducts":
                days = draw(st.sampled_from([None, 1, 30, 400, 366, 367, 0]))
                if days is not None:
                    argument = f"(withinDays: {days}{', ' + argument[1:-1] if argument else ''})"
            edge_extra = " ".join(draw(st.lists(st.sampled_from(SCALARS["OrganizationEdge"]), unique=True)))
            edge_extra = edge_extra if target == "Organization" and type_name == "Viewer" else ""
            total = "totalCount " if draw(st.booleans()) else ""
            parts.append(f"{name}{argument} {{ {total}edges {{ {edge_extra} node {{ {inner} }} }} }}")
        else:
            parts.append(f"{name} {{ {inner} }}")
    if type_name == "Organization" and depth <= 1 and draw(st.integers(0, 9)) == 0:
        # Not compiled: the plan leaves the whole request to the standard path, and the answers still agree.
        parts.append("invitations(first: 2) { edges { node { id email } } }")
    if not parts:
        parts = ["__typename"]
    if draw(st.integers(0, 4)) == 0:
        return f"... on {type_name} {{ {' '.join(parts)} }}"
    return " ".join(parts)


@st.composite
def query(draw: Any, ids: list[str]) -> tuple[str, dict[str, Any]]:
    variables: dict[str, Any] = {}
    roots = []
    if draw(st.booleans()):
        roots.append(f"viewer {{ {draw(selection('Viewer', 0, variables))} }}")
    if draw(st.booleans()) or not roots:
        target = draw(st.sampled_from(ids))
        body = draw(selection("Organization", 1, variables))
        if draw(st.booleans()):
            variables["org"] = target
            roots.append(f"o: organization(id: $org) {{ {body} }}")
        else:
            roots.append(f'organization(id: "{target}") {{ {body} }}')
    definitions = ", ".join(f"${k}: {'ID!' if k == 'org' else 'Int'}" for k in variables)
    header = f"query Q({definitions})" if definitions else "query Q"
    return f"{header} {{ {' '.join(roots)} }}", variables


@dataclass
class World:
    on: httpx.AsyncClient
    off: httpx.AsyncClient
    callers: dict[str, str | None] = field(default_factory=dict)  # name -> bearer token (None: anonymous)
    organizations: list[str] = field(default_factory=list)


WORLDS: dict[int, World] = {}
CASES: Counter[tuple[str, bool]] = Counter()  # (caller, answered by the plan)


async def build(client: Any, make_client: Any, settings: Any, engine: Any, clock: Any) -> World:
    quiet = replace(settings, budgets=replace(settings.budgets, enabled=False), compiled_reads=True)
    world = World(await make_client(quiet), await make_client(replace(quiet, compiled_reads=False)))
    owner = await person(client, "owner@alfa.example", "Anna Alfa")
    alfa = await organization(client, owner, "Alfa Srl", phone="+39 06 1234567")
    products = await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        alfa,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "alfa.it"},
        {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "alfa.it"},
    )
    await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        alfa,
        {"sku": "ssl-dv", "periodMonths": 12, "parentProductId": products[1]["id"]},
    )
    stranger = await person(client, "owner@beta.example", "Bruno Beta")
    beta = await organization(client, stranger, "Beta Snc", vatNumber="IT07643520567", taxCode="07643520567")
    await buy(
        client,
        engine,
        settings,
        clock,
        stranger,
        beta,
        {"sku": "domain-it", "periodMonths": 12, "domainName": "beta.it"},
    )
    people: dict[str, Person] = {"owner": owner, "stranger": stranger}
    for name, role, rights, scope in (
        ("admin", "ADMIN", [], None),
        ("viewer", "MEMBER", ["VIEW_PRODUCTS"], None),
        (
            "scoped",
            "MEMBER",
            ["VIEW_PRODUCTS", "MANAGE_MEMBERS"],
            {"allProducts": False, "productIds": [products[0]["id"]]},
        ),
        ("nobody", "MEMBER", [], None),
        ("blocked", "MEMBER", ["VIEW_PRODUCTS"], None),
    ):
        people[name] = await person(client, f"{name}@alfa.example", f"{name.title()} Person")
        member_id = await join(client, owner, alfa, people[name], role=role, rights=rights, scope=scope)
        if name == "blocked":
            block = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } } }"
            await owner.gql(client, block, {"id": member_id})
    # The admin of Alfa is also a member of Beta (an agency's case), accepting by id from a verified account.
    invited = await stranger.gql(
        client, INVITE, {"input": {"organizationId": beta, "email": people["admin"].email, "rights": ["VIEW_PRODUCTS"]}}
    )
    accept = "mutation($id: ID!) { acceptInvitation(input: {invitationId: $id}) { userErrors { code } } }"
    accepted = await people["admin"].gql(client, accept, {"id": invited["data"]["inviteMember"]["invitation"]["id"]})
    assert accepted["data"]["acceptInvitation"]["userErrors"] == [], accepted
    # One reader in English: what Python translates (invoice lines' descriptions) keeps to the standard path.
    english = 'mutation { updateProfile(input: {language: "en"}) { user { language } } }'
    assert (await people["admin"].gql(client, english))["data"]["updateProfile"]["user"]["language"] == "en"
    staff = await person(client, "agent@provider.example", "Agent")
    await make_staff(engine, settings, clock, staff.email, "SUPPORT_AGENT")
    await open_as(client, staff, alfa, "name", "Differential test")
    world.callers = {name: p.token for name, p in people.items()} | {
        "staff": staff.token,
        "token": (await personal_token(client, owner, clock.now()))["secret"],
        # An agency's token: its admin's, limited to Beta's products.
        "limited-token": (
            await personal_token(client, people["admin"], clock.now(), organizationIds=[beta], rights=["VIEW_PRODUCTS"])
        )["secret"],
        "integration": (
            await integration_token(
                client, owner, alfa, clock.now(), rights=["VIEW_PRODUCTS"], productIds=[products[0]["id"]]
            )
        )["secret"],
        "anonymous": None,
    }
    # Alfa, where most callers are members, most often; another tenant, an id of nothing, an id of another type.
    ghost = str(relay.GlobalID("Organization", str(uuid.uuid4())))
    world.organizations = [alfa, alfa, alfa, beta, ghost, products[0]["id"]]
    return world


async def ask(client: httpx.AsyncClient, token: str | None, document: str, variables: dict[str, Any]) -> httpx.Response:
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)


@hypothesis_settings(
    # `make differential` asks many more (GATEWAY_DIFFERENTIAL_EXAMPLES); the suite keeps to CI's time.
    max_examples=int(os.environ.get("GATEWAY_DIFFERENTIAL_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(data=st.data())
async def test_both_paths_answer_the_same_bytes(data, client, make_client, settings, engine, clock):
    world = WORLDS.get(id(client))
    if world is None or world.on.is_closed:
        world = WORLDS[id(client)] = await build(client, make_client, settings, engine, clock)
    caller = data.draw(st.sampled_from(sorted(world.callers)), label="caller")
    document, variables = data.draw(query(world.organizations), label="query")
    before, failed = ANSWERED["compiled"], ANSWERED["failed"]
    compiled = await ask(world.on, world.callers[caller], document, variables)
    # A plan that fails (bad SQL, say) is left to the standard path, which would hide it here: none may.
    assert ANSWERED["failed"] == failed, f"the plan failed: {document} {variables}"
    CASES[caller, ANSWERED["compiled"] > before] += 1
    standard = await ask(world.off, world.callers[caller], document, variables)
    assert compiled.status_code == standard.status_code
    if compiled.content != standard.content:
        # graphql-core lists errors as they happen, so two runs of the standard path may order them differently:
        # the same bytes but for the errors' order.
        assert same_but_error_order(compiled.content, standard.content), f"{caller}: {document} {variables}"


def same_but_error_order(first: bytes, second: bytes) -> bool:
    a, b = orjson.loads(first), orjson.loads(second)
    if list(a) != list(b) or orjson.dumps(a.get("data")) != orjson.dumps(b.get("data")):
        return False
    if a.get("extensions") != b.get("extensions"):
        return False
    return sorted(orjson.dumps(e) for e in a.get("errors", [])) == sorted(orjson.dumps(e) for e in b.get("errors", []))


def test_the_generated_cases_exercised_the_plans():
    """Runs after the differential test: enough of its cases were answered by plans, for every kind of member."""
    if not CASES:
        pytest.skip("reads what test_both_paths_answer_the_same_bytes asked; run the file, not this test alone")
    compiled = sum(n for (_, by_plan), n in CASES.items() if by_plan)
    assert compiled >= sum(CASES.values()) // 6, CASES
    answered = {caller for (caller, by_plan), n in CASES.items() if by_plan}
    assert answered >= {"owner", "admin", "viewer", "scoped", "token", "integration"}, CASES


AGENCY = """query Agency { viewer { organizations(first: 50) { edges { role node { id name myMembership { role rights }
  members(first: 10) { totalCount edges { node { fullName email role } } }
  products(first: 5) { totalCount edges { node { name status expiresAt addOns { name } } } } } } } } }"""


async def test_a_compiled_read_is_one_statement_whatever_the_page_sizes(
    client, make_client, settings, engine, clock, sql
):
    standard = await make_client(replace(settings, compiled_reads=False))  # first: its start-up jobs run now
    client = await make_client(replace(settings, compiled_reads=True))  # whatever `make test-standard` sets
    owner = await person(client, "agency@example.com", "Agenzia")
    organizations = [await organization(client, owner, f"Cliente {n:02d}") for n in range(6)]
    await buy(
        client,
        engine,
        settings,
        clock,
        owner,
        organizations[0],
        {"sku": "domain-it", "periodMonths": 12, "domainName": "cliente.it"},
    )
    for n in range(4):
        helper = await person(client, f"helper{n}@example.com", f"Helper {n}")
        await join(client, owner, organizations[n % 2], helper, rights=["VIEW_PRODUCTS"])
    sql.statements.clear()
    before = ANSWERED["compiled"]
    compiled = await ask(client, owner.token, AGENCY, {})
    assert ANSWERED["compiled"] == before + 1
    # The session lookup, then the one statement that built the answer (the budget's own are not counted).
    assert sql.count == 2, "\n\n".join(s[:300] for s in sql.statements)
    expected = await ask(standard, owner.token, AGENCY, {})
    assert sql.count > 4  # the standard path: a statement per loader
    body, reference = compiled.json(), expected.json()
    for answer in (body, reference):
        answer["extensions"]["cost"].pop("throttleStatus")
    assert body == reference
    assert len(body["data"]["viewer"]["organizations"]["edges"]) == 6


def test_the_setting_turns_compiled_reads_off_and_nothing_else_is_accepted():
    from gateway.settings import Settings, SettingsError

    assert Settings.from_env({}).compiled_reads is True
    assert Settings.from_env({"GATEWAY_COMPILED_READS": "off"}).compiled_reads is False
    try:
        Settings.from_env({"GATEWAY_COMPILED_READS": "sometimes"})
    except SettingsError as exc:
        assert "GATEWAY_COMPILED_READS" in str(exc)
    else:
        raise AssertionError("an unknown value was accepted")
