"""Printing: collect a record's data for its paper form, choose who is due for a visit, and
render forms to PDF (`pdf.forms`). Reads only; never writes to the database.

Who is due for a visit (a *visit pack* for one village or community and a period):
every live resident of the area (the resident's own area, else their household's) for whom

1. the latest home visit planned the next one (`next_visit_on`) inside the period, or
   before it by at most `OVERDUE_DAYS` (a planned visit that was missed stays due for that
   long; older plans are stale and no longer count); or
2. a priority-group membership is current at some time in the period, no home visit is
   recorded in the period nor in the `PRIORITY_INTERVAL_DAYS` before it, and the latest
   visit planned no next visit after the period (a plan made by a visitor stands).

Rule 2 is stricter than "a priority group and no visit in the period": for a period still
to come nobody has a visit in it, so that rule makes every priority-group member due every
time (in the largest area of the 60,000-resident demo: 794 residents due in two weeks,
455 of them for their group alone; with rule 2 as written, 615 and 276). Monthly contact
with the priority groups is the usual practice.

The period defaults to today and the `DEFAULT_PACK_DAYS - 1` days after it. Forms come in
route order: household (by household number, numbers in numeric order), then name (Tibetan
name, then Chinese name, by the search index's sort keys); people without a household last.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import (
    ActivityKind,
    CaseSource,
    CaseStage,
    ClosingReason,
    Code,
    FeedbackDimension,
    PriorityGroup,
    ResourceKind,
    Satisfaction,
    ServiceArea,
    ServiceType,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.errors import NotFound, StationError
from station_desktop.forms.activity import ACTIVITY_FORM, SIGN_IN_FORM, SIGN_IN_PRINT_FORM
from station_desktop.forms.case import CASE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM, rating_key
from station_desktop.forms.resources import HANDOUT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.validate import clean_form
from station_desktop.forms.visit import VISIT_FORM, VISIT_PACK_FORM
from station_desktop.i18n import N_, Catalogues, Label
from station_desktop.pdf.forms import (
    CaseExtras,
    FieldValue,
    FormContent,
    ListRow,
    Money,
    NoteEntry,
    Person,
    Place,
    ResidentDetails,
    StageEntry,
    printed_texts,
    render_forms,
)
from station_desktop.pdf.page import (
    FormHeader,
    LayoutLog,
    PaperSetup,
    PaperTexts,
    QrPayload,
    RenderedPdf,
    RenderProgress,
    StationHeader,
)
from station_desktop.pdf.paragraphs import missing_characters
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.cases import case_references
from station_desktop.services.context import (
    MSG_NOT_FOUND,
    ServiceContext,
    load,
    raise_if_invalid,
)
from station_desktop.services.paper import (
    DEFAULT_PACK_DAYS,
    KINDS,
    MSG_PERIOD,
    PERIOD_EXAMPLE,
    PrintKind,
    write_pdf,
)
from station_desktop.store import audit
from station_desktop.store.models import (
    Activity,
    Area,
    Attendance,
    CaseNote,
    CaseRecord,
    CaseStageChange,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Household,
    Resident,
    ResidentSearch,
    ResourceHandout,
    ResourceReceipt,
    SignInList,
    Staff,
    Station,
    StationOwned,
)

__all__ = [
    "DEFAULT_PACK_DAYS",
    "KINDS",
    "OVERDUE_DAYS",
    "PRIORITY_INTERVAL_DAYS",
    "SPECS",
    "DueResident",
    "PrintKind",
    "PrintService",
    "write_pdf",
]

SPECS: Final[dict[PrintKind, FormSpec]] = {
    "visit": VISIT_FORM,
    "feedback": FEEDBACK_FORM,
    "case": CASE_FORM,
    "activity": ACTIVITY_FORM,
    "handout": HANDOUT_FORM,
}
_MODELS: Final[dict[PrintKind, type[StationOwned]]] = {
    "visit": HomeVisit,
    "feedback": FeedbackSheet,
    "case": CaseRecord,
    "activity": Activity,
    "handout": ResourceHandout,
}

_RESOURCES: Final[dict[PrintKind, Resource]] = {
    "visit": Resource.VISIT,
    "feedback": Resource.FEEDBACK,
    "case": Resource.CASE,
    "activity": Resource.ACTIVITY,
    "handout": Resource.RESOURCE,
}

OVERDUE_DAYS: Final = 60
PRIORITY_INTERVAL_DAYS: Final = 30
MAX_BLANK_SHEETS: Final = 9999  # sheet numbers print with four digits

MSG_TOO_MANY_SHEETS = N_("Print at most {limit} sheets at a time.")
MSG_NOBODY_DUE = N_("Nobody in {area} is due for a visit between {start} and {end}.")
MSG_END_BEFORE_START = N_("The end of the period is before its start.")
MSG_UNPRINTABLE = N_(
    "Nothing was printed: {field} in {form} {reference} has characters that none of the "
    "program's fonts can print: {characters} ({codes}). Check their spelling in the record."
)

DueReason = Literal["planned", "overdue", "priority"]


@dataclass(frozen=True)
class DueResident:
    resident_id: uuid.UUID
    reason: DueReason
    next_visit_on: date | None  # planned by the latest visit, if any


# ---------------------------------------------------------------- helpers


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts household 2 before household 10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


def _codes(code_list: type[Code], values: Iterable[str]) -> tuple[Code, ...]:
    return tuple(code_list.parse(v) for v in values)


def _code(code_list: type[Code], value: str | None) -> Code | None:
    return code_list.parse(value) if value else None


@dataclass(frozen=True)
class VisitPack:
    area_code: str
    start: date
    end: date
    forms: list[FormContent]


class PrintService:
    """Paper forms. `record_form`, `blank_sheets`, `visit_pack` (with `due_for_visit` and
    `prefilled_visit_forms`) give the forms to print; `render` and `write` make the PDF."""

    def __init__(self, ctx: ServiceContext, catalogues: Catalogues | None = None) -> None:
        self.ctx = ctx
        self._catalogues = catalogues
        self._texts: PaperTexts | None = None

    @property
    def texts(self) -> PaperTexts:
        if self._texts is None:  # loading the catalogues reads .po files: only when printing
            self._texts = PaperTexts(self._catalogues)
        return self._texts

    # ------------------------------------------------------------ rendering

    def station_header(self) -> StationHeader:
        """The station this laptop serves, as the header of every page names it."""
        station_id = self.ctx.station_id()
        with self.ctx.db.read() as session:
            station = session.get(Station, station_id)
            if station is None:
                raise NotFound(kind=Label(N_("station")), record_id=str(station_id))
            return StationHeader(station.code, station.name_bo, station.name_zh)

    def render(
        self,
        forms: Sequence[FormContent],
        *,
        shaping: bool = True,
        invariant: bool = False,
        layout: LayoutLog | None = None,
        progress: RenderProgress | None = None,
    ) -> RenderedPdf:
        """The forms as one PDF (`shaping=False` only to measure the unshaped floor).
        `progress` hears the number of each form as it begins, and may cancel. A text with
        a character no bundled font has stops it before anything is drawn
        (`check_printable`): a box in place of a name's character is worse than no paper."""
        check_printable(forms)
        self._record_filled(forms)
        setup = PaperSetup(self.station_header(), self.ctx.today(), self.texts, shaping, invariant)
        return render_forms(forms, setup, layout=layout, progress=progress)

    def _record_filled(self, forms: Sequence[FormContent]) -> None:
        """A form filled with a person's data, on its way to paper, a PDF or the preview
        (which can print, save or open it without asking again), is an audit event: the
        form, the record it is about and the names of the fields shown."""
        filled = [
            form
            for form in forms
            if form.values and form.header.qr is not None and form.header.qr.record_id
        ]
        if not filled:
            return
        with audit.event_session(self.ctx.db) as session:
            for form in filled:
                assert form.header.qr is not None
                audit.record_event(
                    session,
                    actor_id=self.ctx.actor_id,
                    action=audit.PRINT_FILLED,
                    entity=form.spec.code,
                    entity_id=str(form.header.qr.record_id),
                    fields=[k for k, v in form.values.items() if v not in (None, "", [], ())],
                    at=self.ctx.clock(),
                )

    def write(self, forms: Sequence[FormContent], path: Path) -> RenderedPdf:
        """Render and write to `path` (StationError with a clear message if it cannot)."""
        pdf = self.render(forms)
        write_pdf(pdf.data, path)
        return pdf

    # ------------------------------------------------------------ blank forms

    def blank_sheets(self, kind: PrintKind, count: int = 1, *, first: int = 1) -> list[FormContent]:
        """`count` blank forms numbered from `first` (SF-01 v1 #0001, #0002...): the number
        is printed and in the QR code, so a paper sheet can be matched when it is typed in.
        A feedback sheet also prints it in its sheet-number field."""
        if count < 1:
            raise StationError(N_("{option} must be at least 1."), option="--count")
        if first < 1 or first + count - 1 > MAX_BLANK_SHEETS:
            raise StationError(MSG_TOO_MANY_SHEETS, limit=MAX_BLANK_SHEETS)
        spec = SPECS[kind]
        station = self.station_header().code
        forms = []
        for sheet in range(first, first + count):
            values: dict[str, FieldValue] = {}
            if kind == "feedback":
                values["sheet_no"] = f"{sheet:04d}"
            header = FormHeader(
                spec.title,
                spec.printed_code,
                f"#{sheet:04d}",
                QrPayload.blank_sheet(spec.code, spec.version, station, sheet),
            )
            forms.append(FormContent(spec, header, values, filled=False))
        return forms

    # ------------------------------------------------------------ filled forms

    def record_form(self, kind: PrintKind, record_id: uuid.UUID) -> FormContent:
        """The form of a record, filled from it (NotFound if there is no such live record)."""
        spec = SPECS[kind]
        with self.ctx.db.read() as session:
            record = load(session, _MODELS[kind], record_id)
            if record is None:
                raise NotFound(kind=Label(spec.title), record_id=str(record_id))
            owners = (record.worker_id,) if isinstance(record, CaseRecord) else ()
            self.ctx.require(
                _RESOURCES[kind], Action.READ, RecordScope.of(record.station_id, *owners)
            )
            reader = _Reader(session, self.ctx.today())
            extras: dict[str, Any] = {}
            if isinstance(record, HomeVisit):
                values = reader.visit(record)
            elif isinstance(record, FeedbackSheet):
                values = reader.feedback(record)
            elif isinstance(record, CaseRecord):
                values, extras = reader.case(record)
            elif isinstance(record, Activity):
                values, extras = reader.activity(record)
            else:
                assert isinstance(record, ResourceHandout)
                values, extras = reader.handout(record)
            reference = str(record_id)
            if isinstance(record, CaseRecord):
                reference = case_references(session, [record])[record.id]
            station = _stations(session).get(record.station_id)
            subject = _subject(values)
        header = FormHeader(
            spec.title,
            spec.printed_code,
            reference,
            QrPayload.record(spec.code, spec.version, record_id),
            subject=subject,
            station=station,
        )
        return FormContent(spec, header, values, True, **extras)

    # ------------------------------------------------------------ visit packs

    @staticmethod
    def pack_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
        start = start or today
        return start, end or start + timedelta(days=DEFAULT_PACK_DAYS - 1)

    def visit_pack(
        self, area_code: str, start: date | None = None, end: date | None = None
    ) -> list[FormContent]:
        """Pre-filled blank visit forms of everyone due for a visit, in route order."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        area = self._area(area_code)
        start, end = self.pack_period(start, end, self.ctx.today())
        if end < start:
            raise StationError(MSG_PERIOD, example=PERIOD_EXAMPLE)
        return self._pack(area, start, end)

    def visit_pack_from_form(self, values: Mapping[str, Any]) -> VisitPack:
        """The visit pack chosen in the window's VISIT_PACK_FORM: each problem is reported
        beside its field (ValidationError), as in every other form."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        cleaned = clean_form(VISIT_PACK_FORM, values, today=self.ctx.today())
        v = cleaned.values
        if v.get("start") and v.get("end") and v["end"] < v["start"]:
            cleaned.error("end", MSG_END_BEFORE_START)
        area = None
        if v.get("area_id") is not None:
            with self.ctx.db.read() as session:
                area = load(session, Area, v["area_id"])
                if area is None:
                    cleaned.error("area_id", MSG_NOT_FOUND)
                else:
                    session.expunge(area)
        raise_if_invalid(cleaned)
        assert area is not None  # a required field: cleaning reported it otherwise
        return VisitPack(area.code, v["start"], v["end"], self._pack(area, v["start"], v["end"]))

    def sign_in_names_from_form(self, values: Mapping[str, Any]) -> list[uuid.UUID]:
        """The residents a sign-in list is printed with, as chosen in the window's
        SIGN_IN_PRINT_FORM (each problem beside its field: ValidationError), in route
        order; `ActivityService.prepare_sign_in_list` keeps them for the scan."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        cleaned = clean_form(SIGN_IN_PRINT_FORM, values, today=self.ctx.today())
        area = None
        if cleaned.values.get("area_id") is not None:
            with self.ctx.db.read() as session:
                area = load(session, Area, cleaned.values["area_id"])
                if area is None:
                    cleaned.error("area_id", MSG_NOT_FOUND)
                else:
                    session.expunge(area)
        raise_if_invalid(cleaned)
        assert area is not None  # a required field: cleaning reported it otherwise
        return self.expected_at(area.code, cleaned.values.get("group"))

    def _pack(self, area: Area, start: date, end: date) -> list[FormContent]:
        due = self.due_for_visit(area.id, start, end)
        if not due:
            raise StationError(
                MSG_NOBODY_DUE,
                area=area.name_zh or area.code,
                start=start.isoformat(),
                end=end.isoformat(),
            )
        return self.prefilled_visit_forms([d.resident_id for d in due], on=start)

    def _area(self, code: str) -> Area:
        with self.ctx.db.read() as session:
            area = session.scalars(
                select(Area).where(Area.code == code.strip().upper(), Area.deleted.is_(False))
            ).one_or_none()
            if area is None:
                raise NotFound(kind=Label(N_("Village or community")), record_id=code)
            session.expunge(area)
            return area

    def due_for_visit(self, area_id: uuid.UUID, start: date, end: date) -> list[DueResident]:
        """Residents of the area due for a visit in [start, end], in route order (the rule is
        in the module's documentation)."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        with self.ctx.db.read() as session:
            in_area = (
                select(Resident.id)
                .outerjoin(Household, Household.id == Resident.household_id)
                .where(
                    Resident.deleted.is_(False),
                    (Resident.area_id == area_id)
                    | (Resident.area_id.is_(None) & (Household.area_id == area_id)),
                )
            )
            residents = list(session.scalars(in_area))
            if not residents:
                return []
            recent = start - timedelta(days=PRIORITY_INTERVAL_DAYS)
            planned_by_latest: dict[uuid.UUID, date | None] = {}
            seen_recently: set[uuid.UUID] = set()
            for resident_id, visit_date, next_visit_on in session.execute(
                select(HomeVisit.resident_id, HomeVisit.visit_date, HomeVisit.next_visit_on)
                .where(HomeVisit.resident_id.in_(in_area), HomeVisit.deleted.is_(False))
                .order_by(HomeVisit.visit_date, HomeVisit.created_at, HomeVisit.id)
            ):
                planned_by_latest[resident_id] = next_visit_on  # ordered: the latest wins
                if recent <= visit_date <= end:
                    seen_recently.add(resident_id)
            priority = set(
                session.scalars(
                    select(GroupMembership.resident_id).where(
                        GroupMembership.resident_id.in_(in_area),
                        GroupMembership.deleted.is_(False),
                        GroupMembership.start_date <= end,
                        GroupMembership.end_date.is_(None) | (GroupMembership.end_date >= start),
                    )
                )
            )
            due: dict[uuid.UUID, DueResident] = {}
            stale = start - timedelta(days=OVERDUE_DAYS)
            for resident_id in residents:
                planned = planned_by_latest.get(resident_id)
                if planned is not None and stale <= planned <= end:
                    reason: DueReason = "planned" if planned >= start else "overdue"
                    due[resident_id] = DueResident(resident_id, reason, planned)
                elif (
                    resident_id in priority
                    and resident_id not in seen_recently
                    and (planned is None or planned <= end)  # a later plan stands
                ):
                    due[resident_id] = DueResident(resident_id, "priority", planned)
            order = _route_order(session, list(due))
        return [due[r] for r in order]

    # ------------------------------------------------------------ sign-in lists to tick

    def expected_at(
        self, area_code: str, group: str | None = None, *, on: date | None = None
    ) -> list[uuid.UUID]:
        """The live residents of a village or community (their own, else their household's),
        of one priority group (current on `on`, today by default) if given, in route order:
        the names a sign-in list to tick is printed with."""
        area = self._area(area_code)
        on = on or self.ctx.today()
        with self.ctx.db.read() as session:
            query = (
                select(Resident.id)
                .outerjoin(Household, Household.id == Resident.household_id)
                .where(
                    Resident.deleted.is_(False),
                    (Resident.area_id == area.id)
                    | (Resident.area_id.is_(None) & (Household.area_id == area.id)),
                )
            )
            if group:
                members = select(GroupMembership.resident_id).where(
                    GroupMembership.group == PriorityGroup.parse(group).value,
                    GroupMembership.deleted.is_(False),
                    GroupMembership.start_date <= on,
                    GroupMembership.end_date.is_(None) | (GroupMembership.end_date >= on),
                )
                query = query.where(Resident.id.in_(members))
            return _route_order(session, list(session.scalars(query)))

    def sign_in_sheet(self, list_id: uuid.UUID) -> FormContent:
        """The sign-in list to tick with the names it was prepared with (`ActivityService.
        prepare_sign_in_list`), line by line in that order; the activity in the header."""
        spec = SIGN_IN_FORM
        with self.ctx.db.read() as session:
            printed = load(session, SignInList, list_id)
            activity = load(session, Activity, printed.activity_id) if printed else None
            if printed is None or activity is None:
                raise NotFound(kind=Label(spec.title), record_id=str(list_id))
            ids = [uuid.UUID(r) for r in printed.resident_ids]
            details = _Reader(session, activity.held_on).residents(ids)
            station = _stations(session).get(printed.station_id)
            title, held_on = activity.title, activity.held_on
        rows = tuple(
            ListRow(details[r].person, details[r].place) if r in details else ListRow(Person())
            for r in ids
        )
        header = FormHeader(
            spec.title,
            spec.printed_code,
            held_on.isoformat(),
            QrPayload.sign_in_list(spec.code, spec.version, list_id),
            subject=(title,),
            station=station,
        )
        return FormContent(spec, header, {}, filled=False, rows=rows)

    def prefilled_visit_forms(
        self, resident_ids: Sequence[uuid.UUID], *, on: date
    ) -> list[FormContent]:
        """Blank visit forms with each resident's details filled in (priority groups as of
        `on`), in the order given. Every page says whose form it is (names in both scripts,
        the form's number in the pack and the household, the QR code) and names the station
        of the resident's village, which need not be this laptop's."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        with self.ctx.db.read() as session:
            details = _Reader(session, on).residents(resident_ids)
            households = dict(
                session.execute(
                    select(Resident.id, Household.household_no)
                    .join(Household, Household.id == Resident.household_id)
                    .where(Resident.id.in_(resident_ids))
                ).all()
            )
            stations = _resident_stations(session, resident_ids)
        spec = VISIT_FORM
        forms: list[FormContent] = []
        for resident_id in resident_ids:
            if resident_id not in details:
                continue
            person = details[resident_id].person
            number = f"#{len(forms) + 1:04d}"
            household = households.get(resident_id) or ""
            header = FormHeader(
                spec.title,
                spec.printed_code,
                f"{number}  {household}" if household else number,
                QrPayload.resident(spec.code, spec.version, resident_id),
                subject=(person.name_bo, person.name_zh),
                station=stations.get(resident_id),
            )
            values: dict[str, FieldValue] = {"resident_id": details[resident_id]}
            forms.append(FormContent(spec, header, values, filled=False))
        return forms


def check_printable(forms: Sequence[FormContent]) -> None:
    """StationError naming the form, the field and the characters when a text of a form has
    a character that no bundled font can print (it would print as a box)."""
    for content in forms:
        for label, text in printed_texts(content):
            missing = missing_characters(text)
            if missing:
                raise StationError(
                    MSG_UNPRINTABLE,
                    field=Label(label),
                    form=Label(content.spec.title),
                    reference=content.header.reference,
                    characters=missing,
                    codes=", ".join(f"U+{ord(ch):04X}" for ch in missing),
                )


def _stations(session: Session) -> dict[uuid.UUID, StationHeader]:
    return {
        s.id: StationHeader(s.code, s.name_bo, s.name_zh) for s in session.scalars(select(Station))
    }


def _route_order(session: Session, resident_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Household (numbers in numeric order), then name; people without a household last."""
    if not resident_ids:
        return []
    rows = session.execute(
        select(
            Resident.id,
            Household.household_no,
            Resident.household_id,
            ResidentSearch.sort_bo,
            ResidentSearch.sort_zh,
        )
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(ResidentSearch, ResidentSearch.resident_id == Resident.id)
        .where(Resident.id.in_(resident_ids))
    )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        resident_id, number, household_id, sort_bo, sort_zh = row
        return (
            household_id is None,
            _natural(number or ""),
            str(household_id or ""),
            sort_bo or "",
            sort_zh or "",
            str(resident_id),
        )

    return [row[0] for row in sorted(rows, key=key)]


def _subject(values: Mapping[str, FieldValue]) -> tuple[str, ...]:
    """Whom a record's form is about, as every page of it names them."""
    person = values.get("resident_id")
    if isinstance(person, ResidentDetails):
        person = person.person
    if isinstance(person, Person):
        return person.name_bo, person.name_zh
    title = values.get("title") or values.get("item")
    return (title,) if isinstance(title, str) else ()


def _resident_stations(
    session: Session, resident_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, StationHeader]:
    """The station of each resident's village or community (their own area, else their
    household's), else the station that registered them."""
    stations = _stations(session)
    area_station = dict(session.execute(select(Area.id, Area.station_id)).all())
    rows = session.execute(
        select(Resident.id, Resident.area_id, Household.area_id, Resident.station_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Resident.id.in_(resident_ids))
    )
    found: dict[uuid.UUID, StationHeader] = {}
    for resident_id, own_area, household_area, registered_at in rows:
        area = own_area or household_area
        station_id = area_station.get(area, registered_at) if area else registered_at
        if station_id in stations:
            found[resident_id] = stations[station_id]
    return found


class _Reader:
    """Reads what a form prints, within one session."""

    def __init__(self, session: Session, on: date) -> None:
        self.session = session
        self.on = on  # priority groups are shown as of this date
        self._staff: dict[uuid.UUID, Person] = {}

    def staff(self, staff_id: uuid.UUID | str | None) -> Person | None:
        if staff_id is None:
            return None
        key = staff_id if isinstance(staff_id, uuid.UUID) else uuid.UUID(staff_id)
        if key not in self._staff:
            staff = self.session.get(Staff, key)
            self._staff[key] = Person(staff.name_bo, staff.name_zh) if staff else Person()
        return self._staff[key]

    def residents(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ResidentDetails]:
        if not ids:
            return {}
        session = self.session
        people = {r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_(ids)))}
        household_ids = {r.household_id for r in people.values() if r.household_id}
        households = {
            h.id: h
            for h in session.scalars(select(Household).where(Household.id.in_(household_ids)))
        }
        areas = {a.id: a for a in session.scalars(select(Area))}
        groups: dict[uuid.UUID, list[PriorityGroup]] = defaultdict(list)
        for resident_id, group in session.execute(
            select(GroupMembership.resident_id, GroupMembership.group)
            .where(
                GroupMembership.resident_id.in_(ids),
                GroupMembership.deleted.is_(False),
                GroupMembership.start_date <= self.on,
                GroupMembership.end_date.is_(None) | (GroupMembership.end_date >= self.on),
            )
            .order_by(GroupMembership.group)
        ):
            if group not in groups[resident_id]:
                groups[resident_id].append(PriorityGroup.parse(group))
        result: dict[uuid.UUID, ResidentDetails] = {}
        for resident_id, r in people.items():
            household = households.get(r.household_id) if r.household_id else None
            area_id = r.area_id or (household.area_id if household else None)
            area = areas.get(area_id) if area_id else None
            result[resident_id] = ResidentDetails(
                Person(r.name_bo, r.name_zh),
                r.birth_date,
                Place(area.name_bo, area.name_zh or area.code) if area else None,
                household.household_no if household else "",
                r.phone,
                tuple(groups.get(resident_id, ())),
            )
        return result

    def person(self, resident_id: uuid.UUID | None) -> Person | None:
        if resident_id is None:
            return None
        resident = self.session.get(Resident, resident_id)
        return Person(resident.name_bo, resident.name_zh) if resident else Person()

    # ------------------------------------------------------------ per form

    def visit(self, visit: HomeVisit) -> dict[str, FieldValue]:
        self.on = visit.visit_date  # the resident's groups as they were on the day
        resident = self.residents([visit.resident_id]).get(visit.resident_id)
        return {
            "resident_id": resident,
            "visit_date": visit.visit_date,
            "visitor_ids": tuple(p for p in (self.staff(s) for s in visit.visitor_ids) if p),
            "companions": visit.companions,
            "outcome": _code(VisitOutcome, visit.outcome),
            "purpose": _code(VisitPurpose, visit.purpose),
            "situation": visit.situation,
            "needs": visit.needs,
            "services": _codes(ServiceType, visit.services),
            "services_note": visit.services_note,
            "follow_up": visit.follow_up,
            "next_visit_on": visit.next_visit_on,
        }

    def feedback(self, sheet: FeedbackSheet) -> dict[str, FieldValue]:
        values: dict[str, FieldValue] = {
            "sheet_no": sheet.sheet_no,
            "service_area": _code(ServiceArea, sheet.service_area),
            "service_type": _code(ServiceType, sheet.service_type),
            "service_date": sheet.service_date,
            "collected_on": sheet.collected_on,
            "collected_by_id": self.staff(sheet.collected_by_id),
            "resident_id": self.person(sheet.resident_id),
            "comments": sheet.comments,
        }
        for dimension, level in self.session.execute(
            select(FeedbackRating.dimension, FeedbackRating.level).where(
                FeedbackRating.sheet_id == sheet.id, FeedbackRating.deleted.is_(False)
            )
        ):
            values[rating_key(FeedbackDimension.parse(dimension))] = Satisfaction.parse(str(level))
        return values

    def case(self, case: CaseRecord) -> tuple[dict[str, FieldValue], dict[str, Any]]:
        session = self.session
        resident = self.residents([case.resident_id]).get(case.resident_id)
        values: dict[str, FieldValue] = {
            "resident_id": resident,
            "opened_on": case.opened_on,
            "worker_id": self.staff(case.worker_id),
            "source": _code(CaseSource, case.source),
            "service_area": _code(ServiceArea, case.service_area),
            "presenting_problem": case.presenting_problem,
            "assessment": case.assessment,
            "goals": case.goals,
            "plan": case.plan,
            "referral_to": case.referral_to,
            "referral_on": case.referral_on,
            "referral_note": case.referral_note,
        }
        stages = tuple(
            StageEntry(s.changed_on, CaseStage.parse(s.to_stage), s.note)
            for s in session.scalars(
                select(CaseStageChange)
                .where(CaseStageChange.case_id == case.id, CaseStageChange.deleted.is_(False))
                .order_by(CaseStageChange.created_at, CaseStageChange.id)
            )
        )
        notes_rows = list(
            session.scalars(
                select(CaseNote)
                .where(CaseNote.case_id == case.id, CaseNote.deleted.is_(False))
                .order_by(CaseNote.written_on, CaseNote.created_at, CaseNote.id)
            )
        )
        written = {n.id: n.written_on for n in notes_rows}
        notes = tuple(
            NoteEntry(
                n.written_on,
                n.body,
                self.staff(n.author_id),
                written.get(n.corrects_id) if n.corrects_id else None,
            )
            for n in notes_rows
        )
        extras = CaseExtras(
            stages,
            notes,
            case.closed_on,
            ClosingReason.parse(case.closing_reason) if case.closing_reason else None,
            case.closing_note,
        )
        return values, {"case": extras}

    def _rows(self, people: Mapping[uuid.UUID, tuple[str, str]]) -> tuple[ListRow, ...]:
        """List lines in route order; `people` maps resident ids to (quantity, note)."""
        details = self.residents(list(people))
        return tuple(
            ListRow(details[r].person, details[r].place, *people[r])
            for r in _route_order(self.session, list(details))
        )

    def activity(self, activity: Activity) -> tuple[dict[str, FieldValue], dict[str, Any]]:
        values: dict[str, FieldValue] = {
            "kind": _code(ActivityKind, activity.kind),
            "title": activity.title,
            "held_on": activity.held_on,
            "place": activity.place,
            "service_area": _code(ServiceArea, activity.service_area),
            "description": activity.description,
            "headcount_other": activity.headcount_other,
        }
        attendees = self.session.scalars(
            select(Attendance.resident_id).where(
                Attendance.activity_id == activity.id, Attendance.deleted.is_(False)
            )
        )
        return values, {"rows": self._rows(dict.fromkeys(attendees, ("", "")))}

    def handout(self, handout: ResourceHandout) -> tuple[dict[str, FieldValue], dict[str, Any]]:
        """The hand-out sheet of this record: every hand-out of the same thing (donation,
        kind, item, unit, value) on the same day by the same person, one line each."""
        session = self.session
        h = ResourceHandout
        same = select(h.resident_id, h.quantity, h.note).where(
            h.deleted.is_(False),
            h.station_id == handout.station_id,
            h.handed_on == handout.handed_on,
            h.kind == handout.kind,
            h.item == handout.item,
            h.unit == handout.unit,
            h.unit_value_fen == handout.unit_value_fen,
            h.receipt_id.is_(None)
            if handout.receipt_id is None
            else h.receipt_id == handout.receipt_id,
            h.handed_by_id.is_(None)
            if handout.handed_by_id is None
            else h.handed_by_id == handout.handed_by_id,
        )
        quantities: dict[uuid.UUID, int] = defaultdict(int)
        notes: dict[uuid.UUID, list[str]] = defaultdict(list)
        for resident_id, quantity, note in session.execute(same):
            quantities[resident_id] += quantity
            if note:
                notes[resident_id].append(note)
        unit = f" {handout.unit}" if handout.unit else ""
        receipt = session.get(ResourceReceipt, handout.receipt_id) if handout.receipt_id else None
        donation = None
        if receipt is not None:
            donation = f"{receipt.donor_name} · {receipt.item} · {receipt.received_on.isoformat()}"
        values: dict[str, FieldValue] = {
            "handed_on": handout.handed_on,
            "receipt_id": donation,
            "kind": _code(ResourceKind, handout.kind),
            "item": handout.item,
            "unit": handout.unit,
            "unit_value": Money(handout.unit_value_fen),
            "handed_by_id": self.staff(handout.handed_by_id),
        }
        rows = self._rows({r: (f"{q}{unit}", "; ".join(notes[r])) for r, q in quantities.items()})
        return values, {"rows": rows}
