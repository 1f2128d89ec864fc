"""Runs a compiled read in place of execution, or leaves the request to the standard path.

After the query cost and budget (`QueryCostPolicy`, before this one) and before graphql-core would execute:
for a person in their own session asking a query that has a plan, one statement answers; its JSON text goes
into the response as PostgreSQL wrote it (`orjson.Fragment`). A NULL answer (a rule that would refuse, a value
SQL cannot render exactly) or a parameter the plan cannot take (a page size out of range, an id of another
type) leaves the request to graphql-core, so that every error is the standard one.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import DocumentNode, ExecutionResult, GraphQLSchema
from strawberry.extensions import SchemaExtension

from gateway.graphql.compiled.planner import Plan, plan
from permissions.principal import Principal, PrincipalKind

log = logging.getLogger("gateway.compiled")
# Requests answered by a plan, and those a plan left to the standard path (for metrics, the bench and tests).
ANSWERED: Counter[str] = Counter()
MAX_PLANS = 512
_PLANS: OrderedDict[tuple[Any, ...], Plan | None] = OrderedDict()
COMPILED_KINDS = (PrincipalKind.USER, PrincipalKind.TOKEN)


def plan_for(
    schema: GraphQLSchema,
    document: DocumentNode,
    query: str,
    operation: str | None,
    max_page: int,
    principal: Principal,
) -> Plan | None:
    """The cached plan of (document, operation), made on first use, for every person, or for one token as it is
    now (its rights and scope are in the statement); None: the standard path always."""
    token = principal if principal.token is not None else None
    key = (id(schema), query, operation, token.token if token else None, token.user_id if token else None)
    if key in _PLANS:
        _PLANS.move_to_end(key)
        return _PLANS[key]
    found = plan(schema, document, operation, max_page, token)
    _PLANS[key] = found
    if len(_PLANS) > MAX_PLANS:
        _PLANS.popitem(last=False)
    return found


class CompiledReads(SchemaExtension):
    def __init__(self, *, enabled: bool, max_page: int) -> None:
        self.enabled = enabled
        self.max_page = max_page

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx: Any = execution.context
        if (
            not self.enabled
            or execution.result is not None
            or ctx is None
            or ctx.principal.kind not in COMPILED_KINDS
            or execution.graphql_document is None
            or execution.query is None
        ):
            yield
            return
        try:
            data = await self._answer(execution, ctx)
        except Exception:
            # The standard path answers, and fails (if it must) the way it always does, field by field.
            log.warning("compiled read failed", exc_info=True, extra={"request_id": ctx.request_id})
            ANSWERED["failed"] += 1
            data = None
        if data is not None:
            execution.result = ExecutionResult(data=orjson.Fragment(data))  # type: ignore[arg-type]
            ctx.compiled = data
        yield

    async def _answer(self, execution: Any, ctx: Any) -> str | None:
        """The `data` JSON text, or None: no plan, a parameter the plan cannot take, or a NULL answer."""
        schema = execution.schema._schema
        found = plan_for(
            schema, execution.graphql_document, execution.query, execution.operation_name, self.max_page, ctx.principal
        )
        parameters = (
            found.parameters(execution.variables, ctx.principal.user_id, ctx.clock.now(), ctx.language)
            if found is not None
            else None
        )
        if found is None or parameters is None:
            return None
        async with ctx.reads() as session:
            connection = await session.connection()
            # Its SQL text as compiled with the plan: no statement to build, compile or cache-key here.
            data: str | None = (await connection.exec_driver_sql(found.sql, parameters)).scalar()
        ANSWERED["compiled" if data is not None else "left to the standard path"] += 1
        return data
