"""General conditions of contract: the versions (data, gateway/db/data/contract.json) and who accepted which.

A version is in force from midnight, Italian time, of its `effectiveFrom` day until the next one starts.
An organization accepts the version in force; accepting again changes nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert

from gateway.db.catalog_sync import CATALOG
from gateway.db.models import ContractAcceptance
from gateway.i18n import text
from resolvers import audit
from resolvers.context import Context
from resolvers.results import Outcome

DATA = CATALOG.with_name("contract.json")
# The contract is governed by Italian law: its dates are Italian calendar days.
LEGAL_TIME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Version:
    version: str
    effective_from: date
    title: str
    sections: tuple[Section, ...]

    def in_force_by(self, now: datetime) -> bool:
        return self.effective_from <= now.astimezone(LEGAL_TIME).date()


@dataclass(frozen=True, slots=True)
class Acceptance:
    version: str
    accepted_at: datetime
    accepted_by_name: str | None
    accepted_by_email: str | None


@dataclass(frozen=True, slots=True)
class ContractState:
    """What an organization sees: the version in force, and the latest one it accepted."""

    current: Version
    latest: Acceptance | None

    @property
    def accepted(self) -> bool:
        return self.latest is not None and self.latest.version == self.current.version


def _parse(raw: dict[str, Any]) -> Version:
    return Version(
        version=raw["version"],
        effective_from=date.fromisoformat(raw["effectiveFrom"]),
        title=raw["title"],
        sections=tuple(Section(s["heading"], s["text"]) for s in raw["sections"]),
    )


@cache
def versions() -> tuple[Version, ...]:
    """Every published version, oldest first."""
    parsed = [_parse(v) for v in json.loads(DATA.read_text("utf-8"))["versions"]]
    found = tuple(sorted(parsed, key=lambda v: v.effective_from))
    names = [v.version for v in found]
    dates = [v.effective_from for v in found]
    if len(set(names)) != len(names) or len(set(dates)) != len(dates):
        raise ValueError(f"{DATA.name}: versions and their dates must be unique")
    return found


def find(version: str) -> Version | None:
    return next((v for v in versions() if v.version == version), None)


def current_version(now: datetime) -> Version:
    """The version in force at `now`. The first published version predates the service, so there is one."""
    in_force = [v for v in versions() if v.in_force_by(now)]
    if not in_force:
        raise LookupError(f"{DATA.name}: no version is in force on {now.date().isoformat()}")
    return in_force[-1]


def _rank(version: str) -> int:
    names = [v.version for v in versions()]
    # A version dropped from the data file still counts as accepted, before every listed one.
    return names.index(version) if version in names else -1


async def state(ctx: Context, organization_id: uuid.UUID) -> ContractState:
    rows = await ctx.loaders.contract_acceptances_by_organization_id.load(organization_id) or []
    latest = max(rows, key=lambda r: (_rank(r.version), r.accepted_at), default=None)
    acceptance = (
        Acceptance(latest.version, latest.accepted_at, latest.full_name, latest.email) if latest is not None else None
    )
    return ContractState(current_version(ctx.clock.now()), acceptance)


async def accept(ctx: Context, organization_id: uuid.UUID, version: str) -> Outcome[uuid.UUID]:
    now = ctx.clock.now()
    chosen = find(version.strip())
    if chosen is None or not chosen.in_force_by(now):
        return Outcome.fail(
            "VERSION_UNKNOWN",
            text("There is no version “{version}” of the general conditions in force.", version=version),
            "input",
            "version",
        )
    current = current_version(now)
    if chosen != current:
        return Outcome.fail(
            "VERSION_OUTDATED",
            text("Version {old} has been replaced by {new}: accept that one.", old=chosen.version, new=current.version),
            "input",
            "version",
        )
    async with ctx.db.begin() as session:
        inserted = await session.scalar(
            insert(ContractAcceptance)
            .values(
                organization_id=organization_id, version=chosen.version, accepted_by_id=ctx.user_id, accepted_at=now
            )
            .on_conflict_do_nothing()
            .returning(ContractAcceptance.version)
        )
        if inserted is not None:
            audit.record(
                session, ctx, organization_id, "contract.accept", ("Organization", organization_id), version=inserted
            )
    return Outcome(organization_id)
