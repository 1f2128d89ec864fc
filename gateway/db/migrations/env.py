from __future__ import annotations

from alembic import context

from gateway.db.base import Base
from gateway.db.models import __all__ as _models  # noqa: F401  (registers every table)

# gateway.db.migrate passes an open connection; Alembic's own CLI is not used.
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
