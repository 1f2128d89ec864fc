"""The provider's staff through HTTP: search across tenants, open an organization with a reason (which its owners
read in their audit log), never act as a customer; billing staff record money; superadmins manage the staff."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.graphql import gql, log_in
from tests.orgs import Person, buy, join, organization, person, place_order
from tests.staff import make_staff, open_as, staff_person
from tests.tokens import personal_token, with_token

DOMAIN = {"sku": "domain-it", "periodMonths": 12, "domainName": "forno-bianchi.it"}
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "forno-bianchi.it"}
SEARCH = """query($q: String!) { staff {
  organizations(query: $q) { totalCount edges { node { organizationId name vatNumber } } }
  users(query: $q) { edges { node { email organizationCount emailVerified } } }
  orders(query: $q) { edges { node { number status organizationName total { amountCents currency } } } }
  invoices(query: $q) { edges { node { number organizationName } } } } }"""
READ = """name members(first: 10) { edges { node { email role } } }
  products(first: 10) { edges { node { name kind } } }
  orders(first: 10) { edges { node { number status } } }
  invoices(first: 10) { edges { node { number } } }"""
AUDIT = """query($id: ID!) { organization(id: $id) { auditLog(first: 5) {
  edges { node { action actorKind actorName actorEmail details } } } } }"""
SETTLE = """mutation($input: StaffSettleOrderInput!) { staffRecordBankTransfer(input: $input) {
  orderNumber invoiceNumber userErrors { field code message } } }"""


def error_of(body: dict) -> dict:
    (error,) = body["errors"]
    return error["extensions"] | {"path": error.get("path")}


async def shop(client, engine, settings, clock) -> tuple[Person, str]:
    owner = await person(client, "titolare@fornobianchi.it", "Anna Bianchi")
    org = await organization(client, owner, "Forno Bianchi", vatNumber="IT01114601006")
    await buy(client, engine, settings, clock, owner, org, DOMAIN)
    return owner, org


async def test_support_searches_opens_with_a_reason_and_the_owners_read_it(client, engine, settings, clock):
    owner, org = await shop(client, engine, settings, clock)
    agent = await staff_person(client, engine, settings, clock, "agente@provider.it", "SUPPORT_AGENT")
    for query in ("forno", "01114601006", "forno-bianchi.it", "titolare@fornobianchi"):
        found = (await agent.gql(client, SEARCH, {"q": query}))["data"]["staff"]["organizations"]
        assert found["totalCount"] == 1 and found["edges"][0]["node"]["organizationId"] == org, query
    users = (await agent.gql(client, SEARCH, {"q": "titolare@"}))["data"]["staff"]["users"]["edges"]
    assert users == [{"node": {"email": "titolare@fornobianchi.it", "organizationCount": 1, "emailVerified": True}}]
    orders = (await agent.gql(client, SEARCH, {"q": "ORD-"}))["data"]["staff"]["orders"]["edges"]
    assert [o["node"]["organizationName"] for o in orders] == ["Forno Bianchi"]
    invoices = (await agent.gql(client, SEARCH, {"q": "2026/"}))["data"]["staff"]["invoices"]["edges"]
    assert [i["node"]["organizationName"] for i in invoices] == ["Forno Bianchi"]

    body = await open_as(client, agent, org, READ, "Ticket #4521: DNS non risolve")
    assert "errors" not in body, body
    seen = body["data"]["staff"]["organization"]
    assert seen["name"] == "Forno Bianchi"
    assert [m["node"]["email"] for m in seen["members"]["edges"]] == ["titolare@fornobianchi.it"]
    assert [p["node"]["name"] for p in seen["products"]["edges"]] == ["forno-bianchi.it"]
    assert len(seen["orders"]["edges"]) == 1 and len(seen["invoices"]["edges"]) == 1

    entries = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    assert entries[0]["node"] == {
        "action": "staff.view",
        "actorKind": "STAFF",
        "actorName": None,  # the provider acted: owners read its role and reason, not who
        "actorEmail": None,
        "details": {"reason": "Ticket #4521: DNS non risolve", "staffRole": "SUPPORT_AGENT"},
    }
    # A dashboard reopening the same organization for the same reason adds no new line; another reason does.
    await open_as(client, agent, org, "name", "Ticket #4521: DNS non risolve")
    await open_as(client, agent, org, "name", "Ticket #4522")
    async with engine.connect() as conn:
        views = await conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'staff.view'"))
    assert views == 2


async def test_a_staff_read_needs_a_reason_and_opens_that_organization_for_a_while(client, engine, settings, clock):
    _, org = await shop(client, engine, settings, clock)
    other_owner = await person(client, "altro@example.com")
    other = await organization(client, other_owner, "Altra Srl")
    agent = await staff_person(client, engine, settings, clock, "agente@provider.it", "SUPPORT_AGENT")
    by_id = "query($id: ID!) { organization(id: $id) { name } }"
    by_node = "query($id: ID!) { node(id: $id) { ... on Organization { name } } }"

    # Before a reason, staff reach nothing through the customers' entry points: NOT_FOUND, as for non-members.
    assert error_of(await agent.gql(client, by_id, {"id": org}))["code"] == "NOT_FOUND"
    assert error_of(await open_as(client, agent, org, "name", "   "))["code"] == "BAD_USER_INPUT"
    assert error_of(await agent.gql(client, by_id, {"id": org}))["code"] == "NOT_FOUND"
    assert (await open_as(client, agent, org, "name", "T-1"))["data"]["staff"]["organization"] == {
        "name": "Forno Bianchi"
    }
    # Opened, it reads everywhere for a while (a support session); nothing else opened with it.
    for document in (by_id, by_node):
        assert "Forno Bianchi" in str((await agent.gql(client, document, {"id": org}))["data"])
        assert error_of(await agent.gql(client, document, {"id": other}))["code"] == "NOT_FOUND"
    clock.advance(timedelta(minutes=31))
    await agent.log_in_again(client)
    assert error_of(await agent.gql(client, by_node, {"id": org}))["code"] == "NOT_FOUND"
    ghost = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA=="
    assert error_of(await open_as(client, agent, ghost, "name", "x"))["code"] == "NOT_FOUND"


async def test_staff_never_act_as_customers(client, engine, settings, clock):
    owner, org = await shop(client, engine, settings, clock)
    future_staff = await person(client, "futuro@provider.it")
    await join(client, owner, org, future_staff, role="ADMIN")
    old_token = await personal_token(client, future_staff, clock.now())
    agent = await staff_person(client, engine, settings, clock, "agente@provider.it", "SUPPORT_AGENT")
    await make_staff(engine, settings, clock, future_staff.email, "SUPERADMIN")
    admin_turned_staff = future_staff

    create = """mutation { createOrganization(input: {name: "Mia", kind: INDIVIDUAL, legalName: "Mia",
      taxCode: "RSSMRA80A01H501U"}) { organization { id } } }"""
    refused = error_of(await agent.gql(client, create))
    assert (refused["code"], refused["reason"]) == ("FORBIDDEN", "STAFF_NOT_CUSTOMER")
    pat = """mutation { createPersonalAccessToken(input: {name: "x", expiresAt: "2026-12-20T00:00:00+00:00"}) {
      secret } }"""
    assert error_of(await agent.gql(client, pat))["reason"] == "STAFF_NOT_CUSTOMER"
    # An opened organization shows no membership of the caller, and no customer mutation opens to staff.
    mine = await open_as(client, agent, org, "name myMembership { role } leaveBlockers { code }", "T-9")
    assert mine["data"]["staff"]["organization"]["name"] == "Forno Bianchi"
    assert {e["extensions"]["reason"] for e in mine["errors"]} == {"STAFF_NOT_CUSTOMER"}
    update = """mutation($id: ID!) { updateOrganization(input: {organizationId: $id, phone: "+39 06 1"}) {
      organization { phone } } }"""
    assert error_of(await agent.gql(client, update, {"id": org}))["reason"] == "STAFF_NOT_CUSTOMER"
    auditing = error_of(await open_as(client, agent, org, "auditLog(first: 1) { totalCount }", "T-9"))
    assert auditing["missingRole"] == "ADMIN"
    # An admin who became staff holds nothing of their memberships, in person or through an older token.
    assert error_of(await admin_turned_staff.gql(client, update, {"id": org}))["code"] == "NOT_FOUND"
    through_token = await with_token(client, old_token["secret"], "{ viewer { organizations { totalCount } } }")
    assert through_token["_status"] == 401
    orgs = await admin_turned_staff.gql(client, "{ viewer { organizations { totalCount } } }")
    assert orgs["data"]["viewer"]["organizations"]["totalCount"] == 0


async def test_staff_fields_are_refused_to_customers_tokens_and_lower_roles(client, engine, settings, clock):
    owner, _ = await shop(client, engine, settings, clock)
    token = await personal_token(client, owner, clock.now())
    agent = await staff_person(client, engine, settings, clock, "agente@provider.it", "SUPPORT_AGENT")
    query = '{ staff { organizations(query: "forno") { totalCount } } }'
    for body in (await owner.gql(client, query), await with_token(client, token["secret"], query)):
        assert error_of(body) | {"path": None} == {
            "code": "FORBIDDEN",
            "reason": "STAFF_ONLY",
            "missingStaffRole": "SUPPORT_AGENT",
            "path": None,
        }
        assert body["data"] == {"staff": None}
    client.cookies.clear()
    assert error_of(await gql(client, query))["code"] == "UNAUTHENTICATED"
    members = error_of(await agent.gql(client, "{ staff { members { email } } }"))
    assert (members["reason"], members["missingStaffRole"]) == ("STAFF_ONLY", "SUPERADMIN")
    italian = await agent.gql(client, "{ staff { members { email } } }")
    assert (
        italian["errors"][0]["message"] == "Riservato allo staff del fornitore, con il ruolo di superadmin o superiore."
    )


async def test_billing_staff_record_a_bank_transfer_once_and_the_owners_see_it(client, engine, settings, clock):
    owner, org = await shop(client, engine, settings, clock)
    placed = await place_order(client, owner, org, HOSTING)
    number = placed["order"]["number"]
    agent = await staff_person(client, engine, settings, clock, "agente@provider.it", "SUPPORT_AGENT")
    biller = await staff_person(client, engine, settings, clock, "contabile@provider.it", "BILLING_STAFF")

    refused = error_of(await agent.gql(client, SETTLE, {"input": {"orderNumber": number, "reference": "CRO 1"}}))
    assert (refused["reason"], refused["missingStaffRole"]) == ("STAFF_ONLY", "BILLING_STAFF")
    done = await biller.gql(client, SETTLE, {"input": {"orderId": placed["order"]["id"], "reference": "CRO 778"}})
    paid = done["data"]["staffRecordBankTransfer"]
    assert paid["userErrors"] == [] and paid["orderNumber"] == number and paid["invoiceNumber"].startswith("2026/")
    again = await biller.gql(client, SETTLE, {"input": {"orderNumber": number, "reference": "CRO 778"}})
    assert [e["code"] for e in again["data"]["staffRecordBankTransfer"]["userErrors"]] == ["ORDER_NOT_PENDING"]
    missing = await biller.gql(client, SETTLE, {"input": {"orderNumber": "ORD-2099-000001", "reference": "x"}})
    assert missing["data"]["staffRecordBankTransfer"]["userErrors"][0]["field"] == ["input", "orderId"]

    async with engine.connect() as conn:
        payments = await conn.scalar(
            text("SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = :n"),
            {"n": number},
        )
        status = await conn.scalar(text("SELECT status FROM orders WHERE number = :n"), {"n": number})
    assert (payments, status) == (1, "PAID")
    entries = (await owner.gql(client, AUDIT, {"id": org}))["data"]["organization"]["auditLog"]["edges"]
    settled = next(e["node"] for e in entries if e["node"]["action"] == "staff.order_settled")
    assert settled["actorKind"] == "STAFF" and settled["details"]["reference"] == "CRO 778"


async def test_billing_staff_grant_credits_and_create_promo_codes(client, engine, settings, clock):
    owner = await person(client, "credito@example.com")
    org = await organization(client, owner)
    biller = await staff_person(client, engine, settings, clock, "contabile@provider.it", "BILLING_STAFF")
    grant = """mutation($input: StaffGrantCreditInput!) { staffGrantCredit(input: $input) {
      credit { amountCents currency } userErrors { field code } } }"""
    given = {"organizationId": org, "kind": "HOSTING", "amountCents": 3000, "reason": "Migrazione"}
    body = await biller.gql(client, grant, {"input": given})
    assert body["data"]["staffGrantCredit"] == {"credit": {"amountCents": 3000, "currency": "EUR"}, "userErrors": []}
    bad = await biller.gql(client, grant, {"input": given | {"amountCents": 0}})
    assert bad["data"]["staffGrantCredit"]["userErrors"] == [
        {"field": ["input", "amountCents"], "code": "AMOUNT_INVALID"}
    ]
    placed = await place_order(
        client, owner, org, {"sku": "hosting-linux-start", "periodMonths": 12, "domainName": "x.it"}
    )
    assert placed["order"]["subtotal"]["amountCents"] < 4990  # the credit was spent at checkout

    promo = """mutation($input: StaffCreatePromoCodeInput!) { staffCreatePromoCode(input: $input) {
      code userErrors { code } } }"""
    window = {"validFrom": "2026-11-01T00:00:00+01:00", "validUntil": "2027-01-01T00:00:00+01:00"}
    made = await biller.gql(
        client, promo, {"input": {"code": "natale10", "description": "Natale", "percentOff": 10} | window}
    )
    assert made["data"]["staffCreatePromoCode"] == {"code": "NATALE10", "userErrors": []}
    twice = await biller.gql(
        client, promo, {"input": {"code": "NATALE10", "description": "x", "percentOff": 5} | window}
    )
    assert twice["data"]["staffCreatePromoCode"]["userErrors"] == [{"code": "CODE_TAKEN"}]
    both = await biller.gql(
        client, promo, {"input": {"code": "X", "description": "x", "percentOff": 5, "amountOffCents": 100} | window}
    )
    assert both["data"]["staffCreatePromoCode"]["userErrors"] == [{"code": "DISCOUNT_INVALID"}]


async def test_superadmins_manage_the_staff_and_the_last_one_stays(client, engine, settings, clock):
    boss = await staff_person(client, engine, settings, clock, "capo@provider.it", "SUPERADMIN")
    recruit = await person(client, "nuovo@provider.it")
    unverified = await person(client, "nonverificato@provider.it", verified=False)
    add = """mutation($email: String!, $role: StaffRole!) { addStaffMember(input: {email: $email, role: $role}) {
      staffMember { staffMemberId email role } userErrors { code } } }"""
    assert (await boss.gql(client, add, {"email": unverified.email, "role": "SUPPORT_AGENT"}))["data"][
        "addStaffMember"
    ]["userErrors"] == [{"code": "EMAIL_NOT_VERIFIED"}]
    added = (await boss.gql(client, add, {"email": "Nuovo@Provider.it", "role": "SUPPORT_AGENT"}))["data"][
        "addStaffMember"
    ]
    assert added["staffMember"]["role"] == "SUPPORT_AGENT"
    # The recruit's session, opened as a customer, acts as staff from the next request.
    who = await recruit.gql(client, "{ staff { role } }")
    assert who["data"] == {"staff": {"role": "SUPPORT_AGENT"}}
    change = """mutation($id: ID!, $role: StaffRole!) { changeStaffRole(input: {staffMemberId: $id, role: $role}) {
      staffMember { role } userErrors { code } } }"""
    listed = (await boss.gql(client, "{ staff { members { staffMemberId email role } } }"))["data"]["staff"]["members"]
    boss_id = next(m["staffMemberId"] for m in listed if m["email"] == "capo@provider.it")
    demoted = await boss.gql(client, change, {"id": boss_id, "role": "SUPPORT_AGENT"})
    assert demoted["data"]["changeStaffRole"]["userErrors"] == [{"code": "LAST_SUPERADMIN"}]
    remove = """mutation($id: ID!) { removeStaffMember(input: {staffMemberId: $id}) {
      removedStaffMemberId userErrors { code } } }"""
    assert (await boss.gql(client, remove, {"id": boss_id}))["data"]["removeStaffMember"]["userErrors"] == [
        {"code": "LAST_SUPERADMIN"}
    ]
    assert error_of(await recruit.gql(client, remove, {"id": boss_id}))["missingStaffRole"] == "SUPERADMIN"
    gone = await boss.gql(client, remove, {"id": added["staffMember"]["staffMemberId"]})
    assert gone["data"]["removeStaffMember"] == {
        "removedStaffMemberId": added["staffMember"]["staffMemberId"],
        "userErrors": [],
    }
    # Leaving the staff ends the sessions: nothing opened as staff goes on as a customer.
    assert (await recruit.gql(client, "{ viewer { user { email } } }"))["_status"] == 401
    back = await log_in(client, recruit.email, PASSWORD)
    client.cookies.clear()
    refused = error_of(await gql(client, "{ staff { role } }", token=back["sessionToken"]))
    assert refused["reason"] == "STAFF_ONLY"
