"""The root types: each domain's Query and Mutation, merged."""

from __future__ import annotations

import strawberry

from schema.identity import IdentityMutation, IdentityQuery


@strawberry.type
class Query(IdentityQuery):
    pass


@strawberry.type
class Mutation(IdentityMutation):
    pass
