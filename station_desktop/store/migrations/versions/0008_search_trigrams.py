"""search trigrams on the bureau's server: a name searched from inside a syllable (the
linear scan of every resident's keys, when no key starts with the query) reads a trigram
index instead of 650,000 rows; SQLite (a station's few thousand) scans as before

Revision ID: 0008_search_trigrams
Revises: 0007_log_station_time
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_search_trigrams'
down_revision: str | None = '0007_log_station_time'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)
INDEX = 'ix_resident_search_keys_trgm'


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    # pg_trgm ships with PostgreSQL (Debian: postgresql-15) and is a trusted extension: a
    # database owner may create it. Where the bureau's role may not, search still works,
    # by the scan (README: the bureau's database).
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if available is None:
        log.warning("pg_trgm is not installed on the server: no trigram index for search")
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning("pg_trgm cannot be created here (%s): no trigram index for search", error)
        return
    savepoint.commit()
    op.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON resident_search USING gin (keys gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {INDEX}')
