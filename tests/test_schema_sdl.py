from __future__ import annotations

from gateway.graphql.schema import build_schema
from gateway.settings import PROJECT_ROOT


def test_committed_sdl_matches_the_live_schema():
    committed = (PROJECT_ROOT / "schema.graphql").read_text()
    live = build_schema().as_str() + "\n"
    assert committed == live, "schema.graphql is stale: run `make schema` and review the diff"


def test_every_root_field_declares_its_rule_in_the_sdl():
    schema = build_schema()
    for root in (schema.as_str().split("type Query")[1], schema.as_str().split("type Mutation")[1]):
        body = root.split("}")[0]
        fields = [line for line in body.splitlines() if "(" in line or ":" in line]
        fields = [f for f in fields if not f.strip().startswith('"')]
        assert fields
        for field in fields:
            assert "@public" in field or "@authenticated" in field or "@requires" in field, field
