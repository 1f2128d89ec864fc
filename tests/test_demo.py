from __future__ import annotations

from gateway.demo import seed
from gateway.resources import Resources
from tests.graphql import gql, log_in

ORGS = "{ viewer { organizations(first: 20) { edges { role rights node { name } } } activeOrganization { name } } }"


async def test_demo_scenario(client, settings, engine, clock):
    resources = Resources.open(settings, clock, engine)
    assert await seed(resources) is True
    assert await seed(resources) is False  # only into an empty database

    def roles(body: dict) -> dict[str, str]:
        return {e["node"]["name"]: e["role"] for e in body["data"]["viewer"]["organizations"]["edges"]}

    tokens = {}
    for email in ("webmaster@example.com", "accountant@example.com", "collaborator@example.com"):
        result = await log_in(client, email, settings.demo_password)
        assert result["userErrors"] == [], email
        tokens[email] = result["sessionToken"]
        client.cookies.clear()  # a browser's next login would end this session

    webmaster = await gql(client, ORGS, token=tokens["webmaster@example.com"])
    assert roles(webmaster) == {
        "Studio Web Demo": "OWNER",
        "Pizzeria Da Mario": "ADMIN",
        "Hotel Belvedere": "ADMIN",
        "Ferramenta Ricci": "ADMIN",
    }
    assert webmaster["data"]["viewer"]["activeOrganization"]["name"] == "Studio Web Demo"
    accountant = await gql(client, ORGS, token=tokens["accountant@example.com"])
    assert [(e["node"]["name"], e["rights"]) for e in accountant["data"]["viewer"]["organizations"]["edges"]] == [
        ("Pizzeria Da Mario", ["PAY", "VIEW_BILLING"])
    ]
    collaborator = await gql(client, ORGS, token=tokens["collaborator@example.com"])
    assert roles(collaborator) == {"Hotel Belvedere": "MEMBER"}
    for email, token in tokens.items():
        # Verified, so invitations sent to the demo logins reach them as they would reach real people.
        viewer = await gql(client, "{ viewer { user { emailVerified emailVerifiedAt } } }", token=token)
        assert viewer["data"]["viewer"]["user"]["emailVerified"] is True, email


HOME = """{ viewer { expiringProducts(withinDays: 30) { edges { node { name organization { name } } } } } }"""
HOTEL = """query($id: ID!) { organization(id: $id) { products(first: 20) { totalCount edges { node { name kind } } }
  productsToConfigure { edges { node { name } } } } }"""


async def test_demo_products(client, settings, engine, clock):
    await seed(Resources.open(settings, clock, engine))
    webmaster = (await log_in(client, "webmaster@example.com", settings.demo_password))["sessionToken"]
    client.cookies.clear()
    expiring = await gql(client, HOME, token=webmaster)
    names = sorted(e["node"]["name"] for e in expiring["data"]["viewer"]["expiringProducts"]["edges"])
    assert names == ["hotelbelvedere.it", "pizzeriadamario.it", "studiowebdemo.it"]
    collaborator = (await log_in(client, "collaborator@example.com", settings.demo_password))["sessionToken"]
    client.cookies.clear()
    orgs = await gql(client, "{ viewer { organizations { edges { node { id } } } } }", token=collaborator)
    hotel = orgs["data"]["viewer"]["organizations"]["edges"][0]["node"]["id"]
    body = await gql(client, HOTEL, {"id": hotel}, token=collaborator)
    products = body["data"]["organization"]["products"]
    assert products["totalCount"] == 2
    assert sorted(e["node"]["name"] for e in products["edges"]) == [
        "Cloud VPS S · vps1.hotelbelvedere.com",
        "hotelbelvedere.com",
    ]
    assert body["data"]["organization"]["productsToConfigure"]["edges"] == []


BILLING = """query($id: ID!) { organization(id: $id) { name invoices { edges { node { number } } }
  toPay { edges { node { number } } } prepaidAccount { balance { amountCents } } billingAddresses { label } } }"""


async def test_demo_billing(client, settings, engine, clock):
    await seed(Resources.open(settings, clock, engine))
    webmaster = (await log_in(client, "webmaster@example.com", settings.demo_password))["sessionToken"]
    client.cookies.clear()
    orgs = await gql(client, "{ viewer { organizations { edges { node { id name } } } } }", token=webmaster)
    ids = {e["node"]["name"]: e["node"]["id"] for e in orgs["data"]["viewer"]["organizations"]["edges"]}
    agency = (await gql(client, BILLING, {"id": ids["Studio Web Demo"]}, token=webmaster))["data"]["organization"]
    assert len(agency["invoices"]["edges"]) == 1
    assert agency["prepaidAccount"]["balance"] == {"amountCents": 15000}
    assert [a["label"] for a in agency["billingAddresses"]] == ["Sede legale", "Ufficio di Milano"]
    ricci = (await gql(client, BILLING, {"id": ids["Ferramenta Ricci"]}, token=webmaster))["data"]["organization"]
    assert len(ricci["toPay"]["edges"]) == 1
    suspended = await gql(
        client,
        "query($id: ID!) { organization(id: $id) { products(filter: {statuses: [SUSPENDED]})"
        " { edges { node { name suspendedReason } } } } }",
        {"id": ids["Ferramenta Ricci"]},
        token=webmaster,
    )
    assert suspended["data"]["organization"]["products"]["edges"][0]["node"]["suspendedReason"] == "NON_PAYMENT"


async def test_demo_staff_log_in_as_staff(client, settings, engine, clock):
    await seed(Resources.open(settings, clock, engine))
    for email, role in (("support@example.com", "SUPPORT_AGENT"), ("billing@example.com", "BILLING_STAFF")):
        token = (await log_in(client, email, settings.demo_password))["sessionToken"]
        client.cookies.clear()
        body = await gql(client, '{ staff { role organizations(query: "Pizzeria") { totalCount } } }', token=token)
        assert body["data"]["staff"] == {"role": role, "organizations": {"totalCount": 1}}, body
