"""audit chain: one HMAC-chained, append-only row per change-log entry and per event

Revision ID: 0006_audit
Revises: 0005_scan
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.types import UTCDateTime


revision: str = '0006_audit'
down_revision: str | None = '0005_scan'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Like the change log, the audit chain only grows (store.audit.GUARDS_* repeat these
# statements: `audit verify` checks that the triggers are still there as made here).
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('change_device_id', sa.Uuid(), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=True),
    sa.Column('seal', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_change', ['change_device_id', 'change_seq'], unique=False)
    op.create_table('audit_anchor',
    sa.Column('signing_key', sa.String(length=80), nullable=False),
    sa.Column('bundle_seq', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('signing_key', name=op.f('pk_audit_anchor'))
    )
    statements = (
        APPEND_ONLY_POSTGRESQL
        if op.get_bind().dialect.name == "postgresql"
        else APPEND_ONLY_SQLITE
    )
    for statement in statements:
        op.execute(statement)
    # The change-log entries written before the chain existed are chained by the
    # application on its first write (store.audit.chain_unsealed): a migration has no key.


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_update_delete ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_change')
    op.drop_table('audit_event')
    op.drop_table('audit_anchor')
