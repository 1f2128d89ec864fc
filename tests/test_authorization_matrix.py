"""Authorization as a table: every organization field and mutation, for every role and right, in the caller's
own organization (A) and in another one (B), all through HTTP.

One scenario is built once (sign-ups cost argon2 time and the database is emptied after every test); every cell
of the tables is then asked in turn and every disagreement is collected, so one run lists all of them.

A cell is the outcome of one operation for one caller:
- ALLOW: no GraphQL `errors` (a mutation's userErrors still count as allowed, and are named in the cell);
- NOT_FOUND: the organization is not revealed; the answer must equal the one for ids that exist nowhere;
- FORBIDDEN: a member lacking a right or a role, and `extensions` names which one;
- UNAUTHENTICATED: no credentials.

Allowed cells must leave nothing behind: they are undone, or aimed so that the action itself is refused
(a userError), or given an object of their own (requestCancellation, which cannot be withdrawn).
"""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image
from strawberry import relay

from tests.graphql import without_budget
from tests.orgs import INVITE, Person, buy, join, organization, person, place_order

# ---------------------------------------------------------------------------------------------------------------
# The expected outcomes
# ---------------------------------------------------------------------------------------------------------------

OK = "ALLOW"
NF = "NOT_FOUND"
UN = "UNAUTHENTICATED"
MM = "FORBIDDEN missingRight=MANAGE_MEMBERS"
MO = "FORBIDDEN missingRight=MANAGE_ORGANIZATION"
VP = "FORBIDDEN missingRight=VIEW_PRODUCTS"
MP = "FORBIDDEN missingRight=MANAGE_PRODUCTS"
ORD = "FORBIDDEN missingRight=ORDER"  # also where ORDER or VIEW_BILLING would do: the first one is named
VB = "FORBIDDEN missingRight=VIEW_BILLING"
PAY = "FORBIDDEN missingRight=PAY"  # also where PAY or VIEW_BILLING would do
MB = "FORBIDDEN missingRight=MANAGE_BILLING"
RA = "FORBIDDEN missingRole=ADMIN"
RO = "FORBIDDEN missingRole=OWNER"
# Authorized, and the action itself refused, on purpose, so that nothing changes:
SELF = "ALLOW userErrors=CANNOT_CHANGE_SELF"  # it targets the caller
BUSY = "ALLOW userErrors=ACTIVE_PRODUCTS"  # it still has products (and the name is typed wrong as well)
LAST = "ALLOW userErrors=LAST_OWNER"  # the only owner cannot leave
BAD = "ALLOW userErrors=SETTING_INVALID"  # a PHP version the hosting does not offer
IDLE = "ALLOW userErrors=PRODUCT_NOT_ACTIVE"  # the hosting waits to be configured
SAME = "ALLOW userErrors=SAME_ORGANIZATION"  # a transfer to where the product already is
GONE = "ALLOW userErrors=DESTINATION_NOT_FOUND"  # a transfer offered to an organization that does not exist
DONE = "ALLOW userErrors=NOT_PENDING"  # a hand-off already declined: nothing left to accept, decline or cancel
DECL = "ALLOW userErrors=PAYMENT_DECLINED"  # the test provider's declined card: no money moves
POOR = "ALLOW userErrors=INSUFFICIENT_FUNDS"  # more than the prepaid balance
DFLT = "ALLOW userErrors=IS_DEFAULT"  # the default billing address stays
ONF = "ALLOW userErrors=ORGANIZATION_NOT_FOUND"  # a token for an organization one is no active member of
REV = "ALLOW userErrors=ALREADY_REVOKED"  # a token revoked before
PLAIN = "ALLOW userErrors=URL_NOT_HTTPS"  # a webhook URL over http: nothing is registered
QUEUED = "ALLOW userErrors=ALREADY_PENDING"  # a delivery still waiting (no worker runs in tests)

# Who calls. Everyone but the outsider belongs to organization A; the outsider owns only organization B.
ACTORS = (
    "anonymous",  # no token
    "owner",  # OWNER of A
    "admin",  # ADMIN of A
    "member",  # MEMBER of A, no rights
    "manager",  # MEMBER of A with MANAGE_MEMBERS
    "accountant",  # MEMBER of A with VIEW_BILLING and PAY
    "orgmanager",  # MEMBER of A with MANAGE_ORGANIZATION
    "buyer",  # MEMBER of A with ORDER
    "payer",  # MEMBER of A with PAY
    "biller",  # MEMBER of A with MANAGE_BILLING
    "techie",  # MEMBER of A with VIEW_PRODUCTS and MANAGE_PRODUCTS
    "scoped",  # MEMBER of A with VIEW_PRODUCTS and MANAGE_PRODUCTS on one product, none of those aimed at
    "blocked",  # MEMBER of A, blocked with blockMember
    "outsider",  # OWNER of B, not a member of A
)

# Operations against organization A (the own organization of everyone but the outsider).
IN_A: dict[str, tuple[str, ...]] = {
    #                            anonymous   admin       manager     orgmanager  payer       techie      blocked
    # operation                        owner       member      accountant  buyer       biller      scoped      outsider
    "organization.name":        (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "myMembership":             (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "members":                  (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "invitations":              (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "auditLog":                 (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "productTransfers":         (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "leaveBlockers":            (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "deletionBlockers":         (UN,   OK,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF),
    "legalRepresentative":      (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "node(Organization)":       (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "node(Member)":             (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "node(Invitation)":         (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "updateOrganization":       (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "setOrganizationLogo":      (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "removeOrganizationLogo":   (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "inviteMember":             (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "revokeInvitation":         (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "resendInvitation":         (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "updateMember":             (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "blockMember":              (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "unblockMember":            (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "removeMember":             (UN,   OK,   OK,   MM,   OK,   MM,   MM,   MM,   MM,   MM,   MM,   MM,   NF,   NF),
    "switchOrganization":       (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "updateMyNotifications":    (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "leaveOrganization":        (UN,   LAST, OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "transferOwnership":        (UN,   SELF, RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF),
    "deleteOrganization":       (UN,   BUSY, RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF),
    # products (the ones aimed at lie outside the scoped member's scope)
    "products":                 (UN,   OK,   OK,   VP,   VP,   VP,   VP,   VP,   VP,   VP,   OK,   OK,   NF,   NF),
    "expiringProducts":         (UN,   OK,   OK,   VP,   VP,   VP,   VP,   VP,   VP,   VP,   OK,   OK,   NF,   NF),
    "productsToConfigure":      (UN,   OK,   OK,   VP,   VP,   VP,   VP,   VP,   VP,   VP,   OK,   OK,   NF,   NF),
    "node(Product)":            (UN,   OK,   OK,   VP,   VP,   VP,   VP,   VP,   VP,   VP,   OK,   NF,   NF,   NF),
    "setAutoRenew":             (UN,   OK,   OK,   MP,   MP,   MP,   MP,   MP,   MP,   MP,   OK,   NF,   NF,   NF),
    "configureProduct":         (UN,   BAD,  BAD,  MP,   MP,   MP,   MP,   MP,   MP,   MP,   BAD,  NF,   NF,   NF),
    "requestCancellation":      (UN,   OK,   OK,   MP,   MP,   MP,   MP,   MP,   MP,   MP,   OK,   NF,   NF,   NF),
    "unblockIp":                (UN,   IDLE, IDLE, MP,   MP,   MP,   MP,   MP,   MP,   MP,   IDLE, NF,   NF,   NF),
    "renewProduct":             (UN,   OK,   OK,   ORD,  ORD,  ORD,  ORD,  OK,   ORD,  ORD,  ORD,  NF,   NF,   NF),
    "transferProduct(within)":  (UN,   SAME, RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF,   NF),
    "transferProduct(away)":    (UN,   GONE, RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF,   NF),
    "acceptProductTransfer":    (UN,   DONE, DONE, RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "declineProductTransfer":   (UN,   DONE, DONE, RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "cancelProductTransfer":    (UN,   DONE, RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   RO,   NF,   NF),
    # orders
    "orders":                   (UN,   OK,   OK,   ORD,  ORD,  OK,   ORD,  OK,   ORD,  ORD,  ORD,  ORD,  NF,   NF),
    "node(Order)":              (UN,   OK,   OK,   ORD,  ORD,  OK,   ORD,  OK,   ORD,  ORD,  ORD,  NF,   NF,   NF),
    "placeOrder":               (UN,   OK,   OK,   ORD,  ORD,  ORD,  ORD,  OK,   ORD,  ORD,  ORD,  ORD,  NF,   NF),
    "cancelOrder":              (UN,   OK,   OK,   ORD,  ORD,  ORD,  ORD,  OK,   ORD,  ORD,  ORD,  NF,   NF,   NF),
    # billing
    "invoices":                 (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "toPay":                    (UN,   OK,   OK,   PAY,  PAY,  OK,   PAY,  PAY,  OK,   PAY,  PAY,  PAY,  NF,   NF),
    "prepaidAccount":           (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "billingAddresses":         (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "contract":                 (UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   NF,   NF),
    "node(Invoice)":            (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   NF,   NF,   NF),
    "node(BillingAddress)":     (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "payments":                 (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "node(Payment)":            (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   NF,   NF,   NF),
    "node(Withdrawal)":         (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "node(AuditEntry)":         (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "payOrder":                 (UN,   OK,   OK,   PAY,  PAY,  OK,   PAY,  PAY,  OK,   PAY,  PAY,  NF,   NF,   NF),
    "cancelBankTransfer":       (UN,   OK,   OK,   PAY,  PAY,  OK,   PAY,  PAY,  OK,   PAY,  PAY,  NF,   NF,   NF),
    "topUpPrepaid":             (UN,   DECL, DECL, MB,   MB,   MB,   MB,   MB,   MB,   DECL, MB,   MB,   NF,   NF),
    "withdrawPrepaid":          (UN,   POOR, POOR, MB,   MB,   MB,   MB,   MB,   MB,   POOR, MB,   MB,   NF,   NF),
    "addBillingAddress":        (UN,   OK,   OK,   MB,   MB,   MB,   MB,   MB,   MB,   OK,   MB,   MB,   NF,   NF),
    "updateBillingAddress":     (UN,   OK,   OK,   MB,   MB,   MB,   MB,   MB,   MB,   OK,   MB,   MB,   NF,   NF),
    "setDefaultBillingAddress": (UN,   OK,   OK,   MB,   MB,   MB,   MB,   MB,   MB,   OK,   MB,   MB,   NF,   NF),
    "removeBillingAddress":     (UN,   DFLT, DFLT, MB,   MB,   MB,   MB,   MB,   MB,   DFLT, MB,   MB,   NF,   NF),
    "createProforma":           (UN,   OK,   OK,   VB,   VB,   OK,   VB,   VB,   VB,   VB,   VB,   VB,   NF,   NF),
    "acceptContract":           (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    # API tokens (what tokens themselves may do: tests/test_token_matrix.py)
    "integrationTokens":        (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "node(ApiToken)":           (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "createPersonalAccessToken":(UN,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   OK,   ONF,  ONF),
    "createIntegrationToken":   (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "rotateApiToken":           (UN,   OK,   OK,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    "revokeApiToken":           (UN,   REV,  REV,  RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   RA,   NF,   NF),
    # webhooks
    "webhookEndpoints":         (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "node(WebhookEndpoint)":    (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "node(WebhookDelivery)":    (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "createWebhookEndpoint":    (UN,   PLAIN, PLAIN, MO,  MO,   MO,   PLAIN, MO,  MO,   MO,   MO,   MO,   NF,   NF),
    "updateWebhookEndpoint":    (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "deleteWebhookEndpoint":    (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "rotateWebhookSecret":      (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
    "redeliverWebhook":         (UN,   QUEUED, QUEUED, MO, MO,  MO,   QUEUED, MO, MO,   MO,   MO,   MO,   NF,   NF),
    "pingWebhookEndpoint":      (UN,   OK,   OK,   MO,   MO,   MO,   OK,   MO,   MO,   MO,   MO,   MO,   NF,   NF),
}  # fmt: skip

# The same operations against organization B: nobody from A learns anything; its owner is the positive control.
IN_B: dict[str, tuple[str, ...]] = {
    #                            anonymous   admin       manager     orgmanager  payer       techie      blocked
    # operation                        owner       member      accountant  buyer       biller      scoped      outsider
    "organization.name":        (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "myMembership":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "members":                  (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "invitations":              (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "auditLog":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "productTransfers":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "leaveBlockers":            (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "deletionBlockers":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "legalRepresentative":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Organization)":       (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Member)":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Invitation)":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "updateOrganization":       (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "setOrganizationLogo":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "removeOrganizationLogo":   (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "inviteMember":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "revokeInvitation":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "resendInvitation":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "updateMember":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SELF),
    "blockMember":              (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SELF),
    "unblockMember":            (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SELF),
    "removeMember":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SELF),
    "switchOrganization":       (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "updateMyNotifications":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "leaveOrganization":        (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   LAST),
    "transferOwnership":        (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SELF),
    "deleteOrganization":       (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   BUSY),
    # products
    "products":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "expiringProducts":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "productsToConfigure":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Product)":            (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "setAutoRenew":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "configureProduct":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   BAD),
    "requestCancellation":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "unblockIp":                (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   IDLE),
    "renewProduct":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "transferProduct(within)":  (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   SAME),
    "transferProduct(away)":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   GONE),
    "acceptProductTransfer":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   DONE),
    "declineProductTransfer":   (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   DONE),
    "cancelProductTransfer":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   DONE),
    # orders
    "orders":                   (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Order)":              (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "placeOrder":               (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "cancelOrder":              (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    # billing
    "invoices":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "toPay":                    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "prepaidAccount":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "billingAddresses":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "contract":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Invoice)":            (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(BillingAddress)":     (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "payments":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Payment)":            (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(Withdrawal)":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(AuditEntry)":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "payOrder":                 (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "cancelBankTransfer":       (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "topUpPrepaid":             (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   DECL),
    "withdrawPrepaid":          (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   POOR),
    "addBillingAddress":        (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "updateBillingAddress":     (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "setDefaultBillingAddress": (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "removeBillingAddress":     (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   DFLT),
    "createProforma":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "acceptContract":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    # API tokens
    "integrationTokens":        (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(ApiToken)":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "createPersonalAccessToken":(UN,   ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  ONF,  OK),
    "createIntegrationToken":   (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "rotateApiToken":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "revokeApiToken":           (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   REV),
    # webhooks
    "webhookEndpoints":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(WebhookEndpoint)":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "node(WebhookDelivery)":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "createWebhookEndpoint":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   PLAIN),
    "updateWebhookEndpoint":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "deleteWebhookEndpoint":    (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "rotateWebhookSecret":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
    "redeliverWebhook":         (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   QUEUED),
    "pingWebhookEndpoint":      (UN,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   NF,   OK),
}  # fmt: skip

# What the product gets wrong today, by (operation, check); the tables above keep the correct behaviour. Checks:
# "outcome" (the cell), "indistinguishable" (a NOT_FOUND must read exactly like the one for ids that exist nowhere),
# "leak" (another tenant's data, or products outside the caller's scope, in the answer). Any other disagreement
# fails the test, and so does a listed bug that no longer shows anywhere.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

# ---------------------------------------------------------------------------------------------------------------
# The operations: one small document each, its variables drawn from the organization it is aimed at
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """The ids an operation is aimed at, all inside one organization (or inside none, for the ghost)."""

    label: str
    owner: str  # the actor who owns it, and puts back what allowed cells change
    organization: str
    name: str  # typed (always wrong) to confirm deletion
    # Membership ids by the actor holding them. "owner": transferOwnership's target, the owner's own membership,
    # so nothing ever changes hands; "admin": read through node(id:); "member": updated, blocked and unblocked;
    # "spare": removed, then brought back. Whoever leaves is brought back too, under a new id.
    members: dict[str, str]
    pending_invitation: str  # read through node(id:) and resent
    product: str  # an active domain: read, renewed, transferred
    hosting: str  # a hosting waiting to be configured
    pending_order: str  # waits for payment; paid by bank transfer (stays pending); replaced when cancelled
    invoice: str
    address: str  # the default (and only) billing address
    contract_version: str  # the version in force, already accepted
    payment: str  # the staff payment that settled the stocked order
    withdrawal: str  # a withdrawal from the prepaid account
    audit_entry: str
    spare_products: list[str]  # active domains, one for every requestCancellation cell
    received_transfer: str = ""  # a hand-off offered to this organization, already declined
    given_transfer: str = ""  # a hand-off this organization offered, already declined
    fresh_invitation: str = ""  # revoked: a new one for every cell
    webhook_endpoint: str = ""  # subscribed to ORDER_PAID; updated (as it already is), rotated, pinged
    webhook_delivery: str = ""  # a ping waiting to be sent
    fresh_webhook_endpoint: str = ""  # deleted: a new one whenever the last one went
    fresh_product: str = ""  # cancelled: a new one for every cell
    integration_token: str = ""  # read through node(id:) and rotated
    revoked_token: str = ""  # an integration token revoked already: revoking it again changes nothing


@dataclass(frozen=True)
class Operation:
    document: str
    variables: Callable[[Target], dict[str, Any]]

    @property
    def reads_only(self) -> bool:
        return self.document.startswith("query")


def org_field(selection: str) -> Operation:
    return Operation(f"query($id: ID!) {{ organization(id: $id) {{ {selection} }} }}", lambda t: {"id": t.organization})


def node(pick: Callable[[Target], str]) -> Operation:
    return Operation("query($id: ID!) { node(id: $id) { id } }", lambda t: {"id": pick(t)})


def mutation(name: str, input_type: str, selection: str, variables: Callable[[Target], dict[str, Any]]) -> Operation:
    document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} userErrors {{ code }} }} }}"
    return Operation(document, lambda t: {"input": variables(t)})


def organization_id(t: Target) -> dict[str, Any]:
    return {"organizationId": t.organization}


def tiny_png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def key() -> str:
    """A fresh idempotency key: every cell is a new attempt."""
    return f"matrix-{uuid.uuid4()}"


LOGO = tiny_png()
_emails = itertools.count()
HOSTING = {"sku": "hosting-linux-start", "periodMonths": 12}
DECLINED_CARD = {"cardNumber": "4000000000000002"}
IBAN = "IT60X0542811101000000123456"
TOKEN_EXPIRY = "2027-01-15T00:00:00+00:00"  # within a token's longest life from the tests' clock

OPERATIONS: dict[str, Operation] = {
    "organization.name": org_field("name"),
    "myMembership": org_field("myMembership { role }"),
    "members": org_field("members(first: 5) { totalCount }"),
    "invitations": org_field("invitations(first: 5) { edges { node { id } } }"),
    "auditLog": org_field("auditLog(first: 5) { edges { node { action } } }"),
    "productTransfers": org_field("productTransfers { id status }"),
    "leaveBlockers": org_field("leaveBlockers { code }"),
    "deletionBlockers": org_field("deletionBlockers { code }"),
    "legalRepresentative": org_field("legalRepresentative { email }"),
    "node(Organization)": node(lambda t: t.organization),
    "node(Member)": node(lambda t: t.members["admin"]),
    "node(Invitation)": node(lambda t: t.pending_invitation),
    "updateOrganization": mutation(
        "updateOrganization",
        "UpdateOrganizationInput",
        "organization { phone }",
        lambda t: {"organizationId": t.organization, "phone": "+39 06 1234567"},
    ),
    "setOrganizationLogo": mutation(
        "setOrganizationLogo",
        "SetOrganizationLogoInput",
        "organization { id }",
        lambda t: {"organizationId": t.organization, "contentBase64": LOGO},
    ),
    "removeOrganizationLogo": mutation(
        "removeOrganizationLogo", "OrganizationIdInput", "organization { logoUrl }", organization_id
    ),
    "inviteMember": mutation(
        "inviteMember",
        "InviteMemberInput",
        "invitation { id }",
        lambda t: {"organizationId": t.organization, "email": f"new-{next(_emails)}@example.net"},
    ),
    "revokeInvitation": mutation(
        "revokeInvitation", "InvitationIdInput", "invitation { status }", lambda t: {"invitationId": t.fresh_invitation}
    ),
    "resendInvitation": mutation(
        "resendInvitation",
        "InvitationIdInput",
        "invitation { status }",
        lambda t: {"invitationId": t.pending_invitation},
    ),
    "updateMember": mutation(
        "updateMember",
        "UpdateMemberInput",
        "member { topics }",
        lambda t: {"memberId": t.members["member"], "topics": ["BILLING", "SECURITY"]},
    ),
    "blockMember": mutation(
        "blockMember", "MemberIdInput", "member { status }", lambda t: {"memberId": t.members["member"]}
    ),
    "unblockMember": mutation(
        "unblockMember", "MemberIdInput", "member { status }", lambda t: {"memberId": t.members["member"]}
    ),
    "removeMember": mutation(
        "removeMember", "MemberIdInput", "removedMemberId", lambda t: {"memberId": t.members["spare"]}
    ),
    "switchOrganization": mutation("switchOrganization", "OrganizationIdInput", "organization { id }", organization_id),
    "updateMyNotifications": mutation(
        "updateMyNotifications",
        "UpdateMyNotificationsInput",
        "member { topics }",
        lambda t: {"organizationId": t.organization, "topics": ["BILLING", "TECHNICAL"]},
    ),
    "leaveOrganization": mutation("leaveOrganization", "OrganizationIdInput", "leftOrganizationId", organization_id),
    "transferOwnership": mutation(
        "transferOwnership",
        "TransferOwnershipInput",
        "organization { id }",
        lambda t: {"organizationId": t.organization, "toMemberId": t.members["owner"], "remainOwner": True},
    ),
    "deleteOrganization": mutation(
        "deleteOrganization",
        "DeleteOrganizationInput",
        "deletedOrganizationId",
        lambda t: {"organizationId": t.organization, "confirmName": f"not {t.name}"},
    ),
    # products
    "products": org_field("products { totalCount }"),
    "expiringProducts": org_field("expiringProducts(withinDays: 366) { edges { node { id } } }"),
    "productsToConfigure": org_field("productsToConfigure { edges { node { id } } }"),
    "node(Product)": node(lambda t: t.product),
    "setAutoRenew": mutation(
        "setAutoRenew",
        "SetAutoRenewInput",
        "product { autoRenew }",
        lambda t: {"productId": t.product, "enabled": True},  # as it already is
    ),
    "configureProduct": mutation(
        "configureProduct",
        "ConfigureProductInput",
        "product { status }",
        lambda t: {"productId": t.hosting, "settings": {"domain": "configured.example.it", "phpVersion": "5.6"}},
    ),
    "requestCancellation": mutation(
        "requestCancellation", "ProductIdInput", "effectiveAt", lambda t: {"productId": t.fresh_product}
    ),
    "unblockIp": mutation(
        "unblockIp", "UnblockIpInput", "product { id }", lambda t: {"productId": t.hosting, "ip": "8.8.8.8"}
    ),
    "renewProduct": mutation(
        "renewProduct", "RenewProductInput", "order { id }", lambda t: {"productId": t.product, "periodMonths": 12}
    ),
    "transferProduct(within)": mutation(
        "transferProduct",
        "TransferProductInput",
        "product { id }",
        lambda t: {"productId": t.product, "toOrganizationId": t.organization},
    ),
    "transferProduct(away)": mutation(
        "transferProduct",
        "TransferProductInput",
        "product { id }",
        # An offer that would stay pending is aimed nowhere; tests/test_product_transfers.py covers the rest.
        lambda t: {"productId": t.product, "toOrganizationId": ghost_id("Organization")},
    ),
    "acceptProductTransfer": mutation(
        "acceptProductTransfer",
        "ProductTransferIdInput",
        "transfer { status }",
        lambda t: {"transferId": t.received_transfer},
    ),
    "declineProductTransfer": mutation(
        "declineProductTransfer",
        "ProductTransferIdInput",
        "transfer { status }",
        lambda t: {"transferId": t.received_transfer},
    ),
    "cancelProductTransfer": mutation(
        "cancelProductTransfer",
        "ProductTransferIdInput",
        "transfer { status }",
        lambda t: {"transferId": t.given_transfer},
    ),
    # orders
    "orders": org_field("orders { edges { node { id } } }"),
    "node(Order)": node(lambda t: t.pending_order),
    "placeOrder": mutation(
        "placeOrder",
        "PlaceOrderInput",
        "order { id }",
        lambda t: {"organizationId": t.organization, "lines": [HOSTING]},
    ),
    "cancelOrder": mutation(
        "cancelOrder", "CancelOrderInput", "order { status }", lambda t: {"orderId": t.pending_order}
    ),
    # billing
    "invoices": org_field("invoices { edges { node { id } } }"),
    "toPay": org_field("toPay { edges { node { id } } }"),
    "prepaidAccount": org_field("prepaidAccount { balance { amountCents } }"),
    "billingAddresses": org_field("billingAddresses { label }"),
    "contract": org_field("contract { currentVersion }"),
    "node(Invoice)": node(lambda t: t.invoice),
    "node(BillingAddress)": node(lambda t: t.address),
    "payments": org_field("payments { totalCount edges { node { status amount { amountCents } } } }"),
    "node(Payment)": node(lambda t: t.payment),
    "node(Withdrawal)": node(lambda t: t.withdrawal),
    "node(AuditEntry)": node(lambda t: t.audit_entry),
    "payOrder": mutation(
        "payOrder",
        "PayOrderInput",
        "payment { status }",
        lambda t: {"orderId": t.pending_order, "method": "BANK_TRANSFER", "idempotencyKey": key()},
    ),
    "cancelBankTransfer": mutation(
        "cancelBankTransfer", "CancelBankTransferInput", "payment { status }", lambda t: {"orderId": t.pending_order}
    ),
    "topUpPrepaid": mutation(
        "topUpPrepaid",
        "TopUpPrepaidInput",
        "payment { status }",
        lambda t: {
            "organizationId": t.organization,
            "amountCents": 2500,
            "method": "CARD",
            "idempotencyKey": key(),
            "source": DECLINED_CARD,
        },
    ),
    "withdrawPrepaid": mutation(
        "withdrawPrepaid",
        "WithdrawPrepaidInput",
        "withdrawal { id }",
        lambda t: {
            "organizationId": t.organization,
            "amountCents": 1_000_000,
            "destination": {"iban": IBAN},
            "idempotencyKey": key(),
        },
    ),
    "addBillingAddress": mutation(
        "addBillingAddress",
        "AddBillingAddressInput",
        "billingAddress { id }",
        lambda t: {"organizationId": t.organization, "address": address_of(t.label, "Filiale")},
    ),
    "updateBillingAddress": mutation(
        "updateBillingAddress",
        "UpdateBillingAddressInput",
        "billingAddress { label }",
        lambda t: {"addressId": t.address, "address": {"label": "Sede"}},  # as it already is
    ),
    "setDefaultBillingAddress": mutation(
        "setDefaultBillingAddress",
        "BillingAddressIdInput",
        "billingAddress { isDefault }",
        lambda t: {"addressId": t.address},
    ),
    "removeBillingAddress": mutation(
        "removeBillingAddress", "BillingAddressIdInput", "removedAddressId", lambda t: {"addressId": t.address}
    ),
    "createProforma": mutation(
        "createProforma",
        "CreateProformaInput",
        "proforma { number }",
        lambda t: {"organizationId": t.organization, "orderIds": [t.pending_order]},
    ),
    "acceptContract": mutation(
        "acceptContract",
        "AcceptContractInput",
        "contract { accepted }",
        lambda t: {"organizationId": t.organization, "version": t.contract_version},
    ),
    # API tokens
    "integrationTokens": org_field("integrationTokens(first: 5) { totalCount }"),
    "node(ApiToken)": node(lambda t: t.integration_token),
    "createPersonalAccessToken": mutation(
        "createPersonalAccessToken",
        "CreatePersonalAccessTokenInput",
        "token { id }",
        lambda t: {"name": "matrix", "expiresAt": TOKEN_EXPIRY, "organizationIds": [t.organization]},
    ),
    "createIntegrationToken": mutation(
        "createIntegrationToken",
        "CreateIntegrationTokenInput",
        "token { id }",
        lambda t: {"organizationId": t.organization, "name": "matrix", "expiresAt": TOKEN_EXPIRY},
    ),
    "rotateApiToken": mutation(
        "rotateApiToken", "ApiTokenIdInput", "token { id }", lambda t: {"tokenId": t.integration_token}
    ),
    "revokeApiToken": mutation(
        "revokeApiToken", "ApiTokenIdInput", "token { id }", lambda t: {"tokenId": t.revoked_token}
    ),
    # webhooks
    "webhookEndpoints": org_field("webhookEndpoints { totalCount edges { node { url events } } }"),
    "node(WebhookEndpoint)": node(lambda t: t.webhook_endpoint),
    "node(WebhookDelivery)": node(lambda t: t.webhook_delivery),
    "createWebhookEndpoint": mutation(
        "createWebhookEndpoint",
        "CreateWebhookEndpointInput",
        "endpoint { id } secret",
        lambda t: {"organizationId": t.organization, "url": "http://8.8.8.8/matrix", "events": ["ORDER_PAID"]},
    ),
    "updateWebhookEndpoint": mutation(
        "updateWebhookEndpoint",
        "UpdateWebhookEndpointInput",
        "endpoint { enabled }",
        lambda t: {"endpointId": t.webhook_endpoint, "enabled": True},  # as it already is
    ),
    "deleteWebhookEndpoint": mutation(
        "deleteWebhookEndpoint",
        "WebhookEndpointIdInput",
        "deletedEndpointId",
        lambda t: {"endpointId": t.fresh_webhook_endpoint},
    ),
    "rotateWebhookSecret": mutation(
        "rotateWebhookSecret", "WebhookEndpointIdInput", "secret", lambda t: {"endpointId": t.webhook_endpoint}
    ),
    "redeliverWebhook": mutation(
        "redeliverWebhook",
        "RedeliverWebhookInput",
        "delivery { status }",
        lambda t: {"deliveryId": t.webhook_delivery},
    ),
    "pingWebhookEndpoint": mutation(
        "pingWebhookEndpoint", "WebhookEndpointIdInput", "delivery { id }", lambda t: {"endpointId": t.webhook_endpoint}
    ),
}

# ---------------------------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------------------------

NAME_A = "Alfa Hosting Clienti Srl"
NAME_B = "Betulla Web Servizi Srl"
STEMS = {"A": "alfa-clienti", "B": "betulla-web"}  # the start of every domain name in each organization
STREETS = {"A": "Via degli Alfieri 1", "B": "Viale delle Betulle 2"}

# Organization A's members besides its owner, with role and rights. "spare" is no actor: removeMember removes it.
MEMBERSHIPS: dict[str, tuple[str, list[str]]] = {
    "admin": ("ADMIN", []),
    "member": ("MEMBER", []),
    "manager": ("MEMBER", ["MANAGE_MEMBERS"]),
    "accountant": ("MEMBER", ["VIEW_BILLING", "PAY"]),
    "orgmanager": ("MEMBER", ["MANAGE_ORGANIZATION"]),
    "buyer": ("MEMBER", ["ORDER"]),
    "payer": ("MEMBER", ["PAY"]),
    "biller": ("MEMBER", ["MANAGE_BILLING"]),
    "techie": ("MEMBER", ["VIEW_PRODUCTS", "MANAGE_PRODUCTS"]),
    "scoped": ("MEMBER", ["VIEW_PRODUCTS", "MANAGE_PRODUCTS"]),  # and a product scope, see `build`
    "blocked": ("MEMBER", []),
    "spare": ("MEMBER", []),
}

NODE = "query($id: ID!) { node(id: $id) { id } }"
MY_MEMBER_ID = "query($id: ID!) { organization(id: $id) { myMembership { id } } }"
ACCEPT_BY_ID = """mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { member { id } userErrors { code } } }"""
SET_LOGO = """mutation($id: ID!, $logo: String!) {
  setOrganizationLogo(input: {organizationId: $id, contentBase64: $logo}) { userErrors { code } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
UNBLOCK = "mutation($id: ID!) { unblockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
PAY_BY_TRANSFER = """mutation($id: ID!, $key: String!) { payOrder(input: {orderId: $id, method: BANK_TRANSFER,
  idempotencyKey: $key}) { userErrors { code } } }"""
CANCEL_ORDER = "mutation($id: ID!) { cancelOrder(input: {orderId: $id}) { order { status } userErrors { code } } }"
ADD_ADDRESS = """mutation($input: AddBillingAddressInput!) {
  addBillingAddress(input: $input) { billingAddress { id } userErrors { code } } }"""
REMOVE_ADDRESS = """mutation($id: ID!) {
  removeBillingAddress(input: {addressId: $id}) { removedAddressId userErrors { code } } }"""
ACCEPT_CONTRACT = """mutation($input: AcceptContractInput!) {
  acceptContract(input: $input) { contract { accepted } userErrors { code } } }"""
BILLING_IDS = """query($id: ID!) { organization(id: $id) {
  invoices { edges { node { id } } } contract { currentVersion } payments(first: 1) { edges { node { id } } }
  auditLog(first: 1) { edges { node { id } } } } }"""
TOP_UP = """mutation($input: TopUpPrepaidInput!) {
  topUpPrepaid(input: $input) { payment { status } userErrors { code } } }"""
OFFER = """mutation($id: ID!, $to: ID!) { transferProduct(input: {productId: $id, toOrganizationId: $to}) {
  transfer { id } userErrors { code } } }"""
DECLINE_OFFER = """mutation($id: ID!) { declineProductTransfer(input: {transferId: $id}) {
  transfer { status } userErrors { code } } }"""
CREATE_INTEGRATION_TOKEN = """mutation($input: CreateIntegrationTokenInput!) {
  createIntegrationToken(input: $input) { token { id } userErrors { code } } }"""
REVOKE_TOKEN = "mutation($id: ID!) { revokeApiToken(input: {tokenId: $id}) { token { id } userErrors { code } } }"
REGISTER_WEBHOOK = """mutation($id: ID!) { createWebhookEndpoint(input: {organizationId: $id,
  url: "https://8.8.8.8/matrix", events: [ORDER_PAID]}) { endpoint { id } userErrors { code } } }"""
PING_WEBHOOK = """mutation($id: ID!) { pingWebhookEndpoint(input: {endpointId: $id}) {
  delivery { id } userErrors { code } } }"""
WITHDRAW = """mutation($input: WithdrawPrepaidInput!) {
  withdrawPrepaid(input: $input) { withdrawal { id } userErrors { code } } }"""


def ghost_id(type_name: str) -> str:
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


def address_of(organization_label: str, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "name": NAME_A if organization_label == "A" else NAME_B,
        "street": STREETS.get(organization_label, "Via Nessuna 0"),
        "postalCode": "00184",
        "city": "Roma",
        "country": "IT",
    }


def outcome(body: dict[str, Any]) -> str:
    """A response reduced to a table cell."""
    if body.get("errors"):
        extensions = body["errors"][0].get("extensions") or {}
        code = extensions.get("code", "NO_CODE")
        if code == "FORBIDDEN":
            keys = ("missingRight", "missingRole", "reason", "missingStaffRole")
            named = [f"{k}={extensions[k]}" for k in keys if k in extensions]
            return " ".join([code, *named]) if named else "FORBIDDEN naming nothing missing"
        return str(code)
    data = body.get("data") or {}
    if not data or None in data.values():
        return f"NO DATA {data!r}"
    payload = next(iter(data.values()))
    codes = sorted(e["code"] for e in payload.get("userErrors", [])) if isinstance(payload, dict) else []
    return f"{OK} userErrors={','.join(codes)}" if codes else OK


@dataclass
class Scenario:
    client: httpx.AsyncClient
    people: dict[str, Person] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)  # productScope by actor, when limited
    # What each organization holds that others must never read: names, streets, and (for the scoped member)
    # the global ids and names of products outside the scope.
    secrets: dict[str, list[str]] = field(default_factory=dict)

    async def call(self, actor: str, document: str, variables: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """One request with the actor's bearer token (none for anonymous): the parsed answer and its raw text."""
        self.client.cookies.clear()
        who = self.people.get(actor)
        headers = {"Authorization": f"Bearer {who.token}"} if who else {}
        response = await self.client.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
        body = response.json()
        body["_status"] = response.status_code
        return body, response.text

    async def ok(self, actor: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        body, _ = await self.call(actor, document, variables)
        assert outcome(body) == OK, body
        return body["data"]

    async def declined_transfer(self, giver: str, product: str, to: str, receiver: str) -> str:
        offered = await self.ok(giver, OFFER, {"id": product, "to": to})
        transfer_id = offered["transferProduct"]["transfer"]["id"]
        declined = await self.ok(receiver, DECLINE_OFFER, {"id": transfer_id})
        assert declined["declineProductTransfer"]["transfer"]["status"] == "DECLINED", declined
        return transfer_id

    async def invite(
        self,
        inviter: str,
        organization_id: str,
        email: str,
        role: str = "MEMBER",
        rights: Sequence[str] = (),
        scope: dict[str, Any] | None = None,
    ) -> str:
        data = {"organizationId": organization_id, "email": email, "role": role, "rights": list(rights)}
        if scope is not None:
            data["productScope"] = scope
        return (await self.ok(inviter, INVITE, {"input": data}))["inviteMember"]["invitation"]["id"]

    async def rejoin(self, target: Target, actor: str) -> None:
        """Bring back a member who left or was removed, as before (accepting by invitation id, logged in)."""
        role, rights = MEMBERSHIPS[actor]
        email = self.people[actor].email
        invitation = await self.invite(target.owner, target.organization, email, role, rights, self.scopes.get(actor))
        accepted = await self.ok(actor, ACCEPT_BY_ID, {"input": {"invitationId": invitation}})
        target.members[actor] = accepted["acceptInvitation"]["member"]["id"]

    async def integration_token(self, owner: str, organization_id: str) -> str:
        data = {"organizationId": organization_id, "name": "Matrix ERP", "expiresAt": TOKEN_EXPIRY}
        return (await self.ok(owner, CREATE_INTEGRATION_TOKEN, {"input": data}))["createIntegrationToken"]["token"][
            "id"
        ]

    async def webhook_endpoint(self, owner: str, organization_id: str) -> str:
        registered = await self.ok(owner, REGISTER_WEBHOOK, {"id": organization_id})
        return registered["createWebhookEndpoint"]["endpoint"]["id"]

    async def pending_order(self, owner: str, organization_id: str) -> str:
        placed = await place_order(self.client, self.people[owner], organization_id, HOSTING)
        assert placed["userErrors"] == [], placed
        return placed["order"]["id"]

    async def row(self, name: str, target: Target) -> list[tuple[dict[str, Any], str]]:
        """Every actor's answer to one operation: at once when nothing can change, else one after the other."""
        if OPERATIONS[name].reads_only:
            return list(await asyncio.gather(*(self.run(name, actor, target) for actor in ACTORS)))
        return [await self.run(name, actor, target) for actor in ACTORS]

    async def run(self, name: str, actor: str, target: Target) -> tuple[dict[str, Any], str]:
        """Ask one cell, then undo whatever it changed, so the next cell meets the same scenario."""
        if name == "revokeInvitation" and target.label != "ghost":
            email = f"revoke-{next(_emails)}@example.net"
            target.fresh_invitation = await self.invite(target.owner, target.organization, email)
        if name == "deleteWebhookEndpoint" and target.label != "ghost" and not target.fresh_webhook_endpoint:
            target.fresh_webhook_endpoint = await self.webhook_endpoint(target.owner, target.organization)
        if name == "requestCancellation" and target.label != "ghost":
            target.fresh_product = target.spare_products.pop()
        operation = OPERATIONS[name]
        body, text = await self.call(actor, operation.document, operation.variables(target))
        if outcome(body) == OK:
            await self.undo(name, actor, target, next(iter(body["data"].values())))
        return body, text

    async def undo(self, name: str, actor: str, target: Target, payload: dict[str, Any]) -> None:
        if name == "blockMember":
            await self.ok(target.owner, UNBLOCK, {"id": target.members["member"]})
        elif name == "removeMember":
            await self.rejoin(target, "spare")
        elif name == "leaveOrganization":
            await self.rejoin(target, actor)
        elif name == "removeOrganizationLogo":
            await self.ok(target.owner, SET_LOGO, {"id": target.organization, "logo": LOGO})
        elif name in ("placeOrder", "renewProduct"):
            await self.ok(target.owner, CANCEL_ORDER, {"id": payload["order"]["id"]})
        elif name == "cancelOrder":
            target.pending_order = await self.pending_order(target.owner, target.organization)
        elif name == "deleteWebhookEndpoint":
            target.fresh_webhook_endpoint = ""
        elif name == "addBillingAddress":
            await self.ok(target.owner, REMOVE_ADDRESS, {"id": payload["billingAddress"]["id"]})
        elif name == "cancelBankTransfer":  # the order waits for a transfer again, for the next cell
            await self.ok(target.owner, PAY_BY_TRANSFER, {"id": target.pending_order, "key": key()})
        elif name in ("createPersonalAccessToken", "createIntegrationToken"):
            await self.ok(
                target.owner if name == "createIntegrationToken" else actor,
                REVOKE_TOKEN,
                {"id": payload["token"]["id"]},
            )


async def stock(s: Scenario, resources: tuple[Any, Any, Any], label: str, owner: str, org: str) -> dict[str, Any]:
    """What an organization holds besides members: products (bought and paid, so invoiced, by `resources`:
    engine, settings and clock, as staff mark orders paid), an order waiting for payment, a default billing
    address, and the general conditions accepted."""
    stem = STEMS[label]
    showcase_name = f"{stem}-vetrina.it"
    domains = [f"{stem}.it", showcase_name, *(f"{stem}-disdetta-{i}.it" for i in range(len(ACTORS)))]
    lines = [{"sku": "domain-it", "periodMonths": 12, "domainName": d} for d in domains]
    bought = await buy(s.client, *resources, s.people[owner], org, *lines, HOSTING | {"domainName": f"{stem}.it"})
    domain, showcase, *spares, hosting = (p["id"] for p in bought)
    added = await s.ok(owner, ADD_ADDRESS, {"input": {"organizationId": org, "address": address_of(label, "Sede")}})
    billing = (await s.ok(owner, BILLING_IDS, {"id": org}))["organization"]
    version = billing["contract"]["currentVersion"]
    top_up = {"organizationId": org, "amountCents": 5000, "method": "CARD", "idempotencyKey": key()}
    await s.ok(owner, TOP_UP, {"input": top_up | {"source": {"cardNumber": "4242424242424242"}}})
    withdrawal = {"organizationId": org, "amountCents": 1000, "destination": {"iban": IBAN}, "idempotencyKey": key()}
    withdrawn = await s.ok(owner, WITHDRAW, {"input": withdrawal})
    await s.ok(owner, ACCEPT_CONTRACT, {"input": {"organizationId": org, "version": version}})
    revoked = await s.integration_token(owner, org)
    await s.ok(owner, REVOKE_TOKEN, {"id": revoked})
    webhook_endpoint = await s.webhook_endpoint(owner, org)
    pinged = await s.ok(owner, PING_WEBHOOK, {"id": webhook_endpoint})
    s.secrets[label] = [*domains, STREETS[label]]
    hidden = [name for name in domains if name != showcase_name]
    s.secrets[f"{label} outside the scope"] = [*hidden, domain, hosting, *spares]
    return {
        "product": domain,
        "showcase": showcase,  # the scoped member's only product
        "hosting": hosting,
        "spare_products": spares,
        "pending_order": await s.pending_order(owner, org),
        "invoice": billing["invoices"]["edges"][0]["node"]["id"],
        "address": added["addBillingAddress"]["billingAddress"]["id"],
        "contract_version": version,
        "webhook_endpoint": webhook_endpoint,
        "webhook_delivery": pinged["pingWebhookEndpoint"]["delivery"]["id"],
        "payment": billing["payments"]["edges"][0]["node"]["id"],
        "withdrawal": withdrawn["withdrawPrepaid"]["withdrawal"]["id"],
        "audit_entry": billing["auditLog"]["edges"][0]["node"]["id"],
        "integration_token": await s.integration_token(owner, org),
        "revoked_token": revoked,
    }


async def build(client: httpx.AsyncClient, resources: tuple[Any, Any, Any]) -> Scenario:
    s = Scenario(client)
    for actor in (*ACTORS[1:], "spare"):
        s.people[actor] = await person(client, f"{actor}@example.com", f"{actor.title()} Person")
    owner, outsider = s.people["owner"], s.people["outsider"]
    org_a = await organization(client, owner, NAME_A)
    org_b = await organization(client, outsider, NAME_B)
    stock_a = await stock(s, resources, "A", "owner", org_a)
    stock_b = await stock(s, resources, "B", "outsider", org_b)
    showcase = stock_a.pop("showcase")
    s.scopes["scoped"] = {"allProducts": False, "productIds": [showcase]}
    stock_b.pop("showcase")
    members_a = {
        actor: await join(client, owner, org_a, s.people[actor], role=role, rights=rights, scope=s.scopes.get(actor))
        for actor, (role, rights) in MEMBERSHIPS.items()
    }
    blocking = await s.ok("owner", BLOCK, {"id": members_a["blocked"]})
    assert blocking["blockMember"]["member"]["status"] == "BLOCKED"
    await s.ok("scoped", NODE, {"id": showcase})  # the scope holds a product, just none of those aimed at
    for actor, org in (("owner", org_a), ("outsider", org_b)):
        await s.ok(actor, SET_LOGO, {"id": org, "logo": LOGO})  # so that there is a logo to remove
    members_a["owner"] = (await s.ok("owner", MY_MEMBER_ID, {"id": org_a}))["organization"]["myMembership"]["id"]
    owner_b = (await s.ok("outsider", MY_MEMBER_ID, {"id": org_b}))["organization"]["myMembership"]["id"]
    # One declined hand-off each way: A -> B and B -> A.
    a_to_b = await s.declined_transfer("owner", stock_a["product"], org_b, "outsider")
    b_to_a = await s.declined_transfer("outsider", stock_b["product"], org_a, "owner")
    s.targets["A"] = Target(
        label="A",
        owner="owner",
        organization=org_a,
        name=NAME_A,
        members=members_a,
        pending_invitation=await s.invite("owner", org_a, "pending-a@example.net"),
        received_transfer=b_to_a,
        given_transfer=a_to_b,
        **stock_a,
    )
    # B has a single member, its owner: every member-aimed operation is aimed at that one membership.
    s.targets["B"] = Target(
        label="B",
        owner="outsider",
        organization=org_b,
        name=NAME_B,
        members=dict.fromkeys(("owner", "admin", "member", "spare"), owner_b),
        pending_invitation=await s.invite("outsider", org_b, "pending-b@example.net"),
        received_transfer=a_to_b,
        given_transfer=b_to_a,
        **stock_b,
    )
    s.targets["ghost"] = Target(
        label="ghost",
        owner="nobody",
        organization=ghost_id("Organization"),
        name="Nobody Srl",
        members=dict.fromkeys(("owner", "admin", "member", "spare"), ghost_id("Member")),
        pending_invitation=ghost_id("Invitation"),
        fresh_invitation=ghost_id("Invitation"),
        product=ghost_id("Product"),
        hosting=ghost_id("Product"),
        pending_order=ghost_id("Order"),
        invoice=ghost_id("Invoice"),
        address=ghost_id("BillingAddress"),
        contract_version=stock_a["contract_version"],
        payment=ghost_id("Payment"),
        withdrawal=ghost_id("Withdrawal"),
        audit_entry=ghost_id("AuditEntry"),
        integration_token=ghost_id("ApiToken"),
        revoked_token=ghost_id("ApiToken"),
        spare_products=[],
        fresh_product=ghost_id("Product"),
        received_transfer=ghost_id("ProductTransfer"),
        given_transfer=ghost_id("ProductTransfer"),
        webhook_endpoint=ghost_id("WebhookEndpoint"),
        webhook_delivery=ghost_id("WebhookDelivery"),
        fresh_webhook_endpoint=ghost_id("WebhookEndpoint"),
    )
    return s


def secrets_of_others(s: Scenario, label: str, actor: str) -> list[str]:
    """What this caller's answers about `label` must never contain: another tenant's data, products outside scope."""
    if actor == "outsider" and label == "A":
        people = [f"{a}@example.com" for a in (*ACTORS[1:-1], "spare")]
        return [NAME_A, *people, "pending-a@example.net", *s.secrets["A"]]
    if actor not in ("anonymous", "outsider") and label == "B":
        return [NAME_B, "outsider@example.com", "pending-b@example.net", *s.secrets["B"]]
    if actor == "scoped" and label == "A":
        return s.secrets["A outside the scope"]
    return []


STATE = """query($id: ID!) { organization(id: $id) { name legalRepresentative { email }
  members(first: 20) { totalCount edges { node { email role rights status productScope { productIds } } } }
  products(first: 100, filter: {statuses: [ACTIVE, TO_CONFIGURE]}) { totalCount edges { node { id autoRenew } } }
  toPay { edges { node { total { amountCents } } } } prepaidAccount { balance { amountCents } }
  billingAddresses { label name street isDefault } contract { version } } }"""


async def state_of(s: Scenario) -> dict[str, Any]:
    """A and B as their owners see them, but for what allowed cells change on purpose (phone, logo, topics,
    cancellations, pending payments) or replace (the order waiting for payment, memberships that left)."""
    found = {}
    for label in ("A", "B"):
        target = s.targets[label]
        org = (await s.ok(target.owner, STATE, {"id": target.organization}))["organization"]
        org["members"]["edges"] = sorted(json.dumps(edge["node"], sort_keys=True) for edge in org["members"]["edges"])
        found[label] = org
    return found


# ---------------------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------------------


def test_the_tables_cover_every_operation_and_actor():
    for table in (IN_A, IN_B):
        assert list(table) == list(OPERATIONS)
        assert {len(row) for row in table.values()} == {len(ACTORS)}


async def test_authorization_matrix(client, engine, settings, clock):
    s = await build(client, (engine, settings, clock))
    before = await state_of(s)
    ghost_answers: dict[str, dict[str, Any]] = {}
    mismatches: dict[tuple[str, str, str, str], str] = {}

    for label, table in (("A", IN_A), ("B", IN_B)):
        for name, row in table.items():
            answers = await s.row(name, s.targets[label])
            for actor, expected, (body, text) in zip(ACTORS, row, answers, strict=True):
                got = outcome(body)
                if got != expected:
                    mismatches[(label, name, actor, "outcome")] = f"expected {expected}, got {got}: {body}"
                for secret in secrets_of_others(s, label, actor):
                    if secret in text:
                        mismatches[(label, name, actor, "leak")] = f"the answer contains {secret!r}: {text}"
                if expected == got == NF:
                    # Asked once per operation: what a logged-in caller hears about ids that exist nowhere.
                    if name not in ghost_answers:
                        ghost_answers[name], _ = await s.run(name, "outsider", s.targets["ghost"])
                    ghost = ghost_answers[name]
                    if without_budget(body) != without_budget(ghost):
                        mismatches[(label, name, actor, "indistinguishable")] = (
                            f"{json.dumps(body)} but for ids that exist nowhere {json.dumps(ghost)}"
                        )

    unexpected = [f"{' / '.join(k)}: {v}" for k, v in mismatches.items() if (k[1], k[3]) not in KNOWN_BUGS]
    seen = {(k[1], k[3]) for k in mismatches}
    fixed = [f"{' / '.join(k)}: no longer shows; remove it from KNOWN_BUGS" for k in KNOWN_BUGS if k not in seen]
    report = unexpected + fixed
    assert not report, f"{len(report)} authorization cells disagree:\n" + "\n".join(report)
    # Refused mutations changed nothing, and allowed ones were undone: both organizations read as before.
    assert await state_of(s) == before


async def test_node_does_not_tell_an_outsider_which_ids_exist(client):
    owner = await person(client, "owner@example.com")
    outsider = await person(client, "outsider@example.com")
    existing = await organization(client, owner, NAME_A)
    seen = await outsider.gql(client, NODE, {"id": existing})
    missing = await outsider.gql(client, NODE, {"id": ghost_id("Organization")})
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert seen == missing
