"""Authorization as a table, for the provider's staff: every staff role, every field and mutation.

Three tables, all through HTTP, on the scenario of tests/test_authorization_matrix.py (organizations A and B,
their members and everything they hold):
- CLOSED: each staff role calls every customer operation on A before opening it with a reason: nothing is
  revealed (NOT_FOUND, answered exactly as for ids that exist nowhere), and nothing customers do opens to staff;
- OPENED: each opens A with `staff { organization(id, reason) }` and calls every operation again: reads follow
  `permissions.staff.VIEW_RIGHTS` (a member with VIEW_PRODUCTS, VIEW_BILLING and SUPPORT on every product),
  anything about the caller's own membership and every customer mutation is refused as STAFF_NOT_CUSTOMER;
  B, never opened, stays NOT_FOUND;
- STAFF: every staff field and mutation, for customers, an API token and each staff role.
No answer about one organization contains the other's data; refused mutations change nothing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from tests.graphql import without_budget
from tests.orgs import person
from tests.staff import make_staff
from tests.test_authorization_matrix import OK, OPERATIONS, Scenario, build, ghost_id, secrets_of_others, state_of
from tests.test_authorization_matrix import outcome as cell
from tests.tokens import personal_token

ROLES = ("agent", "billing", "superadmin")
STAFF_ROLES = {"agent": "SUPPORT_AGENT", "billing": "BILLING_STAFF", "superadmin": "SUPERADMIN"}

NF = "NOT_FOUND"
UN = "UNAUTHENTICATED"
NC = "FORBIDDEN reason=STAFF_NOT_CUSTOMER"
MM = "FORBIDDEN missingRight=MANAGE_MEMBERS"
MO = "FORBIDDEN missingRight=MANAGE_ORGANIZATION"
RA = "FORBIDDEN missingRole=ADMIN"
RO = "FORBIDDEN missingRole=OWNER"
SA = "FORBIDDEN reason=STAFF_ONLY missingStaffRole=SUPPORT_AGENT"
SB = "FORBIDDEN reason=STAFF_ONLY missingStaffRole=BILLING_STAFF"
SS = "FORBIDDEN reason=STAFF_ONLY missingStaffRole=SUPERADMIN"

# What customers do without an organization to locate: refused to staff as such.
CUSTOMER_ONLY = {"createPersonalAccessToken"}
MUTATIONS = {name for name, op in OPERATIONS.items() if not op.reads_only}

# Before a reason: every cell NOT_FOUND but what only customers do.
CLOSED: dict[str, tuple[str, ...]] = {name: (NC if name in CUSTOMER_ONLY else NF,) * 3 for name in OPERATIONS}

# Reads of A once opened; the same for every staff role (roles differ in the staff mutations only).
OPENED_READS: dict[str, str] = {
    "organization.name": OK,
    "myMembership": NC,
    "members": OK,
    "invitations": MM,
    "auditLog": RA,
    "productTransfers": RA,
    "leaveBlockers": NC,
    "deletionBlockers": RO,
    "legalRepresentative": OK,
    "node(Organization)": OK,
    "node(Member)": OK,
    "node(Invitation)": MM,
    "products": OK,
    "expiringProducts": OK,
    "productsToConfigure": OK,
    "node(Product)": OK,
    "orders": OK,
    "node(Order)": OK,
    "invoices": OK,
    "toPay": OK,
    "prepaidAccount": OK,
    "billingAddresses": OK,
    "contract": OK,
    "node(Invoice)": OK,
    "node(BillingAddress)": OK,
    "payments": OK,
    "node(Payment)": OK,
    "node(Withdrawal)": OK,
    "node(AuditEntry)": RA,
    "integrationTokens": RA,
    "node(ApiToken)": RA,
    "webhookEndpoints": MO,
    "node(WebhookEndpoint)": MO,
    "node(WebhookDelivery)": MO,
}
OPENED: dict[str, tuple[str, ...]] = {
    name: ((NC,) * 3 if name in MUTATIONS else (OPENED_READS[name],) * 3) for name in OPERATIONS
}


@dataclass(frozen=True)
class StaffOperation:
    document: str
    variables: dict[str, Any]


def staff_field(selection: str) -> StaffOperation:
    return StaffOperation(f"{{ staff {{ {selection} }} }}", {})


def staff_mutation(name: str, input_type: str, selection: str, data: dict[str, Any]) -> StaffOperation:
    document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} userErrors {{ code }} }} }}"
    return StaffOperation(document, {"input": data})


GHOST_ORDER = "ORD-2099-999999"  # settles nothing: every allowed cell is a userError and changes nothing
WINDOW = {"validFrom": "2026-11-01T00:00:00+01:00", "validUntil": "2027-01-01T00:00:00+01:00"}
STAFF_OPERATIONS: dict[str, StaffOperation] = {
    "staff.role": staff_field("role"),
    "staff.organizations": staff_field('organizations(query: "Srl") { totalCount }'),
    "staff.users": staff_field('users(query: "example.com") { totalCount }'),
    "staff.orders": staff_field('orders(query: "ORD-") { totalCount }'),
    "staff.invoices": staff_field('invoices(query: "2026/") { totalCount }'),
    "staff.members": staff_field("members { email role }"),
    "staffRecordBankTransfer": staff_mutation(
        "staffRecordBankTransfer",
        "StaffSettleOrderInput",
        "orderNumber",
        {"orderNumber": GHOST_ORDER, "reference": "x"},
    ),
    "staffMarkOrderPaid": staff_mutation(
        "staffMarkOrderPaid", "StaffSettleOrderInput", "orderNumber", {"orderNumber": GHOST_ORDER, "reference": "x"}
    ),
    "staffGrantCredit": staff_mutation(
        "staffGrantCredit",
        "StaffGrantCreditInput",
        "credit { amountCents }",
        {"organizationId": ghost_id("Organization"), "kind": "HOSTING", "amountCents": 0, "reason": "x"},
    ),
    "staffCreatePromoCode": staff_mutation(
        "staffCreatePromoCode",
        "StaffCreatePromoCodeInput",
        "code",
        {"code": "MATRIX", "description": "x", "percentOff": 5, "amountOffCents": 5} | WINDOW,
    ),
    "addStaffMember": staff_mutation(
        "addStaffMember",
        "AddStaffMemberInput",
        "staffMember { staffMemberId }",
        {"email": "nobody@example.org", "role": "SUPERADMIN"},
    ),
    "changeStaffRole": staff_mutation(
        "changeStaffRole",
        "ChangeStaffRoleInput",
        "staffMember { staffMemberId }",
        {"staffMemberId": ghost_id("StaffMember"), "role": "SUPERADMIN"},
    ),
    "removeStaffMember": staff_mutation(
        "removeStaffMember",
        "RemoveStaffMemberInput",
        "removedStaffMemberId",
        {"staffMemberId": ghost_id("StaffMember")},
    ),
}
STAFF_ACTORS = ("anonymous", "owner", "outsider", "token", *ROLES)
ORDER_NF = "ALLOW userErrors=ORDER_NOT_FOUND"
ORG_NF = "ALLOW userErrors=AMOUNT_INVALID"
DISC = "ALLOW userErrors=DISCOUNT_INVALID"
USER_NF = "ALLOW userErrors=USER_NOT_FOUND"
STAFF_NF = "ALLOW userErrors=STAFF_NOT_FOUND"
STAFF: dict[str, tuple[str, ...]] = {
    #                          anonymous outsider  agent     superadmin
    # operation                      owner     token     billing
    "staff.role":              (UN,  SA,  SA,  SA,  OK,  OK,  OK),
    "staff.organizations":     (UN,  SA,  SA,  SA,  OK,  OK,  OK),
    "staff.users":             (UN,  SA,  SA,  SA,  OK,  OK,  OK),
    "staff.orders":            (UN,  SA,  SA,  SA,  OK,  OK,  OK),
    "staff.invoices":          (UN,  SA,  SA,  SA,  OK,  OK,  OK),
    "staff.members":           (UN,  SA,  SA,  SA,  SS,  SS,  OK),
    "staffRecordBankTransfer": (UN,  SB,  SB,  SB,  SB,  ORDER_NF, ORDER_NF),
    "staffMarkOrderPaid":      (UN,  SB,  SB,  SB,  SB,  ORDER_NF, ORDER_NF),
    "staffGrantCredit":        (UN,  SB,  SB,  SB,  SB,  ORG_NF, ORG_NF),
    "staffCreatePromoCode":    (UN,  SB,  SB,  SB,  SB,  DISC, DISC),
    "addStaffMember":          (UN,  SS,  SS,  SS,  SS,  SS,  USER_NF),
    "changeStaffRole":         (UN,  SS,  SS,  SS,  SS,  SS,  STAFF_NF),
    "removeStaffMember":       (UN,  SS,  SS,  SS,  SS,  SS,  STAFF_NF),
}  # fmt: skip

OPEN = 'query($id: ID!) { staff { organization(id: $id, reason: "Matrix: ticket 1") { name } } }'


def test_the_tables_cover_every_operation_and_staff_role():
    assert list(CLOSED) == list(OPENED) == list(OPERATIONS)
    assert set(OPENED_READS) == set(OPERATIONS) - MUTATIONS
    assert {len(row) for row in STAFF.values()} == {len(STAFF_ACTORS)}
    assert list(STAFF) == list(STAFF_OPERATIONS)


async def test_staff_authorization_matrix(client, engine, settings, clock):
    s: Scenario = await build(client, (engine, settings, clock))
    for actor, role in STAFF_ROLES.items():
        s.people[actor] = await person(client, f"{actor}@provider.example", f"{actor.title()} Staff")
        await make_staff(engine, settings, clock, s.people[actor].email, role)
    s.people["token"] = type(s.people["owner"])(
        "token", (await personal_token(client, s.people["owner"], clock.now()))["secret"]
    )
    before = await state_of(s)
    mismatches: list[str] = []
    ghost_answers: dict[str, dict[str, Any]] = {}

    async def check(table: str, label: str, name: str, actor: str, expected: str) -> None:
        body, text = await s.run(name, actor, s.targets[label])
        got = cell(body)
        if got != expected:
            mismatches.append(f"{table} / {label} / {name} / {actor}: expected {expected}, got {got}: {body}")
        for secret in secrets_of_others(s, "B" if label == "A" else "A", "owner") if label == "A" else []:
            if secret in text:
                mismatches.append(f"{table} / {label} / {name} / {actor}: the answer contains {secret!r}")
        if label == "B":
            for secret in [*s.secrets["B"], "outsider@example.com"]:
                if secret in text:
                    mismatches.append(f"{table} / B / {name} / {actor}: the answer contains {secret!r}")
        if expected == got == NF:
            if name not in ghost_answers:
                ghost_answers[name], _ = await s.run(name, "outsider", s.targets["ghost"])
            if without_budget(body) != without_budget(ghost_answers[name]):
                mismatches.append(f"{table} / {label} / {name} / {actor}: NOT_FOUND tells an existing id apart")

    for name, row in CLOSED.items():
        for actor, expected in zip(ROLES, row, strict=True):
            await check("closed", "A", name, actor, expected)
    for actor in ROLES:
        opened, _ = await s.call(actor, OPEN, {"id": s.targets["A"].organization})
        assert cell(opened) == OK, opened
    for name, row in OPENED.items():
        for actor, expected in zip(ROLES, row, strict=True):
            await check("opened", "A", name, actor, expected)
            await check("opened", "B", name, actor, CLOSED[name][0])

    for name, row in STAFF.items():
        operation = STAFF_OPERATIONS[name]
        answers = await asyncio.gather(
            *(s.call(actor, operation.document, operation.variables) for actor in STAFF_ACTORS)
        )
        for actor, expected, (body, _) in zip(STAFF_ACTORS, row, answers, strict=True):
            if cell(body) != expected:
                mismatches.append(
                    f"staff / {name} / {actor}: expected {expected}, got {cell(body)}: {json.dumps(body)}"
                )

    assert not mismatches, f"{len(mismatches)} staff authorization cells disagree:\n" + "\n".join(mismatches)
    assert await state_of(s) == before
