"""The fast path for plain attribute fields answers exactly as the standard path does."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.graphql.plain_fields import PlainFieldsExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Thing:
    name: str
    missing: str
    maybe: str | None
    colours: list[Colour]
    broken_colours: list[Colour]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def thing(self) -> Thing:
        return Thing(name="box", missing=None, maybe=None, colours=[Colour.RED, Colour.BLUE], broken_colours=["nope"])  # type: ignore[arg-type]


QUERY = "{ thing { name maybe colours shout } }"
BROKEN = "{ thing { name missing } }"
BAD_ENUM = "{ thing { brokenColours } }"


async def _both(query: str) -> tuple[object, object]:
    fast = strawberry.Schema(Query, execution_context_class=PlainFieldsExecutionContext)
    standard = strawberry.Schema(Query)
    a, b = await fast.execute(query), await standard.execute(query)
    return (a.data, [e.message for e in a.errors or []]), (b.data, [e.message for e in b.errors or []])


async def test_values_match_the_standard_path():
    fast, standard = await _both(QUERY)
    assert (
        fast == standard == ({"thing": {"name": "box", "maybe": None, "colours": ["RED", "BLUE"], "shout": "BOX"}}, [])
    )


async def test_null_in_a_non_null_field_is_still_an_error():
    fast, standard = await _both(BROKEN)
    assert fast == standard
    assert fast[1] and "non-nullable" in fast[1][0]


async def test_values_that_do_not_serialize_are_still_errors():
    fast, standard = await _both(BAD_ENUM)
    assert fast == standard
    assert fast[1]
