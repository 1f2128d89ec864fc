from __future__ import annotations

from graphql import ObjectTypeDefinitionNode, parse

from gateway.graphql.schema import build_schema
from gateway.settings import PROJECT_ROOT

RULES = {
    "public",
    "authenticated",
    "member",
    "personal",
    "requires",
    "requiresAny",
    "requiresRole",
    "staff",
    "inherited",
}


def test_committed_sdl_matches_the_live_schema():
    committed = (PROJECT_ROOT / "schema.graphql").read_text()
    live = build_schema().as_str() + "\n"
    assert committed == live, "schema.graphql is stale: run `make schema` and review the diff"


def test_every_field_declares_exactly_one_rule():
    """Default deny: a field that exposes data without a declared rule fails the build.

    Exempt by construction: the Relay `id` of a Node (opaque, reveals nothing), and the
    fields of mutation payloads and user errors (the mutation itself carries the rule).
    """
    document = parse(build_schema().as_str())
    missing, doubled = [], []
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode):
            continue
        type_name = definition.name.value
        interfaces = {i.name.value for i in definition.interfaces or ()}
        if type_name.endswith("Payload") or "UserError" in interfaces:
            continue
        for field in definition.fields or ():
            if field.name.value == "id" and "Node" in interfaces:
                continue
            rules = [d.name.value for d in field.directives or () if d.name.value in RULES]
            if not rules:
                missing.append(f"{type_name}.{field.name.value}")
            elif len(rules) > 1:
                doubled.append(f"{type_name}.{field.name.value}")
    assert missing == [], f"fields without a rule: {missing}"
    assert doubled == [], f"fields with more than one rule: {doubled}"


def test_organization_data_is_guarded_by_membership_rules():
    document = parse(build_schema().as_str())
    organization = next(
        d for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Organization"
    )
    rules = {f.name.value: {d.name.value for d in f.directives or ()} for f in organization.fields or ()}
    assert rules["invitations"] == {"requires"}
    assert rules["auditLog"] == {"requiresRole"}
    assert rules["members"] == {"member"}


def test_staff_rules_sit_where_staff_read_and_customers_act():
    """Staff fields say `@staff`; what only customers do says `@customer`; what reads the caller's own
    membership says `@personal`. Exactly these fields, so a new one is a decision, not an accident."""
    document = parse(build_schema().as_str())
    marked: dict[str, set[str]] = {"staff": set(), "customer": set(), "personal": set()}
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode):
            for f in definition.fields or ():
                for d in f.directives or ():
                    if d.name.value in marked:
                        marked[d.name.value].add(f"{definition.name.value}.{f.name.value}")
    assert marked["customer"] == {
        "Mutation.createOrganization",
        "Mutation.acceptInvitation",
        "Mutation.declineInvitation",
        "Mutation.createPersonalAccessToken",
    }
    assert marked["personal"] == {"Organization.myMembership", "Organization.leaveBlockers"}
    assert {f for f in marked["staff"] if not f.startswith("StaffQuery.")} == {
        "Query.staff",
        "Mutation.staffRecordBankTransfer",
        "Mutation.staffMarkOrderPaid",
        "Mutation.staffGrantCredit",
        "Mutation.staffCreatePromoCode",
        "Mutation.addStaffMember",
        "Mutation.changeStaffRole",
        "Mutation.removeStaffMember",
    }
