from __future__ import annotations

import base64
import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from schema.common import encode_id
from tests.conftest import PASSWORD
from tests.graphql import gql, log_in
from tests.orgs import CREATE, join, organization, person

ORG = """query($id: ID!) { organization(id: $id) { id name kind legalName taxCode vatNumber phone
  address { street city postalCode country } logoUrl legalRepresentative { email role }
  myMembership { role } leaveBlockers { code message } deletionBlockers { code } } }"""
UPDATE = """mutation($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) {
    organization { name phone address { city } } userErrors { field code message } } }"""
SWITCH = """mutation($id: ID!) { switchOrganization(input: {organizationId: $id}) {
  organization { name } userErrors { code } } }"""
ACTIVE = "{ viewer { activeOrganization { name } } }"
DELETE = """mutation($id: ID!, $name: String!) { deleteOrganization(input: {organizationId: $id, confirmName: $name}) {
  deletedOrganizationId userErrors { field code } } }"""
LOGO = """mutation($id: ID!, $content: String!) {
  setOrganizationLogo(input: {organizationId: $id, contentBase64: $content}) {
    organization { logoUrl } userErrors { field code message } } }"""
AUDIT = """query($id: ID!) { organization(id: $id) { auditLog(first: 10) {
  edges { node { action actorEmail ip targetId details } } pageInfo { hasNextPage } } } }"""


def png(width: int = 64, height: int = 32, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


async def test_create_organization_makes_the_creator_owner_and_legal_representative(client):
    owner = await person(client, "founder@example.com", "Franca Neri")
    org = await organization(client, owner, "Neri Design", phone="+39 055 123456", address={"city": "Firenze"})
    body = await owner.gql(client, ORG, {"id": org})
    data = body["data"]["organization"]
    assert data["kind"] == "COMPANY"
    assert data["vatNumber"] == "IT01114601006"
    assert data["address"] == {"street": None, "city": "Firenze", "postalCode": None, "country": "IT"}
    assert data["legalRepresentative"] == {"email": "founder@example.com", "role": "OWNER"}
    assert data["myMembership"] == {"role": "OWNER"}
    assert [b["code"] for b in data["leaveBlockers"]] == ["LAST_OWNER", "SOLE_MEMBER"]
    assert data["deletionBlockers"] == []
    assert (await owner.gql(client, ACTIVE))["data"]["viewer"]["activeOrganization"]["name"] == "Neri Design"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"name": " "}, "NAME_INVALID", "name"),
        ({"legalName": ""}, "LEGAL_NAME_INVALID", "legalName"),
        ({"vatNumber": "IT01114601007"}, "VAT_NUMBER_INVALID", "vatNumber"),
        ({"vatNumber": None}, "VAT_NUMBER_REQUIRED", "vatNumber"),
        ({"taxCode": "RSSMRA80A01H501X"}, "TAX_CODE_INVALID", "taxCode"),
        ({"taxCode": None}, "TAX_CODE_REQUIRED", "taxCode"),
        ({"address": {"country": "Italy"}}, "COUNTRY_INVALID", "country"),
        ({"phone": "call me"}, "PHONE_INVALID", "phone"),
    ],
)
async def test_create_organization_validates_its_legal_data(client, engine, overrides, code, field):
    owner = await person(client, "validator@example.com")
    data = {
        "name": "Bad Data",
        "kind": "COMPANY",
        "legalName": "Bad Data Srl",
        "vatNumber": "IT01114601006",
        "taxCode": "01114601006",
    } | overrides
    body = await owner.gql(client, CREATE, {"input": data})
    assert [(e["code"], e["field"]) for e in body["data"]["createOrganization"]["userErrors"]] == [
        (code, ["input", field])
    ]
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM organizations")) == 0


async def test_individual_with_a_personal_tax_code(client):
    owner = await person(client, "privato@example.com")
    body = await owner.gql(
        client,
        CREATE,
        {
            "input": {
                "name": "Mario Rossi",
                "kind": "INDIVIDUAL",
                "legalName": "Mario Rossi",
                "taxCode": "RSSMRA80A01H501U",
            }
        },
    )
    assert body["data"]["createOrganization"]["userErrors"] == []


async def test_legal_identity_cannot_change(client):
    owner = await person(client, "legal@example.com")
    org = await organization(client, owner, "Legal Srl")
    for field, value in (("legalName", "Another Srl"), ("vatNumber", "IT07643520567"), ("taxCode", "07643520567")):
        body = await owner.gql(client, UPDATE, {"input": {"organizationId": org, field: value}})
        errors = body["data"]["updateOrganization"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("LEGAL_IDENTITY_IMMUTABLE", ["input", field])]
        assert "nuova organizzazione" in errors[0]["message"] and "trasferiscile" in errors[0]["message"]
    same = await owner.gql(client, UPDATE, {"input": {"organizationId": org, "vatNumber": "IT01114601006"}})
    assert same["data"]["updateOrganization"]["userErrors"] == []


async def test_update_organization_changes_the_rest(client):
    owner = await person(client, "editor@example.com")
    org = await organization(client, owner, "Before")
    body = await owner.gql(
        client,
        UPDATE,
        {"input": {"organizationId": org, "name": "After", "phone": "+39 02 1234567", "address": {"city": "Milano"}}},
    )
    assert body["data"]["updateOrganization"] == {
        "organization": {"name": "After", "phone": "+39 02 1234567", "address": {"city": "Milano"}},
        "userErrors": [],
    }


async def test_switch_organization_persists_across_logins(client):
    owner = await person(client, "switcher@example.com")
    await organization(client, owner, "First")
    second = await organization(client, owner, "Second")
    assert (await owner.gql(client, ACTIVE))["data"]["viewer"]["activeOrganization"]["name"] == "First"
    switched = await owner.gql(client, SWITCH, {"id": second})
    assert switched["data"]["switchOrganization"] == {"organization": {"name": "Second"}, "userErrors": []}
    await owner.gql(client, "mutation { logOut { loggedOut } }")
    token = (await log_in(client, "switcher@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    assert (await gql(client, ACTIVE, token=token))["data"]["viewer"]["activeOrganization"]["name"] == "Second"


async def test_cannot_switch_to_an_organization_one_is_not_in(client):
    owner = await person(client, "a@example.com")
    other = await person(client, "b@example.com")
    theirs = await organization(client, other, "Theirs")
    body = await owner.gql(client, SWITCH, {"id": theirs})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_delete_organization_needs_the_name_and_hides_it_from_everyone(client, engine):
    owner = await person(client, "closer@example.com")
    org = await organization(client, owner, "Closing Srl")
    colleague = await person(client, "colleague@example.com")
    await join(client, owner, org, colleague)
    wrong = await owner.gql(client, DELETE, {"id": org, "name": "closing srl"})
    assert wrong["data"]["deleteOrganization"]["userErrors"] == [
        {"field": ["input", "confirmName"], "code": "CONFIRMATION_MISMATCH"}
    ]
    done = await owner.gql(client, DELETE, {"id": org, "name": "Closing Srl"})
    assert done["data"]["deleteOrganization"] == {"deletedOrganizationId": org, "userErrors": []}
    for who in (owner, colleague):
        assert (await who.gql(client, ORG, {"id": org}))["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await who.gql(client, ACTIVE))["data"]["viewer"]["activeOrganization"] is None
    # Accounts stay; the row stays for the records.
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM users")) == 2
        assert await conn.scalar(text("SELECT count(*) FROM organizations WHERE deleted_at IS NOT NULL")) == 1


async def test_logo_is_reencoded_and_served_to_members_only(client):
    owner = await person(client, "logo@example.com")
    org = await organization(client, owner, "Logo Srl")
    body = await owner.gql(client, LOGO, {"id": org, "content": png(fmt="JPEG")})
    url = body["data"]["setOrganizationLogo"]["organization"]["logoUrl"]
    assert url.startswith("/organizations/")
    served = await client.get(url, headers={"Authorization": f"Bearer {owner.token}"})
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (64, 32)
    stranger = await person(client, "stranger@example.com")
    refused = await client.get(url, headers={"Authorization": f"Bearer {stranger.token}"})
    assert refused.status_code == 404
    assert (await client.get(url)).status_code == 401


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode(), "UNSUPPORTED_FORMAT"),
        (base64.b64encode(b"GIF89a" + bytes(100)).decode(), "UNSUPPORTED_FORMAT"),
        ("not base64!", "INVALID_BASE64"),
        (png(8, 8), "BAD_DIMENSIONS"),
        (png(4000, 20), "BAD_DIMENSIONS"),
        (base64.b64encode(bytes(600 * 1024)).decode(), "TOO_LARGE"),
    ],
)
async def test_logo_rejects_what_is_not_a_small_raster_image(client, content, code):
    owner = await person(client, "badlogo@example.com")
    org = await organization(client, owner, "Bad Logo Srl")
    body = await owner.gql(client, LOGO, {"id": org, "content": content})
    assert [e["code"] for e in body["data"]["setOrganizationLogo"]["userErrors"]] == [code]


async def test_audit_log_records_who_what_and_from_where_newest_first(client, clock):
    owner = await person(client, "auditor@example.com")
    org = await organization(client, owner, "Audited Srl")
    clock.advance(timedelta(seconds=1))
    await owner.gql(client, UPDATE, {"input": {"organizationId": org, "phone": "+39 06 1234567"}})
    body = await owner.gql(client, AUDIT, {"id": org})
    entries = [e["node"] for e in body["data"]["organization"]["auditLog"]["edges"]]
    assert [e["action"] for e in entries] == ["organization.update", "organization.create"]
    assert entries[0]["actorEmail"] == "auditor@example.com"
    assert entries[0]["ip"] == "203.0.113.7"
    assert entries[0]["targetId"] == org
    assert entries[0]["details"] == {"fields": ["phone"]}


async def test_unknown_and_malformed_ids_are_not_found(client):
    owner = await person(client, "ids@example.com")
    for bad in (encode_id("Organization", uuid.uuid4()), encode_id("Member", uuid.uuid4()), "garbage"):
        body = await owner.gql(client, ORG, {"id": bad})
        assert body["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT"), body
        assert body["data"] == {"organization": None}
