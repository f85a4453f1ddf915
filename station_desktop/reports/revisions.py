"""What changed in a report since it was submitted, and why, as data.

A submitted report is kept as it was sent (`services.submitted`). A later report of the
same period and stations is compared with it here, table by table and figure by figure,
through the same tables people read (`reports.tables`): each difference is named by its
table, its row and its column, in words that translate, never by a JSON path. The causes
(records of the period added, corrected or withdrawn since) are found by the service in
the change log and laid out here as a table too.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from station_desktop.i18n import N_
from station_desktop.reports.figures import Report
from station_desktop.reports.tables import (
    Cell,
    Column,
    Joined,
    Money,
    Msg,
    Names,
    Raw,
    Row,
    Table,
    report_tables,
)

__all__ = [
    "CAUSE_LABELS",
    "CHANGE_LABELS",
    "Cause",
    "Difference",
    "Revision",
    "causes_table",
    "compare",
    "differences_table",
    "revision_tables",
]

# TRANSLATORS: title of a table of the figures of a report that differ from those of the
# same report as it was submitted to the bureau.
T_DIFFERENCES: Final = N_("Changed since the report was submitted")
# TRANSLATORS: title of a table: the records that explain why figures changed.
T_CAUSES: Final = N_("Why: records of the period changed since then")
H_FIGURE: Final = N_("Figure")
H_SUBMITTED: Final = N_("As submitted")
H_NOW: Final = N_("Now")
H_CHANGE: Final = N_("Change")
H_RECORD_KIND: Final = N_("Kind of record")
H_WHAT: Final = N_("What happened")
H_RECORDS: Final = N_("Records")
NOTE_UNCHANGED: Final = N_("No figure has changed since the report was submitted.")
NOTE_CAUSES: Final = N_(
    "Records of the period's stations whose date falls in the period (or, for people and "
    "cases, who count in it), added, corrected or withdrawn after the report was submitted."
)

Change = Literal["added", "corrected", "withdrawn"]
CHANGE_LABELS: Final[Mapping[Change, str]] = {
    "added": N_("Recorded after it was submitted"),
    "corrected": N_("Corrected"),
    "withdrawn": N_("Withdrawn"),
}
# The kinds of record a change can come from (change-log entity names).
CAUSE_LABELS: Final[Mapping[str, str]] = {
    "resident": N_("Resident registration"),
    "group_membership": N_("Priority-group membership"),
    "home_visit": N_("Home visit"),
    "case_record": N_("Case"),
    "case_stage_change": N_("Change of case stage"),
    "case_note": N_("Progress note"),
    "activity": N_("Activity"),
    "attendance": N_("Attendance"),
    "feedback_sheet": N_("Satisfaction feedback"),
    "feedback_rating": N_("Satisfaction feedback"),
    "resource_receipt": N_("Resources received"),
    "resource_handout": N_("Resources handed out"),
}


@dataclass(frozen=True)
class Difference:
    """One figure that differs: where it is (table, row, column) and its two values."""

    table: str  # the table's key
    label: Joined  # the table's title, the row's labels and the column's header
    before: int | Money | None  # None: the row did not exist (a new item, a new code)
    after: int | Money | None


@dataclass(frozen=True)
class Cause:
    """A record of the period that changed after the report was submitted."""

    entity: str  # change-log entity (a table name)
    record_id: uuid.UUID
    change: Change
    day: date | None  # the date that places it in the period, when it has one
    changed_at: datetime  # its latest change


@dataclass(frozen=True)
class Revision:
    """A report compared with the same report as submitted."""

    submitted_id: uuid.UUID
    submitted_on: date
    differences: tuple[Difference, ...]
    causes: tuple[Cause, ...]

    @property
    def changed(self) -> bool:
        return bool(self.differences)


# ---------------------------------------------------------------- comparing


Number = int | Money


def _number(cell: Cell) -> Number | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | Money):
        return cell
    return None


def _cells(table: Table) -> dict[tuple[tuple[Cell, ...], int], tuple[Cell, Number | None]]:
    """The figures of a table by (row labels, column), with the row's label cells."""
    found: dict[tuple[tuple[Cell, ...], int], tuple[Cell, Number | None]] = {}
    labels = table.label_columns
    for row in table.rows:
        key = row.cells[:labels]
        for column in range(labels, len(table.columns)):
            value = _number(row.cells[column])
            if value is not None or row.cells[column] is None:
                found[(key, column)] = (row.cells[0], value)
    return found


def _label(table: Table, row: tuple[Cell, ...], column: int) -> Joined:
    parts: list[Msg | Raw | Names] = [Msg(table.title)]
    parts += [cell for cell in row if isinstance(cell, Msg | Raw | Names)]
    if len(table.columns) - table.label_columns > 1:  # a single figure column says nothing
        parts.append(table.columns[column].header)
    return Joined(tuple(parts))


def compare(before: Report, after: Report) -> tuple[Difference, ...]:
    """Every figure of the report's tables that differs, in the order people read them.
    The trend is not compared: its months add up to figures that are."""
    old_tables = {t.key: t for t in report_tables(before)}
    differences: list[Difference] = []
    for table in report_tables(after):
        old = old_tables.get(table.key)
        now = _cells(table)
        was = _cells(old) if old is not None else {}
        keys = list(now) + [k for k in was if k not in now]  # rows gone last
        for key in keys:
            before_value = was.get(key, (None, None))[1]
            after_value = now.get(key, (None, None))[1]
            if _same(before_value, after_value):
                continue
            row, column = key
            differences.append(
                Difference(table.key, _label(table, row, column), before_value, after_value)
            )
    return tuple(differences)


def _same(a: Number | None, b: Number | None) -> bool:
    """Equal figures; a row that is missing on one side counts as zero there."""

    def plain(value: Number | None) -> int:
        if value is None:
            return 0
        return value.fen if isinstance(value, Money) else value

    return plain(a) == plain(b)


# ---------------------------------------------------------------- as tables


def _change(difference: Difference) -> Cell:
    before, after = difference.before, difference.after
    if isinstance(before, Money) or isinstance(after, Money):
        old = before.fen if isinstance(before, Money) else 0
        new = after.fen if isinstance(after, Money) else 0
        return Money(new - old)
    return (after or 0) - (before or 0)


def differences_table(revision: Revision) -> Table:
    """The figures that changed: as submitted, now, and the change."""
    rows = tuple(Row((d.label, d.before, d.after, _change(d))) for d in revision.differences)
    return Table(
        "changed_since_submitted",
        T_DIFFERENCES,
        (
            Column(Msg(H_FIGURE), numeric=False),
            Column(Msg(H_SUBMITTED)),
            Column(Msg(H_NOW)),
            Column(Msg(H_CHANGE)),
        ),
        rows,
        note=None if rows else NOTE_UNCHANGED,
    )


def causes_table(revision: Revision) -> Table:
    """The records behind the changes, counted by kind and by what happened to them."""
    counts = Counter((c.entity, c.change) for c in revision.causes)
    order = list(CAUSE_LABELS)
    changes = list(CHANGE_LABELS)

    def sort_key(key: tuple[str, Change]) -> tuple[int, str, int]:
        entity, change = key
        index = order.index(entity) if entity in order else len(order)
        return index, entity, changes.index(change)

    rows = tuple(
        Row((_entity_label(entity), Msg(CHANGE_LABELS[change]), counts[(entity, change)]))
        for entity, change in sorted(counts, key=sort_key)
    )
    return Table(
        "why_changed",
        T_CAUSES,
        (
            Column(Msg(H_RECORD_KIND), numeric=False),
            Column(Msg(H_WHAT), numeric=False),
            Column(Msg(H_RECORDS)),
        ),
        rows,
        note=NOTE_CAUSES,
        label_columns=2,
    )


def _entity_label(entity: str) -> Cell:
    return Msg(CAUSE_LABELS[entity]) if entity in CAUSE_LABELS else Raw(entity)


def revision_tables(revision: Revision) -> tuple[Table, ...]:
    """The differences, and their causes when there are any."""
    tables = [differences_table(revision)]
    if revision.differences or revision.causes:
        tables.append(causes_table(revision))
    return tuple(tables)
