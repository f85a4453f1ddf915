"""scanned pages and sign-in lists to tick: the pages read back from scans (their boxes'
measures, the images of their handwriting) and the names printed on a list to tick

Revision ID: 0005_scan
Revises: 0004_privacy
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.types import UTCDateTime


revision: str = '0005_scan'
down_revision: str | None = '0004_privacy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scanned_page',
    sa.Column('identity', sa.String(length=200), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=40), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_scanned_page_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scanned_page'))
    )
    with op.batch_alter_table('scanned_page', schema=None) as batch_op:
        batch_op.create_index('ix_scanned_page_identity', ['identity', 'page'], unique=False)
        batch_op.create_index(batch_op.f('ix_scanned_page_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scanned_page_station_id'), ['station_id'], unique=False)

    op.create_table('sign_in_list',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('resident_ids', sa.JSON(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_sign_in_list_activity_id_activity')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_sign_in_list_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_list'))
    )
    with op.batch_alter_table('sign_in_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_list_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_list_station_id'), ['station_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sign_in_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_list_station_id'))
        batch_op.drop_index(batch_op.f('ix_sign_in_list_activity_id'))

    op.drop_table('sign_in_list')
    with op.batch_alter_table('scanned_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scanned_page_station_id'))
        batch_op.drop_index(batch_op.f('ix_scanned_page_record_id'))
        batch_op.drop_index('ix_scanned_page_identity')

    op.drop_table('scanned_page')
