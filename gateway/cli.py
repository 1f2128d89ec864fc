"""`gateway serve | migrate | seed-demo | schema | explain | mail | orders | payments | credits | promo |
documents | staff | jobs`.

What a person reads goes to stdout; the JSON logs go to stderr. A failure is one line on stderr,
`gateway: <what went wrong>`, and a non-zero exit status: 2 for usage and settings, 1 for the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from gateway import logs
from gateway.cli_support import CommandError, aware_datetime, id_argument
from gateway.clock import Clock
from gateway.settings import Settings, SettingsError

log = logging.getLogger("gateway.cli")


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.app import create_app
    from gateway.demo import DEMO_STAFF, DEMO_USERS

    app = create_app(settings, migrate=args.migrate, seed_demo=args.demo)
    url = f"http://{settings.host}:{settings.port}/graphql"
    print(f"\n  Organization gateway: {url}")
    if settings.is_development:
        print("  GraphiQL: open the URL above in a browser; mail goes to /dev/mailbox")
    if args.demo:
        print(f"  Demo logins, loaded on first start (password: {settings.demo_password}):")
        for email, _, role in DEMO_USERS:
            print(f"    {email:28} {role}")
        for email, name, staff_role in DEMO_STAFF:
            print(f"    {email:28} Provider staff: {name}, {staff_role}")
    print(flush=True)
    # Objects made at start-up live for the whole process; keep them out of every collection. A large
    # answer allocates tens of thousands of short-lived objects: collect the young generation less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        # Client addresses feed the per-IP throttles: trust X-Forwarded-For only from these proxies.
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


async def _with_resources(settings: Settings, work: Callable[..., Awaitable[None]]) -> None:
    from gateway.database import open_engine
    from gateway.resources import Resources

    async with open_engine(settings) as engine:
        await work(Resources.open(settings, Clock(), engine))


async def _migrate(resources: object) -> None:
    from gateway.db.migrate import head_revision, upgrade

    await upgrade(resources.engine)  # type: ignore[attr-defined]
    print(f"database at revision {head_revision()}")


async def _seed(resources: object) -> None:
    from gateway.db.migrate import upgrade
    from gateway.demo import seed

    await upgrade(resources.engine)  # type: ignore[attr-defined]
    loaded = await seed(resources)  # type: ignore[arg-type]
    print("demo data loaded" if loaded else "database already has users; demo data not loaded")


def _mail_list(limit: int) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway.mailbox import recent_messages

        for m in await recent_messages(resources.db, limit):  # type: ignore[attr-defined]
            state = f"sent {m['sentAt']}" if m["sentAt"] else "pending"
            print(f"--- {m['createdAt']}  to {m['to']}  [{m['kind']}, {state}]\nSubject: {m['subject']}\n\n{m['body']}")

    return run


def _mark_paid(reference: str) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway.orders_cli import mark_paid

        print(await mark_paid(resources, reference))  # type: ignore[arg-type]

    return run


def _reconcile(reference: str, payment_reference: str) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway.orders_cli import settle

        print(await settle(resources, reference, "BANK_TRANSFER", payment_reference))  # type: ignore[arg-type]

    return run


def _staff(action: str, args: argparse.Namespace) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway import staff_cli

        if action == "credit":
            print(await staff_cli.grant_credit(resources, args.organization, args.kind, args.amount_cents, args.reason))  # type: ignore[arg-type]
        else:
            print(
                await staff_cli.create_promo(
                    resources,  # type: ignore[arg-type]
                    args.code,
                    args.description,
                    percent_off=args.percent,
                    amount_off_cents=args.amount_cents,
                    kinds=args.kinds or [],
                    valid_from=args.valid_from,
                    valid_until=args.valid_until,
                    max_uses=args.max_uses,
                )
            )

    return run


def _documents(args: argparse.Namespace) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway import documents_cli

        if args.documents_command == "register":
            print(await documents_cli.register(resources, args.file, args.source))  # type: ignore[arg-type]
        else:
            print(await documents_cli.list_documents(resources))  # type: ignore[arg-type]

    return run


def _staff_members(args: argparse.Namespace) -> Callable[[object], Awaitable[None]]:
    async def run(resources: object) -> None:
        from gateway import staff_members_cli

        if args.staff_command == "add":
            print(await staff_members_cli.add(resources, args.email, args.role))  # type: ignore[arg-type]
        elif args.staff_command == "remove":
            print(await staff_members_cli.remove(resources, args.email))  # type: ignore[arg-type]
        else:
            print(await staff_members_cli.list_members(resources))  # type: ignore[arg-type]

    return run


async def _jobs(resources: object) -> None:
    from resolvers import jobs

    report = await jobs.run(resources.db, resources.settings, resources.clock.now())  # type: ignore[attr-defined]
    print(", ".join(f"{name}: {count}" for name, count in jobs.vars_of(report).items()))


def _version() -> str:
    try:
        return version("organization-gateway")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description="Organization GraphQL gateway")
    parser.add_argument("--version", action="version", version=f"gateway {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve /graphql")
    serve.add_argument("--migrate", action="store_true", help="apply migrations before serving")
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("seed-demo", help="load the demo data into an empty database")
    commands.add_parser("schema", help="print the GraphQL SDL")
    explain = commands.add_parser("explain", help="show whether one SQL statement answers a query, and which")
    explain.add_argument("file", type=Path, help="a file holding the query document")
    explain.add_argument("--operation", help="the operation's name, when the document holds several")
    mail = commands.add_parser("mail", help="outgoing mail")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    mail_list = mail_commands.add_parser("list", help="show recent outbox messages")
    mail_list.add_argument("--limit", type=_positive, default=20)
    orders = commands.add_parser("orders", help="orders")
    orders_commands = orders.add_subparsers(dest="orders_command", required=True)
    mark_paid = orders_commands.add_parser("mark-paid", help="complete an order waiting for payment")
    mark_paid.add_argument("order", help="order number (ORD-2026-000001), its id from the API, or its UUID")
    payments = commands.add_parser("payments", help="payments")
    payments_commands = payments.add_subparsers(dest="payments_command", required=True)
    reconcile = payments_commands.add_parser("reconcile", help="record a bank transfer that paid an order")
    reconcile.add_argument("order", help="order number (ORD-2026-000001), its id from the API, or its UUID")
    reconcile.add_argument("--reference", required=True, help="the bank's reference of the transfer")
    credits = commands.add_parser("credits", help="free credits")
    credits_commands = credits.add_subparsers(dest="credits_command", required=True)
    grant = credits_commands.add_parser("grant", help="grant an organization credit for one kind of product")
    grant.add_argument("organization", type=id_argument("Organization"), help="id from the API, or the UUID")
    grant.add_argument("kind", help="product kind, e.g. HOSTING")
    grant.add_argument("amount_cents", type=int)
    grant.add_argument("--reason", required=True)
    promos = commands.add_parser("promo", help="promo codes")
    promo_commands = promos.add_subparsers(dest="promo_command", required=True)
    create = promo_commands.add_parser("create", help="create a promo code")
    create.add_argument("code")
    create.add_argument("--description", required=True)
    create.add_argument("--percent", type=int)
    create.add_argument("--amount-cents", type=int)
    create.add_argument("--kinds", nargs="*", help="product kinds it applies to (all when omitted)")
    create.add_argument("--valid-from", required=True, type=aware_datetime, help="e.g. 2026-01-01T00:00+00:00")
    create.add_argument("--valid-until", required=True, type=aware_datetime)
    create.add_argument("--max-uses", type=int)
    documents = commands.add_parser("documents", help="trusted documents of first-party frontends")
    documents_commands = documents.add_subparsers(dest="documents_command", required=True)
    register = documents_commands.add_parser("register", help="register a frontend's persisted-documents manifest")
    register.add_argument("file", type=Path, help="Relay, GraphQL Code Generator or Apollo manifest (JSON)")
    register.add_argument("--source", help="label kept with the documents (default: the file's name)")
    documents_commands.add_parser("list", help="show the trusted documents")
    staff = commands.add_parser("staff", help="the provider's support and billing staff")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add_staff = staff_commands.add_parser("add", help="make an account (verified address) staff")
    add_staff.add_argument("email")
    add_staff.add_argument("--role", required=True, choices=("SUPPORT_AGENT", "BILLING_STAFF", "SUPERADMIN"))
    remove_staff = staff_commands.add_parser("remove", help="take an account off the staff; ends its sessions")
    remove_staff.add_argument("email")
    staff_commands.add_parser("list", help="show the staff")
    jobs = commands.add_parser("jobs", help="time-driven jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("run", help="run the due jobs once")
    return parser


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return int(value)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _run(parser, args)
    except CommandError as exc:
        parser.exit(1, f"gateway: {_one_line(exc)}\n")
    except KeyboardInterrupt:
        parser.exit(130, "gateway: interrupted\n")
    except Exception as exc:
        # The traceback is for whoever reads the logs; the person at the terminal gets one line.
        log.debug("command failed", exc_info=True)
        parser.exit(1, f"gateway: {args.command} failed: {type(exc).__name__}: {_one_line(exc)}\n")


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.command == "schema":
        from gateway.graphql.schema import build_schema

        print(build_schema().as_str())
        return
    if args.command == "explain":
        from gateway.explain_cli import explain_document

        print(explain_document(args.file, args.operation))
        return
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        parser.exit(2, f"gateway: {exc}\n")
    logs.configure(settings.log_level)
    if args.command == "serve":
        _serve(settings, args)
    elif args.command == "migrate":
        asyncio.run(_with_resources(settings, _migrate))
    elif args.command == "seed-demo":
        asyncio.run(_with_resources(settings, _seed))
    elif args.command == "mail":
        asyncio.run(_with_resources(settings, _mail_list(args.limit)))
    elif args.command == "orders":
        asyncio.run(_with_resources(settings, _mark_paid(args.order)))
    elif args.command == "payments":
        asyncio.run(_with_resources(settings, _reconcile(args.order, args.reference)))
    elif args.command == "credits":
        asyncio.run(_with_resources(settings, _staff("credit", args)))
    elif args.command == "promo":
        asyncio.run(_with_resources(settings, _staff("promo", args)))
    elif args.command == "documents":
        asyncio.run(_with_resources(settings, _documents(args)))
    elif args.command == "staff":
        asyncio.run(_with_resources(settings, _staff_members(args)))
    elif args.command == "jobs":
        asyncio.run(_with_resources(settings, _jobs))


if __name__ == "__main__":
    main()
