"""USB sync as a person uses it: key cards and trust, sending and receiving bundles, and
the conflicts a person resolves.

Receiving checks every file completely before anything is written (decryption, frame,
signature, trust, every entry and whether its maker may make it), then merges it in one
transaction: the new change-log entries are added (insert if absent: twice or in any order
gives the same set), the records they touch are recomputed from their entries
(sync.merge), and the report says what came in, from whom, what is new, what conflicts,
what is still missing and whose clock looks wrong. Sending writes one file holding what
the recipients are not known to hold, signed by this installation and encrypted to them.
"""

from __future__ import annotations

import platform
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from station_desktop import __version__
from station_desktop.domain.idcard import mask_id_number
from station_desktop.errors import (
    FieldError,
    NotFound,
    StationError,
    StationNotConfigured,
    ValidationError,
)
from station_desktop.forms.spec import FieldSpec
from station_desktop.forms.validate import Cleaned, clean_field
from station_desktop.i18n import N_, Label
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.context import ServiceContext
from station_desktop.services.stations import StationService
from station_desktop.store import audit
from station_desktop.store.changes import (
    OP_INSERT,
    SCHEMA_VERSION,
    ChangeRecorder,
    WriterIdentity,
    decode_value,
    encode_value,
    get_local_state,
    logged_columns,
    set_local_state,
    unit_of_work,
)
from station_desktop.store.device import device_tag_for
from station_desktop.store.erasure import apply_erasures
from station_desktop.store.installation import (
    ROLE_BUREAU,
    ROLE_KEY,
    ROLE_STATION,
    installation_role,
)
from station_desktop.store.migrate import SCHEMA_HEAD, known_revisions
from station_desktop.store.models import (
    REPLICATED_MODELS,
    ChangeLogEntry,
    PeerHolding,
    PendingRecord,
    ReceivedBundle,
    Resident,
    Staff,
    Station,
    SyncConflict,
    TrustedInstallation,
    table_of,
)
from station_desktop.store.reference_seed import REFERENCE_DEVICE, is_reference_entry
from station_desktop.sync import ledger
from station_desktop.sync.bundle import (
    SIGNATURE_CONTEXT,
    BundleRefused,
    check_file,
    read_bundle,
    write_bundle,
)
from station_desktop.sync.entries import (
    FORMS_OF_TABLES,
    BadEntry,
    Entry,
    checked_entry_row,
    entry_json,
    parse_entry,
)
from station_desktop.sync.keys import (
    InstallationKeys,
    KeyCard,
    load_or_create_keys,
    read_card,
    verify,
)
from station_desktop.sync.merge import (
    KIND_NOTE_ON_CLOSED,
    KIND_WITHDRAWN,
    MERGE_CHUNK,
    LogEntry,
    Merger,
    MergeResult,
    ancestor_sets,
    chunks,
    dependency_order,
    insert_rows,
    load_entries,
    merge_records,
)

BUNDLE_SEQ_KEY = "bundle_seq"
FORMAT = 1
BATCH = 2000
# ... or fewer when the entries are large (a page of notes each): the rows of a batch,
# JSON-encoded for the insert, are held at once.
BATCH_BYTES = 4 << 20
# A bundle whose lines come to no more than this is written from the entries its checking
# reading parsed (a station's day of work: a few MB); a larger one is read a second time,
# batch by batch, so that memory stays bounded whatever its size.
KEEP_BYTES = 8 << 20
# A laptop whose changes are dated more than a day ahead of this one's clock has a wrong
# date: its changes are taken, the clock here is not moved by them, and the report says so.
CLOCK_SLACK = timedelta(hours=24)

TRUSTED_BY_PERSON = "person"
TRUSTED_BY_BUREAU = "bureau"
INTRODUCED = "introduced"

MSG_OWN_CARD = N_("This is this laptop's own key card.")
MSG_NO_RECIPIENTS = N_(
    "There is nobody to send to: this laptop trusts no other laptop of its station and "
    "no bureau yet. Trust their key cards first with {command}."
)
MSG_CHOOSE_RECIPIENTS = N_("Choose whom the bundle is for with {option}.")
MSG_UNKNOWN_RECIPIENT = N_("No trusted laptop or station matches {value}.")
MSG_NO_STATION_YET = N_(
    "This laptop has not chosen its station yet, so it has nothing of its own to send. "
    "Choose the station first with {command}."
)
# Fields holding whole ID card numbers: masked in conflict views like everywhere else.
ID_NUMBER_FIELDS = frozenset({("resident", "id_number")})
MSG_NOT_A_CONFLICT = N_("There is no such conflict (it may have been resolved already).")
MSG_NOT_A_HEAD = N_("{value} is not one of the values in this conflict.")
MSG_KEEP_OR_VALUE = N_("Give the value to keep with {keep}, or type another with {value}.")
MSG_OTHER_STATION_CARD = N_(
    "This key card belongs to another station ({station}); this laptop only exchanges "
    "bundles with its own station and the bureau."
)
MSG_UNKNOWN_INSTALLATION = N_("No trusted laptop matches {value}.")

# What a report calls the things it counts per origin.
STATUS_IMPORTED = "imported"
STATUS_ALREADY = "already received"
STATUS_REFUSED = "refused"


# ---------------------------------------------------------------- plain values


@dataclass(frozen=True)
class TrustedInfo:
    card: KeyCard
    trusted_by: str
    trusted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class SendSummary:
    path: Path
    bytes: int
    entries: int
    recipients: list[str]
    per_station: dict[str, int]


@dataclass
class OriginCount:
    device_tag: str
    station: str
    new: int = 0
    known: int = 0


@dataclass(frozen=True)
class Gap:
    device_tag: str
    station: str
    first: int
    last: int


@dataclass(frozen=True)
class ClockWarning:
    device_tag: str
    station: str
    newest: datetime


@dataclass
class ReceiveReport:
    path: Path
    status: str
    refusal: StationError | None = None
    signer: str = ""
    entries: int = 0
    new_entries: int = 0
    origins: list[OriginCount] = field(default_factory=list)
    new_records: int = 0
    updated_records: int = 0
    conflicts: int = 0
    pending: int = 0
    gaps: list[Gap] = field(default_factory=list)
    clock_warnings: list[ClockWarning] = field(default_factory=list)
    audit_warning: audit.PeerWarning | None = None  # the signer's audit trail lost entries


@dataclass(frozen=True)
class ConflictValue:
    change_id: str
    value: Any
    actor: str
    device_tag: str
    station: str
    wall_time: datetime
    clock_suspect: bool


@dataclass(frozen=True)
class ConflictView:
    id: str
    entity: str
    record_id: uuid.UUID
    record: str
    field: str
    kind: str
    shown: Any
    values: list[ConflictValue]
    base: Any
    history: list[ConflictValue]


@dataclass
class _Verified:
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signer: KeyCard
    entries: int = 0
    # The checked entries, in file order, when the bundle is small enough to keep them
    # (KEEP_BYTES); None when the writing must read the file again.
    kept: list[Entry] | None = None


class _AlreadyReceived(Exception):
    pass


@dataclass(frozen=True)
class _Origin:
    role: str
    station_id: uuid.UUID | None


# ---------------------------------------------------------------- the service


class SyncService:
    def __init__(self, ctx: ServiceContext, keys_path: Path, *, label: str | None = None) -> None:
        self.ctx = ctx
        self.keys_path = keys_path
        self.label = (label if label is not None else platform.node())[:100]
        self._keys: InstallationKeys | None = None

    # ------------------------------------------------------------ who this is

    def role(self) -> str:
        with self.ctx.db.read() as session:
            return installation_role(session)

    def set_role(self, role: str) -> None:
        """Make this installation the bureau's (it may then write reference data and
        receive every station), or a station's again."""
        self.ctx.require(Resource.STATION, Action.CREATE)
        if role not in (ROLE_STATION, ROLE_BUREAU):
            raise ValidationError([FieldError("role", N_("Choose one of the listed options."))])
        with self.ctx.db.write_session() as session:
            set_local_state(session, ROLE_KEY, role)
        # Who acts depends on whose installation this is (until sign-in: services.stations).
        StationService(self.ctx).act_as_stand_in()

    def keys(self) -> InstallationKeys:
        if self._keys is None:
            # Sealed under the data key on an encrypted store; plain (file mode only) on
            # the bureau's PostgreSQL server, which has none (sync.keys).
            self._keys = load_or_create_keys(self.keys_path, self.ctx.db.key)
        return self._keys

    def _station(self) -> tuple[uuid.UUID | None, str]:
        try:
            station_id: uuid.UUID | None = self.ctx.station_id()
        except StationNotConfigured:
            station_id = None
        with self.ctx.db.read() as session:
            code = (
                session.execute(select(Station.code).where(Station.id == station_id)).scalar()
                if station_id
                else None
            )
        return station_id, code or ""

    def card(self) -> KeyCard:
        keys = self.keys()
        station_id, code = self._station()
        role = self.role()
        return KeyCard(
            device_id=self.ctx.device_id,
            role=role,
            station_id=None if role == ROLE_BUREAU else station_id,
            station_code="" if role == ROLE_BUREAU else code,
            label=self.label,
            signing_key=keys.signing_key,
            age_recipient=keys.age_recipient,
        )

    def write_card(self, path: Path) -> KeyCard:
        self.ctx.require(Resource.KEYS, Action.READ)
        import json  # noqa: PLC0415

        from station_desktop.store.files import write_atomically  # noqa: PLC0415

        card = self.card()
        text = json.dumps(card.to_json(), ensure_ascii=False, indent=2) + "\n"
        write_atomically(path, text.encode("utf-8"))
        return card

    # ------------------------------------------------------------ trust

    def read_card(self, path: Path) -> KeyCard:
        return read_card(path)

    def trust(self, card: KeyCard, *, by: str = TRUSTED_BY_PERSON) -> None:
        """Accept bundles from (and send bundles to) the installation of `card`."""
        self.ctx.require(Resource.KEYS, Action.CREATE)
        if card.signing_key == self.keys().signing_key:
            raise ValidationError([FieldError("card", MSG_OWN_CARD)])
        station_id, _code = self._station()
        if (
            self.role() == ROLE_STATION
            and card.role == ROLE_STATION
            and station_id is not None
            and card.station_id is not None
            and card.station_id != station_id
        ):
            raise ValidationError(
                [FieldError("card", MSG_OTHER_STATION_CARD, {"station": card.station_code})]
            )
        if self.role() == ROLE_STATION and card.role == ROLE_STATION and card.station_id is None:
            # A new laptop not yet set up, trusted by a laptop of a station: it is enrolled
            # for that station, and may later write for it only.
            card = replace(card, station_id=station_id)
        with self.ctx.db.write_session() as session:
            self._remember(session, card, by, revoked_at=None)

    def _remember(
        self, session: Session, card: KeyCard, by: str, *, revoked_at: datetime | None
    ) -> None:
        table = table_of(TrustedInstallation)
        row = session.execute(
            select(TrustedInstallation).where(TrustedInstallation.signing_key == card.signing_key)
        ).scalar_one_or_none()
        devices = sorted({*(row.device_ids if row else []), str(card.device_id)})
        values: dict[str, Any] = {
            "age_recipient": card.age_recipient,
            "device_ids": devices,
            "role": card.role,
            "station_id": card.station_id,
            "station_code": card.station_code,
            "label": card.label,
        }
        if row is None:
            session.execute(
                insert(table).values(
                    signing_key=card.signing_key,
                    trusted_by=by,
                    trusted_at=self.ctx.clock(),
                    revoked_at=revoked_at,
                    **values,
                )
            )
            return
        if by == TRUSTED_BY_PERSON:
            values["trusted_by"] = by
            values["revoked_at"] = None  # trusted again by a person, on purpose
        elif revoked_at is not None:
            values["revoked_at"] = revoked_at
        session.execute(
            update(table).where(table.c.signing_key == card.signing_key).values(**values)
        )

    def _trusted_rows(self, session: Session) -> list[TrustedInstallation]:
        rows = list(session.scalars(select(TrustedInstallation)))
        for row in rows:
            session.expunge(row)
        return rows

    @staticmethod
    def _card_of(row: TrustedInstallation) -> KeyCard:
        return KeyCard(
            device_id=uuid.UUID(row.device_ids[-1]) if row.device_ids else uuid.UUID(int=0),
            role=row.role,
            station_id=row.station_id,
            station_code=row.station_code,
            label=row.label,
            signing_key=row.signing_key,
            age_recipient=row.age_recipient,
        )

    def trusted(self) -> list[TrustedInfo]:
        self.ctx.require(Resource.KEYS, Action.READ)
        with self.ctx.db.read() as session:
            rows = self._trusted_rows(session)
        return [
            TrustedInfo(self._card_of(r), r.trusted_by, r.trusted_at, r.revoked_at)
            for r in sorted(rows, key=lambda r: (r.role, r.station_code, r.label))
        ]

    def _match(self, rows: Sequence[TrustedInstallation], value: str) -> list[TrustedInstallation]:
        wanted = value.strip().upper()
        return [
            row
            for row in rows
            if wanted
            and (
                self._card_of(row).fingerprint.startswith(wanted)
                or row.station_code.upper() == wanted
                or any(d.upper().startswith(wanted) for d in row.device_ids)
                or any(device_tag_for(uuid.UUID(d)) == wanted for d in row.device_ids)
            )
        ]

    def revoke(self, value: str) -> list[KeyCard]:
        """Withdraw trust from an installation (a lost or replaced laptop): its new
        bundles are refused here, and the withdrawal travels in this laptop's bundles."""
        self.ctx.require(Resource.KEYS, Action.DELETE)
        with self.ctx.db.write_session() as session:
            rows = self._match(self._trusted_rows(session), value)
            if not rows:
                raise NotFound(kind=Label(N_("laptop")), record_id=value)
            table = table_of(TrustedInstallation)
            for row in rows:
                session.execute(
                    update(table)
                    .where(table.c.signing_key == row.signing_key)
                    .values(revoked_at=self.ctx.clock())
                )
            return [self._card_of(row) for row in rows]

    # ------------------------------------------------------------ sending

    def _recipients(self, session: Session, to: Sequence[str] | None) -> list[TrustedInstallation]:
        rows = [r for r in self._trusted_rows(session) if r.revoked_at is None]
        if to:
            chosen: dict[str, TrustedInstallation] = {}
            for value in to:
                matched = self._match(rows, value)
                if not matched:
                    raise ValidationError(
                        [FieldError("to", MSG_UNKNOWN_RECIPIENT, {"value": value})]
                    )
                chosen.update({row.signing_key: row for row in matched})
            return list(chosen.values())
        if self.role() == ROLE_BUREAU:
            raise ValidationError([FieldError("to", MSG_CHOOSE_RECIPIENTS, {"option": "--to"})])
        station_id, _code = self._station()
        found = [r for r in rows if r.role == ROLE_BUREAU or r.station_id == station_id]
        if not found:
            raise StationError(MSG_NO_RECIPIENTS, command="station-desktop keys trust CARD-FILE")
        return found

    def export(
        self,
        path: Path,
        *,
        full: bool = False,
        to: Sequence[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SendSummary:
        """One bundle for the chosen (or the usual) recipients: everything they are not
        known to hold, or everything with `full`."""
        self.ctx.require(Resource.BUNDLE, Action.CREATE)
        keys = self.keys()
        card = self.card()
        if card.role == ROLE_STATION and card.station_id is None:
            raise StationError(MSG_NO_STATION_YET, command="station-desktop setup --station CODE")
        with self.ctx.db.read() as session:
            recipients = self._recipients(session, to)
            held = ledger.holdings(session)
            wanted = held
            if not full:
                peers = {
                    row.signing_key: ledger.from_json(row.holds)
                    for row in session.scalars(select(PeerHolding))
                }
                wanted = {}
                for recipient in recipients:
                    lacking = ledger.missing_for(peers.get(recipient.signing_key, {}), held)
                    wanted = ledger.union(wanted, lacking)
            stations = None
            if card.role == ROLE_BUREAU:
                stations = {r.station_id for r in recipients if r.role == ROLE_STATION}
                if any(r.role == ROLE_BUREAU for r in recipients):
                    stations = None  # another bureau installation receives everything
            lines, counts, per_station = self._entry_lines(session, wanted, stations)
            codes: dict[uuid.UUID | None, str] = _station_codes(session)
            next_seq = int(self.ctx.installation.get(session, BUNDLE_SEQ_KEY) or 0) + 1
            head = audit.head_for_bundle(session)
            bundle_id = str(uuid.uuid4())
            manifest = {
                "format": FORMAT,
                "bundle_id": bundle_id,
                "bundle_seq": next_seq,
                "created_at": self.ctx.clock().astimezone(UTC).isoformat(),
                "app_version": __version__,
                "schema_revision": SCHEMA_HEAD,
                "entry_schema": SCHEMA_VERSION,
                "signer": card.to_json(),
                "recipients": sorted(r.signing_key for r in recipients),
                "holdings": ledger.to_json(held),
                "installations": self._introductions(session, card),
                "counts": dict(sorted(counts.items())),
                # This chain's head: the receiver keeps it, so a tail deleted here later
                # is found there (store.audit.check_peer_head).
                "audit": head,
            }
            written = write_bundle(
                path, manifest, lines, keys, [r.age_recipient for r in recipients]
            )
        with self.ctx.db.write_session() as session:
            self.ctx.installation.set(session, BUNDLE_SEQ_KEY, str(next_seq))
            audit.remember_sent_head(session, head)
            audit.record_event(
                session,
                actor_id=self.ctx.actor_id,
                action=audit.EXPORT,
                entity="bundle",
                entity_id=bundle_id,
                fields=sorted(counts),
                at=self.ctx.clock(),
            )
        if progress is not None:
            progress(written.entries, written.entries)
        return SendSummary(
            path=path,
            bytes=written.bytes,
            entries=written.entries,
            recipients=[
                " ".join(p for p in (r.station_code, r.label) if p) or r.role for r in recipients
            ],
            per_station={codes.get(k, "") or "-": v for k, v in per_station.items()},
        )

    def _entry_lines(
        self,
        session: Session,
        wanted: ledger.Holdings,
        stations: set[uuid.UUID | None] | None,
    ) -> tuple[list[bytes], dict[str, int], dict[uuid.UUID | None, int]]:
        log = table_of(ChangeLogEntry)
        lines: list[bytes] = []
        counts: dict[str, int] = defaultdict(int)
        per_station: dict[uuid.UUID | None, int] = defaultdict(int)
        for device, ranges in sorted(wanted.items(), key=lambda item: str(item[0])):
            for low, high in ranges:
                query = (
                    select(log)
                    .where(log.c.device_id == device, log.c.seq.between(low, high))
                    .order_by(log.c.seq)
                )
                if stations is not None:
                    query = query.where(
                        or_(
                            log.c.station_id.in_([s for s in stations if s is not None]),
                            log.c.station_id.is_(None),
                            log.c.entity == "station",
                        )
                    )
                for row in session.execute(query).mappings():
                    lines.append(entry_json(dict(row)))
                    counts[row["entity"]] += 1
                    per_station[row["station_id"]] += 1
        return lines, counts, per_station

    def _introductions(self, session: Session, card: KeyCard) -> list[dict[str, Any]]:
        """The installations this one vouches for, travelling with its bundles: a station
        laptop names those of its own station; the bureau names every one (its signed
        list). Withdrawn ones travel too, marked, so the withdrawal reaches everyone."""
        rows = self._trusted_rows(session)
        if card.role == ROLE_STATION:
            rows = [r for r in rows if r.role == ROLE_STATION and r.station_id == card.station_id]
        return [
            {
                **self._card_of(r).to_json(),
                "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
            }
            for r in rows
            if r.trusted_by != INTRODUCED or card.role == ROLE_BUREAU
        ]

    # ------------------------------------------------------------ receiving

    def import_bundles(
        self,
        paths: Sequence[Path],
        progress: Callable[[str, int, int], None] | None = None,
        *,
        starting: Callable[[int], None] | None = None,
    ) -> list[ReceiveReport]:
        """Receive the files, each under a savepoint of its own: a refused file changes
        nothing and does not stop the others. Files may come in any order, and again. On a
        laptop's file all of them in one transaction, not one a file: the pages the files'
        records share (the search keys' index above all, which every file's residents touch
        all over) are written and synced once, where a transaction a file wrote most of them
        again for each file. `progress` is told the file's path, changes done and in all;
        `starting`, the position of each file as its turn comes."""
        self.ctx.require(Resource.BUNDLE, Action.IMPORT)
        reports: list[ReceiveReport] = []
        identity = self.keys().identity
        # A database shared by the bureau's laptops takes a transaction a file: the others'
        # saves then wait for one file (seconds), not for the whole receive (minutes).
        groups = [[path] for path in paths] if self.ctx.db.is_server else [list(paths)]
        for group in groups:
            with self.ctx.db.write_session() as session:
                # The chain's key made outside the files' savepoints, which may roll back.
                audit.chain_key(session, create=True)
                for path in group:
                    if starting is not None:
                        starting(len(reports))
                    try:
                        with session.begin_nested():
                            reports.append(self._import_one(session, path, identity, progress))
                    except BundleRefused as refusal:
                        reports.append(ReceiveReport(path, STATUS_REFUSED, refusal))
        return reports

    def _origins(self, session: Session) -> dict[uuid.UUID, _Origin]:
        origins: dict[uuid.UUID, _Origin] = {}
        for row in self._trusted_rows(session):
            for device in row.device_ids:
                origins[uuid.UUID(device)] = _Origin(row.role, row.station_id)
        card = self.card()
        origins[self.ctx.device_id] = _Origin(card.role, card.station_id)
        return origins

    def _import_one(
        self,
        session: Session,
        path: Path,
        identity: Any,
        progress: Callable[[str, int, int], None] | None,
    ) -> ReceiveReport:
        check_file(path)
        try:
            verified = self._verify(session, path, identity)
        except _AlreadyReceived:
            return ReceiveReport(path, STATUS_ALREADY)
        return self._apply(session, path, identity, verified, progress)

    def _check_manifest(
        self,
        session: Session,
        path: Path,
        manifest: dict[str, Any],
        manifest_bytes: bytes,
        signature: bytes,
    ) -> KeyCard:
        def refuse(message: str, **params: Any) -> BundleRefused:
            return BundleRefused(message, path=str(path), **params)

        if manifest.get("format") != FORMAT:
            raise refuse(
                BundleRefused.NEWER if _newer(manifest.get("format")) else BundleRefused.DAMAGED
            )
        try:
            signer = KeyCard.from_json(manifest.get("signer"))
        except (ValueError, TypeError):
            raise refuse(BundleRefused.DAMAGED) from None
        if not verify(signer.signing_key, signature, SIGNATURE_CONTEXT + manifest_bytes):
            raise refuse(BundleRefused.TAMPERED)
        entry_schema = manifest.get("entry_schema")
        revision = manifest.get("schema_revision")
        if (
            not isinstance(entry_schema, int)
            or entry_schema > SCHEMA_VERSION
            or (revision != SCHEMA_HEAD and revision not in known_revisions())
        ):
            raise refuse(BundleRefused.NEWER)
        row = session.execute(
            select(TrustedInstallation).where(TrustedInstallation.signing_key == signer.signing_key)
        ).scalar_one_or_none()
        if row is None:
            raise refuse(
                BundleRefused.UNKNOWN_SIGNER,
                device=" ".join(p for p in (signer.station_code, signer.label) if p),
                fingerprint=signer.fingerprint,
                command="station-desktop keys trust CARD-FILE",
            )
        if row.revoked_at is not None:
            raise refuse(BundleRefused.REVOKED, device=signer.label or signer.station_code)
        if signer.role != row.role or (
            row.station_id is not None and signer.station_id != row.station_id
        ):
            raise refuse(BundleRefused.NOT_ALLOWED, reason=Label(N_("role or station")))
        if not isinstance(manifest.get("bundle_id"), str):
            raise refuse(BundleRefused.DAMAGED)
        try:
            bundle_id = uuid.UUID(manifest["bundle_id"])
            ledger.from_json(manifest.get("holdings"))
            datetime.fromisoformat(str(manifest.get("created_at")))
            if not isinstance(manifest.get("bundle_seq"), int):
                raise ValueError("bundle_seq")
            if not isinstance(manifest.get("installations"), list):
                raise ValueError("installations")
        except (ValueError, TypeError):
            raise refuse(BundleRefused.DAMAGED) from None
        if session.get(ReceivedBundle, bundle_id) is not None:
            raise _AlreadyReceived
        return signer

    def _entry_check(
        self, session: Session, path: Path
    ) -> tuple[Callable[[KeyCard], None], Callable[[bytes, int], Entry]]:
        """What both readings of a bundle check: each entry is well formed and its maker
        may make it (a station's laptops only for their station). The first callable is
        told the signer once the manifest is checked."""
        origins = self._origins(session)
        signer_origin: list[_Origin] = []

        def know_signer(signer: KeyCard) -> None:
            origin = _Origin(signer.role, signer.station_id)
            signer_origin.append(origin)
            # What the signer is now (checked against what it was trusted as) decides for
            # every device it has written under.
            trusted = session.get(TrustedInstallation, signer.signing_key)
            for device in {*(trusted.device_ids if trusted else []), str(signer.device_id)}:
                origins[uuid.UUID(device)] = origin

        def check(line: bytes, number: int) -> Entry:
            try:
                entry = parse_entry(line, number)
            except BadEntry as bad:
                raise BundleRefused(
                    BundleRefused.BAD_CONTENT, path=str(path), line=number, reason=bad.reason
                ) from None
            reason = _not_allowed(entry, origins.get(entry.device_id, signer_origin[0]))
            if reason:
                raise BundleRefused(BundleRefused.NOT_ALLOWED, path=str(path), reason=Label(reason))
            return entry

        return know_signer, check

    def _verify(self, session: Session, path: Path, identity: Any) -> _Verified:
        """The first reading: check everything, write nothing; keep the checked entries
        when they are few enough (KEEP_BYTES). In the receive's transaction, which sees
        what the files before this one brought (a device list, the same file twice)."""
        holder: list[_Verified] = []
        kept: list[Entry] | None = []
        kept_bytes = 0
        know_signer, check = self._entry_check(session, path)

        def on_manifest(manifest: dict[str, Any], raw: bytes, signature: bytes) -> None:
            signer = self._check_manifest(session, path, manifest, raw, signature)
            holder.append(_Verified(manifest, raw, signer))
            know_signer(signer)

        def check_and_keep(line: bytes, number: int) -> None:
            nonlocal kept, kept_bytes
            entry = check(line, number)
            if kept is None:
                return
            kept_bytes += len(line)
            if kept_bytes > KEEP_BYTES:
                kept = None  # too large to hold: the writing reads the file again
            else:
                kept.append(entry)

        read_bundle(path, identity, on_manifest, check_and_keep)
        verified = holder[0]
        verified.entries = int(verified.manifest.get("entries") or 0)
        verified.kept = kept
        return verified

    def _apply(
        self,
        session: Session,
        path: Path,
        identity: Any,
        verified: _Verified,
        progress: Callable[[str, int, int], None] | None,
    ) -> ReceiveReport:
        """The writing, in the import's one transaction: the entries the first reading
        checked, as it kept them, or read a second time from the file (a large bundle).
        Should the file have changed since, the signed hash of its payload no longer
        matches at the second reading's end, and the transaction is rolled back whole."""
        now = self.ctx.clock()
        report = ReceiveReport(path, STATUS_IMPORTED)
        new_ranges: dict[str, ledger.Holdings] = defaultdict(dict)
        origins: dict[tuple[str, str], OriginCount] = {}
        newest_by_device: dict[uuid.UUID, datetime] = {}
        station_of_device: dict[uuid.UUID, str] = {}
        max_hlc = 0
        batch: list[Entry] = []
        stations: dict[uuid.UUID | None, str] = _station_codes(session)
        arrived: set[uuid.UUID] = set()  # records with new entries (for the erasures)
        latest = now + CLOCK_SLACK
        latest_ms = int(latest.timestamp() * 1000)
        # Per (device, station) of an entry, the report's line it counts on.
        counted: dict[tuple[uuid.UUID, uuid.UUID | None], OriginCount] = {}
        # The new entries as parsed, for the merge, when the bundle is small enough that
        # its entries were kept anyway (a large one's are read back from the log).
        new_entries: dict[tuple[str, uuid.UUID], list[LogEntry]] | None = (
            defaultdict(list) if verified.kept is not None else None
        )

        def origin_count(device: uuid.UUID, station: uuid.UUID | None) -> OriginCount:
            key = (device_tag_for(device), stations.get(station, "") or "-")
            count = counted[device, station] = origins.setdefault(key, OriginCount(*key))
            return count

        def flush() -> None:
            nonlocal max_hlc
            new = _insert_new(session, batch, now)
            fresh: dict[str, dict[uuid.UUID, list[int]]] = defaultdict(lambda: defaultdict(list))
            for entry in batch:
                row = entry.row
                device = row["device_id"]
                count = counted.get((device, row["station_id"])) or origin_count(
                    device, row["station_id"]
                )
                if (device, row["seq"]) in new:
                    count.new += 1
                    arrived.add(row["record_id"])
                    fresh[row["entity"]][device].append(row["seq"])
                    if new_entries is not None:
                        new_entries[row["entity"], row["record_id"]].append(_log_entry(row))
                else:
                    count.known += 1
                wall = row["wall_time"]
                if wall > latest:
                    newest_by_device[device] = max(wall, newest_by_device.get(device, wall))
                    station_of_device[device] = count.station
                elif (row["hlc"] >> 16) <= latest_ms:
                    max_hlc = max(max_hlc, row["hlc"])
            for entity, by_device in fresh.items():
                added = {device: ledger.ranges_of(seqs) for device, seqs in by_device.items()}
                new_ranges[entity] = ledger.union(new_ranges[entity], added)
            report.entries += len(batch)
            report.new_entries += len(new)
            if progress is not None:
                progress(str(path), report.entries, verified.entries)
            batch.clear()

        def on_manifest(manifest: dict[str, Any], raw: bytes, signature: bytes) -> None:
            del manifest, signature
            if raw != verified.manifest_bytes:
                raise BundleRefused(BundleRefused.TAMPERED, path=str(path))

        batch_bytes = 0

        def on_line(line: bytes, number: int) -> None:
            nonlocal batch_bytes
            try:
                batch.append(checked_entry_row(line, number))
            except BadEntry:  # the file changed since it was checked
                raise BundleRefused(BundleRefused.TAMPERED, path=str(path)) from None
            batch_bytes += len(line)
            if len(batch) >= BATCH or batch_bytes >= BATCH_BYTES:
                flush()
                batch_bytes = 0

        if verified.kept is not None:
            for start in range(0, len(verified.kept), BATCH):
                batch.extend(verified.kept[start : start + BATCH])
                flush()
            verified.kept = None  # written: let them go before the merge
        else:
            read_bundle(path, identity, on_manifest, on_line)
        flush()
        merged = self._merge_new(session, new_ranges, now, new_entries)
        new_entries = None
        # Values erased on another laptop leave this laptop's log too (services.privacy).
        apply_erasures(session, arrived, now)
        self._after_import(session, verified, now, report, max_hlc)
        report.signer = " ".join(
            p for p in (verified.signer.station_code, verified.signer.label) if p
        )
        report.origins = sorted(origins.values(), key=lambda o: (o.station, o.device_tag))
        report.new_records = merged.inserted
        report.updated_records = merged.updated
        report.conflicts = _count(session, SyncConflict)
        report.pending = _count(session, PendingRecord)
        report.gaps = self._gaps(session, stations)
        report.clock_warnings = [
            ClockWarning(device_tag_for(d), station_of_device[d], t)
            for d, t in sorted(newest_by_device.items())
        ]
        return report

    def _merge_new(
        self,
        session: Session,
        new_ranges: Mapping[str, ledger.Holdings],
        now: datetime,
        new_entries: Mapping[tuple[str, uuid.UUID], Sequence[LogEntry]] | None = None,
    ) -> MergeResult:
        """Recompute, table by table in the order references need, the records the new
        entries touch, and those still waiting from earlier imports: a chunk at a time, so
        a bundle of any size is merged in bounded memory."""
        log = table_of(ChangeLogEntry)
        merger = Merger(session, now, self.ctx.keys, new_entries)
        for entity in dependency_order():
            waiting = list(
                session.scalars(
                    select(PendingRecord.record_id).where(PendingRecord.entity == entity)
                )
            )
            # A record written once is not merged again for another of its new entries in
            # a later chunk (an edit far from its insert in the bundle): its state already
            # came from all its entries. One held back is tried again.
            written: set[uuid.UUID] = set()
            for chunk in chunks(waiting, MERGE_CHUNK):
                merger.merge(entity, chunk)
                written |= merger.written
            for device, ranges in new_ranges.get(entity, {}).items():
                for low, high in ranges:
                    for start in range(low, high + 1, MERGE_CHUNK):
                        ids = session.scalars(
                            select(log.c.record_id)
                            .where(
                                log.c.device_id == device,
                                log.c.seq.between(start, min(high, start + MERGE_CHUNK - 1)),
                                log.c.entity == entity,
                            )
                            .distinct()
                        ).all()
                        ids = [record_id for record_id in ids if record_id not in written]
                        if ids:
                            merger.merge(entity, ids)
                            written |= merger.written
        return merger.result

    def _after_import(
        self,
        session: Session,
        verified: _Verified,
        now: datetime,
        report: ReceiveReport,
        max_hlc: int,
    ) -> None:
        manifest, signer = verified.manifest, verified.signer
        self._learn_installations(session, signer, manifest.get("installations") or [])
        # The signer keeps its key when its device id changes (a restore): remember both.
        self._remember(session, signer, INTRODUCED, revoked_at=None)
        holds = ledger.to_json(ledger.from_json(manifest["holdings"]))
        peer = session.get(PeerHolding, signer.signing_key)
        if peer is None:
            session.execute(
                insert(PeerHolding).values(
                    signing_key=signer.signing_key, holds=holds, updated_at=now
                )
            )
        else:
            merged = ledger.union(ledger.from_json(peer.holds), ledger.from_json(holds))
            session.execute(
                update(PeerHolding)
                .where(PeerHolding.signing_key == signer.signing_key)
                .values(holds=ledger.to_json(merged), updated_at=now)
            )
        session.execute(
            insert(ReceivedBundle).values(
                bundle_id=uuid.UUID(manifest["bundle_id"]),
                signing_key=signer.signing_key,
                source_device_id=signer.device_id,
                bundle_seq=int(manifest["bundle_seq"]),
                created_at=datetime.fromisoformat(manifest["created_at"]),
                received_at=now,
                entries=report.entries,
                new_entries=report.new_entries,
            )
        )
        report.audit_warning = audit.check_peer_head(
            session, signer.signing_key, int(manifest["bundle_seq"]), manifest.get("audit"), now
        )
        audit.record_event(
            session,
            actor_id=self.ctx.actor_id,
            action=audit.IMPORT,
            entity="bundle",
            entity_id=str(manifest["bundle_id"]),
            fields=sorted(str(k) for k in dict(manifest.get("counts") or {})),
            at=now,
        )
        if max_hlc:
            local = int(get_local_state(session, "hlc") or 0)
            set_local_state(session, "hlc", str(max(local, max_hlc)))

    def _learn_installations(self, session: Session, signer: KeyCard, cards: Sequence[Any]) -> None:
        """What the signer vouches for: the bureau's list is trusted as the bureau's; a
        station laptop may introduce laptops of its own station."""
        own = self.keys().signing_key
        for data in cards:
            try:
                card = KeyCard.from_json({k: v for k, v in data.items() if k != "revoked_at"})
                revoked = data.get("revoked_at")
                revoked_at = datetime.fromisoformat(revoked) if revoked else None
            except (ValueError, TypeError, AttributeError):
                continue  # an introduction it cannot read is ignored, not trusted
            if card.signing_key in (own, signer.signing_key):
                continue
            if signer.role == ROLE_BUREAU:
                self._remember(session, card, TRUSTED_BY_BUREAU, revoked_at=revoked_at)
            elif card.role == ROLE_STATION and card.station_id == signer.station_id:
                existing = session.get(TrustedInstallation, card.signing_key)
                if existing is None or existing.station_id == signer.station_id:
                    self._remember(session, card, INTRODUCED, revoked_at=revoked_at)

    def _gaps(self, session: Session, stations: Mapping[Any, str]) -> list[Gap]:
        held = ledger.holdings(session)
        held.pop(REFERENCE_DEVICE, None)  # numbered by code: sparse on purpose
        gaps = ledger.gaps(held)
        station_of = {  # the station a laptop with missing changes writes for
            device: session.execute(
                select(ChangeLogEntry.station_id)
                .where(ChangeLogEntry.device_id == device, ChangeLogEntry.station_id.is_not(None))
                .limit(1)
            ).scalar()
            for device in gaps
        }
        return [
            Gap(device_tag_for(device), stations.get(station_of.get(device), "") or "-", low, high)
            for device, ranges in sorted(gaps.items(), key=lambda item: str(item[0]))
            for low, high in ranges
        ]

    # ------------------------------------------------------------ status

    def gaps(self) -> list[Gap]:
        with self.ctx.db.read() as session:
            stations: dict[uuid.UUID | None, str] = _station_codes(session)
            return self._gaps(session, stations)

    def received_up_to(self) -> dict[str, datetime]:
        """Per station, the time of the newest change held here: "data received up to"."""
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(Station.code, func.max(ChangeLogEntry.wall_time))
                .join(Station, Station.id == ChangeLogEntry.station_id)
                .where(ChangeLogEntry.device_id != REFERENCE_DEVICE)
                .group_by(Station.code)
            ).all()
        return {code: when for code, when in rows}

    # ------------------------------------------------------------ conflicts

    def conflicts(self, *, reveal_id_numbers: bool = False) -> list[ConflictView]:
        """The conflicts waiting for a person. ID card numbers in them are masked as in
        every list; `reveal_id_numbers`: whole, for a role that may reveal them (each
        revealed record is recorded in the audit trail)."""
        self.ctx.require(Resource.CONFLICT, Action.READ)
        session_of = self.ctx.db.write_session if reveal_id_numbers else self.ctx.db.read
        with session_of() as session:
            rows = list(
                session.scalars(
                    select(SyncConflict).order_by(
                        SyncConflict.detected_at, SyncConflict.entity, SyncConflict.record_id
                    )
                )
            )
            views = [self._view(session, row) for row in rows]
            return [self._shown(session, view, reveal_id_numbers) for view in views]

    def conflict_count(self) -> int:
        """How many conflicts wait for a person (cheaper than listing them)."""
        with self.ctx.db.read() as session:
            return _count(session, SyncConflict)

    def conflict(self, conflict_id: str, *, reveal_id_numbers: bool = False) -> ConflictView:
        self.ctx.require(Resource.CONFLICT, Action.READ)
        entity, record_id, name = _parse_conflict_id(conflict_id)
        session_of = self.ctx.db.write_session if reveal_id_numbers else self.ctx.db.read
        with session_of() as session:
            row = session.get(SyncConflict, (entity, record_id, name))
            if row is None:
                raise ValidationError([FieldError("conflict", MSG_NOT_A_CONFLICT)])
            return self._shown(session, self._view(session, row), reveal_id_numbers)

    def _shown(self, session: Session, view: ConflictView, reveal: bool) -> ConflictView:
        """`view` with its ID card numbers masked, or whole when asked for and the role
        may reveal them at the record's station (the reveal recorded, as on a resident's
        page: who, whose, never the number)."""
        if (view.entity, view.field) not in ID_NUMBER_FIELDS:
            return view
        if reveal:
            station = session.scalar(
                select(Resident.station_id).where(Resident.id == view.record_id)
            )
            self.ctx.require(Resource.ID_NUMBER, Action.REVEAL, RecordScope.of(station))
            audit.record_event(
                session,
                actor_id=self.ctx.actor.staff_id,
                action=audit.REVEAL_ID,
                entity=view.entity,
                entity_id=str(view.record_id),
                fields=(view.field,),
            )
            return view

        def masked(value: Any) -> Any:
            return mask_id_number(value) if isinstance(value, str) and value else value

        return replace(
            view,
            shown=masked(view.shown),
            base=masked(view.base),
            values=[replace(v, value=masked(v.value)) for v in view.values],
            history=[replace(v, value=masked(v.value)) for v in view.history],
        )

    def _view(self, session: Session, row: SyncConflict) -> ConflictView:
        model = REPLICATED_MODELS[row.entity]
        column = {c.name: c for c in logged_columns(model)}[row.field]
        entries = load_entries(session, row.entity, [row.record_id])[row.record_id]
        by_change = {e.change: e for e in entries}
        staff = dict(session.execute(select(Staff.id, Staff.name_zh)).all())
        staff_bo = dict(session.execute(select(Staff.id, Staff.name_bo)).all())
        log = table_of(ChangeLogEntry)
        meta = {
            f"{d}:{s}": (actor, station)
            for d, s, actor, station in session.execute(
                select(log.c.device_id, log.c.seq, log.c.actor_id, log.c.station_id).where(
                    log.c.entity == row.entity, log.c.record_id == row.record_id
                )
            )
        }
        stations: dict[uuid.UUID | None, str] = _station_codes(session)
        now = self.ctx.clock()

        def value_of(entry: LogEntry) -> Any:
            if row.field in entry.fields:
                return decode_value(column, entry.fields[row.field])
            return None

        def described(entry: LogEntry) -> ConflictValue:
            actor, station = meta.get(entry.change, (None, None))
            name = staff.get(actor) or staff_bo.get(actor) or "" if actor else ""
            return ConflictValue(
                change_id=entry.change,
                value=value_of(entry),
                actor=name,
                device_tag=device_tag_for(entry.device_id),
                station=stations.get(station, "") or "",
                wall_time=entry.wall_time,
                clock_suspect=entry.wall_time > now + CLOCK_SLACK,
            )

        heads = [by_change[c] for c in row.heads if c in by_change]
        touching = [e for e in entries if e.op == OP_INSERT or row.field in e.fields]
        history = [described(e) for e in sorted(touching, key=lambda e: e.order)]
        base = None
        if row.kind != KIND_WITHDRAWN:
            ancestors = ancestor_sets(entries)
            index = {e.change: i for i, e in enumerate(entries)}
            common = [
                e
                for e in touching
                if all(ancestors[index[h.change]] >> index[e.change] & 1 for h in heads)
            ]
            if common:
                base = value_of(max(common, key=lambda e: e.order))
        record = session.get(model, row.record_id)
        return ConflictView(
            id=f"{row.entity}:{row.record_id}:{row.field}",
            entity=row.entity,
            record_id=row.record_id,
            record=_record_label(record),
            field=row.field,
            kind=row.kind,
            shown=getattr(record, row.field, None),
            values=[described(h) for h in sorted(heads, key=lambda e: e.order, reverse=True)],
            base=base,
            history=history,
        )

    @contextmanager
    def _uow(self) -> Iterator[ChangeRecorder]:
        """A write of this installation: the bureau's writes belong to no station."""
        if self.role() != ROLE_BUREAU:
            with self.ctx.uow() as uow:
                yield uow
            return
        identity = WriterIdentity(self.ctx.device_id, None, self.ctx.actor_id)
        with unit_of_work(self.ctx.db, identity, now=self.ctx.clock, new_id=self.ctx.new_id) as uow:
            yield uow

    def resolve(self, conflict_id: str, *, keep: str | None = None, value: Any = None) -> None:
        """Settle a conflict: keep one of its values (its change id) or give another. It is
        an ordinary change whose parents are all the record's heads, so it travels to
        every laptop and the conflict disappears there too."""
        self.ctx.require(Resource.CONFLICT, Action.UPDATE)
        entity, record_id, name = _parse_conflict_id(conflict_id)
        if (keep is None) == (value is None):
            raise ValidationError(
                [FieldError("conflict", MSG_KEEP_OR_VALUE, {"keep": "--keep", "value": "--value"})]
            )
        model = REPLICATED_MODELS[entity]
        column = {c.name: c for c in logged_columns(model)}[name]
        with self._uow() as uow:
            row = uow.session.get(SyncConflict, (entity, record_id, name))
            if row is None:
                raise ValidationError([FieldError("conflict", MSG_NOT_A_CONFLICT)])
            if row.kind == KIND_NOTE_ON_CLOSED:
                # A note on a case closed elsewhere was kept; a person has read it (to reopen
                # the case is a stage change of its own). Acknowledged here only.
                uow.session.execute(
                    delete(SyncConflict).where(
                        SyncConflict.entity == entity,
                        SyncConflict.record_id == record_id,
                        SyncConflict.field == name,
                    )
                )
                return
            if keep is not None:
                if keep not in row.heads:
                    raise ValidationError([FieldError("keep", MSG_NOT_A_HEAD, {"value": keep})])
                entries = load_entries(uow.session, entity, [record_id])[record_id]
                chosen = next(e for e in entries if e.change == keep)
                encoded = chosen.fields.get(name)
                if encoded is None and chosen.op == OP_INSERT:
                    encoded = encode_value(None)
                new_value = decode_value(column, encoded)
            else:
                new_value = _typed_value(entity, name, column, value, self.ctx.today())
            uow.update(model, record_id, {name: new_value}, force=True)
            merge_records(
                uow.session,
                {entity: {record_id}},
                self.ctx.clock(),
                self.ctx.keys,
            )


def conflict_field(entity: str, name: str) -> FieldSpec | None:
    """The form field a conflict is on (its label and kind, to show its values), or None
    for a column no form shows (a record's withdrawal, a link the program keeps)."""
    for form in FORMS_OF_TABLES.get(entity, ()):
        if name in form.keys:
            return form.field(name)
    return None


def _station_codes(session: Session) -> dict[uuid.UUID | None, str]:
    return {sid: code for sid, code in session.execute(select(Station.id, Station.code))}


def _count(session: Session, model: type[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _newer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > FORMAT


def _not_allowed(entry: Entry, origin: _Origin) -> str:
    """Why the maker of `entry` may not make it (a message id; "" when it may): a station's
    laptops write only for their own station; only the bureau writes other stations'
    records; the bundled reference list travels only in the exact form every installation
    seeds it."""
    if entry.device_id == REFERENCE_DEVICE:
        seeded = entry.row["op"] == OP_INSERT and not entry.row["parents"]
        if seeded and is_reference_entry(
            entry.device_id, entry.seq, entry.entity, entry.record_id, entry.row["fields"]
        ):
            return ""
        return N_("the reference list")
    if origin.role == ROLE_BUREAU:
        return ""
    if entry.entity == "station":
        return "" if entry.record_id == origin.station_id else N_("the list of stations")
    if entry.station_id != origin.station_id:
        return N_("changes for another station")
    station = entry.row["fields"].get("station_id")
    if station is not None and station != str(origin.station_id):
        return N_("records of another station")
    return ""


def _insert_new(
    session: Session, entries: Sequence[Entry], at: datetime
) -> set[tuple[uuid.UUID, int]]:
    """Add the entries this log does not hold yet, each chained in the audit trail;
    returns their (device, seq)."""
    if not entries:
        return set()
    log = table_of(ChangeLogEntry)
    by_device: dict[uuid.UUID, list[int]] = defaultdict(list)
    for entry in entries:
        by_device[entry.device_id].append(entry.seq)
    present: set[tuple[uuid.UUID, int]] = set()
    for device, seqs in by_device.items():
        found = session.execute(
            select(log.c.seq).where(
                and_(log.c.device_id == device, log.c.seq.between(min(seqs), max(seqs)))
            )
        ).scalars()
        present.update((device, seq) for seq in found)
    fresh: dict[tuple[uuid.UUID, int], Entry] = {}
    for entry in entries:
        key = (entry.device_id, entry.seq)
        if key not in present:
            fresh.setdefault(key, entry)
    # The one place a sync merge writes change-log entries, each chained in the audit
    # trail in the same transaction.
    if fresh:
        rows = [entry.row for entry in fresh.values()]
        insert_rows(session, log, rows)
        audit.chain_changes(session, rows, at)
    return set(fresh)


def _log_entry(row: Mapping[str, Any]) -> LogEntry:
    """A change-log row as the merge reads it from the log."""
    return LogEntry(
        f"{row['device_id']}:{row['seq']}",
        row["device_id"],
        row["seq"],
        row["hlc"],
        row["wall_time"],
        row["op"],
        row["fields"],
        row["parents"] or [],
    )


def _parse_conflict_id(conflict_id: str) -> tuple[str, uuid.UUID, str]:
    try:
        entity, record, name = conflict_id.split(":")
        record_id = uuid.UUID(record)
        if entity not in REPLICATED_MODELS or name not in {
            c.name for c in logged_columns(REPLICATED_MODELS[entity])
        }:
            raise ValueError(conflict_id)
    except ValueError:
        raise ValidationError([FieldError("conflict", MSG_NOT_A_CONFLICT)]) from None
    return entity, record_id, name


def _typed_value(entity: str, name: str, column: Any, value: Any, today: Any) -> Any:
    """A value a person typed for a field, checked by the field's own form rules."""
    for form in FORMS_OF_TABLES.get(entity, ()):
        if name in form.keys:
            cleaned = Cleaned()
            clean_field(form.field(name), value, cleaned, today=today)
            if cleaned.errors:
                raise ValidationError(
                    [FieldError("value", e.message, e.params) for e in cleaned.errors]
                )
            return cleaned.values[name]
    try:
        return decode_value(column, value)
    except (ValueError, TypeError):
        raise ValidationError(
            [FieldError("value", N_("Choose one of the listed options."))]
        ) from None


def _record_label(record: Any) -> str:
    """A short name for the record a conflict is on (a resident's names, a case number)."""
    if record is None:
        return ""
    for names in (("name_bo", "name_zh"), ("case_number",), ("title",), ("code",)):
        parts = [str(getattr(record, n, "") or "") for n in names]
        if any(parts):
            return " / ".join(p for p in parts if p)
    return str(record.id)


__all__ = [
    "KIND_WITHDRAWN",
    "ROLE_BUREAU",
    "ROLE_STATION",
    "ClockWarning",
    "ConflictValue",
    "ConflictView",
    "Gap",
    "KeyCard",
    "OriginCount",
    "ReceiveReport",
    "SendSummary",
    "SyncService",
    "TrustedInfo",
    "conflict_field",
]
