"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.types import UTCDateTime


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The change log is append-only: sync and the audit trail depend on it never changing.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
       BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
    """CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
       BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'change_log is append-only'; END $$""",
    """CREATE TRIGGER change_log_no_update_delete BEFORE UPDATE OR DELETE ON change_log
       FOR EACH ROW EXECUTE FUNCTION change_log_append_only()""",
]


def upgrade() -> None:
    op.create_table('change_log',
    sa.Column('device_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hlc', sa.BigInteger(), nullable=False),
    sa.Column('wall_time', UTCDateTime(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action_id', sa.Uuid(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('parents', sa.JSON(), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'seq', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_action', ['action_id'], unique=False)
        batch_op.create_index('ix_change_log_record', ['entity', 'record_id'], unique=False)

    op.create_table('local_state',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_local_state'))
    )
    op.create_table('station',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name_bo', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('county_zh', sa.String(length=200), nullable=False),
    sa.Column('county_bo', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('code', name=op.f('uq_station_code'))
    )
    op.create_table('area',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name_bo', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_area_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('code', name=op.f('uq_area_code'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_station_id'), ['station_id'], unique=False)

    op.create_table('device',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('first_seen_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_device_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device'))
    )
    op.create_table('resource_receipt',
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('donor_name', sa.String(length=200), nullable=False),
    sa.Column('donor_type', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('unit_value_fen', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_resource_receipt_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_receipt'))
    )
    with op.batch_alter_table('resource_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_receipt_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_receipt_station_id'), ['station_id'], unique=False)

    op.create_table('staff',
    sa.Column('name_bo', sa.String(length=100), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_staff_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_station_id'), ['station_id'], unique=False)

    op.create_table('activity',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('area_id', sa.Uuid(), nullable=True),
    sa.Column('service_area', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('headcount_other', sa.Integer(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_activity_area_id_area')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_activity_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_station_id'), ['station_id'], unique=False)

    op.create_table('household',
    sa.Column('area_id', sa.Uuid(), nullable=True),
    sa.Column('household_no', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_household_area_id_area')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_household_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_station_id'), ['station_id'], unique=False)

    op.create_table('resident',
    sa.Column('name_bo', sa.String(length=100), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=40), nullable=True),
    sa.Column('ethnicity', sa.String(length=40), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_number', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('household_relation', sa.String(length=40), nullable=True),
    sa.Column('area_id', sa.Uuid(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('legal_basis', sa.String(length=40), nullable=True),
    sa.Column('consent_note', sa.Text(), nullable=False),
    sa.Column('guardian_id', sa.Uuid(), nullable=True),
    sa.Column('guardian_name', sa.String(length=100), nullable=False),
    sa.Column('guardian_phone', sa.String(length=40), nullable=True),
    sa.Column('guardian_relation', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_resident_area_id_area')),
    sa.ForeignKeyConstraint(['guardian_id'], ['resident.id'], name=op.f('fk_resident_guardian_id_resident')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_resident_household_id_household')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_resident_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_id_number'), ['id_number'], unique=False)
        batch_op.create_index('ix_resident_station_deleted', ['station_id', 'deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_station_id'), ['station_id'], unique=False)

    op.create_table('attendance',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_attendance_activity_id_activity')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_attendance_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_attendance_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('activity_id', 'resident_id', name=op.f('uq_attendance_activity_id_resident_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_station_id'), ['station_id'], unique=False)

    op.create_table('case_record',
    sa.Column('case_year', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=40), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('worker_id', sa.Uuid(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('service_area', sa.String(length=40), nullable=True),
    sa.Column('presenting_problem', sa.Text(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closing_reason', sa.String(length=40), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.Column('referral_to', sa.String(length=200), nullable=False),
    sa.Column('referral_on', sa.Date(), nullable=True),
    sa.Column('referral_note', sa.Text(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_case_record_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_case_record_station_id_station')),
    sa.ForeignKeyConstraint(['worker_id'], ['staff.id'], name=op.f('fk_case_record_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_record')),
    sa.UniqueConstraint('station_id', 'case_year', 'case_number', name=op.f('uq_case_record_station_id_case_year_case_number'))
    )
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_record_opened_on'), ['opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_station_id'), ['station_id'], unique=False)

    op.create_table('group_membership',
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('group', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('certificate_no', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_group_membership_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_group_membership_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_membership'))
    )
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_membership_group'), ['group'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_membership_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_membership_station_id'), ['station_id'], unique=False)

    op.create_table('home_visit',
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('visitor_ids', sa.JSON(), nullable=False),
    sa.Column('companions', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('services_note', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=False),
    sa.Column('next_visit_on', sa.Date(), nullable=True),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_home_visit_household_id_household')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_home_visit_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_home_visit_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visit'))
    )
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visit_next_visit_on'), ['next_visit_on'], unique=False)
        batch_op.create_index('ix_home_visit_resident_date', ['resident_id', 'visit_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_visit_date'), ['visit_date'], unique=False)

    op.create_table('resident_search',
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('keys', sa.Text(), nullable=False),
    sa.Column('sort_bo', sa.String(length=100), nullable=False),
    sa.Column('sort_zh', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_search_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_resident_search'))
    )
    with op.batch_alter_table('resident_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_search_station_id'), ['station_id'], unique=False)
        batch_op.create_index('ix_resident_search_sort_zh', ['sort_zh', 'resident_id'], unique=False)
        batch_op.create_index('ix_resident_search_sort_bo', ['sort_bo', 'resident_id'], unique=False)

    op.create_table('resident_search_key',
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('whole_name', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident_search.resident_id'], name=op.f('fk_resident_search_key_resident_id_resident_search'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resident_id', 'key', name=op.f('pk_resident_search_key'))
    )
    with op.batch_alter_table('resident_search_key', schema=None) as batch_op:
        batch_op.create_index('ix_resident_search_key_key', ['key', 'resident_id', 'whole_name'], unique=False)

    op.create_table('resource_handout',
    sa.Column('receipt_id', sa.Uuid(), nullable=True),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('handed_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('unit_value_fen', sa.BigInteger(), nullable=False),
    sa.Column('handed_by_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['handed_by_id'], ['staff.id'], name=op.f('fk_resource_handout_handed_by_id_staff')),
    sa.ForeignKeyConstraint(['receipt_id'], ['resource_receipt.id'], name=op.f('fk_resource_handout_receipt_id_resource_receipt')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resource_handout_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_resource_handout_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_handout'))
    )
    with op.batch_alter_table('resource_handout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_handout_handed_on'), ['handed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_handout_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_handout_station_id'), ['station_id'], unique=False)

    op.create_table('case_note',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Uuid(), nullable=True),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], name=op.f('fk_case_note_author_id_staff')),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_note_case_id_case_record')),
    sa.ForeignKeyConstraint(['corrects_id'], ['case_note.id'], name=op.f('fk_case_note_corrects_id_case_note')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_case_note_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_note_station_id'), ['station_id'], unique=False)

    op.create_table('case_stage_change',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('from_stage', sa.String(length=40), nullable=True),
    sa.Column('to_stage', sa.String(length=40), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('changed_by_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_stage_change_case_id_case_record')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['staff.id'], name=op.f('fk_case_stage_change_changed_by_id_staff')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_case_stage_change_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_stage_change'))
    )
    with op.batch_alter_table('case_stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_stage_change_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_stage_change_station_id'), ['station_id'], unique=False)

    op.create_table('feedback_sheet',
    sa.Column('service_area', sa.String(length=40), nullable=False),
    sa.Column('service_type', sa.String(length=40), nullable=True),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('collected_by_id', sa.Uuid(), nullable=True),
    sa.Column('resident_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('sheet_no', sa.String(length=40), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_feedback_sheet_case_id_case_record')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['staff.id'], name=op.f('fk_feedback_sheet_collected_by_id_staff')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_feedback_sheet_resident_id_resident')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_feedback_sheet_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_sheet'))
    )
    with op.batch_alter_table('feedback_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_sheet_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_sheet_service_date'), ['service_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_sheet_station_id'), ['station_id'], unique=False)

    op.create_table('feedback_rating',
    sa.Column('sheet_id', sa.Uuid(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('origin_device_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['sheet_id'], ['feedback_sheet.id'], name=op.f('fk_feedback_rating_sheet_id_feedback_sheet')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_feedback_rating_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_rating')),
    sa.UniqueConstraint('sheet_id', 'dimension', name=op.f('uq_feedback_rating_sheet_id_dimension'))
    )
    with op.batch_alter_table('feedback_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_rating_sheet_id'), ['sheet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_rating_station_id'), ['station_id'], unique=False)



    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER change_log_no_update_delete ON change_log")
        op.execute("DROP FUNCTION change_log_append_only()")
    else:
        op.execute("DROP TRIGGER change_log_no_update")
        op.execute("DROP TRIGGER change_log_no_delete")
    with op.batch_alter_table('feedback_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_rating_station_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_rating_sheet_id'))

    op.drop_table('feedback_rating')
    with op.batch_alter_table('feedback_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_sheet_station_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_sheet_service_date'))
        batch_op.drop_index(batch_op.f('ix_feedback_sheet_resident_id'))

    op.drop_table('feedback_sheet')
    with op.batch_alter_table('case_stage_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_stage_change_station_id'))
        batch_op.drop_index(batch_op.f('ix_case_stage_change_case_id'))

    op.drop_table('case_stage_change')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_station_id'))
        batch_op.drop_index(batch_op.f('ix_case_note_case_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('resource_handout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_handout_station_id'))
        batch_op.drop_index(batch_op.f('ix_resource_handout_resident_id'))
        batch_op.drop_index(batch_op.f('ix_resource_handout_handed_on'))

    op.drop_table('resource_handout')
    with op.batch_alter_table('resident_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_search_station_id'))
        batch_op.drop_index('ix_resident_search_sort_zh')
        batch_op.drop_index('ix_resident_search_sort_bo')

    with op.batch_alter_table('resident_search_key', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_search_key_key')

    op.drop_table('resident_search_key')
    op.drop_table('resident_search')
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_visit_visit_date'))
        batch_op.drop_index(batch_op.f('ix_home_visit_station_id'))
        batch_op.drop_index('ix_home_visit_resident_date')
        batch_op.drop_index(batch_op.f('ix_home_visit_next_visit_on'))

    op.drop_table('home_visit')
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_membership_station_id'))
        batch_op.drop_index(batch_op.f('ix_group_membership_resident_id'))
        batch_op.drop_index(batch_op.f('ix_group_membership_group'))

    op.drop_table('group_membership')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_record_station_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_stage'))
        batch_op.drop_index(batch_op.f('ix_case_record_resident_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_opened_on'))

    op.drop_table('case_record')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_station_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_resident_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_activity_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_station_id'))
        batch_op.drop_index('ix_resident_station_deleted')
        batch_op.drop_index(batch_op.f('ix_resident_id_number'))
        batch_op.drop_index(batch_op.f('ix_resident_household_id'))
        batch_op.drop_index(batch_op.f('ix_resident_area_id'))

    op.drop_table('resident')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_station_id'))
        batch_op.drop_index(batch_op.f('ix_household_area_id'))

    op.drop_table('household')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_station_id'))
        batch_op.drop_index(batch_op.f('ix_activity_held_on'))

    op.drop_table('activity')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_station_id'))

    op.drop_table('staff')
    with op.batch_alter_table('resource_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_receipt_station_id'))
        batch_op.drop_index(batch_op.f('ix_resource_receipt_received_on'))

    op.drop_table('resource_receipt')
    op.drop_table('device')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_station_id'))

    op.drop_table('area')
    op.drop_table('station')
    op.drop_table('local_state')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_record')
        batch_op.drop_index('ix_change_log_action')

    op.drop_table('change_log')
