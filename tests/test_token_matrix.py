"""API tokens as a table: token rights, the member's rights, organization covered or not, revoked, expired or
refused by address, over representative reads and mutations, all through HTTP.

As in tests/test_authorization_matrix.py, one scenario is built once and every cell is asked in turn; every
disagreement is collected, so one run lists all of them. A cell is the outcome of one operation with one token:
- ALLOW: no GraphQL `errors` (userErrors still count as allowed);
- NOT_FOUND: the organization is not revealed: the answer equals the one for ids that exist nowhere;
- FORBIDDEN missingRight=X: the token (or its member) lacks that right;
- TOKEN: FORBIDDEN with reason TOKEN_NOT_ALLOWED, whatever the token holds (granting, managing credentials);
- UNAUTHENTICATED: a revoked or expired token (HTTP 401); IP: FORBIDDEN with reason IP_NOT_ALLOWED (HTTP 403).

What a token may do in an organization is (the token's rights ∩ the member's current rights there), in the
organizations it covers; an integration token holds its own rights in its organization only.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from strawberry import relay

from tests.graphql import without_budget
from tests.orgs import Person, buy, join, organization, person, place_order
from tests.tokens import REVOKE, integration_token, personal_token

OK = "ALLOW"
NF = "NOT_FOUND"
UN = "UNAUTHENTICATED"
IP = "FORBIDDEN reason=IP_NOT_ALLOWED"
TOK = "FORBIDDEN reason=TOKEN_NOT_ALLOWED"
VP = "FORBIDDEN missingRight=VIEW_PRODUCTS"
VB = "FORBIDDEN missingRight=VIEW_BILLING"
ORD = "FORBIDDEN missingRight=ORDER"  # where ORDER or VIEW_BILLING would do, the first one is named
MO = "FORBIDDEN missingRight=MANAGE_ORGANIZATION"

# The tokens. "admin" is ADMIN of A and OWNER of B; "limited" is a MEMBER of A with VIEW_PRODUCTS and VIEW_BILLING
# (and ORDER when its tokens were made, taken away since: a token holds what its member holds now);
# "blocked" was a MEMBER of A with every right it could get (VIEW_PRODUCTS, ORDER), then blocked.
TOKENS: dict[str, dict[str, Any]] = {
    "admin·all·A": {"who": "admin", "organizations": ["A"]},  # every right, limited to A
    "admin·products·A": {"who": "admin", "rights": ["VIEW_PRODUCTS"], "organizations": ["A"]},
    "admin·all·every": {"who": "admin"},  # every right, every organization of the admin's: A and B
    "limited·all": {"who": "limited"},  # cut to the member's VIEW_PRODUCTS and VIEW_BILLING
    "limited·order": {"who": "limited", "rights": ["ORDER", "VIEW_PRODUCTS"]},  # the member holds no ORDER now
    "blocked·all": {"who": "blocked"},
    "integration·shop": {"integration": "A", "rights": ["VIEW_PRODUCTS", "ORDER", "VIEW_BILLING"]},
    "integration·admin": {"integration": "A", "rights": ["MANAGE_ORGANIZATION", "MANAGE_MEMBERS"]},
    "revoked": {"who": "admin", "revoke": True},
    "expired": {"who": "admin", "expires_in_minutes": 1},
    "wrong address": {"who": "admin", "ip_allowlist": ["198.51.100.0/24"]},  # the test client is 203.0.113.7
}
ACTORS = tuple(TOKENS)

IN_A: dict[str, tuple[str, ...]] = {
    #                         admin·products·A    limited·all        blocked·all        integration·admin  expired
    # operation      admin·all·A        admin·all·every    limited·order      integration·shop   revoked   wrong address
    "products":           (OK,      OK,      OK,      OK,      OK,      NF,      OK,      VP,      UN,   UN,   IP),
    "node(Product)":      (OK,      OK,      OK,      OK,      OK,      NF,      OK,      VP,      UN,   UN,   IP),
    "invoices":           (OK,      VB,      OK,      OK,      VB,      NF,      OK,      VB,      UN,   UN,   IP),
    "node(Order)":        (OK,      ORD,     OK,      OK,      ORD,     NF,      OK,      ORD,     UN,   UN,   IP),
    "placeOrder":         (OK,      ORD,     OK,      ORD,     ORD,     NF,      OK,      ORD,     UN,   UN,   IP),
    "updateOrganization": (OK,      MO,      OK,      MO,      MO,      NF,      MO,      OK,      UN,   UN,   IP),
    "inviteMember":       (TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     UN,   UN,   IP),
}  # fmt: skip

# B: only the admin's unrestricted token covers it (the admin owns B); for every other token it does not exist.
IN_B: dict[str, tuple[str, ...]] = {
    "products":           (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "node(Product)":      (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "invoices":           (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "node(Order)":        (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "placeOrder":         (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "updateOrganization": (NF,      NF,      OK,      NF,      NF,      NF,      NF,      NF,      UN,   UN,   IP),
    "inviteMember":       (TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     TOK,     UN,   UN,   IP),
}  # fmt: skip


@dataclass
class Target:
    organization: str
    owner: str  # who undoes what allowed cells change
    product: str
    pending_order: str


@dataclass(frozen=True)
class Operation:
    document: str
    variables: Any

    @property
    def reads_only(self) -> bool:
        return self.document.startswith("query")


HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}
_emails = iter(range(10_000))
OPERATIONS: dict[str, Operation] = {
    "products": Operation(
        "query($id: ID!) { organization(id: $id) { products { totalCount } } }", lambda t: {"id": t.organization}
    ),
    "node(Product)": Operation("query($id: ID!) { node(id: $id) { id } }", lambda t: {"id": t.product}),
    "invoices": Operation(
        "query($id: ID!) { organization(id: $id) { invoices { totalCount } } }", lambda t: {"id": t.organization}
    ),
    "node(Order)": Operation("query($id: ID!) { node(id: $id) { id } }", lambda t: {"id": t.pending_order}),
    "placeOrder": Operation(
        "mutation($id: ID!, $lines: [OrderLineInput!]!) { placeOrder(input: {organizationId: $id, lines: $lines}) "
        "{ order { id } userErrors { code } } }",
        lambda t: {"id": t.organization, "lines": [HOSTING]},
    ),
    "updateOrganization": Operation(
        'mutation($id: ID!) { updateOrganization(input: {organizationId: $id, phone: "+39 06 1234567"}) '
        "{ organization { phone } userErrors { code } } }",
        lambda t: {"id": t.organization},
    ),
    "inviteMember": Operation(
        "mutation($id: ID!, $email: String!) { inviteMember(input: {organizationId: $id, email: $email}) "
        "{ invitation { id } userErrors { code } } }",
        lambda t: {"id": t.organization, "email": f"invited-{next(_emails)}@example.net"},
    ),
}
UPDATE_MEMBER = """mutation($input: UpdateMemberInput!) { updateMember(input: $input) { userErrors { code } } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } userErrors { code } } }"


def outcome(body: dict[str, Any]) -> str:
    if body.get("errors"):
        extensions = body["errors"][0].get("extensions") or {}
        code = extensions.get("code", "NO_CODE")
        if code == "FORBIDDEN":
            named = [f"{k}={extensions[k]}" for k in ("missingRight", "missingRole", "reason") if k in extensions]
            return " ".join([code, *named]) if named else "FORBIDDEN naming nothing"
        return str(code)
    data = body.get("data") or {}
    if not data or None in data.values():
        return f"NO DATA {data!r}"
    return OK


def ghost(type_name: str) -> str:
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


@dataclass
class Scenario:
    client: httpx.AsyncClient
    people: dict[str, Person] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    async def call(self, secret: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.client.cookies.clear()
        headers = {"Authorization": f"Bearer {secret}"}
        response = await self.client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
        body = response.json()
        body["_status"] = response.status_code
        return body

    async def run(self, name: str, actor: str, target: Target) -> dict[str, Any]:
        operation = OPERATIONS[name]
        body = await self.call(self.secrets[actor], operation.document, operation.variables(target))
        if name == "placeOrder" and outcome(body) == OK:
            owner = self.people[target.owner]
            cancelled = await owner.gql(self.client, CANCEL, {"id": body["data"]["placeOrder"]["order"]["id"]})
            assert cancelled["data"]["cancelOrder"]["userErrors"] == [], cancelled
        return body

    async def row(self, name: str, target: Target) -> list[dict[str, Any]]:
        if OPERATIONS[name].reads_only:
            return list(await asyncio.gather(*(self.run(name, actor, target) for actor in ACTORS)))
        return [await self.run(name, actor, target) for actor in ACTORS]


async def stock(s: Scenario, resources: tuple[Any, Any, Any], owner: str, org: str, stem: str) -> Target:
    line = {"sku": "domain-it", "periodMonths": 12, "domainName": f"{stem}.it"}
    (product,) = await buy(s.client, *resources, s.people[owner], org, line)
    placed = await place_order(s.client, s.people[owner], org, HOSTING)
    return Target(org, owner, product["id"], placed["order"]["id"])


async def build(client: httpx.AsyncClient, resources: tuple[Any, Any, Any], clock: Any) -> Scenario:
    s = Scenario(client)
    for name in ("owner", "admin", "limited", "blocked"):
        s.people[name] = await person(client, f"{name}@tokens.example", f"{name.title()} Person")
    org_a = await organization(client, s.people["owner"], "Alfa Token Srl")
    org_b = await organization(client, s.people["admin"], "Beta Token Srl")
    await join(client, s.people["owner"], org_a, s.people["admin"], role="ADMIN")
    limited = await join(
        client, s.people["owner"], org_a, s.people["limited"], rights=["VIEW_PRODUCTS", "VIEW_BILLING", "ORDER"]
    )
    blocked = await join(client, s.people["owner"], org_a, s.people["blocked"], rights=["VIEW_PRODUCTS", "ORDER"])
    s.targets["A"] = await stock(s, resources, "owner", org_a, "alfa-token")
    s.targets["B"] = await stock(s, resources, "admin", org_b, "beta-token")
    organizations = {"A": org_a, "B": org_b}
    now = clock.now()
    for actor, spec in TOKENS.items():
        settings: dict[str, Any] = {"name": actor}
        if "rights" in spec:
            settings["rights"] = spec["rights"]
        if "organizations" in spec:
            settings["organizationIds"] = [organizations[o] for o in spec["organizations"]]
        if "ip_allowlist" in spec:
            settings["ipAllowlist"] = spec["ip_allowlist"]
        if "expires_in_minutes" in spec:
            settings["expiresAt"] = (now + timedelta(minutes=spec["expires_in_minutes"])).isoformat()
        if "integration" in spec:
            settings.pop("organizationIds", None)
            issued_in = organizations[spec["integration"]]
            created = await integration_token(client, s.people["owner"], issued_in, now, **settings)
        else:
            created = await personal_token(client, s.people[spec["who"]], now, **settings)
        s.secrets[actor] = created["secret"]
        if spec.get("revoke"):
            revoked = await s.people[spec["who"]].gql(client, REVOKE, {"id": created["token"]["id"]})
            assert revoked["data"]["revokeApiToken"]["userErrors"] == [], revoked
    block = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { userErrors { code } } }"
    assert (await s.people["owner"].gql(client, block, {"id": blocked}))["data"]["blockMember"]["userErrors"] == []
    change = {"memberId": limited, "rights": ["VIEW_PRODUCTS", "VIEW_BILLING"]}
    changed = await s.people["owner"].gql(client, UPDATE_MEMBER, {"input": change})
    assert changed["data"]["updateMember"]["userErrors"] == [], changed
    clock.advance(timedelta(minutes=2))  # past the expired token's end, well within the sessions' idle time
    s.targets["ghost"] = Target(ghost("Organization"), "nobody", ghost("Product"), ghost("Order"))
    return s


def test_the_tables_cover_every_operation_and_token():
    for table in (IN_A, IN_B):
        assert list(table) == list(OPERATIONS)
        assert {len(row) for row in table.values()} == {len(ACTORS)}


async def test_token_matrix(client, engine, settings, clock):
    s = await build(client, (engine, settings, clock), clock)
    ghosts: dict[str, dict[str, Any]] = {}
    mismatches: list[str] = []
    for label, table in (("A", IN_A), ("B", IN_B)):
        for name, row in table.items():
            answers = await s.row(name, s.targets[label])
            for actor, expected, body in zip(ACTORS, row, answers, strict=True):
                got = outcome(body)
                if got != expected:
                    mismatches.append(f"{label} / {name} / {actor}: expected {expected}, got {got}: {body}")
                if got == expected == NF:
                    if name not in ghosts:
                        ghosts[name] = await s.run(name, "admin·all·every", s.targets["ghost"])
                    if without_budget(body) != without_budget(ghosts[name]):
                        mismatches.append(
                            f"{label} / {name} / {actor}: {json.dumps(body)} but for ids that exist nowhere "
                            f"{json.dumps(ghosts[name])}"
                        )
                if (expected, body["_status"]) in ((UN, 200), (IP, 200)):
                    mismatches.append(f"{label} / {name} / {actor}: HTTP {body['_status']}")
    assert not mismatches, f"{len(mismatches)} token cells disagree:\n" + "\n".join(mismatches)
