"""Apollo's automatic persisted queries over HTTP, POST and GET, stored in PostgreSQL for every process."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.graphql import sign_up

CATALOG = "query Catalog { catalog(kind: HOSTING) { sku } }"
LOG_OUT = "mutation LogOut { logOut { loggedOut } }"
VIEWER = "query Viewer { viewer { user { email } } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


async def post(client: httpx.AsyncClient, body: dict[str, object], **headers: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=headers)


async def get(client: httpx.AsyncClient, params: dict[str, object], **headers: str) -> httpx.Response:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return await client.get("/graphql", params=encoded, headers={"Accept": "application/json", **headers})


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    [error] = body["errors"]
    return response.status_code, error["extensions"]["code"], error["message"]


def skus(response: httpx.Response) -> list[str]:
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return [item["sku"] for item in body["data"]["catalog"]]


async def test_an_unknown_hash_is_not_found_then_its_text_is_stored_for_every_process(client, make_client, settings):
    first = await post(client, {"extensions": persisted(CATALOG)})
    assert error_of(first) == (200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
    assert first.headers["cache-control"] == "private, no-cache, must-revalidate"

    registered = await post(client, {"query": CATALOG, "extensions": persisted(CATALOG)})
    assert "hosting-linux-start" in skus(registered)

    # Another gateway process on the same database knows it too.
    other = await make_client(settings)
    again = await post(other, {"extensions": persisted(CATALOG), "operationName": "Catalog"})
    assert skus(again) == skus(registered)


async def test_a_hash_that_is_not_the_texts_is_refused_and_nothing_is_stored(client):
    response = await post(client, {"query": CATALOG, "extensions": persisted(CATALOG + " ")})
    assert error_of(response) == (400, "PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query")
    for text in (CATALOG, CATALOG + " "):
        assert error_of(await post(client, {"extensions": persisted(text)}))[1] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": sha(CATALOG)}},
        {"persistedQuery": {"version": 1, "sha256Hash": sha(CATALOG).upper()}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "yes"},
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(client, extensions):
    status, code, _ = error_of(await post(client, {"extensions": extensions}))
    assert (status, code) == (400, "BAD_REQUEST")


async def test_only_documents_that_validate_and_fit_are_stored(client, make_client, settings):
    invalid = "{ catalog(kind: HOSTING) { nope } }"
    answer = await post(client, {"query": invalid, "extensions": persisted(invalid)})
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error_of(await post(client, {"extensions": persisted(invalid)}))[1] == "PERSISTED_QUERY_NOT_FOUND"

    small = await make_client(replace(settings, apq_max_document_bytes=len(CATALOG) - 1))
    # Too large to keep: it still runs, and the client keeps sending its text.
    assert skus(await post(small, {"query": CATALOG, "extensions": persisted(CATALOG)}))
    assert error_of(await post(small, {"extensions": persisted(CATALOG)}))[1] == "PERSISTED_QUERY_NOT_FOUND"


async def test_the_cache_keeps_only_the_newest_documents(make_client, settings, clock):
    texts = [f"query Q{n} {{ catalog(kind: HOSTING) {{ sku }} }}" for n in range(3)]
    for text in texts:
        # A fresh app each time: no process remembers what it stored itself.
        bounded = await make_client(replace(settings, apq_max_documents=2))
        assert skus(await post(bounded, {"query": text, "extensions": persisted(text)}))
        clock.advance(timedelta(seconds=1))
    fresh = await make_client(settings)
    assert error_of(await post(fresh, {"extensions": persisted(texts[0])}))[1] == "PERSISTED_QUERY_NOT_FOUND"
    for text in texts[1:]:
        assert skus(await post(fresh, {"extensions": persisted(text)}))


async def test_a_persisted_query_with_get_is_cacheable_for_its_caller(client):
    await post(client, {"query": CATALOG, "extensions": persisted(CATALOG)})
    anonymous = await get(client, {"extensions": persisted(CATALOG), "operationName": "Catalog"})
    assert "hosting-linux-start" in skus(anonymous)
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    vary = {part.strip() for part in anonymous.headers["vary"].split(",")}
    assert {"Accept", "Accept-Language", "Authorization", "Cookie"} <= vary

    token = (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    await post(client, {"query": VIEWER, "extensions": persisted(VIEWER)})
    own = await get(client, {"extensions": persisted(VIEWER)}, Authorization=f"Bearer {token}")
    assert own.status_code == 200 and own.json()["data"]["viewer"]["user"]["email"] == "ada@example.com"
    assert own.headers["cache-control"] == "private, no-cache"
    # Asking again with the ETag: the same answer is an empty 304.
    etag = own.headers["etag"]
    again = {"Authorization": f"Bearer {token}", "If-None-Match": etag}
    same = await get(client, {"extensions": persisted(VIEWER)}, **again)
    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag)
    # An answer with errors is not kept.
    refused = await get(client, {"extensions": persisted(VIEWER)})
    assert refused.json()["errors"] and refused.headers["cache-control"] == "no-store"


async def test_an_unknown_hash_with_get_is_not_found(client):
    response = await get(client, {"extensions": persisted(CATALOG)})
    assert error_of(response) == (200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")


async def test_mutations_are_not_sent_with_get(client):
    token = (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    await post(client, {"query": LOG_OUT, "extensions": persisted(LOG_OUT)}, **bearer)  # logs out: sign in again
    token = (await sign_up(client, "bob@example.com", PASSWORD))["sessionToken"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    hashed = {"extensions": persisted(LOG_OUT)}
    for params in (hashed, {"query": LOG_OUT}, {"query": LOG_OUT, **hashed}):
        response = await get(client, params, **bearer)
        status, code, _ = error_of(response)
        assert (status, code, response.headers["allow"]) == (405, "METHOD_NOT_ALLOWED", "POST"), params
    still = await post(client, {"query": VIEWER}, **bearer)
    assert still.json()["data"]["viewer"]["user"]["email"] == "bob@example.com"


async def test_get_runs_no_document_the_gateway_does_not_know(client):
    refused = await get(client, {"query": CATALOG})
    assert error_of(refused)[:2] == (400, "PERSISTED_QUERY_REQUIRED")
    # With its hash, the text is an APQ registration (urql retries a miss with GET), then known.
    assert skus(await get(client, {"query": CATALOG, "extensions": persisted(CATALOG)}))
    assert skus(await get(client, {"query": CATALOG}))


async def test_cookie_gets_keep_the_cross_site_protection(client):
    await sign_up(client, "ada@example.com", PASSWORD)  # the client keeps the session cookie
    await post(client, {"query": VIEWER, "extensions": persisted(VIEWER)})
    own = await get(client, {"extensions": persisted(VIEWER)}, **{"Sec-Fetch-Site": "same-origin"})
    assert own.json()["data"]["viewer"]["user"]["email"] == "ada@example.com"
    assert own.headers["cache-control"] == "private, no-cache"
    cross = await get(client, {"extensions": persisted(VIEWER)}, **{"Sec-Fetch-Site": "cross-site"})
    assert error_of(cross)[:2] == (403, "FORBIDDEN")


async def test_a_get_with_a_persisted_query_is_not_mistaken_for_graphiql(client):
    await post(client, {"query": CATALOG, "extensions": persisted(CATALOG)})
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert "GraphiQL" in page.text
    answer = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(CATALOG))}, headers={"Accept": "*/*"}
    )
    assert skus(answer)
