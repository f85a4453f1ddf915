"""sync state: trusted installations, bundles received, what peers hold, conflicts and
records waiting for what they refer to (all local to an installation, never replicated)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import station_desktop.store.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('peer_holding',
    sa.Column('signing_key', sa.String(length=80), nullable=False),
    sa.Column('holds', sa.JSON(), nullable=False),
    sa.Column('updated_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('signing_key', name=op.f('pk_peer_holding'))
    )
    op.create_table('pending_record',
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('waiting_for', sa.String(length=200), nullable=False),
    sa.Column('since', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entity', 'record_id', name=op.f('pk_pending_record'))
    )
    op.create_table('received_bundle',
    sa.Column('bundle_id', sa.Uuid(), nullable=False),
    sa.Column('signing_key', sa.String(length=80), nullable=False),
    sa.Column('source_device_id', sa.Uuid(), nullable=False),
    sa.Column('bundle_seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entries', sa.BigInteger(), nullable=False),
    sa.Column('new_entries', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('bundle_id', name=op.f('pk_received_bundle'))
    )
    with op.batch_alter_table('received_bundle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_bundle_signing_key'), ['signing_key'], unique=False)

    op.create_table('sync_conflict',
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.Column('detected_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entity', 'record_id', 'field', name=op.f('pk_sync_conflict'))
    )
    op.create_table('trusted_installation',
    sa.Column('signing_key', sa.String(length=80), nullable=False),
    sa.Column('age_recipient', sa.String(length=120), nullable=False),
    sa.Column('device_ids', sa.JSON(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('station_code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('trusted_by', sa.String(length=40), nullable=False),
    sa.Column('trusted_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', station_desktop.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('signing_key', name=op.f('pk_trusted_installation'))
    )


def downgrade() -> None:
    op.drop_table('trusted_installation')
    op.drop_table('sync_conflict')
    with op.batch_alter_table('received_bundle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_bundle_signing_key'))

    op.drop_table('received_bundle')
    op.drop_table('pending_record')
    op.drop_table('peer_holding')
