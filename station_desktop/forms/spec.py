"""Form specifications: each standard form declared once.

A `FormSpec` is the single description from which the screen form, its validation, the
printed filled and blank forms and export field lists are derived. Labels are English
message ids (translated by the reader's catalogue; paper prints Tibetan and Chinese).
Records keep the `version` of the form they were captured with.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from station_desktop.domain.codes import Code


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    MULTILINE = "multiline"  # free text, may flow over pages on paper
    DATE = "date"
    CODE = "code"  # one of `codes`
    CODES = "codes"  # several of `codes`
    INTEGER = "integer"
    MONEY = "money"  # yuan on screen and paper, fen in the database
    BOOLEAN = "boolean"
    RESIDENT = "resident"  # a reference to a resident
    REFERENCE = "reference"  # a reference to another record kind (`ref`)
    STAFF = "staff"  # a reference to a staff member
    STAFF_LIST = "staff_list"  # several staff members (visits are often made in pairs)
    RATING = "rating"  # a satisfaction scale (codes = Satisfaction)
    ID_NUMBER = "id_number"  # resident ID card number (GB 11643)
    PHONE = "phone"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: FieldKind
    label: str
    required: bool = False
    codes: type[Code] | None = None
    ref: str | None = None  # for REFERENCE: the table referred to (area, household, ...)
    not_future: bool = False  # for DATE: an event that has happened (a visit, a birth)
    default: object = None  # stored when the field is left blank (e.g. 0 for a count)
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    # Paper: how many write-in lines a blank form leaves (Tibetan needs tall lines).
    paper_lines: int = 1
    help: str = ""
    translator_note: str = ""

    @property
    def starts_today(self) -> bool:
        """The date of the event the record is about (a visit, a sheet, a hand-out): asked
        on every record and never in the future, so a new record starts with today."""
        return self.kind is FieldKind.DATE and self.required and self.not_future


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FormSpec:
    code: str
    version: int
    title: str
    sections: tuple[SectionSpec, ...]
    record_kind: str = ""
    notes: tuple[str, ...] = field(default=())

    def fields(self) -> Iterator[FieldSpec]:
        for section in self.sections:
            yield from section.fields

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields():
            if spec.key == key:
                return spec
        raise KeyError(key)

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        # Cached: validation asks for every value it cleans (a roster import: thousands).
        return tuple(f.key for f in self.fields())

    @property
    def printed_code(self) -> str:
        return f"{self.code} v{self.version}"
