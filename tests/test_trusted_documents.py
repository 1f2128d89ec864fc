"""Trusted documents: frontends' manifests registered with `gateway documents register`, and the setting
that lets cookie sessions and anonymous callers run only those, while bearer callers run anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.graphql import sign_up
from tests.test_cli import one_line_failure, run

VIEWER = "query Viewer { viewer { user { email } } }"
CATALOG = "query Catalog { catalog(kind: HOSTING) { sku } }"
OTHER = "query Other { viewer { user { fullName } } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


def relay(*texts: str) -> object:
    return {sha(t): t for t in texts}


def apollo(*texts: str) -> object:
    operations = [{"id": sha(t), "name": t.split()[1], "type": "query", "body": t} for t in texts]
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def manifest(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


@pytest.mark.parametrize(
    ("file_name", "shape"),
    [
        pytest.param("persisted_queries.json", relay, id="relay"),
        pytest.param("persisted-documents.json", relay, id="graphql-codegen"),
        pytest.param("persisted-query-manifest.json", apollo, id="apollo"),
    ],
)
async def test_each_manifest_format_registers_its_documents(engine, database_url, tmp_path, file_name, shape):
    path = manifest(tmp_path, file_name, shape(VIEWER, CATALOG))
    first = run(database_url, "documents", "register", path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"registered 2 trusted document(s) from {file_name} as '{file_name}'"
    again = run(database_url, "documents", "register", path, "--source", "area-clienti@1.4.2")
    assert again.stdout.strip().endswith("(2 already registered)"), again.stdout

    listed = run(database_url, "documents", "list")
    assert listed.returncode == 0, listed.stderr
    *lines, total = listed.stdout.strip().splitlines()
    assert total == "2 trusted document(s); 0 automatic persisted query(ies) cached"
    assert sorted(line.split()[0] for line in lines) == sorted([sha(VIEWER), sha(CATALOG)])
    assert all(f"{file_name}  " in line for line in lines)
    assert {line.rsplit(maxsplit=1)[1] for line in lines} == {"Viewer", "Catalog"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(
            relay(VIEWER, "{ viewer { nope } }"), "Cannot query field 'nope' on type 'Viewer'.", id="does-not-validate"
        ),
        pytest.param(relay(VIEWER, "{ viewer "), "Syntax Error", id="does-not-parse"),
        pytest.param({sha(VIEWER): VIEWER, sha(CATALOG): OTHER}, "not the SHA-256 of the document", id="wrong-hash"),
        pytest.param(
            {hashlib.md5(VIEWER.encode()).hexdigest(): VIEWER},  # noqa: S324 (Relay's default digest, refused)
            "it looks like MD5: set the compiler's hash algorithm to SHA-256",
            id="relay-md5",
        ),
        pytest.param(
            {"format": "apollo-persisted-query-manifest", "version": 2, "operations": []},
            "unknown manifest format",
            id="apollo-version",
        ),
        pytest.param([VIEWER], "neither a hash-to-document map", id="a-list"),
        pytest.param("{not json", "is not a JSON manifest", id="not-json"),
        pytest.param({}, "lists no documents", id="empty"),
    ],
)
async def test_a_manifest_with_any_bad_document_registers_nothing(engine, database_url, tmp_path, content, problem):
    path = manifest(tmp_path, "persisted-documents.json", content)
    line = one_line_failure(run(database_url, "documents", "register", path))
    assert problem in line, line
    listed = run(database_url, "documents", "list")
    assert listed.stdout.strip() == "0 trusted document(s); 0 automatic persisted query(ies) cached"


async def test_only_trusted_documents_run_for_cookie_sessions_and_anyone_for_bearers(
    client, make_client, settings, database_url, tmp_path
):
    token = (await sign_up(client, "ada@example.com", PASSWORD))["sessionToken"]
    cookie = client.cookies[settings.cookie_name]
    registered = run(database_url, "documents", "register", manifest(tmp_path, "m.json", relay(VIEWER, CATALOG)))
    assert registered.returncode == 0, registered.stderr

    strict = await make_client(replace(settings, trusted_documents_only=True))
    strict.cookies.set(settings.cookie_name, cookie)
    bearer = {"Authorization": f"Bearer {token}"}

    async def ask(body: dict[str, object], headers: dict[str, str] | None = None):
        response = await strict.post("/graphql", json=body, headers=headers or {})
        return response.status_code, response.json()

    # The frontend's own documents, by text or by hash, with POST or GET.
    for body in ({"query": VIEWER}, {"extensions": persisted(VIEWER)}):
        status, answer = await ask(body)
        assert (status, answer["data"]["viewer"]["user"]["email"]) == (200, "ada@example.com"), answer
    by_get = await strict.get("/graphql", params={"extensions": json.dumps(persisted(VIEWER))})
    assert by_get.json()["data"]["viewer"]["user"]["email"] == "ada@example.com"

    # Anything else is refused to the cookie, in the person's language (new accounts start in Italian).
    status, answer = await ask({"query": OTHER})
    [error] = answer["errors"]
    assert (status, error["extensions"]["code"]) == (400, "PERSISTED_QUERY_REQUIRED")
    assert error["message"].startswith("Qui si eseguono solo i documenti registrati")

    # A bearer caller sends any document, and may persist it with APQ...
    status, answer = await ask({"query": OTHER, "extensions": persisted(OTHER)}, bearer)
    assert (status, answer["data"]["viewer"]["user"]["fullName"]) == (200, "Ada Lovelace")
    status, answer = await ask({"extensions": persisted(OTHER)}, bearer)
    assert answer["data"]["viewer"]["user"]["fullName"] == "Ada Lovelace"
    # ...which does not make it trusted.
    for body in ({"extensions": persisted(OTHER)}, {"query": OTHER}, {"query": OTHER, "extensions": persisted(OTHER)}):
        status, answer = await ask(body)
        assert (status, answer["errors"][0]["extensions"]["code"]) == (400, "PERSISTED_QUERY_REQUIRED"), body


async def test_anonymous_callers_follow_the_cookie_rule(make_client, settings, database_url, tmp_path):
    registered = run(database_url, "documents", "register", manifest(tmp_path, "m.json", relay(CATALOG)))
    assert registered.returncode == 0, registered.stderr
    strict = await make_client(replace(settings, trusted_documents_only=True))
    ok = await strict.post("/graphql", json={"extensions": persisted(CATALOG)})
    assert "hosting-linux-start" in [item["sku"] for item in ok.json()["data"]["catalog"]]

    refused = await strict.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept-Language": "en"})
    [error] = refused.json()["errors"]
    assert (refused.status_code, error["extensions"]["code"]) == (400, "PERSISTED_QUERY_REQUIRED")
    assert error["message"] == (
        "Only the documents registered by this service's frontends run here; this one is not registered."
    )
    # Without the setting, nothing changes for anyone.
    lenient = await make_client(settings)
    assert (await lenient.post("/graphql", json={"query": "{ __typename }"})).json()["data"] == {"__typename": "Query"}
    # An APQ entry is a cache entry, listed apart from the trusted documents.
    await lenient.post("/graphql", json={"query": "{ __typename }", "extensions": persisted("{ __typename }")})
    listed = run(database_url, "documents", "list").stdout.strip().splitlines()
    assert listed[0].startswith(sha(CATALOG)) and listed[0].endswith("m.json  Catalog"), listed
    assert listed[1:] == ["1 trusted document(s); 1 automatic persisted query(ies) cached"]
