"""Alembic environment. The application always passes an open connection in
`config.attributes["connection"]` (see `store.migrate`); nothing here creates an engine."""

from __future__ import annotations

from alembic import context

from station_desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded: we never run alembic's own CLI here
    raise RuntimeError("run migrations through station_desktop.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
