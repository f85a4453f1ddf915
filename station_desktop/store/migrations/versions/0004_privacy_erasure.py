"""privacy: the day a consent was given; erasures (retention purges, ID numbers erased) and the log entries they emptied

The change log stays append-only, with one exception: an entry listed in `log_redaction`
may have the values of its `fields` changed (the same keys, every other column as it was),
so that personal values an erasure removed are gone from the log too.

Revision ID: 0004_privacy
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.types import UTCDateTime


revision: str = '0004_privacy'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "device_id", "seq", "hlc", "wall_time", "station_id", "actor_id", "action_id",
        "entity", "record_id", "op", "parents", "schema_version",
    )
)
REDACTABLE_SQLITE = [
    "DROP TRIGGER change_log_no_update",
    f"""CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
       WHEN NOT (
           EXISTS (SELECT 1 FROM log_redaction r
                   WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq)
           AND {_SQLITE_UNCHANGED}
           AND (SELECT group_concat(key, ',') FROM json_each(NEW.fields))
               IS (SELECT group_concat(key, ',') FROM json_each(OLD.fields)))
       BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
]
APPEND_ONLY_SQLITE = [
    "DROP TRIGGER change_log_no_update",
    """CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
       BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
]
_PG_UNCHANGED = " AND ".join(
    f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
    for column in (
        "device_id", "seq", "hlc", "wall_time", "station_id", "actor_id", "action_id",
        "entity", "record_id", "op", "schema_version",
    )
)
REDACTABLE_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION change_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
           IF TG_OP = 'UPDATE'
              AND EXISTS (SELECT 1 FROM log_redaction r
                          WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq)
              AND {_PG_UNCHANGED}
              AND NEW.parents::text = OLD.parents::text
              AND ARRAY(SELECT json_object_keys(NEW.fields::json))
                  = ARRAY(SELECT json_object_keys(OLD.fields::json))
           THEN RETURN NEW;
           END IF;
           RAISE EXCEPTION 'change_log is append-only';
       END $$""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION change_log_append_only() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'change_log is append-only'; END $$""",
]


def upgrade() -> None:
    op.create_table('erasure',
    sa.Column('target_entity', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('erased_on', sa.Date(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_erasure_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure'))
    )
    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_target_id'), ['target_id'], unique=False)

    op.create_table('log_redaction',
    sa.Column('device_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('erasure_id', sa.Uuid(), nullable=False),
    sa.Column('redacted_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'seq', name=op.f('pk_log_redaction'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in REDACTABLE_POSTGRESQL if dialect == "postgresql" else REDACTABLE_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)
    op.drop_table('log_redaction')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('consent_on')
    with op.batch_alter_table('erasure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_target_id'))
        batch_op.drop_index(batch_op.f('ix_erasure_station_id'))

    op.drop_table('erasure')
