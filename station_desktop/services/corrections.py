"""What correcting a recorded form needs, whatever the form: the record's values as the form
takes them, the version an edit is based on, and the way back from form values to columns.

A correction goes through the same `clean_form` and the same cross-field rules as recording
(each service shares its own `_check` between `record` and `update`); a withdrawal is a
tombstone, kept in the change log like every other change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from station_desktop.errors import StaleEdit
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec
from station_desktop.forms.validate import Cleaned
from station_desktop.services.context import load
from station_desktop.store.models import Replicated


@dataclass(frozen=True)
class EditableRecord:
    """A record as its form shows it: `values` keyed by the form's field keys (dates as
    dates, ids as text, money as yuan text), and `heads`, the version the editor loaded.
    Saving passes `heads` back as `based_on`, so that a change made meanwhile (on this
    laptop or merged from another) is refused with `StaleEdit` instead of overwritten."""

    values: dict[str, object]
    heads: list[str]


def money_text(fen: int) -> str:
    """Integer fen as the yuan a money field takes back: 12050 → "120.50"."""
    return f"{fen // 100}.{fen % 100:02d}"


def column_name(spec: FieldSpec) -> str:
    """The column a field is stored in: money is kept in fen, under `<key>_fen`."""
    return f"{spec.key}_fen" if spec.kind is FieldKind.MONEY else spec.key


def to_columns(form: FormSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned form values as columns (money in fen under its column, staff ids as text in
    the JSON list)."""
    columns: dict[str, Any] = {}
    for key, value in values.items():
        spec = form.field(key)
        staff_list = spec.kind is FieldKind.STAFF_LIST
        columns[column_name(spec)] = [str(item) for item in value or []] if staff_list else value
    return columns


def cleaned_values(form: FormSpec, record: Replicated) -> dict[str, Any]:
    """The stored fields of `form` as `clean_form` gives them (ids as UUIDs, money in fen),
    so that a partial correction is checked against the rest of the record. Fields the
    record does not hold itself (a sheet's ratings) are left to the service."""
    values: dict[str, Any] = {}
    for spec in form.fields():
        column = column_name(spec)
        if not hasattr(record, column):
            continue
        value = getattr(record, column)
        if spec.kind is FieldKind.STAFF_LIST:
            value = [uuid.UUID(str(item)) for item in value or []]
        elif isinstance(value, list):
            value = list(value)
        values[spec.key] = value
    return values


def form_input(form: FormSpec, values: Mapping[str, Any]) -> dict[str, object]:
    """Cleaned values as the form takes them back (`clean_form` reads them as the same
    values): ids as text, money as yuan text; dates, numbers and codes as they are."""
    shown: dict[str, object] = {}
    for key, value in values.items():
        kind = form.field(key).kind
        if value is None:
            shown[key] = None
        elif kind is FieldKind.MONEY:
            shown[key] = money_text(int(value))
        elif isinstance(value, uuid.UUID):
            shown[key] = str(value)
        elif isinstance(value, list):
            shown[key] = [str(item) for item in value]
        else:
            shown[key] = value
    return shown


def with_record(form: FormSpec, record: Replicated, given: Cleaned) -> Cleaned:
    """The given (partial) values over the record's own, for the cross-field rules. The
    errors list is `given`'s own: an error added to either is an error of the update."""
    return Cleaned({**cleaned_values(form, record), **given.values}, given.errors)


def load_editable(
    session: Session, model: type[Replicated], form: FormSpec, record_id: uuid.UUID
) -> EditableRecord | None:
    """A one-row record as `form` shows it, or None if there is no such live record."""
    record = load(session, model, record_id)
    if record is None:
        return None
    return EditableRecord(form_input(form, cleaned_values(form, record)), list(record.heads))


def check_based_on(heads: Sequence[str], based_on: Sequence[str] | None) -> None:
    """Refuse an edit made from an older version (for records whose version spans several
    rows, like a sheet and its ratings; single rows are checked by `ChangeRecorder`)."""
    if based_on is not None and sorted(based_on) != sorted(heads):
        raise StaleEdit()
