from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import text

from gateway import staff_cli
from gateway.resources import Resources
from resolvers import jobs
from schema.common import decode_id, encode_id
from tests.graphql import mailbox
from tests.orgs import buy, join, organization, person, place_order

ADD = """mutation($input: AddBillingAddressInput!) { addBillingAddress(input: $input) {
  billingAddress { id label isDefault } userErrors { field code } } }"""
ADDRESSES = "query($id: ID!) { organization(id: $id) { billingAddresses { label isDefault } } }"
DEFAULT = """mutation($id: ID!) { setDefaultBillingAddress(input: {addressId: $id}) {
  billingAddress { isDefault } userErrors { code } } }"""
REMOVE = "mutation($id: ID!) { removeBillingAddress(input: {addressId: $id}) { removedAddressId userErrors { code } } }"
WITHDRAW = """mutation($input: WithdrawPrepaidInput!) { withdrawPrepaid(input: $input) {
  withdrawal { amount { amountCents } status } prepaidAccount { balance { amountCents } }
  userErrors { field code } } }"""
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) {
  order { status total { amountCents } lines { action total { amountCents } } } invoice { number }
  userErrors { code } } }"""
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}  # 49.90 + 22% = 60.88
ADDRESS = {
    "label": "Sede",
    "name": "Rossi Srl",
    "street": "Via Roma 1",
    "postalCode": "50100",
    "city": "Firenze",
    "country": "IT",
    "vatNumber": "IT01114601006",
    "sdiCode": "ABC1234",
}


async def _top_up(client, who, org, cents):
    body = await who.gql(
        client,
        "mutation($input: TopUpPrepaidInput!) { topUpPrepaid(input: $input) { userErrors { code } } }",
        {
            "input": {
                "organizationId": org,
                "amountCents": cents,
                "method": "CARD",
                "idempotencyKey": str(uuid.uuid4()),
                "source": {"cardNumber": "4242424242424242"},
            }
        },
    )
    assert body["data"]["topUpPrepaid"]["userErrors"] == []


async def test_billing_addresses(client):
    owner = await person(client, "addresses@example.com")
    org = await organization(client, owner)
    first = (await owner.gql(client, ADD, {"input": {"organizationId": org, "address": ADDRESS}}))["data"][
        "addBillingAddress"
    ]
    assert first["billingAddress"]["isDefault"] is True
    bad = await owner.gql(client, ADD, {"input": {"organizationId": org, "address": ADDRESS | {"sdiCode": "12"}}})
    assert bad["data"]["addBillingAddress"]["userErrors"] == [
        {"field": ["input", "address", "sdiCode"], "code": "SDI_CODE_INVALID"}
    ]
    second = (
        await owner.gql(client, ADD, {"input": {"organizationId": org, "address": ADDRESS | {"label": "Filiale"}}})
    )["data"]["addBillingAddress"]
    assert second["billingAddress"]["isDefault"] is False
    refused = await owner.gql(client, REMOVE, {"id": first["billingAddress"]["id"]})
    assert refused["data"]["removeBillingAddress"]["userErrors"] == [{"code": "IS_DEFAULT"}]
    await owner.gql(client, DEFAULT, {"id": second["billingAddress"]["id"]})
    removed = await owner.gql(client, REMOVE, {"id": first["billingAddress"]["id"]})
    assert removed["data"]["removeBillingAddress"]["userErrors"] == []
    last = await owner.gql(client, REMOVE, {"id": second["billingAddress"]["id"]})
    assert last["data"]["removeBillingAddress"]["userErrors"] == [{"code": "IS_DEFAULT"}]
    listed = (await owner.gql(client, ADDRESSES, {"id": org}))["data"]["organization"]["billingAddresses"]
    assert listed == [{"label": "Filiale", "isDefault": True}]


async def test_invoice_keeps_a_snapshot_of_the_address(client):
    owner = await person(client, "snapshot@example.com")
    org = await organization(client, owner)
    address = (await owner.gql(client, ADD, {"input": {"organizationId": org, "address": ADDRESS}}))["data"][
        "addBillingAddress"
    ]
    order = (await place_order(client, owner, org, HOSTING))["order"]
    await owner.gql(
        client,
        PAY,
        {
            "input": {
                "orderId": order["id"],
                "method": "CARD",
                "idempotencyKey": "s1",
                "source": {"cardNumber": "4242424242424242"},
            }
        },
    )
    await owner.gql(
        client,
        'mutation($id: ID!) { updateBillingAddress(input: {addressId: $id, address: {name: "Nuovo Nome Srl"}})'
        " { userErrors { code } } }",
        {"id": address["billingAddress"]["id"]},
    )
    invoices = await owner.gql(
        client,
        "query($id: ID!) { organization(id: $id) { invoices { edges { node { billingAddress { name sdiCode } } } } } }",
        {"id": org},
    )
    assert invoices["data"]["organization"]["invoices"]["edges"][0]["node"]["billingAddress"] == {
        "name": "Rossi Srl",
        "sdiCode": "ABC1234",
    }


async def test_promo_code_once_per_organization_with_a_discount_line(client, engine, settings, clock):
    resources = Resources.open(settings, clock, engine)
    message = await staff_cli.create_promo(
        resources,
        "benvenuto10",
        "10% sul primo hosting",
        percent_off=10,
        amount_off_cents=None,
        kinds=["HOSTING"],
        valid_from=clock.now() - timedelta(days=1),
        valid_until=clock.now() + timedelta(days=30),
        max_uses=2,
    )
    assert message == "promo code BENVENUTO10 created"
    owner = await person(client, "promo@example.com")
    org = await organization(client, owner)
    body = await owner.gql(
        client,
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { subtotal { amountCents }"
        " vat { amountCents } total { amountCents } lines { action description total { amountCents } } }"
        " userErrors { code } } }",
        {
            "input": {
                "organizationId": org,
                "lines": [HOSTING, {"sku": "domain-it", "periodMonths": 12, "domainName": "promo-test.it"}],
                "promoCode": "Benvenuto10",
            }
        },
    )
    order = body["data"]["placeOrder"]["order"]
    # 49.90 + 9.99 = 59.89; 10% of the hosting only: -4.99; VAT 10.98 + 2.20 - 1.10
    assert [line["action"] for line in order["lines"]] == ["NEW", "NEW", "DISCOUNT"]
    assert order["subtotal"] == {"amountCents": 5490}
    assert order["vat"] == {"amountCents": 1208}
    assert order["total"] == {"amountCents": 6698}
    again = await owner.gql(
        client,
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code field } } }",
        {"input": {"organizationId": org, "lines": [HOSTING], "promoCode": "BENVENUTO10"}},
    )
    assert again["data"]["placeOrder"] == {
        "order": None,
        "userErrors": [{"code": "PROMO_ALREADY_USED", "field": ["input", "promoCode"]}],
    }
    async with engine.connect() as conn:
        # The refused order left nothing behind: one order, its two products.
        assert await conn.scalar(text("SELECT count(*) FROM orders")) == 1
        assert await conn.scalar(text("SELECT count(*) FROM products")) == 2


async def test_free_credit_is_spent_at_checkout_and_given_back_on_cancel(client, engine, settings, clock):
    owner = await person(client, "credit@example.com")
    org = await organization(client, owner)
    resources = Resources.open(settings, clock, engine)
    assert "granted 30.00 EUR" in await staff_cli.grant_credit(
        resources, str(decode_id(org, "Organization")), "HOSTING", 3000, "Migrazione"
    )
    placed = await place_order(client, owner, org, HOSTING)
    order = placed["order"]
    assert order["subtotal"] == {"amountCents": 1990, "currency": "EUR"}
    cancel = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } } }"
    await owner.gql(client, cancel, {"id": order["id"]})
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT remaining_cents FROM free_credits")) == 3000


async def test_withdrawal_takes_money_out_once(client):
    owner = await person(client, "withdraw@example.com")
    org = await organization(client, owner)
    await _top_up(client, owner, org, 5000)
    bad_iban = await owner.gql(
        client,
        WITHDRAW,
        {
            "input": {
                "organizationId": org,
                "amountCents": 1000,
                "destination": {"iban": "IT00X0000000000000000000000"},
                "idempotencyKey": "w1",
            }
        },
    )
    assert bad_iban["data"]["withdrawPrepaid"]["userErrors"][0]["code"] == "IBAN_INVALID"
    too_much = await owner.gql(
        client,
        WITHDRAW,
        {
            "input": {
                "organizationId": org,
                "amountCents": 6000,
                "destination": {"paypalEmail": "me@example.com"},
                "idempotencyKey": "w2",
            }
        },
    )
    assert too_much["data"]["withdrawPrepaid"]["userErrors"][0]["code"] == "INSUFFICIENT_FUNDS"
    ok = await owner.gql(
        client,
        WITHDRAW,
        {
            "input": {
                "organizationId": org,
                "amountCents": 5000,
                "destination": {"iban": "IT60 X054 2811 1010 0000 0123 456"},
                "idempotencyKey": "w3",
            }
        },
    )
    assert ok["data"]["withdrawPrepaid"] == {
        "withdrawal": {"amount": {"amountCents": 5000}, "status": "REQUESTED"},
        "prepaidAccount": {"balance": {"amountCents": 0}},
        "userErrors": [],
    }


async def test_expiry_notices_auto_renewal_and_suspension(client, engine, settings, clock):
    owner = await person(client, "renewals@example.com")
    org = await organization(client, owner)
    await buy(client, engine, settings, clock, owner, org, HOSTING, HOSTING)
    await _top_up(client, owner, org, 6088)  # covers exactly one renewal
    resources = Resources.open(settings, clock, engine)

    clock.advance(timedelta(days=365 - 20))  # 20 days before expiry: the 30-day notice
    first = await jobs.run(resources.db, settings, clock.now())
    assert first.notices == 2
    assert (await jobs.run(resources.db, settings, clock.now())).notices == 0  # sent once
    notices = [m for m in await mailbox(client, "renewals@example.com") if m["kind"] == "expiry_notice"]
    assert len(notices) == 2 and "20" not in notices[0]["subject"] and "30" in notices[0]["subject"]

    clock.advance(timedelta(days=20))  # expiry day: auto-renewal
    report = await jobs.run(resources.db, settings, clock.now())
    assert (report.renewed, report.renewals_to_pay) == (1, 1)
    again = await jobs.run(resources.db, settings, clock.now())
    assert (again.renewed, again.renewals_to_pay) == (0, 0)  # the job is idempotent
    assert [m["kind"] for m in await mailbox(client, "renewals@example.com")].count("renewal_to_pay") == 1

    clock.advance(timedelta(days=16))  # past the 15-day grace: the unpaid one is suspended
    assert (await jobs.run(resources.db, settings, clock.now())).suspended_unpaid == 1
    async with engine.connect() as conn:
        statuses = dict((await conn.execute(text("SELECT status, count(*) FROM products GROUP BY status"))).all())
        assert statuses == {"TO_CONFIGURE": 1, "SUSPENDED": 1}  # never configured, so still TO_CONFIGURE
        balance = await conn.scalar(text("SELECT balance_cents FROM prepaid_accounts"))
        assert balance == 0
        pending = await conn.scalar(text("SELECT id FROM orders WHERE status = 'PENDING_PAYMENT'"))

    await owner.log_in_again(client)
    paid = await owner.gql(
        client,
        PAY,
        {
            "input": {
                "orderId": encode_id("Order", pending),
                "method": "CARD",
                "idempotencyKey": "late",
                "source": {"cardNumber": "4242424242424242"},
            }
        },
    )
    result = paid["data"]["payOrder"]
    assert result["userErrors"] == []
    # 60.88 + reactivation fee 20.00 + 22% = 24.40
    assert [line["action"] for line in result["order"]["lines"]] == ["RENEWAL", "FEE"]
    assert result["order"]["total"] == {"amountCents": 6088 + 2440}
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM products WHERE status = 'SUSPENDED'")) == 0


async def test_accountant_pays_collaborator_cannot_see_billing(client):
    owner = await person(client, "rights-owner@example.com")
    org = await organization(client, owner)
    collaborator = await person(client, "rights-collab@example.com")
    await join(client, owner, org, collaborator, rights=["VIEW_PRODUCTS"])
    for field in (
        "prepaidAccount { balance { amountCents } }",
        "billingAddresses { label }",
        "toPay { edges { node { id } } }",
    ):
        body = await collaborator.gql(client, f"query($id: ID!) {{ organization(id: $id) {{ {field} }} }}", {"id": org})
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", field


async def test_expiry_notices_reach_only_members_who_may_see_the_product(client, engine, settings, clock):
    owner = await person(client, "notice-owner@example.com")
    org = await organization(client, owner)
    shown, hidden = await buy(client, engine, settings, clock, owner, org, HOSTING, HOSTING)
    limited = await person(client, "notice-limited@example.com")
    await join(
        client, owner, org, limited, rights=["VIEW_PRODUCTS"], scope={"allProducts": False, "productIds": [shown["id"]]}
    )
    accountant = await person(client, "notice-accountant@example.com")
    await join(client, owner, org, accountant, rights=["VIEW_BILLING"])
    clock.advance(timedelta(days=365 - 20))
    await jobs.run(Resources.open(settings, clock, engine).db, settings, clock.now())
    notices = {
        email: [m["subject"] for m in await mailbox(client, email) if m["kind"] == "expiry_notice"]
        for email in ("notice-owner@example.com", "notice-limited@example.com", "notice-accountant@example.com")
    }
    assert len(notices["notice-owner@example.com"]) == 2
    assert notices["notice-limited@example.com"] == [f"{shown['name']} scade tra 30 giorni"]
    assert notices["notice-accountant@example.com"] == []  # subscribed, but may not see products
    assert hidden["name"] == shown["name"]  # same plan name: the check above is by count, not by luck
