from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from gateway import demo
from gateway.background import every
from gateway.clock import Clock
from gateway.database import open_engine
from gateway.db.migrate import upgrade
from gateway.document_routes import contract_document, proforma_document
from gateway.graphiql import graphiql_asset
from gateway.graphql.query_cost import RATE_LIMIT_HEADERS
from gateway.graphql.schema import build_schema
from gateway.graphql.view import GatewayGraphQL
from gateway.health import healthz, readyz
from gateway.invoice_route import invoice_pdf
from gateway.logo_route import organization_logo
from gateway.mail_delivery import SmtpTarget, deliver_pending
from gateway.mailbox import dev_mailbox
from gateway.middleware.body_limit import BodyLimitMiddleware
from gateway.middleware.error_guard import ErrorGuardMiddleware
from gateway.middleware.graphql_media_type import GraphQLMediaTypeMiddleware
from gateway.middleware.request_id import RequestIdMiddleware
from gateway.middleware.security_headers import SecurityHeadersMiddleware
from gateway.resources import Resources
from gateway.settings import Settings
from gateway.webhook_delivery import deliver_due
from resolvers import jobs

log = logging.getLogger(__name__)

MAIL_EVERY = 5.0
JOBS_EVERY = 300.0
WEBHOOKS_EVERY = 5.0


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = False,
    seed_demo: bool = False,
) -> Starlette:
    settings = settings or Settings.from_env()
    clock = clock or Clock()
    smtp = SmtpTarget.parse(settings.smtp_url) if settings.smtp_url else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Resources]]:
        async with open_engine(settings) as engine:
            resources = Resources.open(settings, clock, engine)
            if migrate:
                await upgrade(engine)
            if seed_demo and await demo.seed(resources):
                log.info("demo data loaded")
            tasks = [
                asyncio.create_task(every(JOBS_EVERY, "jobs", lambda: jobs.run(resources.db, settings, clock.now())))
            ]
            if settings.webhook_worker:
                tasks.append(asyncio.create_task(every(WEBHOOKS_EVERY, "webhooks", lambda: deliver_due(resources))))
            if smtp:
                tasks.append(asyncio.create_task(every(MAIL_EVERY, "mail", lambda: deliver_pending(resources, smtp))))
            try:
                yield {"resources": resources}
            finally:
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    routes = [
        Route("/graphql", GatewayGraphQL(build_schema(settings), development=settings.is_development)),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/organizations/{organization_id}/logo", organization_logo, methods=["GET"]),
        Route("/invoices/{invoice_id}.pdf", invoice_pdf, methods=["GET"]),
        Route("/contract/{version}.pdf", contract_document, methods=["GET"]),
        Route("/proforma/{token}.pdf", proforma_document, methods=["GET"]),
    ]
    if settings.is_development:
        routes.append(Route("/dev/mailbox", dev_mailbox))
        routes.append(Route("/graphiql/{digest}/{name}", graphiql_asset, methods=["GET"]))

    # Outermost first. The guard answers whatever escapes everything inside it.
    middleware = [
        Middleware(ErrorGuardMiddleware, hsts=not settings.is_development),
        Middleware(RequestIdMiddleware),
        Middleware(SecurityHeadersMiddleware, hsts=not settings.is_development),
        Middleware(GraphQLMediaTypeMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.limits.max_body_bytes),
    ]
    if settings.allowed_origins:
        middleware.insert(
            3,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_credentials=True,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Content-Type", "Authorization", "X-Request-Id"],
                # A browser frontend reads its query budget from these, and when to retry.
                expose_headers=["X-Request-Id", "Retry-After", *RATE_LIMIT_HEADERS],
                max_age=600,
            ),
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
