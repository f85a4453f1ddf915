"""The audit trail: an append-only HMAC chain of who did what, in the writer's transaction.

Each link (a row of `audit_event`) names an action, its actor, the record and the names of
the fields involved, never their values, and carries

    mac = HMAC(key, previous link's mac || canonical(seq, at, actor, action, entity,
                                                    entity_id, fields, change, seal))

so changing, removing or reordering any link breaks every later one. Every change-log
entry gets a link (written by `store.changes.ChangeRecorder` and by the sync import with
the entry itself); its `seal` is a keyed MAC of the whole entry, values included, so an
entry edited behind the program's back is found without the trail holding a personal
value. Other events (sign-in, reveal of an ID number, export, import, print of a filled
form...) are links without an entry (`record_event`).

`verify` walks the chain, compares it with the change log (an entry without a link was
forged; a link without its entry, or a seal that no longer matches, means the log was
edited), compares every record with what its log entries make of it (a record edited with
an SQL tool), checks that the append-only triggers are there as made, and checks the
heads this database has sent in bundles (anchors): a deleted tail is found there, and at
the receiver, which keeps the last head each sender sent (`check_peer_head`).

The key: a random 256-bit key kept in the database itself (`local_state`, made on first
use), not one derived from the data key, and on purpose (docs/keys.md): the data key
changes when a worker is removed (re-key) and a derived key would then have to re-sign the
whole chain, which the append-only guards forbid and which would break every head already
anchored at a receiver; a restored backup is re-keyed to the current data key but keeps
the chain it was made with; a plain database (before passwords) and the bureau's
PostgreSQL server have no data key at all. Kept inside an encrypted database the key is as
secret as a derived one would be (only someone with a password reads either); on the
bureau's PostgreSQL server the server's own access control protects it. A caller may
still give a key through the session (`KEY_INFO`), as tests do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, and_, func, insert, select, text, update
from sqlalchemy.orm import Session

from station_desktop.i18n import N_
from station_desktop.store.bulk import insert_plain_rows
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.jsontext import json_encoder
from station_desktop.store.models import AuditAnchor, AuditEvent, LocalState, table_of

# Action codes. A change-log entry's link is named after the entry's op (insert, update);
# a change of a staff member's role is `role_change`.
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
REVEAL_ID = "reveal_id"
EXPORT = "export"
IMPORT = "import"
PRINT_FILLED = "print_filled"
ROLE_CHANGE = "role_change"
PURGE = "purge"
CHAIN_STARTED = "chain_started"
PEER_CHAIN_BROKEN = "peer_chain_broken"
CHANGE_ACTIONS = frozenset({"insert", "update", ROLE_CHANGE})

KEY_INFO = "station_desktop.audit_key"  # Session.info: the key given by the opener
KEY_STATE = "audit_key"  # local_state: the stand-in key (see the module's docstring)
SENT_HEADS_STATE = "audit_sent_heads"  # local_state: {seq: mac} of heads sent in bundles
MAX_SENT_HEADS = 20
_HEAD_INFO = "station_desktop.audit_head"  # Session.info: (transaction, seq, mac)
GENESIS = ""
# How links are inserted: the driver's executemany, or COPY for a bulk load (store.loading).
RowWriter = Callable[[Session, Table, Sequence[dict[str, Any]]], None]

# The change-log columns a seal covers, in this order.
ENTRY_COLUMNS = (
    "device_id",
    "seq",
    "hlc",
    "wall_time",
    "station_id",
    "actor_id",
    "action_id",
    "entity",
    "record_id",
    "op",
    "fields",
    "parents",
    "schema_version",
)


# ---------------------------------------------------------------- encoding


def _json_value(value: Any) -> Any:
    """What JSON cannot say by itself (called by the encoder only for those)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


_ENCODE = json_encoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_value
)


def _canonical(value: Any) -> bytes:
    """Stable bytes for a value (sorted keys, no spaces; UUIDs and instants as text).
    The C encoder does the walking: this runs once or twice per saved change."""
    return _ENCODE(value).encode("utf-8")


def _plain(value: Any) -> Any:
    """A value as its JSON reads back (for comparing a record with its log)."""
    return json.loads(_canonical(value))


def _hmac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def entry_seal(key: bytes, entry: Mapping[str, Any]) -> str:
    """The keyed MAC of a whole change-log entry (its values included)."""
    return _hmac(key, b"entry\x00" + _canonical([entry[name] for name in ENTRY_COLUMNS]))


def link_mac(key: bytes, previous: str, link: Mapping[str, Any]) -> str:
    body = _canonical(
        [
            link["seq"],
            link["at"],
            link["actor_id"],
            link["action"],
            link["entity"],
            link["entity_id"],
            list(link["fields"]),
            link["change_device_id"],
            link["change_seq"],
            link["seal"],
        ]
    )
    return _hmac(key, b"link\x00" + previous.encode("ascii") + b"\x00" + body)


# ---------------------------------------------------------------- the key


def _state(session: Session, key: str) -> str | None:
    return session.execute(
        select(LocalState.value).where(LocalState.key == key)
    ).scalar_one_or_none()


def _set_state(session: Session, key: str, value: str) -> None:
    table = table_of(LocalState)
    done = session.execute(update(table).where(table.c.key == key).values(value=value))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(table).values(key=key, value=value))


def chain_key(session: Session, *, create: bool = False) -> bytes | None:
    """The chain's HMAC key: a key given through the session (`KEY_INFO`) wins; otherwise
    a random key kept in the database (made on first use).

    Not `cipher.derive_key(data_key, "audit")`: the data key changes at every re-key (a
    worker removed) and does not exist on PostgreSQL or a plain file, while the chain must
    verify under one key for its whole life (its heads are anchored at receivers). Inside
    SQLCipher this key is exactly as secret as a derived one (see the module's docstring)."""
    given = session.info.get(KEY_INFO)
    if isinstance(given, bytes) and given:
        return given
    stored = _state(session, KEY_STATE)
    if stored:
        key = bytes.fromhex(stored)
    elif not create:
        return None
    else:
        key = secrets.token_bytes(32)
        _set_state(session, KEY_STATE, key.hex())
    session.info[KEY_INFO] = key  # read once per session (a session is one transaction)
    return key


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Head:
    """Where a chain ends: its last link's number and mac (0 and "" when empty)."""

    seq: int
    mac: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "mac": self.mac}


def chain_head(session: Session) -> Head:
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.mac).order_by(AuditEvent.seq.desc()).limit(1)
    ).one_or_none()
    return Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))


def _transaction_head(session: Session) -> Head:
    # One query per transaction, then the head travels with it (a bulk import chains
    # thousands of entries without reading it back). Kept for the innermost transaction:
    # a savepoint rolled back (a refused file of a receive) takes its links with it.
    cached = session.info.get(_HEAD_INFO)
    if cached is not None and cached[0] is _innermost(session):
        return Head(cached[1], cached[2])
    return chain_head(session)


def _innermost(session: Session) -> object:
    return session.get_nested_transaction() or session.get_transaction()


def _append(
    session: Session, links: Sequence[dict[str, Any]], write: RowWriter = insert_plain_rows
) -> None:
    if not links:
        return
    key = chain_key(session, create=True)
    assert key is not None
    rows, head = numbered_links(key, _transaction_head(session), links)
    # Every column given: the driver's executemany (thousands of links per import).
    write(session, table_of(AuditEvent), rows)
    session.info[_HEAD_INFO] = (_innermost(session), head.seq, head.mac)


def numbered_links(
    key: bytes, head: Head, links: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], Head]:
    """`links` (made by `change_link` or `record_event`) numbered and chained after `head`,
    and the head they end at."""
    seq, mac = head.seq, head.mac
    rows = []
    for link in links:
        seq += 1
        row = {**link, "seq": seq}
        mac = link_mac(key, mac, row)
        rows.append({**row, "mac": mac})
    return rows, Head(seq, mac)


def append_numbered(
    session: Session,
    rows: Sequence[dict[str, Any]],
    start: Head,
    *,
    write: RowWriter = insert_plain_rows,
) -> None:
    """Chain links numbered ahead of their transaction by `numbered_links` from `start`
    (a bulk load does it on its reading thread while the batch before is written): written
    as they are when the chain still ends at `start`, numbered again from where it does
    end otherwise (another writer came in between)."""
    if not rows:
        return
    if _transaction_head(session) != start:
        _append(session, rows, write)  # their numbers and macs are made again
        return
    write(session, table_of(AuditEvent), rows)
    session.info[_HEAD_INFO] = (_innermost(session), rows[-1]["seq"], rows[-1]["mac"])


def record_event(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity: str = "",
    entity_id: str = "",
    fields: Sequence[str] = (),
    at: datetime | None = None,
) -> None:
    """Chain one event (sign-in, reveal of an ID number, export...) in the caller's
    transaction. `fields`: names only, never personal values."""
    _append(
        session,
        [
            {
                "at": at or datetime.now(UTC),
                "actor_id": actor_id,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id)[:200],
                "fields": sorted(fields),
                "change_device_id": None,
                "change_seq": None,
                "seal": "",
            }
        ],
    )


def change_action(entry: Mapping[str, Any]) -> str:
    if entry["entity"] == "staff" and entry["op"] == "update" and "role" in entry["fields"]:
        return ROLE_CHANGE
    return str(entry["op"])


def chain_changes(session: Session, entries: Sequence[Mapping[str, Any]], at: datetime) -> None:
    """Chain change-log entries (as inserted) in the same transaction: one link each."""
    if not entries:
        return
    key = chain_key(session, create=True)
    assert key is not None
    _append(session, [change_link(key, entry, at) for entry in entries])


def change_link(key: bytes, entry: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """The link of a change-log entry, sealed, before its place in the chain (its number and
    mac, which `append_links` gives). Apart so that a bulk load seals its entries before
    its transaction, which then only numbers and chains them."""
    return {
        "at": at,
        "actor_id": entry["actor_id"],
        "action": change_action(entry),
        "entity": entry["entity"],
        "entity_id": str(entry["record_id"]),
        "fields": sorted(entry["fields"]),
        "change_device_id": entry["device_id"],
        "change_seq": entry["seq"],
        "seal": entry_seal(key, entry),
    }


def append_links(
    session: Session, links: Sequence[dict[str, Any]], *, write: RowWriter = insert_plain_rows
) -> None:
    """Chain links made by `change_link` in the session's transaction (`write`: how they are
    inserted)."""
    _append(session, links, write)


def reseal_change(
    session: Session,
    entry: Mapping[str, Any],
    *,
    actor_id: uuid.UUID | None,
    action: str = PURGE,
    at: datetime | None = None,
) -> None:
    """After a permitted rewrite of a log entry's values (erasing a withdrawn resident's
    ID number), chain a new seal for it: `verify` holds an entry to its latest seal."""
    key = chain_key(session, create=True)
    assert key is not None
    link = change_link(key, entry, at or datetime.now(UTC))
    _append(session, [link | {"actor_id": actor_id, "action": action}])


def chain_unsealed(
    session: Session,
    at: datetime,
    *,
    batch: int = 5000,
    closing: str = CHAIN_STARTED,
    source: str = "change_log",
) -> int:
    """Chain the change-log entries that have no link yet: those written before the chain
    existed (run once after the migration that made it, by the opener) or copied in by a
    load. Returns how many were chained."""
    from station_desktop.store.models import ChangeLogEntry  # noqa: PLC0415

    log = table_of(ChangeLogEntry)
    links = table_of(AuditEvent)
    done = 0
    while True:
        rows = (
            session.execute(
                select(log)
                .outerjoin(
                    links,
                    and_(
                        links.c.change_device_id == log.c.device_id, links.c.change_seq == log.c.seq
                    ),
                )
                .where(links.c.seq.is_(None))
                .order_by(log.c.hlc, log.c.device_id, log.c.seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        chain_changes(session, [dict(row) for row in rows], at)
        done += len(rows)
    if done or (closing == CHAIN_STARTED and chain_head(session).seq == 0):
        record_event(
            session, actor_id=None, action=closing, entity=source, entity_id=str(done), at=at
        )
    return done


@contextmanager
def event_session(db: Database) -> Iterator[Session]:
    """A write transaction for an event that comes with no change (an export, a filled
    form printed). A command that opened the file read-only beside a running window still
    records it: through a short-lived writable connection to the same file, whose write
    SQLite orders with the window's (both take the write lock before reading the head)."""
    if db.read_only_file is None:
        with db.write_session() as session:
            yield session
        return
    writer = Database(create_store_engine(sqlite_url(db.read_only_file), key=db.key))
    try:
        with writer.write_session() as session:
            yield session
    finally:
        writer.dispose()


def start_chain(db: Database, at: datetime) -> int:
    """After a migration: chain what the log already holds (its own transaction)."""
    with db.write_session() as session:
        return chain_unsealed(session, at)


# ---------------------------------------------------------------- anchors (bundles)


def head_for_bundle(session: Session) -> dict[str, Any]:
    """What a bundle carries about this chain: its head, and the macs at the heads sent
    before (so the receiver can tell the chain still holds what it saw)."""
    head = chain_head(session)
    sent = _sent_heads(session)
    marks = {str(seq): mac for seq, mac in sent.items() if seq <= head.seq}
    # The macs as the chain holds them now: a rewritten tail shows different ones.
    if marks:
        found = dict(
            session.execute(
                select(AuditEvent.seq, AuditEvent.mac).where(
                    AuditEvent.seq.in_([int(s) for s in marks])
                )
            ).all()
        )
        marks = {s: str(found.get(int(s), "")) for s in marks}
    return {**head.to_json(), "marks": marks}


def remember_sent_head(session: Session, head: Mapping[str, Any]) -> None:
    """Keep the head a bundle carried: it anchors this chain (checked by `verify`)."""
    sent = _sent_heads(session)
    sent[int(head["seq"])] = str(head["mac"])
    kept = dict(sorted(sent.items())[-MAX_SENT_HEADS:])
    _set_state(session, SENT_HEADS_STATE, json.dumps({str(k): v for k, v in kept.items()}))


def _sent_heads(session: Session) -> dict[int, str]:
    raw = _state(session, SENT_HEADS_STATE)
    if not raw:
        return {}
    try:
        return {int(k): str(v) for k, v in json.loads(raw).items()}
    except (ValueError, AttributeError):
        return {}


VERIFY_COMMAND = "station-desktop audit verify"
MSG_PEER_TAIL_LOST = N_(
    "The audit trail of the laptop that made {path} has lost entries since its last "
    "bundle (it had {seq} entries then, the bundle says {now}). Its changes were taken; "
    "ask its station head to run {command} on it."
)
MSG_PEER_REWRITTEN = N_(
    "The audit trail of the laptop that made {path} no longer holds entry {seq} as it "
    "did when its last bundle was made: it was cut and written again. Its changes were "
    "taken; ask its station head to run {command} on it."
)


@dataclass(frozen=True)
class PeerWarning:
    message: str
    params: dict[str, Any]


def check_peer_head(
    session: Session,
    signing_key: str,
    bundle_seq: int,
    carried: Any,
    at: datetime,
) -> PeerWarning | None:
    """At the receiver: compare the sender's chain head in a bundle with the one its
    previous bundle carried, and keep the newer. A head that went back, or a mac that
    changed at the anchored place, means the sender's chain lost its tail: the warning is
    chained here too (the changes themselves are signed and are taken)."""
    if not isinstance(carried, Mapping):
        return None
    try:
        seq = int(carried["seq"])
        mac = str(carried["mac"])
        marks = {int(k): str(v) for k, v in dict(carried.get("marks") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return None
    table = table_of(AuditAnchor)
    anchor = session.get(AuditAnchor, signing_key)
    warning = None
    if anchor is not None and bundle_seq > anchor.bundle_seq:
        if seq < anchor.seq:
            warning = PeerWarning(
                MSG_PEER_TAIL_LOST, {"seq": anchor.seq, "now": seq, "command": VERIFY_COMMAND}
            )
        elif (seq == anchor.seq and mac != anchor.mac) or (
            anchor.seq in marks and marks[anchor.seq] != anchor.mac
        ):
            warning = PeerWarning(
                MSG_PEER_REWRITTEN, {"seq": anchor.seq, "command": VERIFY_COMMAND}
            )
    if warning is not None:
        record_event(
            session,
            actor_id=None,
            action=PEER_CHAIN_BROKEN,
            entity="installation",
            entity_id=signing_key[:200],
            at=at,
        )
    values = {"bundle_seq": bundle_seq, "seq": seq, "mac": mac, "received_at": at}
    if anchor is None:
        session.execute(insert(table).values(signing_key=signing_key, **values))
    elif bundle_seq > anchor.bundle_seq:
        session.execute(update(table).where(table.c.signing_key == signing_key).values(**values))
    return warning


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found: an untranslated message id and its parameters. `seq` is
    the audit entry it concerns (0 when none), so problems sort along the chain."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def english(self) -> str:
        return self.message.format(**self.params)


MSG_NO_KEY = N_("The audit trail cannot be checked: its key is missing from this database.")
MSG_LINK_CHANGED = N_(
    "The audit trail is broken at entry {seq}: that entry was changed, removed or put out "
    "of order after it was written."
)
MSG_LINKS_MISSING = N_(
    "The audit trail is broken at entry {seq}: entries {seq} to {last} are missing."
)
MSG_TAIL_LOST = N_(
    "The audit trail has lost its end: entry {seq} was sent in a bundle from this laptop "
    "and is no longer as it was."
)
MSG_GUARD_CHANGED = N_(
    "The guard that keeps {table} from being changed has been removed or altered."
)
MSG_ENTRY_FORGED = N_(
    "Change {change} of the change log ({entity} {record}) was not made by Station "
    "Desktop: it has no entry in the audit trail."
)
MSG_ENTRY_MISSING = N_(
    "Change {change}, recorded in audit entry {seq}, is missing from the change log."
)
MSG_ENTRY_CHANGED = N_(
    "Change {change} of the change log ({entity} {record}) was altered after it was "
    "written (audit entry {seq})."
)
MSG_RECORD_DIFFERS = N_(
    "Record {entity} {record} differs from its change log (field {field}): it was "
    "changed outside Station Desktop."
)
MSG_RECORD_UNLOGGED = N_(
    "Record {entity} {record} is not in the change log: it was added outside Station Desktop."
)


@dataclass
class Verification:
    links: int = 0
    head: Head = field(default_factory=lambda: Head(0, GENESIS))
    problems: list[Problem] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: (p.seq == 0, p.seq), default=None)


# The append-only triggers as the migrations make them (0001 for the change log, its
# update guard made again by 0004_privacy to let an erasure empty the values of the
# entries it lists, 0006 for the audit chain): `verify` finds one dropped, or made again
# differently. (A copy of the migrations' text: a migration never changes once shipped.)
_LOG_COLUMNS_KEPT = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "device_id", "seq", "hlc", "wall_time", "station_id", "actor_id", "action_id",
        "entity", "record_id", "op", "parents", "schema_version",
    )
)  # fmt: skip
GUARDS_SQLITE = {
    "change_log": [
        f"""CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
       WHEN NOT (
           EXISTS (SELECT 1 FROM log_redaction r
                   WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq)
           AND {_LOG_COLUMNS_KEPT}
           AND (SELECT group_concat(key, ',') FROM json_each(NEW.fields))
               IS (SELECT group_concat(key, ',') FROM json_each(OLD.fields)))
       BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
        """CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
           BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END""",
    ],
    "audit_event": [
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    ],
}
GUARDS_POSTGRESQL = {
    "change_log": "change_log_no_update_delete",
    "audit_event": "audit_event_no_update_delete",
}


def _normal_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().lower()


def _broken_guards(session: Session) -> list[str]:
    """The append-only tables whose triggers are missing or not as the migrations made
    them (one dropped to edit a row and made again alike is caught by the seals)."""
    broken = []
    if session.get_bind().dialect.name == "postgresql":
        for table, trigger in GUARDS_POSTGRESQL.items():
            found = session.execute(
                text(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_proc p ON p.oid = t.tgfoid WHERE c.relname = :table "
                    "AND t.tgname = :trigger AND t.tgenabled = 'O' "
                    "AND t.tgtype = 27 AND p.prosrc LIKE '%RAISE EXCEPTION%'"
                ),
                {"table": table, "trigger": trigger},
            ).scalar_one()
            if found != 1:
                broken.append(table)
        return broken
    for table, statements in GUARDS_SQLITE.items():
        rows = session.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
            {"table": table},
        ).scalars()
        if sorted(_normal_sql(r) for r in rows) != sorted(_normal_sql(s) for s in statements):
            broken.append(table)
    return broken


def _walk(
    session: Session, key: bytes, result: Verification
) -> dict[tuple[uuid.UUID, int], tuple[str, int]]:
    """Walk the links in order; returns the latest seal (and its link) of each entry."""
    seals: dict[tuple[uuid.UUID, int], tuple[str, int]] = {}
    previous = GENESIS
    expected_seq = 1
    broken = False
    table = table_of(AuditEvent)
    for row in _batched(session, select(table).order_by(table.c.seq)):
        result.links += 1
        seq = int(row["seq"])
        if not broken:
            if seq != expected_seq:
                result.problems.append(
                    Problem(MSG_LINKS_MISSING, {"seq": expected_seq, "last": seq - 1}, expected_seq)
                )
                broken = True
            elif link_mac(key, previous, row) != row["mac"]:
                result.problems.append(Problem(MSG_LINK_CHANGED, {"seq": seq}, seq))
                broken = True
        previous = str(row["mac"])
        expected_seq = seq + 1
        result.head = Head(seq, previous)
        if row["change_device_id"] is not None and row["change_seq"] is not None:
            seals[(row["change_device_id"], int(row["change_seq"]))] = (str(row["seal"]), seq)
    return seals


def _batched(session: Session, query: Any, size: int = 5000) -> Iterator[Mapping[str, Any]]:
    for row in session.execute(query.execution_options(yield_per=size)).mappings():
        yield dict(row)


def _compare_log(
    session: Session,
    key: bytes,
    seals: dict[tuple[uuid.UUID, int], tuple[str, int]],
    result: Verification,
) -> None:
    from station_desktop.store.models import ChangeLogEntry  # noqa: PLC0415

    log = table_of(ChangeLogEntry)
    unseen = dict(seals)
    for entry in _batched(session, select(log)):
        change = (entry["device_id"], int(entry["seq"]))
        label = {
            "change": f"{entry['device_id']}:{entry['seq']}",
            "entity": entry["entity"],
            "record": str(entry["record_id"]),
        }
        sealed = unseen.pop(change, None)
        if sealed is None:
            result.problems.append(Problem(MSG_ENTRY_FORGED, label))
        elif entry_seal(key, entry) != sealed[0]:
            result.problems.append(
                Problem(MSG_ENTRY_CHANGED, {**label, "seq": sealed[1]}, sealed[1])
            )
    for (device, seq), (_seal, link) in unseen.items():
        result.problems.append(
            Problem(MSG_ENTRY_MISSING, {"change": f"{device}:{seq}", "seq": link}, link)
        )


def _compare_records(session: Session, result: Verification) -> None:
    """Each record as its log entries make it (the merge's own rule), field by field."""
    from station_desktop.store.changes import (  # noqa: PLC0415
        encode_value,
        insert_defaults,
        logged_columns,
    )
    from station_desktop.store.models import REPLICATED_MODELS  # noqa: PLC0415
    from station_desktop.sync.merge import chunks, load_entries, record_state  # noqa: PLC0415

    for entity, model in REPLICATED_MODELS.items():
        table = table_of(model)
        columns = [c.name for c in logged_columns(model)]
        defaults = {name: encode_value(v) for name, v in insert_defaults(model).items()}
        ids = list(session.execute(select(table.c.id)).scalars())
        for chunk in chunks(ids, 1000):
            entries = load_entries(session, entity, chunk)
            rows = session.execute(select(table).where(table.c.id.in_(chunk))).mappings()
            for row in rows:
                state = record_state(columns, defaults, entries.get(row["id"], []))
                label = {"entity": entity, "record": str(row["id"])}
                if state is None:
                    result.problems.append(Problem(MSG_RECORD_UNLOGGED, label))
                    continue
                for name in [*columns, "heads"]:
                    expected = state.heads if name == "heads" else state.values[name]
                    if _plain(encode_value(row[name])) != _plain(expected) and not (
                        name == "heads" and sorted(row[name] or []) == sorted(expected)
                    ):
                        result.problems.append(
                            Problem(MSG_RECORD_DIFFERS, {**label, "field": name})
                        )
                        break


def verify(session: Session, *, records: bool = True) -> Verification:
    """Check the chain, the log against it, the records against the log, the guards and
    the anchored heads. `records=False` skips the (slower) record comparison."""
    result = Verification()
    key = chain_key(session)
    has_links = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() > 0
    if key is None:
        if has_links:
            result.problems.append(Problem(MSG_NO_KEY))
            return result
        key = b""
    for table in _broken_guards(session):
        result.problems.append(Problem(MSG_GUARD_CHANGED, {"table": table}))
    seals = _walk(session, key, result)
    macs_now = _macs_at(session, list(_sent_heads(session)))
    for seq, mac in sorted(_sent_heads(session).items()):
        if macs_now.get(seq) != mac:
            result.problems.append(Problem(MSG_TAIL_LOST, {"seq": seq}, seq))
            break
    _compare_log(session, key, seals, result)
    if records:
        _compare_records(session, result)
    return result


def _macs_at(session: Session, seqs: Iterable[int]) -> dict[int, str]:
    wanted = list(seqs)
    if not wanted:
        return {}
    return {
        int(s): str(m)
        for s, m in session.execute(
            select(AuditEvent.seq, AuditEvent.mac).where(AuditEvent.seq.in_(wanted))
        ).all()
    }
