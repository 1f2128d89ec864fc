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
