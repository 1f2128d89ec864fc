"""Every table, one module per domain; imported here so Alembic and the tests see all of them."""

from gateway.db.models.identity import PasswordResetToken, Session, User
from gateway.db.models.mail import OutboxMessage
from gateway.db.models.organizations import AuditEntry, Invitation, Membership, Organization, OrganizationLogo
from gateway.db.models.throttle import RateLimitBucket

__all__ = [
    "AuditEntry",
    "Invitation",
    "Membership",
    "Organization",
    "OrganizationLogo",
    "OutboxMessage",
    "PasswordResetToken",
    "RateLimitBucket",
    "Session",
    "User",
]
