"""submitted reports: a report kept as it was sent to the bureau

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.types import UTCDateTime


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('submitted_report',
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('station_codes', sa.JSON(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_by_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('pdf_base64', sa.Text(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_submitted_report_station_id_station')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['staff.id'], name=op.f('fk_submitted_report_submitted_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submitted_report'))
    )
    with op.batch_alter_table('submitted_report', schema=None) as batch_op:
        batch_op.create_index('ix_submitted_report_period', ['period_start', 'period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_submitted_report_station_id'), ['station_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submitted_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submitted_report_station_id'))
        batch_op.drop_index('ix_submitted_report_period')

    op.drop_table('submitted_report')
