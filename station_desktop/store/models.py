"""Typed SQLAlchemy 2.0 models (schema version 1).

Every replicated record (`Replicated` subclasses) has a UUID, the station and device it was
created on, created/updated instants, a tombstone flag instead of hard deletes, and `heads`:
the change-log entries (device:seq) that produced its current state. Records are written
only through `store.changes.ChangeRecorder`, which appends to `change_log` in the same
transaction; the ORM unit of work is closed for writes (see `store.engine`).

Codes are stored, never display text. Money is stored in fen (integer). Free text is stored
normalised, in the script the person typed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from station_desktop.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Length limits for the columns; the domain validators enforce the same numbers with a
# clear message before anything reaches the database.
NAME_LEN = 100
SHORT_LEN = 200
CODE_LEN = 40
PHONE_LEN = 40
TEXT_LEN = 20_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Replicated(Base):
    """Columns every synced record carries."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    origin_device_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    heads: Mapped[list[str]] = mapped_column(JSON, default=list)


class StationOwned(Replicated):
    __abstract__ = True

    @declared_attr
    def station_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805 - declared_attr convention
        return mapped_column(ForeignKey("station.id"), index=True)


# ---------------------------------------------------------------- reference data


class Station(Replicated):
    __tablename__ = "station"

    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    name_bo: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    name_zh: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    county_zh: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    county_bo: Mapped[str] = mapped_column(String(SHORT_LEN), default="")


class Area(StationOwned):
    """A village (村) or urban community (社区) served by a station."""

    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(CODE_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    name_bo: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    name_zh: Mapped[str] = mapped_column(String(SHORT_LEN), default="")


class Device(Base):
    """A laptop that has written changes. `tag` is a short label used in case numbers so
    that laptops of one station never hand out the same number while offline."""

    __tablename__ = "device"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    station_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("station.id"))
    tag: Mapped[str] = mapped_column(String(CODE_LEN))
    label: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    first_seen_at: Mapped[datetime]


class Staff(StationOwned):
    __tablename__ = "staff"

    name_bo: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    name_zh: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    role: Mapped[str] = mapped_column(String(CODE_LEN))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# ---------------------------------------------------------------- people


class Household(StationOwned):
    __tablename__ = "household"

    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id"), index=True)
    household_no: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    address: Mapped[str] = mapped_column(String(SHORT_LEN), default="")


class Resident(StationOwned):
    __tablename__ = "resident"
    __table_args__ = (Index("ix_resident_station_deleted", "station_id", "deleted"),)

    name_bo: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    name_zh: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    sex: Mapped[str | None] = mapped_column(String(CODE_LEN))
    ethnicity: Mapped[str | None] = mapped_column(String(CODE_LEN))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number: Mapped[str | None] = mapped_column(String(CODE_LEN), index=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_LEN))
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"), index=True)
    household_relation: Mapped[str | None] = mapped_column(String(CODE_LEN))
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id"), index=True)
    address: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    legal_basis: Mapped[str | None] = mapped_column(String(CODE_LEN))
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_note: Mapped[str] = mapped_column(Text, default="")
    guardian_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"))
    guardian_name: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    guardian_phone: Mapped[str | None] = mapped_column(String(PHONE_LEN))
    guardian_relation: Mapped[str | None] = mapped_column(String(CODE_LEN))
    notes: Mapped[str] = mapped_column(Text, default="")
    form_version: Mapped[int] = mapped_column(Integer, default=1)


class GroupMembership(StationOwned):
    """A resident's membership of a priority group over a period (end open while current)."""

    __tablename__ = "group_membership"

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    group: Mapped[str] = mapped_column(String(CODE_LEN), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    certificate_no: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    note: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- services


class HomeVisit(StationOwned):
    __tablename__ = "home_visit"
    __table_args__ = (Index("ix_home_visit_resident_date", "resident_id", "visit_date"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"))
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"))
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    visitor_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    companions: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    outcome: Mapped[str] = mapped_column(String(CODE_LEN))
    purpose: Mapped[str] = mapped_column(String(CODE_LEN))
    situation: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    services_note: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    next_visit_on: Mapped[date | None] = mapped_column(Date, index=True)
    form_version: Mapped[int] = mapped_column(Integer, default=1)


class FeedbackSheet(StationOwned):
    """A service satisfaction feedback sheet. The respondent may stay anonymous."""

    __tablename__ = "feedback_sheet"

    service_area: Mapped[str] = mapped_column(String(CODE_LEN))
    service_type: Mapped[str | None] = mapped_column(String(CODE_LEN))
    service_date: Mapped[date] = mapped_column(Date, index=True)
    collected_on: Mapped[date] = mapped_column(Date)
    collected_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    resident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resident.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_record.id"))
    sheet_no: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    comments: Mapped[str] = mapped_column(Text, default="")
    form_version: Mapped[int] = mapped_column(Integer, default=1)


class FeedbackRating(StationOwned):
    """One answered question of a sheet; an unanswered question has no row."""

    __tablename__ = "feedback_rating"
    __table_args__ = (UniqueConstraint("sheet_id", "dimension"),)

    sheet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_sheet.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(CODE_LEN))
    level: Mapped[int] = mapped_column(Integer)


class CaseRecord(StationOwned):
    """A case. `case_number` is unique per station and year and embeds the device tag."""

    __tablename__ = "case_record"
    __table_args__ = (UniqueConstraint("station_id", "case_year", "case_number"),)

    case_year: Mapped[int] = mapped_column(Integer)
    case_number: Mapped[str] = mapped_column(String(CODE_LEN))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    source: Mapped[str] = mapped_column(String(CODE_LEN))
    service_area: Mapped[str | None] = mapped_column(String(CODE_LEN))
    presenting_problem: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(CODE_LEN), index=True)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(String(CODE_LEN))
    closing_note: Mapped[str] = mapped_column(Text, default="")
    referral_to: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    referral_on: Mapped[date | None] = mapped_column(Date)
    referral_note: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    form_version: Mapped[int] = mapped_column(Integer, default=1)


class CaseStageChange(StationOwned):
    """Append-only history of a case's stage."""

    __tablename__ = "case_stage_change"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_record.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(CODE_LEN))
    to_stage: Mapped[str] = mapped_column(String(CODE_LEN))
    changed_on: Mapped[date] = mapped_column(Date)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class CaseNote(StationOwned):
    """Append-only progress note. A correction is a new note naming the one it corrects."""

    __tablename__ = "case_note"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_record.id"), index=True)
    written_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_note.id"))


class Activity(StationOwned):
    """A group-work session or community activity. Named attendance plus a head count."""

    __tablename__ = "activity"

    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    title: Mapped[str] = mapped_column(String(SHORT_LEN))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id"))
    service_area: Mapped[str | None] = mapped_column(String(CODE_LEN))
    description: Mapped[str] = mapped_column(Text, default="")
    headcount_other: Mapped[int] = mapped_column(Integer, default=0)
    form_version: Mapped[int] = mapped_column(Integer, default=1)


class Attendance(StationOwned):
    """A named resident at an activity; the id is derived from both (see `ids.attendance_id`)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("activity_id", "resident_id"),)

    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activity.id"), index=True)
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)


class SignInList(StationOwned):
    """The names printed on a sign-in list to tick (AC-02), in the order printed: a scanned
    list's ticks are matched back to the residents by their line."""

    __tablename__ = "sign_in_list"

    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activity.id"), index=True)
    resident_ids: Mapped[list[str]] = mapped_column(JSON)


class ScannedPage(StationOwned):
    """A page read back from a scan and entered: which sheet it was (`identity`, the QR
    code's, e.g. `SF-01:1:S:CG-BK:0042`), the record it went into, the raw measure of
    every box (the reading can be judged again with other thresholds) and the images of
    what was handwritten on it (PNG, base64: not read, kept for a person to type)."""

    __tablename__ = "scanned_page"
    __table_args__ = (Index("ix_scanned_page_identity", "identity", "page"),)

    identity: Mapped[str] = mapped_column(String(SHORT_LEN))
    page: Mapped[int] = mapped_column(Integer)
    form_code: Mapped[str] = mapped_column(String(CODE_LEN))
    form_version: Mapped[int] = mapped_column(Integer)
    record_kind: Mapped[str] = mapped_column(String(CODE_LEN))  # the record's table
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(SHORT_LEN), default="")  # file and page
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)  # a person settled boxes
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)
    images: Mapped[dict[str, Any]] = mapped_column(JSON)


class ResourceReceipt(StationOwned):
    """Resources brought in (five-society linkage): who gave what, how many, unit value."""

    __tablename__ = "resource_receipt"

    received_on: Mapped[date] = mapped_column(Date, index=True)
    donor_name: Mapped[str] = mapped_column(String(SHORT_LEN))
    donor_type: Mapped[str] = mapped_column(String(CODE_LEN))
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    item: Mapped[str] = mapped_column(String(SHORT_LEN))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    unit_value_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class ResourceHandout(StationOwned):
    """Resources handed to a resident (append-only)."""

    __tablename__ = "resource_handout"

    receipt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("resource_receipt.id"))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    handed_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    item: Mapped[str] = mapped_column(String(SHORT_LEN))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    unit_value_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    handed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- reports as sent


class SubmittedReport(StationOwned):
    """A statistics report as it was sent to the bureau: its figures (the report's JSON)
    and its PDF, byte for byte, never changed afterwards. A later report of the same period
    and stations is compared with the latest of them (what changed since, and why)."""

    __tablename__ = "submitted_report"
    __table_args__ = (Index("ix_submitted_report_period", "period_start", "period_end"),)

    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    station_codes: Mapped[list[str]] = mapped_column(JSON)  # sorted: the report's scope
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    format_version: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # Report.to_json()
    # Base64: the change log that carries every record to other laptops is JSON.
    pdf_base64: Mapped[str] = mapped_column(Text)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


# ---------------------------------------------------------------- privacy


class Erasure(StationOwned):
    """Personal values removed from a record (a retention purge, or a withdrawn resident's
    ID number) and from the change-log entries that carried them (`changes`, device:seq).

    It travels like any record: a laptop that receives it empties the same values in its
    own copy of those entries, whenever they reach it (services.privacy)."""

    __tablename__ = "erasure"

    target_entity: Mapped[str] = mapped_column(String(CODE_LEN))
    target_id: Mapped[uuid.UUID] = mapped_column(index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(CODE_LEN))
    erased_on: Mapped[date] = mapped_column(Date)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)


class LogRedaction(Base):
    """A change-log entry whose personal values were emptied by an erasure. The log's
    append-only trigger lets an entry's `fields` change only when it is listed here (and
    nothing else of it); never replicated: each laptop redacts its own copy."""

    __tablename__ = "log_redaction"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    erasure_id: Mapped[uuid.UUID]
    redacted_at: Mapped[datetime]


# ---------------------------------------------------------------- change log and local state


class ChangeLogEntry(Base):
    """One saved edit of one record, append-only (UPDATE and DELETE are refused by triggers).

    Identified by (device_id, seq): seq counts 1, 2, 3… per device, so a receiver knows
    exactly which changes it holds (a version vector). `hlc` is a hybrid logical clock
    (physical ms << 16 | counter) that only breaks ties between concurrent edits; causal
    order comes from `parents`, the heads of the record this edit was based on.
    `fields` holds the new values of the changed fields only, JSON-encoded.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_record", "entity", "record_id"),
        Index("ix_change_log_action", "action_id"),
        # A station's newest change (the report's "received until") without reading its log.
        Index("ix_change_log_station_time", "station_id", "wall_time"),
    )

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hlc: Mapped[int] = mapped_column(BigInteger)
    wall_time: Mapped[datetime]
    station_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    action_id: Mapped[uuid.UUID]
    entity: Mapped[str] = mapped_column(String(CODE_LEN))
    record_id: Mapped[uuid.UUID]
    op: Mapped[str] = mapped_column(String(10))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    parents: Mapped[list[str]] = mapped_column(JSON, default=list)
    schema_version: Mapped[int] = mapped_column(Integer)


class LocalState(Base):
    """Facts about this installation (device id, clock, station). Never replicated."""

    __tablename__ = "local_state"

    key: Mapped[str] = mapped_column(String(CODE_LEN), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """One link of the audit chain (store.audit): what was done, by whom, to which record,
    with the names of the fields, never their values. Append-only (triggers refuse UPDATE
    and DELETE); local to this database, never replicated and never copied by a load.

    `mac` is HMAC(key, previous link's mac || this link); `seal` is a keyed MAC of the
    whole change-log entry a link stands for (values included, so an edited log entry is
    found without the audit keeping any personal value)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_change", "change_device_id", "change_seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(CODE_LEN))
    entity: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    entity_id: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    change_device_id: Mapped[uuid.UUID | None]
    change_seq: Mapped[int | None] = mapped_column(BigInteger)
    seal: Mapped[str] = mapped_column(String(64), default="")
    mac: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """The last audit-chain head another installation sent in a bundle: its next bundle's
    head must still hold it (store.audit.check_peer_head), or its chain lost its tail."""

    __tablename__ = "audit_anchor"

    signing_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    bundle_seq: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]


# ---------------------------------------------------------------- sync (never replicated)


class TrustedInstallation(Base):
    """Another installation whose bundles this one accepts, and to which it sends.

    An installation is known by its signing key (it keeps the key when its device id is
    renewed after a restore); `device_ids` lists the device ids it has written under.
    Trusted by a person who compared fingerprints, by the bureau's signed list, or on
    introduction by a trusted installation of the same station."""

    __tablename__ = "trusted_installation"

    signing_key: Mapped[str] = mapped_column(String(CODE_LEN * 2), primary_key=True)
    age_recipient: Mapped[str] = mapped_column(String(CODE_LEN * 3))
    device_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    role: Mapped[str] = mapped_column(String(CODE_LEN))
    station_id: Mapped[uuid.UUID | None]
    station_code: Mapped[str] = mapped_column(String(CODE_LEN), default="")
    label: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    trusted_by: Mapped[str] = mapped_column(String(CODE_LEN))
    trusted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ReceivedBundle(Base):
    """A bundle already imported: receiving it again changes nothing."""

    __tablename__ = "received_bundle"

    bundle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    signing_key: Mapped[str] = mapped_column(String(CODE_LEN * 2), index=True)
    source_device_id: Mapped[uuid.UUID]
    bundle_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    entries: Mapped[int] = mapped_column(BigInteger)
    new_entries: Mapped[int] = mapped_column(BigInteger)


class PeerHolding(Base):
    """What another installation is known to hold (from the last bundle it sent here):
    per origin device, ranges of sequence numbers. A bundle for it leaves those out."""

    __tablename__ = "peer_holding"

    signing_key: Mapped[str] = mapped_column(String(CODE_LEN * 2), primary_key=True)
    holds: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class SyncConflict(Base):
    """A field two laptops changed without seeing each other's change (derived from the
    change log each time a record is merged; resolving it is an ordinary change)."""

    __tablename__ = "sync_conflict"

    entity: Mapped[str] = mapped_column(String(CODE_LEN), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(CODE_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    heads: Mapped[list[str]] = mapped_column(JSON, default=list)
    detected_at: Mapped[datetime]


class PendingRecord(Base):
    """A record whose changes arrived but that cannot be shown yet: what it refers to (a
    resident, a case) has not arrived, or its first entry is missing."""

    __tablename__ = "pending_record"

    entity: Mapped[str] = mapped_column(String(CODE_LEN), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(CODE_LEN))
    waiting_for: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    since: Mapped[datetime]


class ResidentSearch(Base):
    """Derived search keys of a resident (rebuilt from the record; never replicated)."""

    __tablename__ = "resident_search"
    # The resident list pages through these in name order (keyset paging). `deleted` is
    # deliberately not a leading column: SQLite would then drive searches from this index
    # (a scan of every resident, 30x slower) instead of from the key table.
    __table_args__ = (
        Index("ix_resident_search_sort_zh", "sort_zh", "resident_id"),
        Index("ix_resident_search_sort_bo", "sort_bo", "resident_id"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[uuid.UUID] = mapped_column(index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    keys: Mapped[str] = mapped_column(Text)
    sort_bo: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    sort_zh: Mapped[str] = mapped_column(String(SHORT_LEN), default="")


class ResidentSearchKey(Base):
    """One search key of a resident, indexed: exact and prefix matches are B-tree range
    scans instead of a pass over every resident (derived, never replicated)."""

    __tablename__ = "resident_search_key"
    # Covering index: a prefix lookup never has to visit the table.
    __table_args__ = (Index("ix_resident_search_key_key", "key", "resident_id", "whole_name"),)

    resident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resident_search.resident_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(SHORT_LEN), primary_key=True)
    whole_name: Mapped[bool] = mapped_column(Boolean)


def table_of(model: type[Base]) -> Table:
    """The model's Table (typed: `__table__` is declared as a general FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


REPLICATED_MODELS: dict[str, type[Replicated]] = {
    mapper.class_.__tablename__: mapper.class_
    for mapper in Base.registry.mappers
    if issubclass(mapper.class_, Replicated)
}
