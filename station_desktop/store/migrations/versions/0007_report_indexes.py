"""report indexes: a station's newest change found by an index, not by reading its log

Revision ID: 0007_report_indexes
Revises: 0006_audit
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0007_report_indexes'
down_revision: str | None = '0006_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_change_log_station_time', 'change_log', ['station_id', 'wall_time'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_change_log_station_time', table_name='change_log')
