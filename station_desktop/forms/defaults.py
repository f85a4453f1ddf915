"""What a new record starts with, before anything is typed: today's date where the date of
the event is asked, and the person working on this laptop where the form asks who did it
(the visitor, the sheet's collector, the case's worker, who handed out)."""

from __future__ import annotations

import uuid
from datetime import date

from station_desktop.forms.spec import FieldKind, FormSpec


def starting_values(
    spec: FormSpec, *, today: date, worker_id: uuid.UUID | None
) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in spec.fields():
        if field.starts_today:
            values[field.key] = today
        elif worker_id is not None and field.kind is FieldKind.STAFF:
            values[field.key] = str(worker_id)
        elif worker_id is not None and field.kind is FieldKind.STAFF_LIST:
            values[field.key] = [str(worker_id)]
    return values
