"""Settings from `GATEWAY_*` environment variables; the README lists each with its default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAIL_FROM = "Area Clienti <no-reply@localhost>"
# Where customers send bank transfers (shown with the order number as the payment reference).
DEFAULT_BANK_IBAN = "IT60X0542811101000000123456"
DEFAULT_DEMO_PASSWORD = "demo-Password-2026!"  # noqa: S105 (documented demo login, demo data only)


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_body_bytes: int = 1024 * 1024
    max_page_size: int = 100


@dataclass(frozen=True, slots=True)
class Budget:
    """One kind of caller's query cost budget: a leaky bucket of `maximum` points refilled at
    `restore_rate` points a second, and the most a single operation may cost."""

    maximum: int
    restore_rate: int
    max_query: int


KINDS = ("anonymous", "user", "token", "staff")  # permissions.principal.PrincipalKind values


@dataclass(frozen=True, slots=True)
class Budgets:
    enabled: bool = True  # off: no bucket (nor its SQL); the cost is still computed, answered and capped
    # A burst of `maximum`, then `restore_rate` a second. The largest read of bench/ (a: 50 organizations
    # with 10 members each) costs 703; anonymous callers only sign up, log in and follow links (10-20 each).
    anonymous: Budget = Budget(maximum=5_000, restore_rate=100, max_query=1_000)
    user: Budget = Budget(maximum=20_000, restore_rate=1_000, max_query=10_000)
    token: Budget = Budget(maximum=20_000, restore_rate=1_000, max_query=10_000)
    staff: Budget = Budget(maximum=40_000, restore_rate=2_000, max_query=20_000)

    def of(self, kind: str) -> Budget:
        return getattr(self, kind, self.anonymous)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Settings:
    environment: str = "development"
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    allowed_origins: tuple[str, ...] = ()
    cookie_name: str = "gateway_session"
    cookie_secure: bool = False
    session_idle: timedelta = timedelta(minutes=30)
    session_absolute: timedelta = timedelta(hours=12)
    password_reset_ttl: timedelta = timedelta(hours=1)
    invitation_ttl: timedelta = timedelta(days=7)
    payment_grace: timedelta = timedelta(days=15)
    login_max_failures: int = 10
    login_lockout: timedelta = timedelta(minutes=15)
    ip_attempts_per_minute: int = 30
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    demo_password: str = DEFAULT_DEMO_PASSWORD
    log_level: str = "INFO"
    forwarded_allow_ips: str = "127.0.0.1"
    payment_provider: str = "local-test"
    bank_iban: str = DEFAULT_BANK_IBAN
    vies: str = "off"
    allow_embedded_db: bool = False
    # Cookie sessions and anonymous callers (first-party frontends) may run only registered documents.
    trusted_documents_only: bool = False
    apq_max_document_bytes: int = 32 * 1024
    apq_max_documents: int = 10_000
    # Webhook receivers: https on public addresses only; the two exceptions exist for local receivers in
    # development and are refused in production. The delivery worker runs when the settings come from the
    # environment (unless GATEWAY_WEBHOOK_WORKER=0); settings built in code, as tests do, drive it by hand.
    webhooks_allow_http: bool = False
    webhooks_allow_private: bool = False
    webhook_worker: bool = False
    # Reads answered by one SQL statement that builds the JSON (gateway/graphql/compiled); off: every request
    # takes the standard path (for diagnosis, and to compare the two).
    compiled_reads: bool = True
    limits: Limits = field(default_factory=Limits)
    budgets: Budgets = field(default_factory=Budgets)

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pg"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(f"GATEWAY_{name}")
            return value if value not in (None, "") else default

        def get_int(name: str, default: int) -> int:
            raw = get(name)
            try:
                return int(raw) if raw is not None else default
            except ValueError as exc:
                raise SettingsError(f"GATEWAY_{name} must be an integer, got {raw!r}") from exc

        environment = get("ENVIRONMENT", "development") or "development"
        if environment not in ("development", "production"):
            raise SettingsError("GATEWAY_ENVIRONMENT must be 'development' or 'production'")
        development = environment == "development"
        data_dir = Path(get("DATA_DIR", str(PROJECT_ROOT / ".data")) or ".data").resolve()

        secret_key = get("SECRET_KEY")
        if secret_key is None:
            if not development:
                raise SettingsError("GATEWAY_SECRET_KEY is required in production")
            secret_key = _development_secret(data_dir)
        if len(secret_key) < 32:
            raise SettingsError("GATEWAY_SECRET_KEY must be at least 32 characters")

        database_url = get("DATABASE_URL")
        allow_embedded_db = (get("ALLOW_EMBEDDED_DB", "") or "").lower() in ("1", "true", "yes")
        # The embedded server lives and dies with one process on one disk: production uses it only when told to.
        if database_url is None and not development and not allow_embedded_db:
            raise SettingsError(
                "GATEWAY_DATABASE_URL is required in production "
                "(set GATEWAY_ALLOW_EMBEDDED_DB=1 to run on the embedded PostgreSQL)"
            )

        webhooks_allow_http = _flag(get("WEBHOOKS_ALLOW_HTTP"))
        webhooks_allow_private = _flag(get("WEBHOOKS_ALLOW_PRIVATE"))
        if not development and (webhooks_allow_http or webhooks_allow_private):
            raise SettingsError(
                "GATEWAY_WEBHOOKS_ALLOW_HTTP and GATEWAY_WEBHOOKS_ALLOW_PRIVATE are for development only"
            )

        budget_defaults = Budgets()
        budgets = {
            kind: _budget(
                kind,
                Budget(
                    maximum=get_int(f"COST_{kind.upper()}_MAXIMUM", budget_defaults.of(kind).maximum),
                    restore_rate=get_int(f"COST_{kind.upper()}_RESTORE_RATE", budget_defaults.of(kind).restore_rate),
                    max_query=get_int(f"COST_{kind.upper()}_MAX_QUERY", budget_defaults.of(kind).max_query),
                ),
            )
            for kind in KINDS
        }
        origins = tuple(o.strip().rstrip("/") for o in (get("ALLOWED_ORIGINS", "") or "").split(",") if o.strip())
        defaults = Limits()
        return cls(
            environment=environment,
            database_url=database_url,
            data_dir=data_dir,
            host=get("HOST", "127.0.0.1") or "127.0.0.1",
            port=get_int("PORT", 8000),
            secret_key=secret_key,
            public_url=(get("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
            allowed_origins=origins,
            cookie_secure=(get("COOKIE_SECURE", "false" if development else "true") or "").lower()
            in ("1", "true", "yes"),
            session_idle=timedelta(minutes=get_int("SESSION_IDLE_MINUTES", 30)),
            session_absolute=timedelta(hours=get_int("SESSION_ABSOLUTE_HOURS", 12)),
            ip_attempts_per_minute=get_int("IP_ATTEMPTS_PER_MINUTE", 30),
            invitation_ttl=timedelta(days=_invitation_days(get_int("INVITATION_TTL_DAYS", 7))),
            payment_grace=timedelta(days=get_int("PAYMENT_GRACE_DAYS", 15)),
            smtp_url=get("SMTP_URL"),
            mail_from=get("MAIL_FROM") or DEFAULT_MAIL_FROM,
            demo_password=get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD,
            log_level=(get("LOG_LEVEL", "INFO") or "INFO").upper(),
            forwarded_allow_ips=get("FORWARDED_ALLOW_IPS", "127.0.0.1") or "127.0.0.1",
            payment_provider=_payment_provider(get("PAYMENT_PROVIDER"), development),
            bank_iban=get("BANK_IBAN") or DEFAULT_BANK_IBAN,
            vies=_vies(get("VIES", "off")),
            allow_embedded_db=allow_embedded_db,
            trusted_documents_only=(get("TRUSTED_DOCUMENTS_ONLY", "") or "").lower() in ("1", "true", "yes"),
            apq_max_document_bytes=get_int("APQ_MAX_DOCUMENT_BYTES", 32 * 1024),
            apq_max_documents=get_int("APQ_MAX_DOCUMENTS", 10_000),
            webhooks_allow_http=webhooks_allow_http,
            webhooks_allow_private=webhooks_allow_private,
            webhook_worker=_flag(get("WEBHOOK_WORKER", "1")),
            compiled_reads=_on_off("COMPILED_READS", get("COMPILED_READS", "on")),
            limits=Limits(
                max_depth=get_int("MAX_DEPTH", defaults.max_depth),
                max_aliases=get_int("MAX_ALIASES", defaults.max_aliases),
                max_tokens=get_int("MAX_TOKENS", defaults.max_tokens),
                max_body_bytes=get_int("MAX_BODY_BYTES", defaults.max_body_bytes),
                max_page_size=get_int("MAX_PAGE_SIZE", defaults.max_page_size),
            ),
            budgets=Budgets(enabled=_on_off("COST_BUDGETS", get("COST_BUDGETS", "on")), **budgets),
        )


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


def _budget(kind: str, budget: Budget) -> Budget:
    name = f"GATEWAY_COST_{kind.upper()}"
    if min(budget.maximum, budget.restore_rate, budget.max_query) < 1:
        raise SettingsError(f"{name}_MAXIMUM, _RESTORE_RATE and _MAX_QUERY must be positive")
    # An operation the bucket could never hold would be refused for ever, whatever the caller waits.
    if budget.max_query > budget.maximum:
        raise SettingsError(f"{name}_MAX_QUERY must not exceed {name}_MAXIMUM")
    return budget


def _on_off(name: str, value: str | None) -> bool:
    if (value or "").lower() not in ("on", "off"):
        raise SettingsError(f"GATEWAY_{name} must be 'on' or 'off'")
    return (value or "").lower() == "on"


def _vies(mode: str | None) -> str:
    if mode not in ("off", "online"):
        raise SettingsError("GATEWAY_VIES must be 'off' or 'online'")
    return mode


def _payment_provider(name: str | None, development: bool) -> str:
    # The only provider shipped moves no money: production must choose it knowingly.
    if name is None and not development:
        raise SettingsError("GATEWAY_PAYMENT_PROVIDER is required in production")
    if (name or "local-test") != "local-test":
        raise SettingsError("GATEWAY_PAYMENT_PROVIDER: the only provider available is 'local-test'")
    return name or "local-test"


def _invitation_days(days: int) -> int:
    if not 1 <= days <= 30:
        raise SettingsError("GATEWAY_INVITATION_TTL_DAYS must be between 1 and 30")
    return days


def _development_secret(data_dir: Path) -> str:
    # Generated once and kept beside the embedded database, so sessions survive restarts.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
