"""Authorization as a table: every organization field and mutation, for every role and right, in the caller's
own organization (A) and in another one (B), all through HTTP.

One scenario is built once (sign-ups cost argon2 time and the database is emptied after every test); every cell
of the tables is then asked in turn and every disagreement is collected, so one run lists all of them.

A cell is the outcome of one operation for one caller:
- ALLOW: no GraphQL `errors` (a mutation's userErrors still count as allowed, and are named in the cell);
- NOT_FOUND: the organization is not revealed; the answer must equal the one for ids that exist nowhere;
- FORBIDDEN: a member lacking a right or a role, and `extensions` names which one;
- UNAUTHENTICATED: no credentials.
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

from tests.orgs import INVITE, Person, join, organization, person

# ---------------------------------------------------------------------------------------------------------------
# The expected outcomes
# ---------------------------------------------------------------------------------------------------------------

OK = "ALLOW"
NF = "NOT_FOUND"
UN = "UNAUTHENTICATED"
MM = "FORBIDDEN missingRight=MANAGE_MEMBERS"
MO = "FORBIDDEN missingRight=MANAGE_ORGANIZATION"
RA = "FORBIDDEN missingRole=ADMIN"
RO = "FORBIDDEN missingRole=OWNER"
SELF = "ALLOW userErrors=CANNOT_CHANGE_SELF"  # authorized; the action itself is refused (it targets the caller)
TYPO = "ALLOW userErrors=CONFIRMATION_MISMATCH"  # authorized; the organization's name was typed wrong
LAST = "ALLOW userErrors=LAST_OWNER"  # authorized; the only owner cannot leave

# Who calls. Everyone but the outsider belongs to organization A; the outsider owns only organization B.
ACTORS = (
    "anonymous",  # no token
    "owner",  # OWNER of A
    "admin",  # ADMIN of A
    "member",  # MEMBER of A, no rights
    "manager",  # MEMBER of A with MANAGE_MEMBERS
    "accountant",  # MEMBER of A with VIEW_BILLING and PAY
    "orgmanager",  # MEMBER of A with MANAGE_ORGANIZATION
    "blocked",  # MEMBER of A, blocked with blockMember
    "outsider",  # OWNER of B, not a member of A
)

# Operations against organization A (the own organization of everyone but the outsider).
IN_A: dict[str, tuple[str, ...]] = {
    # operation                anonymous owner admin  member manager accountant orgmanager blocked outsider
    "organization.name":       (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "myMembership":            (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "members":                 (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "invitations":             (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "auditLog":                (UN,      OK,   OK,    RA,    RA,     RA,        RA,        NF,     NF),
    "leaveBlockers":           (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "deletionBlockers":        (UN,      OK,   RO,    RO,    RO,     RO,        RO,        NF,     NF),
    "legalRepresentative":     (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "node(Organization)":      (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "node(Member)":            (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "node(Invitation)":        (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "updateOrganization":      (UN,      OK,   OK,    MO,    MO,     MO,        OK,        NF,     NF),
    "setOrganizationLogo":     (UN,      OK,   OK,    MO,    MO,     MO,        OK,        NF,     NF),
    "removeOrganizationLogo":  (UN,      OK,   OK,    MO,    MO,     MO,        OK,        NF,     NF),
    "inviteMember":            (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "revokeInvitation":        (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "resendInvitation":        (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "updateMember":            (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "blockMember":             (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "unblockMember":           (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "removeMember":            (UN,      OK,   OK,    MM,    OK,     MM,        MM,        NF,     NF),
    "switchOrganization":      (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "updateMyNotifications":   (UN,      OK,   OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "leaveOrganization":       (UN,      LAST, OK,    OK,    OK,     OK,        OK,        NF,     NF),
    "transferOwnership":       (UN,      SELF, RO,    RO,    RO,     RO,        RO,        NF,     NF),
    "deleteOrganization":      (UN,      TYPO, RO,    RO,    RO,     RO,        RO,        NF,     NF),
}  # fmt: skip

# The same operations against organization B: nobody from A learns anything; its owner is the positive control.
IN_B: dict[str, tuple[str, ...]] = {
    # operation                anonymous owner admin  member manager accountant orgmanager blocked outsider
    "organization.name":       (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "myMembership":            (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "members":                 (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "invitations":             (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "auditLog":                (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "leaveBlockers":           (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "deletionBlockers":        (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "legalRepresentative":     (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "node(Organization)":      (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "node(Member)":            (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "node(Invitation)":        (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "updateOrganization":      (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "setOrganizationLogo":     (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "removeOrganizationLogo":  (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "inviteMember":            (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "revokeInvitation":        (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "resendInvitation":        (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "updateMember":            (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     SELF),
    "blockMember":             (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     SELF),
    "unblockMember":           (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     SELF),
    "removeMember":            (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     SELF),
    "switchOrganization":      (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "updateMyNotifications":   (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     OK),
    "leaveOrganization":       (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     LAST),
    "transferOwnership":       (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     SELF),
    "deleteOrganization":      (UN,      NF,   NF,    NF,    NF,     NF,        NF,        NF,     TYPO),
}  # fmt: skip

# What the product gets wrong today, by (operation, check); the tables above keep the correct behaviour. Checks:
# "outcome" (the cell), "indistinguishable" (a NOT_FOUND must read exactly like the one for ids that exist nowhere),
# "leak" (another tenant's data in the answer). Any other disagreement fails the test, and so does a listed bug
# that no longer shows anywhere.
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
    fresh_invitation: str = ""  # revoked: a new one for every cell


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


LOGO = tiny_png()
_emails = itertools.count()

OPERATIONS: dict[str, Operation] = {
    "organization.name": org_field("name"),
    "myMembership": org_field("myMembership { role }"),
    "members": org_field("members(first: 5) { totalCount }"),
    "invitations": org_field("invitations(first: 5) { edges { node { id } } }"),
    "auditLog": org_field("auditLog(first: 5) { edges { node { action } } }"),
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
}

# ---------------------------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------------------------

NAME_A = "Alfa Hosting Clienti Srl"
NAME_B = "Betulla Web Servizi Srl"

# Organization A's members besides its owner, with role and rights. "spare" is no actor: removeMember removes it.
MEMBERSHIPS: dict[str, tuple[str, list[str]]] = {
    "admin": ("ADMIN", []),
    "member": ("MEMBER", []),
    "manager": ("MEMBER", ["MANAGE_MEMBERS"]),
    "accountant": ("MEMBER", ["VIEW_BILLING", "PAY"]),
    "orgmanager": ("MEMBER", ["MANAGE_ORGANIZATION"]),
    "blocked": ("MEMBER", []),
    "spare": ("MEMBER", []),
}

MY_MEMBER_ID = "query($id: ID!) { organization(id: $id) { myMembership { id } } }"
ACCEPT_BY_ID = """mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { member { id } userErrors { code } } }"""
SET_LOGO = """mutation($id: ID!, $logo: String!) {
  setOrganizationLogo(input: {organizationId: $id, contentBase64: $logo}) { userErrors { code } } }"""
BLOCK = "mutation($id: ID!) { blockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"
UNBLOCK = "mutation($id: ID!) { unblockMember(input: {memberId: $id}) { member { status } userErrors { code } } }"


def ghost_id(type_name: str) -> str:
    return str(relay.GlobalID(type_name, str(uuid.uuid4())))


def outcome(body: dict[str, Any]) -> str:
    """A response reduced to a table cell."""
    if body.get("errors"):
        extensions = body["errors"][0].get("extensions") or {}
        code = extensions.get("code", "NO_CODE")
        if code == "FORBIDDEN":
            named = [f"{k}={extensions[k]}" for k in ("missingRight", "missingRole") if k in extensions]
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

    async def invite(
        self, inviter: str, organization_id: str, email: str, role: str = "MEMBER", rights: Sequence[str] = ()
    ) -> str:
        data = {"organizationId": organization_id, "email": email, "role": role, "rights": list(rights)}
        return (await self.ok(inviter, INVITE, {"input": data}))["inviteMember"]["invitation"]["id"]

    async def rejoin(self, target: Target, actor: str) -> None:
        """Bring back a member who left or was removed, as before (accepting by invitation id, logged in)."""
        invitation = await self.invite(target.owner, target.organization, self.people[actor].email, *MEMBERSHIPS[actor])
        accepted = await self.ok(actor, ACCEPT_BY_ID, {"input": {"invitationId": invitation}})
        target.members[actor] = accepted["acceptInvitation"]["member"]["id"]

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
        operation = OPERATIONS[name]
        body, text = await self.call(actor, operation.document, operation.variables(target))
        if outcome(body) == OK:
            await self.undo(name, actor, target)
        return body, text

    async def undo(self, name: str, actor: str, target: Target) -> None:
        if name == "blockMember":
            await self.ok(target.owner, UNBLOCK, {"id": target.members["member"]})
        elif name == "removeMember":
            await self.rejoin(target, "spare")
        elif name == "leaveOrganization":
            await self.rejoin(target, actor)
        elif name == "removeOrganizationLogo":
            await self.ok(target.owner, SET_LOGO, {"id": target.organization, "logo": LOGO})


async def build(client: httpx.AsyncClient) -> Scenario:
    s = Scenario(client)
    for actor in (*ACTORS[1:], "spare"):
        s.people[actor] = await person(client, f"{actor}@example.com", f"{actor.title()} Person")
    owner, outsider = s.people["owner"], s.people["outsider"]
    org_a = await organization(client, owner, NAME_A)
    org_b = await organization(client, outsider, NAME_B)
    members_a = {
        actor: await join(client, owner, org_a, s.people[actor], role=role, rights=rights)
        for actor, (role, rights) in MEMBERSHIPS.items()
    }
    blocking = await s.ok("owner", BLOCK, {"id": members_a["blocked"]})
    assert blocking["blockMember"]["member"]["status"] == "BLOCKED"
    for actor, org in (("owner", org_a), ("outsider", org_b)):
        await s.ok(actor, SET_LOGO, {"id": org, "logo": LOGO})  # so that there is a logo to remove
    members_a["owner"] = (await s.ok("owner", MY_MEMBER_ID, {"id": org_a}))["organization"]["myMembership"]["id"]
    owner_b = (await s.ok("outsider", MY_MEMBER_ID, {"id": org_b}))["organization"]["myMembership"]["id"]
    s.targets["A"] = Target(
        label="A",
        owner="owner",
        organization=org_a,
        name=NAME_A,
        members=members_a,
        pending_invitation=await s.invite("owner", org_a, "pending-a@example.net"),
    )
    # B has a single member, its owner: every member-aimed operation is aimed at that one membership.
    s.targets["B"] = Target(
        label="B",
        owner="outsider",
        organization=org_b,
        name=NAME_B,
        members=dict.fromkeys(("owner", "admin", "member", "spare"), owner_b),
        pending_invitation=await s.invite("outsider", org_b, "pending-b@example.net"),
    )
    s.targets["ghost"] = Target(
        label="ghost",
        owner="nobody",
        organization=ghost_id("Organization"),
        name="Nobody Srl",
        members=dict.fromkeys(("owner", "admin", "member", "spare"), ghost_id("Member")),
        pending_invitation=ghost_id("Invitation"),
        fresh_invitation=ghost_id("Invitation"),
    )
    return s


def secrets_of_others(label: str, actor: str) -> list[str]:
    """What another tenant owns, which this caller's answers about `label` must never contain."""
    if actor == "outsider" and label == "A":
        return [NAME_A, *(f"{a}@example.com" for a in (*ACTORS[1:-1], "spare")), "pending-a@example.net"]
    if actor not in ("anonymous", "outsider") and label == "B":
        return [NAME_B, "outsider@example.com", "pending-b@example.net"]
    return []


STATE = """query($id: ID!) { organization(id: $id) { name legalRepresentative { email }
  members(first: 20) { totalCount edges { node { email role rights status } } } } }"""


async def state_of(s: Scenario) -> tuple[Any, ...]:
    """Organization A as its owner sees it, but for what allowed cells change on purpose (phone, logo, topics)."""
    org = (await s.ok("owner", STATE, {"id": s.targets["A"].organization}))["organization"]
    members = sorted(json.dumps(edge["node"], sort_keys=True) for edge in org["members"]["edges"])
    return org["name"], org["legalRepresentative"], org["members"]["totalCount"], members


# ---------------------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------------------


def test_the_tables_cover_every_operation_and_actor():
    for table in (IN_A, IN_B):
        assert list(table) == list(OPERATIONS)
        assert {len(row) for row in table.values()} == {len(ACTORS)}


async def test_authorization_matrix(client):
    s = await build(client)
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
                for secret in secrets_of_others(label, actor):
                    if secret in text:
                        mismatches[(label, name, actor, "leak")] = f"the answer contains {secret!r}: {text}"
                if expected == got == NF:
                    # Asked once per operation: what a logged-in caller hears about ids that exist nowhere.
                    if name not in ghost_answers:
                        ghost_answers[name], _ = await s.run(name, "outsider", s.targets["ghost"])
                    ghost = ghost_answers[name]
                    if body != ghost:
                        mismatches[(label, name, actor, "indistinguishable")] = (
                            f"{json.dumps(body)} but for ids that exist nowhere {json.dumps(ghost)}"
                        )

    unexpected = [f"{' / '.join(k)}: {v}" for k, v in mismatches.items() if (k[1], k[3]) not in KNOWN_BUGS]
    seen = {(k[1], k[3]) for k in mismatches}
    fixed = [f"{' / '.join(k)}: no longer shows; remove it from KNOWN_BUGS" for k in KNOWN_BUGS if k not in seen]
    report = unexpected + fixed
    assert not report, f"{len(report)} authorization cells disagree:\n" + "\n".join(report)
    # Refused mutations changed nothing, and allowed ones were undone: the organization reads as before.
    assert await state_of(s) == before


NODE = "query($id: ID!) { node(id: $id) { id } }"


async def test_node_does_not_tell_an_outsider_which_ids_exist(client):
    owner = await person(client, "owner@example.com")
    outsider = await person(client, "outsider@example.com")
    existing = await organization(client, owner, NAME_A)
    seen = await outsider.gql(client, NODE, {"id": existing})
    missing = await outsider.gql(client, NODE, {"id": ghost_id("Organization")})
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert seen == missing
