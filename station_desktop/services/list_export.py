"""Lists as spreadsheets: residents with their priority groups, home visits, cases and
feedback sheets, one row per record, for a station to keep working in the tools it knows.

Headings are in Tibetan and Chinese ("བོད / 中文", as on bilingual paper), taken from the
form specs where the form has the field, so the list and the form never name a thing two
ways; coded values are shown by their labels in both scripts, dates as dates. ID card
numbers are masked unless the person's role may export them whole and asks to
(`write(..., whole_id_numbers=True)`: recorded in the audit trail). Text cells go through
the report export's `put_text`, so nothing in a cell starts a formula. Written under a
temporary name, then renamed.
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import (
    CaseSource,
    CaseStage,
    ClosingReason,
    Code,
    Ethnicity,
    FeedbackDimension,
    HouseholdRelation,
    PriorityGroup,
    ServiceArea,
    ServiceType,
    Sex,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.domain.idcard import mask_id_number
from station_desktop.forms.case import CASE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import RESIDENT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, NC_, PAPER_LANGUAGES, Catalogues
from station_desktop.reports.tables import Msg
from station_desktop.services.access import (
    Action,
    Resource,
    allowed,
    scope_conditions,
    visible,
)
from station_desktop.services.context import ServiceContext
from station_desktop.services.listing import KIND_RESOURCES, ListingService
from station_desktop.services.report_export import (
    bilingual,
    display_width,
    put_text,
    sheet_name,
)
from station_desktop.store import audit
from station_desktop.store.files import write_atomically
from station_desktop.store.models import Area, GroupMembership, Resident

__all__ = ["EXPORT_KINDS", "ListExportService"]

EXPORT_KINDS: Final = ("residents", "visits", "cases", "feedback")
KIND_TITLES: Final[dict[str, str]] = {
    "residents": N_("Residents"),
    "visits": N_("Home visits"),
    "cases": N_("Cases"),
    "feedback": N_("Satisfaction feedback"),
}
DATE_FORMAT: Final = "yyyy-mm-dd"
ALL_ROWS: Final = 10_000_000  # "no limit" for the listing's newest-first queries
_MIN_WIDTH, _MAX_WIDTH = 8.0, 50.0
YES_NO: Final = {True: NC_("answer", "Yes"), False: NC_("answer", "No")}


@dataclass(frozen=True)
class ListColumn:
    header: str  # message id
    value: Callable[[dict[str, Any]], Any]
    codes: type[Code] | None = None  # a code, or a list of codes: shown by their labels


def _form_label(form: FormSpec, key: str) -> str:
    return form.field(key).label


def _get(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(key)


def _day(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: date.fromisoformat(row[key]) if row.get(key) else None


def _rating(dimension: FeedbackDimension) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row["ratings"].get(dimension.value)


class ListExportService:
    def __init__(self, ctx: ServiceContext, catalogues: Catalogues) -> None:
        self.ctx = ctx
        self.catalogues = catalogues
        self._listing = ListingService(ctx)
        self._whole_id_numbers = False

    # ------------------------------------------------------------ who may see what

    def reveal_id_numbers(self) -> bool:
        """Whether this export shows whole ID card numbers: asked for, and allowed to the
        role (checked in `write`)."""
        return self._whole_id_numbers

    def may_export_whole_id_numbers(self) -> bool:
        return allowed(self.ctx.actor, Resource.ID_NUMBER, Action.EXPORT)

    def id_number_shown(self, number: str | None) -> str:
        if not number:
            return ""
        return number if self.reveal_id_numbers() else mask_id_number(number)

    # ------------------------------------------------------------ the lists

    def columns(self, kind: str) -> tuple[ListColumn, ...]:
        if kind == "residents":
            return self._resident_columns()
        if kind == "visits":
            return (
                ListColumn(_form_label(VISIT_FORM, "visit_date"), _day("visit_date")),
                ListColumn(N_("Tibetan name"), _get("resident_name_bo")),
                ListColumn(N_("Chinese name"), _get("resident_name_zh")),
                ListColumn(_form_label(VISIT_FORM, "outcome"), _get("outcome"), VisitOutcome),
                ListColumn(_form_label(VISIT_FORM, "purpose"), _get("purpose"), VisitPurpose),
                ListColumn(_form_label(VISIT_FORM, "services"), _get("services"), ServiceType),
                ListColumn(_form_label(VISIT_FORM, "next_visit_on"), _day("next_visit_on")),
            )
        if kind == "cases":
            return (
                ListColumn(N_("Case number"), _get("case_number")),
                ListColumn(N_("Tibetan name"), _get("resident_name_bo")),
                ListColumn(N_("Chinese name"), _get("resident_name_zh")),
                ListColumn(N_("Stage"), _get("stage"), CaseStage),
                ListColumn(_form_label(CASE_FORM, "source"), _get("source"), CaseSource),
                ListColumn(
                    _form_label(CASE_FORM, "service_area"), _get("service_area"), ServiceArea
                ),
                ListColumn(N_("Opened"), _day("opened_on")),
                ListColumn(N_("Closed"), _day("closed_on")),
                ListColumn(N_("Closing reason"), _get("closing_reason"), ClosingReason),
            )
        if kind == "feedback":
            return (
                ListColumn(_form_label(FEEDBACK_FORM, "sheet_no"), _get("sheet_no")),
                ListColumn(_form_label(FEEDBACK_FORM, "service_date"), _day("service_date")),
                ListColumn(
                    _form_label(FEEDBACK_FORM, "service_area"), _get("service_area"), ServiceArea
                ),
                ListColumn(
                    _form_label(FEEDBACK_FORM, "service_type"), _get("service_type"), ServiceType
                ),
                ListColumn(N_("Anonymous"), lambda row: bool(row["anonymous"])),
                *(ListColumn(d.label, _rating(d)) for d in FeedbackDimension),
                ListColumn(_form_label(FEEDBACK_FORM, "comments"), _get("comments")),
            )
        raise ValueError(f"unknown list {kind!r}; choose from {', '.join(EXPORT_KINDS)}")

    def _resident_columns(self) -> tuple[ListColumn, ...]:
        def label(key: str) -> str:
            return _form_label(RESIDENT_FORM, key)

        return (
            ListColumn(label("name_bo"), _get("name_bo")),
            ListColumn(label("name_zh"), _get("name_zh")),
            ListColumn(label("sex"), _get("sex"), Sex),
            ListColumn(label("ethnicity"), _get("ethnicity"), Ethnicity),
            ListColumn(label("birth_date"), _get("birth_date")),
            ListColumn(label("id_number"), lambda row: self.id_number_shown(row["id_number"])),
            ListColumn(label("phone"), _get("phone")),
            ListColumn(label("area_id"), _get("area")),
            ListColumn(label("address"), _get("address")),
            ListColumn(label("household_relation"), _get("household_relation"), HouseholdRelation),
            ListColumn(N_("Priority groups"), _get("groups"), PriorityGroup),
        )

    def rows(self, kind: str) -> list[dict[str, Any]]:
        if kind == "residents":
            self.ctx.require(Resource.RESIDENT, Action.READ)
            with self.ctx.db.read() as session:
                return self._residents(session)
        if kind not in EXPORT_KINDS:
            raise ValueError(f"unknown list {kind!r}; choose from {', '.join(EXPORT_KINDS)}")
        return self._listing.records(kind, limit=ALL_ROWS)

    def _residents(self, session: Session) -> list[dict[str, Any]]:
        """Every live resident with the priority groups they are in today, by village,
        then name."""
        today = self.ctx.today()
        groups: dict[uuid.UUID, list[str]] = defaultdict(list)
        for resident_id, group in session.execute(
            select(GroupMembership.resident_id, GroupMembership.group)
            .where(
                GroupMembership.deleted.is_(False),
                GroupMembership.start_date <= today,
                or_(GroupMembership.end_date.is_(None), GroupMembership.end_date >= today),
            )
            .order_by(GroupMembership.group)
        ):
            groups[resident_id].append(group)
        areas = {
            a.id: " ".join(n for n in (a.name_bo, a.name_zh) if n) or a.code
            for a in session.scalars(select(Area))
        }
        rows = []
        shown = scope_conditions(visible(self.ctx.actor, Resource.RESIDENT), Resident, session)
        for r in session.scalars(select(Resident).where(Resident.deleted.is_(False), *shown)):
            rows.append(
                {
                    "name_bo": r.name_bo,
                    "name_zh": r.name_zh,
                    "sex": r.sex,
                    "ethnicity": r.ethnicity,
                    "birth_date": r.birth_date,
                    "id_number": r.id_number,
                    "phone": r.phone,
                    "area": areas.get(r.area_id, "") if r.area_id else "",
                    "address": r.address,
                    "household_relation": r.household_relation,
                    "groups": groups.get(r.id, []),
                }
            )
        rows.sort(key=lambda row: (row["area"], row["name_zh"] or row["name_bo"]))
        return rows

    # ------------------------------------------------------------ the workbook

    def write(self, kind: str, path: Path, *, whole_id_numbers: bool = False) -> int:
        """Write the list `kind` to `path` (.xlsx); returns the number of rows. Raises
        CannotWrite when the file cannot be written, NotPermitted when the role may not
        export the list (or whole ID card numbers, when asked for)."""
        if kind in KIND_RESOURCES:
            self.ctx.require(KIND_RESOURCES[kind], Action.EXPORT)
        whole = whole_id_numbers and kind == "residents"
        if whole:
            self.ctx.require(Resource.ID_NUMBER, Action.EXPORT)
        columns = self.columns(kind)
        rows = self.rows(kind)
        # What leaves the laptop, and who took it, is recorded first: an export that
        # cannot be recorded is not made. Whole ID numbers are a reveal as well (field
        # names, never the numbers).
        with audit.event_session(self.ctx.db) as session:
            audit.record_event(
                session,
                actor_id=self.ctx.actor.staff_id,
                action=audit.EXPORT,
                entity=kind,
                entity_id=str(len(rows)),
                fields=[c.header for c in columns],
                at=self.ctx.clock(),
            )
            if whole:
                audit.record_event(
                    session,
                    actor_id=self.ctx.actor.staff_id,
                    action=audit.REVEAL_ID,
                    entity="resident",
                    fields=("id_number",),
                    at=self.ctx.clock(),
                )
        self._whole_id_numbers = whole
        try:
            self._save(kind, columns, rows, path)
        finally:
            self._whole_id_numbers = False
        return len(rows)

    def _cell(self, column: ListColumn, value: Any) -> Any:
        """What goes in the cell: a date, a number, or text (labels in both scripts)."""
        if value is None or value in ("", []):
            return None
        if isinstance(value, bool):
            answers = (
                self.catalogues.translator(language).pgettext("answer", YES_NO[value])
                for language in PAPER_LANGUAGES
            )
            return " / ".join(dict.fromkeys(answers))
        if isinstance(value, (date, int)):
            return value
        if column.codes is not None:
            codes = value if isinstance(value, list) else [value]
            return "、".join(self._code_label(column.codes, str(code)) for code in codes)
        return str(value)

    def _both(self, message: str) -> str:
        return bilingual(self.catalogues, Msg(message))

    def _code_label(self, codes: type[Code], code: str) -> str:
        try:
            return self._both(codes.parse(code).label)
        except ValueError:
            return code  # an unknown code is shown as stored

    def _save(
        self,
        kind: str,
        columns: Sequence[ListColumn],
        rows: Iterable[dict[str, Any]],
        path: Path,
    ) -> None:
        from openpyxl import Workbook  # type: ignore[import-untyped]  # noqa: PLC0415
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]  # noqa: PLC0415
        from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]  # noqa: PLC0415
        from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

        book = Workbook(write_only=True)
        sheet = book.create_sheet(sheet_name(self.catalogues, KIND_TITLES[kind], set()))
        headers = [self._both(c.header) for c in columns]
        widths = [min(max(display_width(h) + 2, _MIN_WIDTH), 24.0) for h in headers]
        # Widths and the frozen header are set before any row: a write-only sheet writes
        # its rows out as they come.
        body: list[list[Any]] = []
        for row in rows:
            cells = []
            for c, column in enumerate(columns):
                value = self._cell(column, column.value(row))
                if isinstance(value, str):
                    widths[c] = min(max(widths[c], display_width(value) + 2), _MAX_WIDTH)
                cells.append(value)
            body.append(cells)
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = round(width, 1)
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet)
            put_text(cell, text)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header_cells.append(cell)
        sheet.append(header_cells)
        for values in body:
            out = []
            for value in values:
                cell = WriteOnlyCell(sheet)
                if isinstance(value, str):
                    put_text(cell, value)
                elif isinstance(value, date):
                    cell.value = value
                    cell.number_format = DATE_FORMAT
                else:
                    cell.value = value
                out.append(cell)
            sheet.append(out)
        book.properties.creator = "Station Desktop"
        # Into memory first: openpyxl leaves its zip file open when the disk fills mid-save.
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomically(path, buffer.getvalue())
