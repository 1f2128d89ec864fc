"""Every table, one module per domain; imported here so Alembic and the tests see all of them."""

from gateway.db.models.billing import (
    BillingAddress,
    ContractAcceptance,
    ExpiryNotice,
    FreeCredit,
    IdempotencyKey,
    Invoice,
    InvoiceCounter,
    Payment,
    PrepaidAccount,
    PrepaidEntry,
    PromoCode,
    PromoRedemption,
    Withdrawal,
)
from gateway.db.models.catalog import CatalogItem, CatalogPrice, VatRate
from gateway.db.models.documents import PersistedDocument
from gateway.db.models.identity import EmailVerificationToken, PasswordResetToken, Session, User
from gateway.db.models.mail import OutboxAttachment, OutboxMessage
from gateway.db.models.orders import Order, OrderLine
from gateway.db.models.organizations import AuditEntry, Invitation, Membership, Organization, OrganizationLogo
from gateway.db.models.products import DomainVerification, IpUnblock, Product, ProductTransfer
from gateway.db.models.staff import StaffMember
from gateway.db.models.throttle import QueryCostBucket, RateLimitBucket
from gateway.db.models.tokens import ApiToken
from gateway.db.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookSecret

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BillingAddress",
    "CatalogItem",
    "CatalogPrice",
    "ContractAcceptance",
    "DomainVerification",
    "EmailVerificationToken",
    "ExpiryNotice",
    "FreeCredit",
    "IdempotencyKey",
    "Invitation",
    "Invoice",
    "InvoiceCounter",
    "IpUnblock",
    "Membership",
    "Order",
    "OrderLine",
    "Organization",
    "OrganizationLogo",
    "OutboxAttachment",
    "OutboxMessage",
    "PasswordResetToken",
    "Payment",
    "PersistedDocument",
    "PrepaidAccount",
    "PrepaidEntry",
    "Product",
    "ProductTransfer",
    "PromoCode",
    "PromoRedemption",
    "QueryCostBucket",
    "RateLimitBucket",
    "Session",
    "StaffMember",
    "User",
    "VatRate",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSecret",
    "Withdrawal",
]
