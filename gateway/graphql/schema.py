from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.graphql.compiled.extension import CompiledReads
from gateway.graphql.errors import ErrorPolicy, NoNulInStrings
from gateway.graphql.list_limit import ListsWithinLimit
from gateway.graphql.parse_cache import ParseCache
from gateway.graphql.plain_fields import PlainFieldsExecutionContext
from gateway.graphql.policies import IntrospectionPolicy
from gateway.graphql.query_cost import QueryCostPolicy
from gateway.settings import Budgets, Limits, Settings
from schema.root import Mutation, Query


class GatewaySchema(strawberry.Schema):
    # What a document must pass beyond the specification's rules; read when documents are stored.
    document_rules: tuple[type[ASTValidationRule], ...] = ()
    max_tokens: int | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # ErrorPolicy logs the unexpected ones with the request id; client mistakes are not server errors.
        return None


def build_schema(settings: Settings | None = None) -> GatewaySchema:
    limits = settings.limits if settings else Limits()
    budgets = settings.budgets if settings else Budgets()
    allow_anonymous_introspection = settings.is_development if settings else True
    compiled = settings.compiled_reads if settings else False
    # The limiters build a new rule class per instance; the validation cache keys on the rule classes,
    # so they are built once here and shared by every request.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        NoNulInStrings,
        ListsWithinLimit,
    ]
    # Factories, not instances: an extension instance holds one request's execution state.
    extensions: list[Any] = [
        ErrorPolicy,
        lambda: IntrospectionPolicy(allow_anonymous=allow_anonymous_introspection),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        ParseCache,
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
        # Needs the variables, so it runs before execution rather than as a validation rule.
        lambda: QueryCostPolicy(budgets=budgets, max_page=limits.max_page_size),
        # After the budget, instead of graphql-core where one statement can answer.
        lambda: CompiledReads(enabled=compiled, max_page=limits.max_page_size),
    ]
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
        execution_context_class=PlainFieldsExecutionContext,
    )
    schema.document_rules, schema.max_tokens = tuple(rules), limits.max_tokens
    return schema
