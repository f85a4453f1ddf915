"""Bringing a station's existing rosters in: residents and their priority groups.

Three steps, each usable from the window and the command line:

1. `read` a sheet: find its row of headings, guess the columns (`roster.columns`), and
   offer the mapping last used for the same layout instead, if there is one.
2. `preview` it with a mapping and a group: every row is cleaned and checked by the same
   form spec and rules as the resident form (`clean_form`, `check_resident_rules`,
   `clean_membership`), then sorted into residents to add, registered residents who gain
   the membership (matched by ID number, else by name + date of birth + village), those
   who already have it, and refused rows, each with its row number and reasons. Nothing
   is written.
3. `commit` the preview: the plan is made again inside the write transaction (so a change
   since the preview is noticed, not overwritten) and written in one transaction through
   the change recorder: households, residents (indexed for search) and memberships. The
   good rows or nothing. The mapping is remembered for the layout.

Importing the same file again adds nothing (everyone matches and is a member already).
A later version of a list adds the new people and names the group's members who are no
longer on it; it never ends or deletes anything by itself.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import LegalBasis, PriorityGroup
from station_desktop.domain.idcard import check_id_number
from station_desktop.domain.text import normalize_text
from station_desktop.errors import StationError
from station_desktop.forms.resident import RESIDENT_FORM
from station_desktop.forms.validate import clean_form
from station_desktop.i18n import N_
from station_desktop.roster.cells import (
    AreaFinder,
    cell_text,
    date_cell,
    ethnicity_code,
    groups_of,
    id_cell,
    is_tibetan_name,
    relation_code,
    samples,
    sex_code,
)
from station_desktop.roster.columns import (
    HEADER_SEARCH_ROWS,
    MappingProblem,
    RosterField,
    find_header_row,
    guess_mapping,
    layout_key,
    mapping_from_json,
    mapping_problem,
)
from station_desktop.roster.reader import Cell, read_sheet
from station_desktop.services.access import Action, Resource
from station_desktop.services.context import ServiceContext
from station_desktop.services.residents import check_resident_rules, clean_membership
from station_desktop.store import audit
from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.models import (
    Area,
    ChangeLogEntry,
    GroupMembership,
    Household,
    Resident,
)
from station_desktop.store.search import index_residents

__all__ = [
    "ImportCancelled",
    "ImportChoices",
    "ImportPreview",
    "ImportResult",
    "Person",
    "Refusal",
    "RosterImportService",
    "RosterSource",
    "SourceColumn",
]

# A roster is kept by the civil-affairs office under its statutory duty: that is the basis
# on which the station holds these records (the form asks for it; the file never says).
IMPORT_LEGAL_BASIS: Final = LegalBasis.STATUTORY_DUTY
MAPPING_KEY_PREFIX: Final = "roster_columns:"  # + layout_key (local_state keys: ≤ 40)

MSG_NO_HEADINGS = N_(
    "No row of column headings (such as 姓名 or 身份证号) was found in the first {rows} rows "
    "of the sheet {sheet}."
)
MSG_NO_ROWS = N_("There are no rows under the column headings of the sheet {sheet}.")
MSG_ID_MANGLED = N_(
    "The spreadsheet turned this ID card number into a number ({shown}) and lost its last "
    "digits. Type the number again as text in the file (a ' before it keeps it as text)."
)
MSG_UNKNOWN_AREA = N_("{village} is not one of this station's villages or communities.")
MSG_SAME_AS_ROW = N_("The same person as row {row}.")
MSG_ID_OF_SOMEONE_ELSE = N_("This ID card number is registered for {name}.")
MSG_SEVERAL_MATCHES = N_(
    "Several registered residents have this name, date of birth and village: add the ID "
    "card number to the file."
)
MSG_UNKNOWN_SEX = N_("Cannot tell the sex from {value}: write 男 or 女.")
MSG_UNKNOWN_GROUP = N_("{value} is not one of the five priority groups.")
MSG_CHANGED_SINCE_PREVIEW = N_(
    "The registered residents changed since the preview. Look at the preview again, then import."
)

# Which column a form field's problem is shown against.
_FIELD_COLUMNS: Final[dict[str, tuple[RosterField, ...]]] = {
    "name_bo": (RosterField.NAME_BO, RosterField.NAME, RosterField.NAME_ZH),
    "name_zh": (RosterField.NAME_ZH, RosterField.NAME),
    "sex": (RosterField.SEX, RosterField.ID_NUMBER),
    "ethnicity": (RosterField.ETHNICITY,),
    "birth_date": (RosterField.BIRTH_DATE, RosterField.ID_NUMBER),
    "id_number": (RosterField.ID_NUMBER,),
    "phone": (RosterField.PHONE,),
    "area_id": (RosterField.AREA,),
    "address": (RosterField.ADDRESS,),
    "household_relation": (RosterField.HOUSEHOLD_RELATION,),
    "guardian_name": (RosterField.GUARDIAN_NAME,),
    "guardian_phone": (RosterField.GUARDIAN_PHONE,),
    "notes": (RosterField.NOTES,),
    "group": (RosterField.CATEGORY,),
    "start_date": (RosterField.MEMBER_SINCE,),
    "certificate_no": (RosterField.CERTIFICATE_NO,),
}
# A row names somebody when one of these is filled; other rows are passed over.
_WHO_FIELDS: Final = (
    RosterField.NAME,
    RosterField.NAME_ZH,
    RosterField.NAME_BO,
    RosterField.ID_NUMBER,
)
# The form fields a column fills as text, as they are.
_TEXT_FIELDS: Final[dict[RosterField, str]] = {
    RosterField.PHONE: "phone",
    RosterField.ADDRESS: "address",
    RosterField.GUARDIAN_NAME: "guardian_name",
    RosterField.GUARDIAN_PHONE: "guardian_phone",
    RosterField.NOTES: "notes",
}

# (stage, done, total): stage "read", "check" or "write"; total 0 when not known yet.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY: Final = 250


class ImportCancelled(Exception):
    """Raised by a progress callback to stop the work (nothing is written)."""


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class SourceColumn:
    index: int
    heading: str  # as written in the file (a column letter when it has none)
    samples: tuple[str, ...]


@dataclass(frozen=True)
class RosterSource:
    """A sheet as read: its columns, the rows under the headings, and the mappings offered
    (the guess, and the one last used for this layout)."""

    path: Path
    sheet: str
    sheets: tuple[str, ...]
    header_row: int  # as the spreadsheet numbers rows (1 = the first)
    columns: tuple[SourceColumn, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]  # (row number, cells)
    layout: str
    guessed: Mapping[int, RosterField]
    remembered: Mapping[int, RosterField] | None = None

    @property
    def mapping(self) -> Mapping[int, RosterField]:
        """What to start from: the mapping used last time for this layout, else the guess."""
        return self.remembered if self.remembered is not None else self.guessed

    def heading(self, index: int) -> str:
        return next((c.heading for c in self.columns if c.index == index), "")


@dataclass(frozen=True)
class ImportChoices:
    mapping: Mapping[int, RosterField]
    group: PriorityGroup | None = None  # the whole file's group (else its category column)
    since: date | None = None  # membership start when the file gives none (default: today)


@dataclass(frozen=True)
class Refusal:
    """Why a row cannot be taken: a message id with its parameters, and the file's heading
    of the column concerned ("" when it concerns the row as a whole)."""

    row: int
    column: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    """Someone the preview names: a row of the file, or a registered resident."""

    row: int | None
    name_bo: str
    name_zh: str
    birth_date: date | None
    area_code: str
    groups: tuple[str, ...] = ()
    resident_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ImportPreview:
    source: RosterSource
    choices: ImportChoices
    added: tuple[Person, ...] = ()  # new residents
    joining: tuple[Person, ...] = ()  # registered, gain a membership
    unchanged: tuple[Person, ...] = ()  # registered and members already: nothing to do
    refused: tuple[Refusal, ...] = ()
    gone: tuple[Person, ...] = ()  # members of the file's groups who are not on it
    groups: tuple[PriorityGroup, ...] = ()  # the groups the file lists
    new_households: int = 0
    skipped_rows: int = 0  # rows naming nobody (blank, or notes under the table)
    problem: MappingProblem | None = None  # a mapping that cannot be imported at all
    # What the preview was made from, and its plan: committed as it is while nothing has
    # been written since (else planned again inside the write transaction).
    basis: tuple[int, ...] = field(default=(), repr=False, compare=False)
    plan: _Plan | None = field(default=None, repr=False, compare=False)

    @property
    def refused_rows(self) -> tuple[int, ...]:
        return tuple(sorted({r.row for r in self.refused}))

    @property
    def writes_anything(self) -> bool:
        return self.problem is None and bool(self.added or self.joining)

    def outline(self) -> tuple[tuple[int | None, ...], ...]:
        """Which rows go where: two plans with the same outline write the same."""
        return (
            tuple(p.row for p in self.added),
            tuple(p.row for p in self.joining),
            tuple(p.row for p in self.unchanged),
            self.refused_rows,
            (self.new_households,),
        )


@dataclass(frozen=True)
class ImportResult:
    added: int
    joined: int
    unchanged: int
    refused_rows: int
    households: int
    memberships: int
    gone: tuple[Person, ...]


# ---------------------------------------------------------------- the plan


@dataclass
class _Registered:
    id: uuid.UUID
    id_number: str | None
    name_bo: str
    name_zh: str
    birth_date: date | None
    area_id: uuid.UUID | None
    household_id: uuid.UUID | None
    household_relation: str | None


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    groups: list[PriorityGroup]
    membership: dict[str, Any]
    existing: _Registered | None = None
    household: tuple[Any, ...] | None = None
    head_name: str = ""
    id_ok: bool = False  # a valid ID number (used to match and to find duplicates)
    household_no: str = ""


@dataclass
class _Plan:
    preview: ImportPreview
    new_rows: list[_Row] = field(default_factory=list)
    joining_rows: list[tuple[_Row, list[PriorityGroup]]] = field(default_factory=list)
    households: dict[tuple[Any, ...], uuid.UUID | dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Indexed:
    """What search indexing reads of a new resident (`store.search.Searchable`)."""

    id: uuid.UUID
    station_id: uuid.UUID
    deleted: bool
    name_bo: str
    name_zh: str
    id_number: str | None
    phone: str | None


def _name_key(name: str) -> str:
    return normalize_text(name).replace(" ", "").casefold()


class _Planner:
    """Sorts the rows of one sheet against the registered residents (one read session)."""

    def __init__(
        self,
        session: Session,
        station_id: uuid.UUID,
        source: RosterSource,
        choices: ImportChoices,
        today: date,
        progress: Progress,
    ) -> None:
        self.session = session
        self.station_id = station_id
        self.source = source
        self.choices = choices
        self.today = today
        self.progress = progress
        self.column_of: dict[RosterField, int] = {
            f: i for i, f in choices.mapping.items() if f is not RosterField.SKIP
        }
        self.refusals: list[Refusal] = []
        self._load()

    # ------------------------------------------------------------ what is registered

    def _load(self) -> None:
        areas = self.session.execute(
            select(Area.id, Area.code, Area.name_zh, Area.name_bo).where(
                Area.station_id == self.station_id, Area.deleted.is_(False)
            )
        ).all()
        self.areas = AreaFinder((a.id, a.code, a.name_zh, a.name_bo) for a in areas)
        self.area_codes: dict[Any, str] = {a.id: a.code for a in areas}
        self.area_codes |= dict(self.session.execute(select(Area.id, Area.code)).all())
        self.by_id_number: dict[str, _Registered] = {}
        self.by_name: dict[tuple[str, date | None, uuid.UUID | None], list[_Registered]] = (
            defaultdict(list)
        )
        self.registered: dict[uuid.UUID, _Registered] = {}
        for row in self.session.execute(
            select(
                Resident.id,
                Resident.id_number,
                Resident.name_bo,
                Resident.name_zh,
                Resident.birth_date,
                Resident.area_id,
                Resident.household_id,
                Resident.household_relation,
            ).where(Resident.deleted.is_(False))
        ):
            person = _Registered(*row)
            self.registered[person.id] = person
            if person.id_number:
                self.by_id_number[person.id_number] = person
            for name in {_name_key(person.name_bo), _name_key(person.name_zh)} - {""}:
                self.by_name[(name, person.birth_date, person.area_id)].append(person)
        self.members: set[tuple[uuid.UUID, str]] = set(
            self.session.execute(
                select(GroupMembership.resident_id, GroupMembership.group).where(
                    GroupMembership.deleted.is_(False),
                    or_(
                        GroupMembership.end_date.is_(None),
                        GroupMembership.end_date >= self.today,
                    ),
                )
            ).all()
        )

    # ------------------------------------------------------------ cells

    def cell(self, cells: Sequence[Cell], wanted: RosterField) -> Cell:
        index = self.column_of.get(wanted)
        return cells[index] if index is not None and index < len(cells) else None

    def text(self, cells: Sequence[Cell], wanted: RosterField) -> str:
        return cell_text(self.cell(cells, wanted))

    def refuse(
        self, number: int, fields: Iterable[RosterField], message: str, **params: Any
    ) -> None:
        column = next(
            (self.source.heading(self.column_of[f]) for f in fields if f in self.column_of), ""
        )
        self.refusals.append(Refusal(number, column, message, params))

    # ------------------------------------------------------------ one row

    def _resident_values(self, number: int, cells: Sequence[Cell]) -> dict[str, Any]:
        values: dict[str, Any] = {"legal_basis": IMPORT_LEGAL_BASIS.value}
        values["name_zh"] = self.text(cells, RosterField.NAME_ZH)
        values["name_bo"] = self.text(cells, RosterField.NAME_BO)
        either = self.text(cells, RosterField.NAME)
        if either:
            slot = "name_bo" if is_tibetan_name(either) else "name_zh"
            values[slot] = values[slot] or either
        sex_text = self.text(cells, RosterField.SEX)
        if sex_text:
            sex = sex_code(sex_text)
            if sex is None:
                self.refuse(number, [RosterField.SEX], MSG_UNKNOWN_SEX, value=sex_text)
            values["sex"] = sex.value if sex else None
        ethnicity = ethnicity_code(self.text(cells, RosterField.ETHNICITY))
        values["ethnicity"] = ethnicity.value if ethnicity else None
        birth = date_cell(self.cell(cells, RosterField.BIRTH_DATE))
        values["birth_date"] = birth.value or birth.text or None
        id_found = id_cell(self.cell(cells, RosterField.ID_NUMBER))
        if id_found.mangled:
            self.refuse(number, [RosterField.ID_NUMBER], MSG_ID_MANGLED, shown=id_found.mangled)
        elif id_found.text:
            values["id_number"] = id_found.text
            check = check_id_number(id_found.text, today=self.today)
            # The card says the birth date and sex: a blank cell takes them from it.
            if check.ok and values["birth_date"] is None:
                values["birth_date"] = check.birth_date
            if check.ok and values.get("sex") is None and not sex_text:
                values["sex"] = check.sex
        area_text = self.text(cells, RosterField.AREA)
        if area_text:
            area_id = self.areas.find(area_text)
            if area_id is None:
                self.refuse(number, [RosterField.AREA], MSG_UNKNOWN_AREA, village=area_text)
            values["area_id"] = area_id
        relation = relation_code(self.text(cells, RosterField.HOUSEHOLD_RELATION))
        values["household_relation"] = relation.value if relation else None
        for roster_field, key in _TEXT_FIELDS.items():
            values[key] = self.text(cells, roster_field)
        return values

    def _groups(self, number: int, cells: Sequence[Cell]) -> list[PriorityGroup]:
        if self.choices.group is not None:
            return [self.choices.group]
        found, unknown = groups_of(self.text(cells, RosterField.CATEGORY))
        for value in unknown:
            self.refuse(number, [RosterField.CATEGORY], MSG_UNKNOWN_GROUP, value=value)
        return found

    def _membership(self, number: int, cells: Sequence[Cell]) -> dict[str, Any]:
        since = date_cell(self.cell(cells, RosterField.MEMBER_SINCE))
        return {
            "start_date": since.value or since.text or self.choices.since or self.today,
            "certificate_no": self.text(cells, RosterField.CERTIFICATE_NO),
        }

    def row(self, number: int, cells: Sequence[Cell]) -> _Row | None:
        """The row cleaned and checked, its problems added to `refusals` (None if blank)."""
        if not any(cell_text(self.cell(cells, f)) for f in _WHO_FIELDS):
            return None  # blank, or a line such as 制表人：… under the table: nobody
        values = self._resident_values(number, cells)
        cleaned = clean_form(RESIDENT_FORM, values, today=self.today)
        check_resident_rules(cleaned, self.today)
        for error in cleaned.errors:
            fields = _FIELD_COLUMNS.get(error.field, ())
            self.refuse(number, fields, error.message, **error.params)
        groups = self._groups(number, cells)
        membership = self._membership(number, cells)
        # The membership's own fields are the same for each group of the row.
        checked = clean_membership(
            {**membership, "group": (groups[0] if groups else PriorityGroup.DIBAO).value},
            self.today,
        )
        for error in checked.errors:
            fields = _FIELD_COLUMNS.get(error.field, ())
            self.refuse(number, fields, error.message, **error.params)
        membership = {k: checked.values[k] for k in membership}
        return _Row(
            number,
            cleaned.values,
            groups,
            membership,
            head_name=self.text(cells, RosterField.HOUSEHOLD_HEAD),
            household_no=self.text(cells, RosterField.HOUSEHOLD_NO),
            id_ok=bool(cleaned.values.get("id_number"))
            and not any(e.field == "id_number" for e in cleaned.errors),
        )

    # ------------------------------------------------------------ matching

    def match(self, row: _Row) -> _Registered | None:
        """The registered resident this row is: by ID number, else by name + date of birth
        + village among those registered without an ID number. Problems are refusals."""
        v = row.values
        names = {_name_key(v.get("name_zh") or ""), _name_key(v.get("name_bo") or "")} - {""}
        id_number = v.get("id_number") if row.id_ok else None
        if id_number and id_number in self.by_id_number:
            person = self.by_id_number[id_number]
            if names and not names & {_name_key(person.name_zh), _name_key(person.name_bo)}:
                self.refuse(
                    row.number,
                    [RosterField.ID_NUMBER],
                    MSG_ID_OF_SOMEONE_ELSE,
                    name=" ".join(n for n in (person.name_bo, person.name_zh) if n),
                )
                return None
            return person
        found: dict[uuid.UUID, _Registered] = {}
        for name in names:
            for person in self.by_name.get((name, v.get("birth_date"), v.get("area_id")), []):
                if not person.id_number:
                    found[person.id] = person
        if len(found) > 1:
            self.refuse(row.number, [RosterField.NAME, RosterField.NAME_ZH], MSG_SEVERAL_MATCHES)
            return None
        return next(iter(found.values()), None)

    # ------------------------------------------------------------ the whole sheet

    def plan(self) -> _Plan:
        rows = self.source.rows
        total = len(rows)
        first_seen_id: dict[str, int] = {}
        first_seen_name: dict[tuple[str, date | None, Any], int] = {}
        taken: list[_Row] = []
        seen_residents: set[uuid.UUID] = set()
        blank = 0
        current_head: tuple[Any, ...] | None = None
        listed_groups: list[PriorityGroup] = (
            [self.choices.group] if self.choices.group is not None else []
        )
        for done, (number, cells) in enumerate(rows, start=1):
            if done % PROGRESS_EVERY == 0:
                self.progress("check", done, total)
            refused_before = len(self.refusals)
            row = self.row(number, cells)
            if row is None:
                blank += 1
                continue
            for group in row.groups:
                if group not in listed_groups:
                    listed_groups.append(group)
            v = row.values
            # The same person twice in the file: the later row is refused.
            name = _name_key(v.get("name_zh") or "") or _name_key(v.get("name_bo") or "")
            name_key = (name, v.get("birth_date"), v.get("area_id"))
            id_number = v.get("id_number") if row.id_ok else None
            earlier = first_seen_id.get(id_number) if id_number else None
            if earlier is None and not id_number and name:
                earlier = first_seen_name.get(name_key)
            if earlier is not None:
                self.refuse(number, [], MSG_SAME_AS_ROW, row=earlier)
            if id_number:
                first_seen_id.setdefault(id_number, number)
            if name:
                first_seen_name.setdefault(name_key, number)
            row.existing = self.match(row)
            if row.existing is not None:
                seen_residents.add(row.existing.id)
            row.household, current_head = self._household_key(row, current_head)
            if len(self.refusals) == refused_before:
                taken.append(row)
        self.progress("check", total, total)
        return self._sorted(taken, blank, listed_groups, seen_residents)

    def _household_key(
        self, row: _Row, current: tuple[Any, ...] | None
    ) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
        """Which household a row belongs to, and the household that following rows join
        when the file lists families one after another without a 户主 column."""
        v = row.values
        area = v.get("area_id")
        if RosterField.HOUSEHOLD_HEAD in self.column_of:
            if not row.head_name:
                return None, current
            return (area, _name_key(row.head_name)), current
        if RosterField.HOUSEHOLD_RELATION in self.column_of:
            if v.get("household_relation") == "head":
                own = _name_key(v.get("name_zh") or v.get("name_bo") or "")
                row.head_name = v.get("name_zh") or v.get("name_bo") or ""
                current = (area, own)
                return current, current
            if v.get("household_relation") and current is not None and current[0] == area:
                return current, current
        if row.household_no:  # only a household number: the rows that share it
            return (area, "#" + row.household_no), current
        return None, current

    def _sorted(
        self,
        taken: list[_Row],
        blank: int,
        listed_groups: list[PriorityGroup],
        seen: set[uuid.UUID],
    ) -> _Plan:
        added: list[Person] = []
        joining: list[Person] = []
        unchanged: list[Person] = []
        plan = _Plan(ImportPreview(self.source, self.choices))
        # Households: an existing one where its head is registered there, else a new one.
        heads: dict[tuple[Any, ...], uuid.UUID] = {}
        for person in self.registered.values():
            if person.household_relation == "head" and person.household_id is not None:
                for name in {_name_key(person.name_zh), _name_key(person.name_bo)} - {""}:
                    heads.setdefault((person.area_id, name), person.household_id)
        for row in taken:
            if row.existing is not None and row.existing.household_id and row.household:
                heads.setdefault(row.household, row.existing.household_id)
        for row in taken:
            shown = self._person(row)
            if row.existing is None:
                added.append(shown)
                plan.new_rows.append(row)
                key = row.household
                if key is not None and key not in plan.households:
                    plan.households[key] = heads.get(key) or {
                        "area_id": row.values.get("area_id"),
                        "household_no": row.household_no,
                        "address": row.values.get("address") or "",
                    }
                if key is not None and not row.values.get("household_relation"):
                    own = _name_key(row.values.get("name_zh") or row.values.get("name_bo") or "")
                    if own == key[1]:
                        row.values["household_relation"] = "head"
                continue
            missing = [g for g in row.groups if (row.existing.id, g.value) not in self.members]
            if missing:
                joining.append(shown)
                plan.joining_rows.append((row, missing))
            else:
                unchanged.append(shown)
        new_households = sum(1 for h in plan.households.values() if isinstance(h, dict))
        plan.preview = ImportPreview(
            self.source,
            self.choices,
            added=tuple(added),
            joining=tuple(joining),
            unchanged=tuple(unchanged),
            refused=tuple(self.refusals),
            gone=self._gone(listed_groups, seen),
            groups=tuple(listed_groups),
            new_households=new_households,
            skipped_rows=blank,
        )
        return plan

    def _person(self, row: _Row) -> Person:
        v = row.values
        return Person(
            row.number,
            v.get("name_bo") or "",
            v.get("name_zh") or "",
            v.get("birth_date"),
            self.area_codes.get(v.get("area_id"), ""),
            tuple(g.value for g in row.groups),
            row.existing.id if row.existing else None,
        )

    def _gone(self, groups: list[PriorityGroup], seen: set[uuid.UUID]) -> tuple[Person, ...]:
        """The station's current members of the listed groups who are not in the file."""
        if not groups:
            return ()
        missing: dict[uuid.UUID, list[str]] = defaultdict(list)
        for resident_id, group in sorted(self.members, key=lambda m: (str(m[0]), m[1])):
            if group in {g.value for g in groups} and resident_id not in seen:
                missing[resident_id].append(group)
        station_residents = (
            set(
                self.session.scalars(
                    select(Resident.id).where(
                        Resident.station_id == self.station_id,
                        Resident.id.in_(list(missing)),
                    )
                )
            )
            if missing
            else set()
        )
        people = [
            Person(
                None,
                p.name_bo,
                p.name_zh,
                p.birth_date,
                self.area_codes.get(p.area_id, ""),
                tuple(missing[p.id]),
                p.id,
            )
            for resident_id in missing
            if resident_id in station_residents and (p := self.registered.get(resident_id))
        ]
        return tuple(sorted(people, key=lambda p: (p.name_zh or p.name_bo, str(p.resident_id))))


def _data_basis(session: Session) -> tuple[int, ...]:
    """Changes when anything is written: every write adds a change-log entry (the log is
    append-only), so the number of entries and the newest clock tell one state from the
    next."""
    count, newest = session.execute(
        select(func.count(), func.coalesce(func.max(ChangeLogEntry.hlc), 0)).select_from(
            ChangeLogEntry
        )
    ).one()
    return (int(count), int(newest))


def _column_letter(index: int) -> str:
    """A column as the spreadsheet names it (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ---------------------------------------------------------------- the service


class RosterImportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def read(
        self, path: Path, sheet: str | None = None, progress: Progress | None = None
    ) -> RosterSource:
        """Read a sheet and find its headings; StationError if it has none or no rows."""
        self.ctx.require(Resource.ROSTER, Action.IMPORT)
        report = progress or _no_progress
        sheet_rows = read_sheet(path, sheet, lambda count: report("read", count, 0))
        rows = sheet_rows.rows
        header = find_header_row(rows)
        if header is None:
            raise StationError(MSG_NO_HEADINGS, rows=HEADER_SEARCH_ROWS, sheet=sheet_rows.name)
        headings = rows[header]
        body = [(number, tuple(cells)) for number, cells in enumerate(rows, start=1)][header + 1 :]
        width = max([len(headings), *(len(cells) for _n, cells in body)], default=0)
        columns = []
        for index in range(width):
            heading = cell_text(headings[index]) if index < len(headings) else ""
            column = [cells[index] if index < len(cells) else None for _n, cells in body]
            found = samples(column)
            if heading or found:
                columns.append(SourceColumn(index, heading or _column_letter(index), found))
        if not any(any(cell_text(c) for c in cells) for _n, cells in body):
            raise StationError(MSG_NO_ROWS, sheet=sheet_rows.name)
        layout = layout_key(headings)
        return RosterSource(
            path=path,
            sheet=sheet_rows.name,
            sheets=sheet_rows.sheets,
            header_row=header + 1,
            columns=tuple(columns),
            rows=tuple(body),
            layout=layout,
            guessed=guess_mapping(headings),
            remembered=self.remembered_mapping(layout, width),
        )

    def preview(
        self,
        source: RosterSource,
        choices: ImportChoices,
        progress: Progress | None = None,
    ) -> ImportPreview:
        """What importing would do; writes nothing."""
        self.ctx.require(Resource.ROSTER, Action.IMPORT)
        problem = mapping_problem(choices.mapping)
        if problem is not None:
            return ImportPreview(source, choices, problem=problem)
        with self.ctx.db.read() as session:
            basis = _data_basis(session)
            plan = self._plan(session, source, choices, progress)
        return dataclasses.replace(plan.preview, basis=basis, plan=plan)

    def _plan(
        self,
        session: Session,
        source: RosterSource,
        choices: ImportChoices,
        progress: Progress | None,
    ) -> _Plan:
        planner = _Planner(
            session,
            self.ctx.station_id(),
            source,
            choices,
            self.ctx.today(),
            progress or _no_progress,
        )
        return planner.plan()

    def commit(self, preview: ImportPreview, progress: Progress | None = None) -> ImportResult:
        """Write the good rows of a preview, in one transaction, or nothing. The plan is
        made again inside the transaction: if the registered residents changed since the
        preview, StationError and nothing is written."""
        self.ctx.require(Resource.ROSTER, Action.IMPORT)
        report = progress or _no_progress
        problem = mapping_problem(preview.choices.mapping)
        if problem is not None:
            raise StationError(problem.message, **problem.params)
        station_id = self.ctx.station_id()
        with self.ctx.uow() as uow:
            plan = preview.plan
            if plan is None or _data_basis(uow.session) != preview.basis:
                plan = self._plan(uow.session, preview.source, preview.choices, progress)
                if plan.preview.outline() != preview.outline():
                    raise StationError(MSG_CHANGED_SINCE_PREVIEW)
            total = len(plan.new_rows) + len(plan.joining_rows)
            report("write", 0, total)
            new_households = [
                (key, values) for key, values in plan.households.items() if isinstance(values, dict)
            ]
            household_ids = uow.insert_many(Household, [v for _key, v in new_households])
            household_of: dict[tuple[Any, ...], uuid.UUID] = {
                key: value for key, value in plan.households.items() if isinstance(value, uuid.UUID)
            }
            household_of |= {
                key: new_id for (key, _v), new_id in zip(new_households, household_ids, strict=True)
            }
            resident_rows = []
            for row in plan.new_rows:
                values = {**row.values, "form_version": RESIDENT_FORM.version}
                if row.household is not None:
                    values["household_id"] = household_of[row.household]
                resident_rows.append(values)
            resident_ids = uow.insert_many(Resident, resident_rows)
            report("write", len(resident_ids), total)
            index_residents(
                uow.session,
                self.ctx.keys,
                [
                    _Indexed(
                        rid,
                        station_id,
                        False,
                        v.get("name_bo") or "",
                        v.get("name_zh") or "",
                        v.get("id_number"),
                        v.get("phone"),
                    )
                    for rid, v in zip(resident_ids, resident_rows, strict=True)
                ],
                new=True,
            )
            memberships = [
                {**row.membership, "group": group.value, "resident_id": rid}
                for row, rid in zip(plan.new_rows, resident_ids, strict=True)
                for group in row.groups
            ]
            memberships += [
                {**row.membership, "group": group.value, "resident_id": row.existing.id}
                for row, groups in plan.joining_rows
                if row.existing is not None
                for group in groups
            ]
            uow.insert_many(GroupMembership, memberships)
            self._remember(uow.session, preview.source.layout, preview.choices.mapping)
            # The file's name is not kept (it may name a person): what came in, and how much.
            audit.record_event(
                uow.session,
                actor_id=self.ctx.actor_id,
                action=audit.IMPORT,
                entity="roster",
                entity_id=str(total),
                fields=sorted(
                    str(getattr(f, "value", f)) for f in preview.choices.mapping.values()
                ),
                at=uow.now,
            )
            report("write", total, total)
        done = plan.preview
        return ImportResult(
            added=len(done.added),
            joined=len(done.joining),
            unchanged=len(done.unchanged),
            refused_rows=len(done.refused_rows),
            households=len(new_households),
            memberships=len(memberships),
            gone=done.gone,
        )

    # ------------------------------------------------------------ the mapping, remembered

    def remembered_mapping(self, layout: str, width: int) -> dict[int, RosterField] | None:
        with self.ctx.db.read() as session:
            stored = get_local_state(session, MAPPING_KEY_PREFIX + layout)
        if not stored:
            return None
        try:
            data = json.loads(stored)
        except ValueError:
            return None
        return mapping_from_json(data, width) if isinstance(data, dict) else None

    @staticmethod
    def _remember(session: Session, layout: str, mapping: Mapping[int, RosterField]) -> None:
        data = {str(i): f.value for i, f in sorted(mapping.items())}
        set_local_state(session, MAPPING_KEY_PREFIX + layout, json.dumps(data))


def _no_progress(stage: str, done: int, total: int) -> None:
    del stage, done, total
