"""API tokens through HTTP: their format, what is stored, their life (rotation, revocation, expiry, allowlist),
what they act as, and what they leave in the audit log."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from graphql import ObjectTypeDefinitionNode, parse
from sqlalchemy import text
from strawberry import relay

from gateway.graphql.schema import build_schema
from resolvers.api_token_format import SCANNER_REGEX
from tests.orgs import buy, join, organization, person, place_order
from tests.tokens import (
    CREATE_INTEGRATION,
    CREATE_PAT,
    REVOKE,
    ROTATE,
    WHO,
    in_days,
    integration_token,
    personal_token,
    with_token,
)

ORG = "query($id: ID!) { organization(id: $id) { name products { totalCount } } }"
AUDIT = """query($id: ID!) { organization(id: $id) { auditLog(first: 20) { edges { node {
  action actorKind actorName actorTokenName targetId details } } } } }"""
UPDATE_ORG = """mutation($id: ID!) { updateOrganization(input: {organizationId: $id, phone: "+39 06 1234567"}) {
  organization { phone } userErrors { code } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
UNBLOCK = "mutation($id: ID!) { unblockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
REMOVE = "mutation($id: ID!) { removeMember(input: {memberId: $id}) { removedMemberId userErrors { code } } }"
MY_TOKENS = "{ viewer { apiTokens(first: 10) { totalCount edges { node { id name kind status hint } } } } }"
INTEGRATION_TOKENS = """query($id: ID!) { organization(id: $id) { integrationTokens(first: 10) {
  totalCount edges { node { id name status createdByEmail } } } } }"""


def code_of(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def actions(body: dict) -> list[str]:
    return [e["node"]["action"] for e in body["data"]["organization"]["auditLog"]["edges"]]


async def test_a_token_has_a_type_prefix_a_random_body_and_a_checksum(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    personal = (await personal_token(client, owner, clock.now()))["secret"]
    integration = (await integration_token(client, owner, org, clock.now()))["secret"]

    assert personal.startswith("gwp_") and integration.startswith("gwo_")
    for secret in (personal, integration):
        assert re.fullmatch(SCANNER_REGEX.replace(r"\b", ""), secret), secret
        assert re.search(SCANNER_REGEX, f"leaked in a log line: {secret}, oops") is not None
        assert (await with_token(client, secret, WHO))["_status"] == 200
        # One character off, or a checksum that does not match: not a token, refused before any lookup.
        flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        body = await with_token(client, flipped, WHO)
        assert (body["_status"], code_of(body)) == (401, "UNAUTHENTICATED")
    # A login session's token is still told apart by its prefix and keeps working.
    assert (await with_token(client, owner.token, WHO))["data"]["viewer"]["apiToken"] is None


async def test_the_secret_is_shown_once_and_only_its_keyed_hash_is_stored(client, clock, engine):
    owner = await person(client, "owner@example.com")
    created = await personal_token(client, owner, clock.now())
    secret = created["secret"]
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM api_tokens"))).mappings().one()
    stored = " ".join(str(v) for v in row.values())
    assert secret not in stored and secret[4:] not in stored
    assert row["token_hash"] != secret.encode() and len(row["token_hash"]) == 32
    assert row["hint"] == secret[-4:] == created["token"]["hint"]
    # Nothing reads it back: the type has no secret, and the lists show the hint only.
    body = await owner.gql(client, "{ viewer { apiTokens { edges { node { secret } } } } }")
    assert code_of(body) == "GRAPHQL_VALIDATION_FAILED"
    listed = await owner.gql(client, MY_TOKENS)
    assert secret not in str(listed)
    assert listed["data"]["viewer"]["apiTokens"]["totalCount"] == 1


async def test_viewer_says_what_the_calling_token_is(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner, "Alfa Srl")
    other = await organization(client, owner, "Beta Srl")
    limited = await personal_token(
        client, owner, clock.now(), name="Reports", rights=["VIEW_BILLING"], organizationIds=[org]
    )
    viewer = (await with_token(client, limited["secret"], WHO))["data"]["viewer"]
    assert viewer["user"] == {"email": "owner@example.com"}
    token = viewer["apiToken"]
    assert (token["name"], token["kind"], token["rights"], token["allOrganizations"]) == (
        "Reports",
        "PERSONAL",
        ["VIEW_BILLING"],
        False,
    )
    assert [o["name"] for o in token["organizations"]] == ["Alfa Srl"]
    assert token["expiresAt"] == in_days(clock.now(), 30)
    # Outside the organizations it covers the token sees nothing, as if they did not exist.
    assert code_of(await with_token(client, limited["secret"], ORG, {"id": other})) == "NOT_FOUND"
    # Its rights are the token's, cut to the owner's: no products for a billing token, even an owner's.
    refused = await with_token(client, limited["secret"], ORG, {"id": org})
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRight": "VIEW_PRODUCTS"}
    assert (await owner.gql(client, WHO))["data"]["viewer"]["apiToken"] is None

    integration = await integration_token(client, owner, org, clock.now(), rights=["VIEW_PRODUCTS"])
    viewer = (await with_token(client, integration["secret"], WHO))["data"]["viewer"]
    assert viewer["user"] is None  # no person behind it
    assert viewer["apiToken"]["kind"] == "INTEGRATION"
    assert [o["name"] for o in viewer["apiToken"]["organizations"]] == ["Alfa Srl"]
    mine = "query($id: ID!) { organization(id: $id) { myMembership { id } } viewer { pendingInvitations { id } } }"
    answer = await with_token(client, integration["secret"], mine, {"id": org})
    assert answer["data"] == {"organization": {"myMembership": None}, "viewer": {"pendingInvitations": []}}


async def test_settings_are_checked_when_a_token_is_created(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    accountant = await person(client, "accountant@example.com")
    await join(client, owner, org, accountant, rights=["VIEW_BILLING"])
    now = clock.now()
    cases = [
        (owner, {"expiresAt": in_days(now, 367)}, "EXPIRY_TOO_LONG", ["input", "expiresAt"]),
        (owner, {"expiresAt": in_days(now, -1)}, "EXPIRY_IN_PAST", ["input", "expiresAt"]),
        (owner, {"name": " "}, "NAME_INVALID", ["input", "name"]),
        (owner, {"ipAllowlist": ["10.0.0.0/8", "not-a-net"]}, "INVALID_CIDR", ["input", "ipAllowlist", "1"]),
        (accountant, {"rights": ["VIEW_BILLING", "ORDER"]}, "RIGHT_NOT_HELD", ["input", "rights"]),
        (owner, {"productIds": [ghost("Product")]}, "PRODUCT_NOT_IN_SCOPE", ["input", "productIds", "0"]),
    ]
    for who, settings, code, field in cases:
        data = {"name": "x", "expiresAt": in_days(now, 366)} | settings
        body = await who.gql(client, CREATE_PAT, {"input": data})
        errors = body["data"]["createPersonalAccessToken"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [(code, field)], (settings, body)
        assert body["data"]["createPersonalAccessToken"]["secret"] is None
    # An organization the person does not belong to is refused like one that does not exist.
    outsider = await person(client, "outsider@example.com")
    body = await outsider.gql(client, CREATE_PAT, {"input": {"name": "x", "expiresAt": in_days(now, 1),
                                                             "organizationIds": [org]}})  # fmt: skip
    assert [e["code"] for e in body["data"]["createPersonalAccessToken"]["userErrors"]] == ["ORGANIZATION_NOT_FOUND"]
    # 366 days is the longest allowed, and the allowlist is kept in canonical form.
    made = await personal_token(client, owner, now, expiresAt=in_days(now, 366), ipAllowlist=["203.0.113.9/24"])
    assert made["token"]["ipAllowlist"] == ["203.0.113.0/24"]
    # An integration token: only an owner or admin issues one, within their own rights and scope.
    data = {"organizationId": org, "name": "ERP", "expiresAt": in_days(now, 30)}
    refused = await accountant.gql(client, CREATE_INTEGRATION, {"input": data})
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRole": "ADMIN"}
    body = await owner.gql(client, CREATE_INTEGRATION, {"input": data | {"productIds": [ghost("Product")]}})
    errors = body["data"]["createIntegrationToken"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("PRODUCT_NOT_IN_ORGANIZATION", ["input", "productIds", "0"])]


async def test_rotation_issues_a_new_secret_and_the_old_one_stops(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    created = await integration_token(
        client, owner, org, clock.now(), rights=["VIEW_PRODUCTS"], ipAllowlist=["203.0.113.0/24"]
    )
    old = created["secret"]
    rotated = (await owner.gql(client, ROTATE, {"id": created["token"]["id"]}))["data"]["rotateApiToken"]
    assert rotated["userErrors"] == []
    new = rotated["secret"]
    assert new != old and new.startswith("gwo_")
    before = {k: v for k, v in created["token"].items() if k not in ("hint", "lastUsedAt", "lastUsedIp")}
    after = {k: v for k, v in rotated["token"].items() if k not in ("hint", "lastUsedAt", "lastUsedIp")}
    assert after == before  # the same token: id, name, rights, scope, allowlist, expiry
    assert code_of(await with_token(client, old, ORG, {"id": org})) == "UNAUTHENTICATED"
    assert (await with_token(client, new, ORG, {"id": org}))["data"]["organization"]["name"] == "Rossi Srl"
    logged = actions(await owner.gql(client, AUDIT, {"id": org}))
    # The new secret's first use is also its first from this address.
    assert logged == ["api_token.new_address", "api_token.rotate", "api_token.create", "organization.create"]


async def test_revocation_and_expiry_hold_on_the_next_request(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    revoked = await personal_token(client, owner, clock.now())
    expiring = await personal_token(client, owner, clock.now(), expiresAt=in_days(clock.now(), 1))
    for created in (revoked, expiring):
        assert (await with_token(client, created["secret"], ORG, {"id": org}))["data"]["organization"]
    answer = (await owner.gql(client, REVOKE, {"id": revoked["token"]["id"]}))["data"]["revokeApiToken"]
    assert answer["token"]["status"] == "REVOKED" and answer["userErrors"] == []
    body = await with_token(client, revoked["secret"], ORG, {"id": org})
    assert (body["_status"], code_of(body)) == (401, "UNAUTHENTICATED")
    again = (await owner.gql(client, REVOKE, {"id": revoked["token"]["id"]}))["data"]["revokeApiToken"]
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_REVOKED"]
    rotate = (await owner.gql(client, ROTATE, {"id": revoked["token"]["id"]}))["data"]["rotateApiToken"]
    assert [e["code"] for e in rotate["userErrors"]] == ["NOT_ACTIVE"]

    clock.advance(timedelta(days=1, seconds=1))
    body = await with_token(client, expiring["secret"], ORG, {"id": org})
    assert (body["_status"], code_of(body)) == (401, "UNAUTHENTICATED")
    await owner.log_in_again(client)
    statuses = {
        e["node"]["id"]: e["node"]["status"]
        for e in (await owner.gql(client, MY_TOKENS))["data"]["viewer"]["apiTokens"]["edges"]
    }
    assert statuses == {revoked["token"]["id"]: "REVOKED", expiring["token"]["id"]: "EXPIRED"}


async def test_someone_elses_token_cannot_be_revoked_or_rotated(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    member = await person(client, "member@example.com")
    await join(client, owner, org, member, rights=["MANAGE_ORGANIZATION"])
    personal = await personal_token(client, owner, clock.now())
    integration = await integration_token(client, owner, org, clock.now())
    for document in (REVOKE, ROTATE):
        assert code_of(await member.gql(client, document, {"id": personal["token"]["id"]})) == "NOT_FOUND"
        refused = await member.gql(client, document, {"id": integration["token"]["id"]})
        assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "missingRole": "ADMIN"}
    assert (await with_token(client, personal["secret"], ORG, {"id": org}))["data"]["organization"]
    listed = await member.gql(client, INTEGRATION_TOKENS, {"id": org})
    assert listed["errors"][0]["extensions"]["missingRole"] == "ADMIN"
    shown = (await owner.gql(client, INTEGRATION_TOKENS, {"id": org}))["data"]["organization"]["integrationTokens"]
    assert shown["totalCount"] == 1 and shown["edges"][0]["node"]["createdByEmail"] == "owner@example.com"


async def test_an_ip_allowlist_refuses_other_addresses(client, make_client, settings, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    # The test client calls from 203.0.113.7.
    inside = await personal_token(client, owner, clock.now(), ipAllowlist=["203.0.113.0/28", "2001:db8::/32"])
    outside = await personal_token(client, owner, clock.now(), ipAllowlist=["198.51.100.0/24"])
    assert (await with_token(client, inside["secret"], ORG, {"id": org}))["data"]["organization"]
    body = await with_token(client, outside["secret"], ORG, {"id": org})
    assert body["_status"] == 403
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["reason"] == "IP_NOT_ALLOWED"
    elsewhere = await make_client(settings, ip="198.51.100.20")
    assert (await with_token(elsewhere, outside["secret"], ORG, {"id": org}))["data"]["organization"]
    assert (await with_token(elsewhere, inside["secret"], ORG, {"id": org}))["_status"] == 403


async def test_a_blocked_or_removed_member_acts_through_no_token(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    member = await person(client, "member@example.com")
    member_id = await join(client, owner, org, member, rights=["VIEW_PRODUCTS"])
    created = await personal_token(client, member, clock.now())
    assert (await with_token(client, created["secret"], ORG, {"id": org}))["data"]["organization"]

    await owner.gql(client, BLOCK, {"id": member_id})
    assert code_of(await with_token(client, created["secret"], ORG, {"id": org})) == "NOT_FOUND"
    await owner.gql(client, UNBLOCK, {"id": member_id})
    assert (await with_token(client, created["secret"], ORG, {"id": org}))["data"]["organization"]
    await owner.gql(client, REMOVE, {"id": member_id})
    assert code_of(await with_token(client, created["secret"], ORG, {"id": org})) == "NOT_FOUND"
    # The token itself still works: it simply covers no organization any more.
    assert (await with_token(client, created["secret"], WHO))["data"]["viewer"]["apiToken"]["organizations"] == []


async def test_an_integration_token_outlives_its_issuer_but_not_its_organization(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    admin = await person(client, "admin@example.com")
    admin_id = await join(client, owner, org, admin, role="ADMIN")
    created = await integration_token(client, admin, org, clock.now(), rights=["VIEW_PRODUCTS"])
    await owner.gql(client, REMOVE, {"id": admin_id})
    assert (await with_token(client, created["secret"], ORG, {"id": org}))["data"]["organization"]
    delete = """mutation($id: ID!) { deleteOrganization(input: {organizationId: $id, confirmName: "Rossi Srl"}) {
      deletedOrganizationId userErrors { code } } }"""
    assert (await owner.gql(client, delete, {"id": org}))["data"]["deleteOrganization"]["userErrors"] == []
    assert code_of(await with_token(client, created["secret"], WHO)) == "UNAUTHENTICATED"


async def test_a_token_never_manages_credentials_or_grants_anything(client, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    secret = (await personal_token(client, owner, clock.now()))["secret"]
    documents = {
        "createPersonalAccessToken": CREATE_PAT,
        "changePassword": """mutation { changePassword(input: {currentPassword: "correct horse battery staple 42",
          newPassword: "another quite long passphrase 99"}) { userErrors { code } } }""",
        "logOut": "mutation { logOut { loggedOut } }",
        "inviteMember": """mutation($id: ID!) { inviteMember(input: {organizationId: $id, email: "x@example.com"})
          { userErrors { code } } }""",
        "apiTokens": MY_TOKENS,
    }
    variables = {"id": org, "input": {"name": "x", "expiresAt": in_days(clock.now(), 1)}}
    for name, document in documents.items():
        body = await with_token(client, secret, document, variables)
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "TOKEN_NOT_ALLOWED"}, name
        assert body["errors"][0]["message"].startswith("Un token API non può farlo"), body  # the owner's language
    # What the token holds it still does.
    assert (await with_token(client, secret, UPDATE_ORG, {"id": org}))["data"]["updateOrganization"]["userErrors"] == []


async def test_token_actions_and_mutations_with_a_token_are_audited(client, clock, engine, settings):
    owner = await person(client, "owner@example.com", "Olga Owner")
    org = await organization(client, owner)
    other = await organization(client, owner, "Other Srl")
    personal = await personal_token(client, owner, clock.now(), organizationIds=[org])
    integration = await integration_token(
        client, owner, org, clock.now(), rights=["MANAGE_ORGANIZATION", "ORDER", "VIEW_PRODUCTS"]
    )
    await with_token(client, integration["secret"], UPDATE_ORG, {"id": org})
    placed = await place_order(
        client, _as(integration["secret"]), org, {"sku": "hosting-linux-start", "periodMonths": 12}
    )
    assert placed["userErrors"] == [], placed
    await owner.gql(client, REVOKE, {"id": personal["token"]["id"]})

    log = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    entries = [(e["node"]["action"], e["node"]["actorKind"]) for e in log]
    assert entries[:6] == [
        ("api_token.revoke", "USER"),
        ("order.place", "TOKEN"),
        ("organization.update", "TOKEN"),
        ("api_token.new_address", "TOKEN"),
        ("api_token.create", "USER"),
        ("api_token.create", "USER"),
    ], entries
    assert all(e["node"]["details"]["name"] for e in log[:6] if e["node"]["action"].startswith("api_token."))
    by_token = [e["node"] for e in log if e["node"]["actorKind"] == "TOKEN"]
    assert {(e["actorName"], e["actorTokenName"]) for e in by_token} == {(None, "ERP")}
    # A personal token limited to one organization is logged there only.
    assert "api_token.create" not in actions(await owner.gql(client, AUDIT, {"id": other}))
    integration_id = uuid.UUID(_node_id(integration["token"]["id"]))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT action, actor_id, actor_token_id FROM audit_log WHERE actor_kind = 'token' ORDER BY seq")
            )
        ).all()
        placed_by = (await conn.execute(text("SELECT placed_by_id FROM orders"))).scalar_one()
    assert [r.action for r in rows] == ["api_token.new_address", "organization.update", "order.place"]
    assert {r.actor_token_id for r in rows} == {integration_id} and {r.actor_id for r in rows} == {None}
    assert placed_by is None  # no person placed it; the audit entry names the token


async def test_last_use_is_kept_to_the_minute_and_a_new_address_is_audited(
    client, make_client, settings, clock, engine
):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    created = await integration_token(client, owner, org, clock.now())
    secret = created["secret"]
    first = clock.now()
    await with_token(client, secret, ORG, {"id": org})
    clock.advance(timedelta(seconds=30))
    await with_token(client, secret, ORG, {"id": org})
    seen = (await with_token(client, secret, WHO))["data"]["viewer"]["apiToken"]
    assert (seen["lastUsedAt"], seen["lastUsedIp"]) == (first.isoformat(), "203.0.113.7")
    clock.advance(timedelta(seconds=31))
    elsewhere = await make_client(settings, ip="198.51.100.20")
    seen = (await with_token(elsewhere, secret, WHO))["data"]["viewer"]["apiToken"]
    assert (seen["lastUsedAt"], seen["lastUsedIp"]) == (clock.now().isoformat(), "198.51.100.20")
    log = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    new_addresses = [e["node"] for e in log if e["node"]["action"] == "api_token.new_address"]
    assert len(new_addresses) == 2 and {e["actorKind"] for e in new_addresses} == {"TOKEN"}


async def test_a_token_limited_to_some_products_sees_only_those(client, engine, settings, clock):
    owner = await person(client, "owner@example.com")
    org = await organization(client, owner)
    lines = [{"sku": "domain-it", "periodMonths": 12, "domainName": f"dominio-{i}.it"} for i in range(3)]
    bought = await buy(client, engine, settings, clock, owner, org, *lines)
    chosen = bought[0]["id"]
    limited = await personal_token(client, owner, clock.now(), productIds=[chosen])
    assert limited["token"]["productScope"] == {"allProducts": False, "productIds": [chosen]}
    listed = "query($id: ID!) { organization(id: $id) { products { totalCount edges { node { id } } } } }"
    products = (await with_token(client, limited["secret"], listed, {"id": org}))["data"]["organization"]["products"]
    assert products["totalCount"] == 1 and [e["node"]["id"] for e in products["edges"]] == [chosen]
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert code_of(await with_token(client, limited["secret"], node, {"id": bought[1]["id"]})) == "NOT_FOUND"


class _as:
    """A caller that sends a token as its bearer, for the helpers of tests/orgs.py."""

    def __init__(self, secret: str) -> None:
        self.token = secret

    async def gql(self, client: httpx.AsyncClient, query: str, variables: dict | None = None) -> dict:
        return await with_token(client, self.token, query, variables)


def _node_id(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


def ghost(type_name: str) -> str:
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


IN_PERSON = {
    "Mutation": {
        "signUp", "logIn", "logOut", "changePassword", "requestPasswordReset", "resetPassword", "updateProfile",
        "setRecoveryEmail", "verifyEmail", "resendEmailVerification", "changeEmail", "createOrganization",
        "switchOrganization", "leaveOrganization", "transferOwnership", "updateMember", "unblockMember",
        "updateMyNotifications", "inviteMember", "acceptInvitation", "declineInvitation", "resendInvitation",
        "acceptContract", "createPersonalAccessToken", "createIntegrationToken", "revokeApiToken", "rotateApiToken",
    },
    "Viewer": {"apiTokens"},
    "Organization": {"integrationTokens"},
}  # fmt: skip


def test_what_only_a_person_may_do_is_one_directive_in_the_sdl():
    """Tokens never manage credentials or grant anything: exactly these fields say `@inPerson`, beside their rule."""
    document = parse(build_schema().as_str())
    marked: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode):
            for f in definition.fields or ():
                if any(d.name.value == "inPerson" for d in f.directives or ()):
                    marked.setdefault(definition.name.value, set()).add(f.name.value)
    assert marked == IN_PERSON
