"""The provider's staff: platform roles, and what a staff member sees of an organization they open.

Staff hold no membership. A staff read of an organization names a reason and is written to that organization's
audit log; for `VIEW_LIFETIME` after that entry, the staff member reads it through the same types customers use,
as a member holding `VIEW_RIGHTS` on every product would. Nothing that needs a role (owners, admins) and no
customer mutation opens to staff. Money and staff management have their own mutations, each guarded by the least
role below.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

import strawberry

from gateway.i18n import N_, Text
from permissions.rights import Right


@strawberry.enum(description="A platform role of the provider's staff; each includes the ones before it.")
class StaffRole(Enum):
    SUPPORT_AGENT = "SUPPORT_AGENT"  # reads organizations, members, products, orders, invoices
    BILLING_STAFF = "BILLING_STAFF"  # also records bank transfers, marks orders paid, grants credits, promo codes
    SUPERADMIN = "SUPERADMIN"  # also manages staff

    @property
    def rank(self) -> int:
        return {StaffRole.SUPPORT_AGENT: 1, StaffRole.BILLING_STAFF: 2, StaffRole.SUPERADMIN: 3}[self]

    def includes(self, other: StaffRole) -> bool:
        return self.rank >= other.rank


# How long an organization stays open to the staff member who opened it with a reason (the audit entry that
# records the reason is what opens it): a support session, not a standing right.
VIEW_LIFETIME = timedelta(minutes=30)
VIEW_ACTION = "staff.view"

# What an organization opened by staff shows them, whatever their role: reads, never the rights that write.
VIEW_RIGHTS = frozenset({Right.VIEW_PRODUCTS, Right.VIEW_BILLING, Right.SUPPORT})

STAFF_ROLE_NAMES = {
    StaffRole.SUPPORT_AGENT: N_("support agent"),
    StaffRole.BILLING_STAFF: N_("billing staff"),
    StaffRole.SUPERADMIN: N_("superadmin"),
}


def staff_role_name(role: StaffRole) -> Text:
    return Text(STAFF_ROLE_NAMES[role])
