"""Query cost on every answer, the per-operation maximum, and each caller's budget.

Runs once per request, after parse and validation and before execution (`on_execute`):
1. the requested cost (gateway/graphql/cost.py, cost_plan.py); above the caller kind's per-operation maximum
   the operation is refused as a validation failure (MAX_COST_EXCEEDED) and no bucket is touched;
2. the caller's bucket pays it (gateway/graphql/buckets.py); when it cannot, nothing executes
   and the answer is HTTP 429 RATE_LIMITED with `retryAfter`;
3. after execution the cost of what was answered is counted and the difference refunded.
`extensions.cost` (Shopify's shape) and the RateLimit headers go on every answer that got this far.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.graphql import buckets
from gateway.graphql.cost_plan import plan_for
from gateway.http_errors import RETRY_AFTER_SECONDS, is_database_outage
from gateway.i18n import text
from gateway.settings import Budget, Budgets
from permissions.errors import GatewayError, RateLimited

log = logging.getLogger("gateway.graphql")
POLICY = "cost"  # the quota policy's name in the RateLimit fields
RATE_LIMIT_HEADERS = ("RateLimit-Policy", "RateLimit", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


class MaxCostExceeded(GatewayError):
    code = "MAX_COST_EXCEEDED"
    default_message = "This operation costs too much."


def rate_limit_headers(budget: Budget, available: float, reset: int) -> dict[str, str]:
    """draft-ietf-httpapi-ratelimit-headers (-12), and the older RateLimit-Limit/-Remaining/-Reset trio."""
    remaining = max(0, math.floor(available))
    window = math.ceil(budget.maximum / budget.restore_rate)  # seconds an empty bucket takes to fill
    return {
        "RateLimit-Policy": f'"{POLICY}";q={budget.maximum};w={window}',
        "RateLimit": f'"{POLICY}";r={remaining};t={reset}',
        "RateLimit-Limit": str(budget.maximum),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
    }


class QueryCostPolicy(SchemaExtension):
    def __init__(self, *, budgets: Budgets, max_page: int) -> None:
        self.budgets = budgets
        self.max_page = max_page
        self.cost: dict[str, Any] | None = None

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost is not None else {}

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        document = execution.graphql_document
        if ctx is None or document is None or execution.query is None:
            yield
            return
        plan = plan_for(execution.schema._schema, document, execution.query, execution.operation_name, self.max_page)
        requested = plan.requested(execution.variables)
        budget = self.budgets.of(ctx.principal.kind.value)
        self.cost = {"requestedQueryCost": requested, "actualQueryCost": 0}
        if requested > budget.max_query:
            message = text(
                "This operation would cost {cost} points, more than the {maximum} one operation may cost: "
                "ask for smaller pages or fewer fields.",
                cost=requested,
                maximum=budget.max_query,
            )
            refusal = MaxCostExceeded(message, maximumQueryCost=budget.max_query, cost=dict(self.cost))
            execution.result = ExecutionResult(None, [GraphQLError(refusal.message, original_error=refusal)])
            yield
            return
        key = buckets.bucket_key(ctx.principal.kind.value, ctx.principal.subject, ctx.client_ip)
        spent: buckets.Spent | None = None
        if self.budgets.enabled:
            try:
                spent = await buckets.spend(ctx.request.state.resources.engine, key, requested, budget, ctx.clock.now())
            except Exception as exc:
                if not is_database_outage(exc):
                    raise
                # Before execution, like the session lookup: 503 and when to retry; nothing ran.
                ctx.response.status_code = 503
                ctx.response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
                execution.result = ExecutionResult(None, [GraphQLError(str(exc), original_error=exc)])
                yield
                return
            if not spent.granted:
                self._refuse(ctx, requested, budget, spent)
                yield
                return
        self.cost["actualQueryCost"] = requested  # until the answer says otherwise
        yield
        result = execution.result
        data = getattr(result, "data", None)
        if isinstance(data, orjson.Fragment):  # a compiled read's answer, as PostgreSQL wrote it
            data = orjson.loads(ctx.compiled)
        actual = min(requested, plan.actual(data))
        self.cost["actualQueryCost"] = actual
        if spent is None:
            return
        available: float | None = spent.available
        if actual < requested:
            try:
                available = await buckets.refund(ctx.request.state.resources.engine, key, requested - actual, budget)
            except Exception:  # the answer is ready; a refund lost to an outage only makes the caller wait longer
                log.warning("query cost refund failed", exc_info=True, extra={"request_id": ctx.request_id})
                available = spent.available
            available = spent.available if available is None else available
        self._throttle(ctx, budget, available, buckets.seconds_to_full(available, budget))

    def _throttle(self, ctx: Any, budget: Budget, available: float, reset: int) -> None:
        assert self.cost is not None
        self.cost["throttleStatus"] = {
            "maximumAvailable": budget.maximum,
            "currentlyAvailable": max(0, math.floor(available)),
            "restoreRate": budget.restore_rate,
        }
        ctx.response.headers.update(rate_limit_headers(budget, available, reset))

    def _refuse(self, ctx: Any, requested: int, budget: Budget, spent: buckets.Spent) -> None:
        retry_after = spent.retry_after(requested, budget)
        self._throttle(ctx, budget, spent.available, retry_after)
        ctx.response.status_code = 429
        ctx.response.headers["Retry-After"] = str(retry_after)
        message = text(
            "This operation costs {cost} points and your budget holds {available}: retry in {seconds} seconds.",
            cost=requested,
            available=max(0, math.floor(spent.available)),
            seconds=retry_after,
        )
        refusal = RateLimited(message, retryAfter=retry_after, cost=self.cost)
        self.execution_context.result = ExecutionResult(None, [GraphQLError(refusal.message, original_error=refusal)])
