from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gateway.db.base import Base
from gateway.db.migrate import head_revision


async def test_migrations_build_exactly_the_models(engine):
    """The models and the migrated database agree: no change can reach one without the other."""

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
        revision = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    assert differences == []
    assert revision == head_revision()
