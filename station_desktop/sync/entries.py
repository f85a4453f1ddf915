"""Change-log entries as they travel in a bundle, and the checks each one passes before
anything is written.

An entry is one JSON object per line with short keys (the payload of a bundle is these
lines, compressed). Reading is strict: duplicate keys, NaN, deep nesting, unknown tables
or columns, values of the wrong type, text that cannot be stored or that breaks a form's
rules (lengths, code lists, ID numbers) are refused with the line number and the reason.
Table and column names are only ever looked up in the program's own models: no SQL is
built from bundle text.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Integer, String, Text, Uuid

from station_desktop.domain.text import has_unstorable
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import MEMBERSHIP_FORM, RESIDENT_FORM
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec
from station_desktop.forms.validate import (
    DEFAULT_MULTILINE_LENGTH,
    DEFAULT_TEXT_LENGTH,
    EARLIEST_DATE,
    LATEST_DATE,
    MSG_BAD_CODE,
    MSG_TOO_LONG,
    Cleaned,
    clean_field,
)
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.store.changes import OP_INSERT, OP_UPDATE, SCHEMA_VERSION, logged_columns
from station_desktop.store.jsontext import json_encoder
from station_desktop.store.models import REPLICATED_MODELS, TEXT_LEN, ChangeLogEntry
from station_desktop.store.types import UTCDateTime

MAX_LINE_BYTES = 16 * 1024 * 1024  # a submitted report carries its PDF
MAX_DEPTH = 16  # a submitted report's figures nest; deeper is only ever an attack
MAX_INT = 2**63 - 1
_CHANGE_ID = re.compile(r"^[0-9a-f-]{36}:[1-9][0-9]{0,18}$")

# The forms whose fields a table's columns are: their rules apply to what arrives too.
FORMS_OF_TABLES: dict[str, tuple[FormSpec, ...]] = {
    "resident": (RESIDENT_FORM,),
    "home_visit": (VISIT_FORM,),
    "feedback_sheet": (FEEDBACK_FORM,),
    "case_record": (CASE_FORM,),
    "case_stage_change": (STAGE_CHANGE_FORM,),
    "case_note": (CASE_NOTE_FORM,),
    "activity": (ACTIVITY_FORM,),
    "resource_receipt": (RECEIPT_FORM,),
    "resource_handout": (HANDOUT_FORM,),
    "group_membership": (MEMBERSHIP_FORM,),
}
# Field kinds whose rules do not depend on the receiving laptop (a reference to a record
# may arrive before the record; a date "in the future" may come from a laptop whose clock
# is ahead): those are checked elsewhere or not at all.
_CHECKED_KINDS = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.MULTILINE,
        FieldKind.CODE,
        FieldKind.CODES,
        FieldKind.INTEGER,
        FieldKind.MONEY,
        FieldKind.RATING,
        FieldKind.ID_NUMBER,
        FieldKind.PHONE,
    }
)


class BadEntry(ValueError):
    """An entry that cannot be taken; `reason` says why, in English, for the log and the
    technical detail of the message."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


def _field_specs() -> dict[str, dict[str, FieldSpec]]:
    specs: dict[str, dict[str, FieldSpec]] = {}
    for table, forms in FORMS_OF_TABLES.items():
        columns = {c.name for c in logged_columns(REPLICATED_MODELS[table])}
        for form in forms:
            for spec in form.fields():
                if spec.key in columns and spec.kind in _CHECKED_KINDS:
                    specs.setdefault(table, {})[spec.key] = spec
    return specs


_FIELD_SPECS = _field_specs()


# ---------------------------------------------------------------- writing


# How `entry_json` writes a line (json.dumps's text), its encoder made once: an export
# writes one line for each of its thousands of entries.
_LINE = json_encoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_json(entry: ChangeLogEntry | Mapping[str, Any]) -> bytes:
    """One entry as one line of JSON (UTF-8, no spaces, sorted keys: reproducible)."""
    get: Callable[[str], Any] = (
        entry.__getitem__ if isinstance(entry, Mapping) else functools.partial(getattr, entry)
    )
    station, actor = get("station_id"), get("actor_id")
    wall_time: datetime = get("wall_time")
    data = {
        "d": _id_text(get("device_id")),
        "s": get("seq"),
        "h": get("hlc"),
        "w": wall_time.astimezone(UTC).isoformat(),
        "t": None if station is None else _id_text(station),
        "a": None if actor is None else _id_text(actor),
        "c": str(get("action_id")),
        "e": get("entity"),
        "r": str(get("record_id")),
        "o": get("op"),
        "f": get("fields"),
        "p": list(get("parents") or []),
        "v": get("schema_version"),
    }
    return _LINE(data).encode()


@functools.lru_cache(maxsize=4096)
def _id_text(value: uuid.UUID) -> str:
    """The text of an id every entry of a bundle repeats (its devices, stations, writers)."""
    return str(value)


# ---------------------------------------------------------------- reading


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a value")


def strict_json(data: bytes) -> Any:
    """JSON as this program writes it: no duplicate keys, no NaN or Infinity, no deep
    nesting; ValueError otherwise."""
    value = json.loads(
        data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants
    )
    _check_depth(value, 0)
    return value


def _check_depth(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        # Only containers nest: a call per scalar would cost a third of reading an entry.
        if isinstance(item, (dict, list)):
            _check_depth(item, depth + 1)
        elif depth + 1 > MAX_DEPTH:
            raise ValueError("nested too deeply")


# What `entry_json` writes, NaN and infinities refused.
_CANONICAL = json_encoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def canonical_json_line(line: bytes) -> Any:
    """A line in exactly the form `entry_json` writes it (sorted keys, no spaces, UTF-8):
    anything else — duplicate keys, NaN, a line edited by hand — is refused. Checking the
    form costs one serialisation, far less than parsing key by key."""
    data = json.loads(line)
    if _CANONICAL(data).encode() != line:
        raise ValueError("not written as a bundle writes its entries")
    _check_depth(data, 0)
    return data


@dataclass(frozen=True)
class Entry:
    """A checked entry, ready to insert into `change_log` (values as columns take them)."""

    row: dict[str, Any]

    @property
    def device_id(self) -> uuid.UUID:
        value: uuid.UUID = self.row["device_id"]
        return value

    @property
    def seq(self) -> int:
        value: int = self.row["seq"]
        return value

    @property
    def entity(self) -> str:
        value: str = self.row["entity"]
        return value

    @property
    def record_id(self) -> uuid.UUID:
        value: uuid.UUID = self.row["record_id"]
        return value

    @property
    def station_id(self) -> uuid.UUID | None:
        value: uuid.UUID | None = self.row["station_id"]
        return value


def _uuid(
    value: Any, what: str, *, optional: bool = False, shared: bool = False
) -> uuid.UUID | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} is not an id")
    try:
        return _shared_uuid(value) if shared else uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{what} is not an id") from None


@functools.lru_cache(maxsize=4096)
def _shared_uuid(text: str) -> uuid.UUID:
    """The ids every entry of a bundle repeats (its devices, stations, writers) parsed
    once: making a UUID costs more than the rest of reading its entry's row."""
    return uuid.UUID(text)


def _integer(value: Any, what: str, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_INT:
        raise ValueError(f"{what} is not a whole number in range")
    return value


def parse_entry(line: bytes, number: int) -> Entry:
    """One line of a bundle's payload, checked; BadEntry says why it is refused."""
    if len(line) > MAX_LINE_BYTES:
        raise BadEntry(number, "the line is too long")
    try:
        data = canonical_json_line(line)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        if set(data) != {"d", "s", "h", "w", "t", "a", "c", "e", "r", "o", "f", "p", "v"}:
            raise ValueError("missing or unknown keys")
        entity = data["e"]
        if not isinstance(entity, str) or entity not in REPLICATED_MODELS:
            raise ValueError(f"unknown table {str(entity)[:40]!r}")
        op = data["o"]
        if op not in (OP_INSERT, OP_UPDATE):
            raise ValueError("unknown operation")
        version = _integer(data["v"], "schema version", 1)
        if version > SCHEMA_VERSION:
            raise ValueError("written by a newer version")
        wall_text = data["w"]
        if not isinstance(wall_text, str):
            raise ValueError("the time is not a time")
        wall_time = datetime.fromisoformat(wall_text)
        if wall_time.tzinfo is None:
            raise ValueError("the time has no time zone")
        parents = data["p"]
        if not isinstance(parents, list) or not all(
            isinstance(p, str) and _CHANGE_ID.match(p) for p in parents
        ):
            raise ValueError("parents are not change ids")
        fields = data["f"]
        if not isinstance(fields, dict):
            raise ValueError("fields are not an object")
        check_fields(entity, fields)
        row = {
            "device_id": _uuid(data["d"], "device", shared=True),
            "seq": _integer(data["s"], "sequence number", 1),
            "hlc": _integer(data["h"], "clock"),
            "wall_time": wall_time.astimezone(UTC),
            "station_id": _uuid(data["t"], "station", optional=True, shared=True),
            "actor_id": _uuid(data["a"], "actor", optional=True, shared=True),
            "action_id": _uuid(data["c"], "action"),
            "entity": entity,
            "record_id": _uuid(data["r"], "record"),
            "op": op,
            "fields": fields,
            "parents": parents,
            "schema_version": version,
        }
    except BadEntry:
        raise
    except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError) as error:
        raise BadEntry(number, str(error)[:200]) from None
    return Entry(row)


# Text columns longer than a form's text: a submitted report keeps its PDF as base64.
_LONG_TEXT = {("submitted_report", "pdf_base64"): 12 * 1024 * 1024}


def checked_entry_row(line: bytes, number: int) -> Entry:
    """A line already checked by `parse_entry` in an earlier reading of the same signed
    bundle, turned into its row without checking it again (the second reading of an
    import). Should the line differ after all, the bundle's hash fails at its end and the
    import's transaction is rolled back, so nothing unchecked is ever kept."""
    try:
        data = json.loads(line)
        station, actor = data["t"], data["a"]
        return Entry(
            {
                "device_id": _shared_uuid(data["d"]),
                "seq": data["s"],
                "hlc": data["h"],
                "wall_time": datetime.fromisoformat(data["w"]).astimezone(UTC),
                "station_id": _shared_uuid(station) if station else None,
                "actor_id": _shared_uuid(actor) if actor else None,
                "action_id": uuid.UUID(data["c"]),
                "entity": data["e"],
                "record_id": uuid.UUID(data["r"]),
                "op": data["o"],
                "fields": data["f"],
                "parents": data["p"],
                "schema_version": data["v"],
            }
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise BadEntry(number, str(error)) from None


def _column_limit(column: Column[Any]) -> int | None:
    if isinstance(column.type, String) and column.type.length:
        return column.type.length
    if isinstance(column.type, Text):
        return _LONG_TEXT.get((column.table.name, column.name), TEXT_LEN)
    return None


ValueCheck = Callable[[Any], None]


def _value_check(column: Column[Any]) -> ValueCheck:
    """The check that a value, as JSON-encoded by the change log, fits the column's type
    (ValueError otherwise): chosen once per column, not once per value."""
    name = column.name
    nullable = column.nullable
    kind = column.type
    check: ValueCheck
    if isinstance(kind, Boolean):

        def check(value: Any) -> None:
            if not isinstance(value, bool):
                raise ValueError(f"{name} is not true or false")

    elif isinstance(kind, (Integer, BigInteger)):

        def check(value: Any) -> None:
            _integer(value, name, -MAX_INT)

    elif isinstance(kind, Uuid):

        def check(value: Any) -> None:
            _uuid(value, name, shared=True)

    elif isinstance(kind, Date):

        def check(value: Any) -> None:
            if not isinstance(value, str):
                raise ValueError(f"{name} is not a date")
            day = date.fromisoformat(value)
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise ValueError(f"{name} is out of range")

    elif isinstance(kind, UTCDateTime):

        def check(value: Any) -> None:
            if not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is None:
                raise ValueError(f"{name} is not a time")

    elif isinstance(kind, JSON):

        def check(value: Any) -> None:
            if isinstance(value, dict):  # a document (a report's figures): strict JSON already
                return
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} is not a list")
            if any(has_unstorable(v) or len(v) > 200 for v in value):
                raise ValueError(f"{name} holds text that cannot be stored")

    elif isinstance(kind, (String, Text)):
        limit = _column_limit(column)

        def check(value: Any) -> None:
            if not isinstance(value, str):
                raise ValueError(f"{name} is not text")
            if has_unstorable(value) or (limit is not None and len(value) > limit):
                raise ValueError(f"{name} is too long or cannot be stored")

    else:  # a column type this reader does not know: refuse rather than guess

        def check(value: Any) -> None:
            raise ValueError(f"{name} cannot be received")

    def check_value(value: Any) -> None:
        if value is None:
            if not nullable:
                raise ValueError(f"{name} may not be empty")
            return
        check(value)

    return check_value


@functools.cache
def _rules(entity: str) -> tuple[dict[str, ValueCheck], dict[str, FieldSpec]]:
    checks = {c.name: _value_check(c) for c in logged_columns(REPLICATED_MODELS[entity])}
    return checks, _FIELD_SPECS.get(entity, {})


@functools.cache
def _codes_of(spec: FieldSpec) -> frozenset[str]:
    assert spec.codes is not None
    return frozenset(spec.codes.codes())


def _text_limit(spec: FieldSpec) -> int:
    multiline = spec.kind is FieldKind.MULTILINE
    return spec.max_length or (DEFAULT_MULTILINE_LENGTH if multiline else DEFAULT_TEXT_LENGTH)


def _form_rule(spec: FieldSpec, value: Any, cleaned: Cleaned) -> None:
    """The form's rule for one field. Text is checked for its length only (its spelling
    is the maker's); codes against their list; the rest by the form's own cleaner."""
    if spec.kind in (FieldKind.TEXT, FieldKind.MULTILINE):
        if isinstance(value, str) and len(value) > _text_limit(spec):
            cleaned.error(spec.key, MSG_TOO_LONG, limit=_text_limit(spec), length=len(value))
    elif spec.kind is FieldKind.CODE and spec.codes is not None:
        if value not in _codes_of(spec):
            cleaned.error(spec.key, MSG_BAD_CODE)
    elif spec.kind is FieldKind.CODES and spec.codes is not None:
        if not isinstance(value, list) or not set(value) <= _codes_of(spec):
            cleaned.error(spec.key, MSG_BAD_CODE)
    else:
        clean_field(spec, value, cleaned, today=date.max)


def check_fields(entity: str, fields: Mapping[str, Any]) -> None:
    """The fields of an entry for `entity` are its columns, with values that fit them
    and that the forms' rules accept; ValueError otherwise."""
    checks, specs = _rules(entity)
    unknown = fields.keys() - checks.keys()
    if unknown:
        raise ValueError(f"unknown columns of {entity}: {sorted(unknown)[:3]}")
    cleaned = Cleaned()
    for name, value in fields.items():
        checks[name](value)
        spec = specs.get(name)
        if spec is not None and value is not None and value not in ("", []):
            _form_rule(spec, value, cleaned)
    if cleaned.errors:
        error = cleaned.errors[0]
        raise ValueError(f"{error.field} breaks the form's rule: {error.english()}")
