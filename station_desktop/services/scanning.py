"""Piles of scanned paper read back into the records: feedback sheets and sign-in lists.

1. `read` the files (PDFs from a scanner, JPEG, PNG or TIFF from a phone or a scanner):
   every page is read by `scan.reader` against the layout of the form its QR code names,
   rendered again as it was printed (`PrintService`: the same spec, the same layout); then
   `judge` sorts the pages: *ready* (every box sure and the sheet valid), *review* (a box a
   person must settle, or a value the sheet lacks) or *refused* with a reason (a blank page,
   too blurred, an unknown form, another station's sheet, a sheet entered already, the same
   sheet twice in the pile...). Nothing is written.
2. A person `settle`s the questions the reader was not sure of (the review screen; the
   command line leaves them for the window).
3. `save` writes the ready sheets in one transaction through the same services as typing
   them (`FeedbackService.record_in`, `ActivityService.add_attendees_in`), each with a
   `ScannedPage` that keeps the raw measure of every box and the images of what was
   handwritten (comments, names, dates: not read, kept for a person to type).

Nothing twice: a feedback sheet is known by its station and number (typed by hand or
scanned before), a page of a sign-in list by its list and page; the second time it is
refused as entered already. The back of a feedback sheet (its comments) joins its front,
in the same pile or entered before.

What the pile shares, as in typing a pile by hand (`PileValues`): the date of the service,
the date the sheets were collected and who collected them; the sheets themselves give their
number (the QR code), the service area and the answers.
"""

from __future__ import annotations

import base64
import importlib.util
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from sqlalchemy import select

from station_desktop.domain.codes import FeedbackDimension
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.activity import SIGN_IN_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM, rating_key
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.validate import clean_form
from station_desktop.i18n import N_
from station_desktop.pdf.page import LayoutLog, QrPayload
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.activities import ActivityService
from station_desktop.services.context import ServiceContext, raise_if_invalid, require_record
from station_desktop.services.feedback import MSG_COLLECTED_BEFORE, FeedbackService
from station_desktop.services.printing import SPECS, PrintService
from station_desktop.store.models import FeedbackSheet, ScannedPage

if TYPE_CHECKING:
    from station_desktop.scan.reader import KnownPage, PageReading, QuestionReading, Refusal

__all__ = [
    "COMMENTS",
    "NEEDS",
    "PILE_FIELDS",
    "READER_VERSION",
    "REFUSALS",
    "RESPONDENT",
    "TYPED",
    "TYPED_AREAS",
    "Handwriting",
    "Needs",
    "PileValues",
    "SavedPile",
    "ScanPile",
    "ScanService",
    "ScannedSheet",
    "SheetStatus",
    "proposal",
]

# Kept with every saved page: which reader (and thresholds) judged its measures.
READER_VERSION: Final = 2  # 2: the stroke's shape beside its ink (light ticks, dots)
SCANNED_FORMS: Final[dict[str, FormSpec]] = {
    FEEDBACK_FORM.code: FEEDBACK_FORM,
    SIGN_IN_FORM.code: SIGN_IN_FORM,
}
FEEDBACK_BACK_PAGE: Final = 2  # the comments, on the back of the sheet
# The handwriting of a feedback sheet, as the layout names it.
COMMENTS: Final = "comments"
RESPONDENT: Final = "resident_id"  # the respondent's name, when they gave it
# The handwritten areas a person types from their image later (`handwriting_to_type`): the
# comments go into the sheet's comments; the respondent's name stays with the scanned page
# (a name on paper is not a registered resident). The dates, the collector and the sheet
# number come from the pile and the QR code.
TYPED_AREAS: Final = (COMMENTS, RESPONDENT)
# In `ScannedPage.measures`, beside what a person settled of the boxes: what a person typed
# from each kept image, by area ("" when there was nothing to type: a stray scribble).
TYPED: Final = "typed"

MSG_NOTHING_TO_READ = N_("Choose the scanned files to read.")
MSG_READER_MISSING = N_(
    "This laptop cannot read scans: the scan reader is not installed. Install the package "
    "station-desktop-scan from the installation stick, then try again."
)
# The scan reader's own libraries (OpenCV with numpy, zxing-cpp): the Debian package
# `station-desktop-scan` carries them beside the program, so a laptop without a scanner
# goes without their 175 MB (README "Installing on a station's laptop").
READER_MODULES: Final = ("cv2", "zxingcpp")


def reader_installed() -> bool:
    """Whether the scan reader's libraries are on this laptop (without importing them:
    OpenCV takes a few tenths of a second to load)."""
    return all(importlib.util.find_spec(name) is not None for name in READER_MODULES)


def check_reader() -> None:
    """Refuse, in the person's language, to read scans where the reader is not installed."""
    if not reader_installed():
        raise StationError(MSG_READER_MISSING)


# Why a page was kept aside, by `scan.reader.Refusal` value: what the person reads.
REFUSALS: Final[dict[str, str]] = {
    "blank_page": N_("A blank page."),
    "too_blurred": N_("Too blurred to read: scan or photograph it again, sharper."),
    "no_form_code": N_(
        "No form code found: not a form of this program, or its QR codes are covered."
    ),
    "unknown_form": N_("Not a form this program printed (or printed by a newer version)."),
    "form_not_read": N_("This form is not read from scans: enter it by hand."),
    "layout_changed": N_(
        "Printed by another version of the program, with its boxes elsewhere: enter it by hand."
    ),
    "page_not_found": N_(
        "The page's corners cannot be found: is the whole page in the picture, flat?"
    ),
    "other_station": N_("A sheet of another station: it is entered there."),
    "unknown_record": N_("The list or record it was printed for is not in this laptop's data."),
    "already_entered": N_("Entered already."),
    "twice_in_pile": N_("The same page is in the pile twice: the first one is read."),
    "first_page_missing": N_(
        "The back of a sheet whose front has not been entered: read it with its front."
    ),
}
# Why a sheet waits for a person, by `Needs` value.
NEEDS: Final[dict[str, str]] = {
    "unsure_boxes": N_("Boxes to check."),
    "no_service_area": N_("No service area, on the sheet or for the pile: choose it."),
    "no_service_date": N_("The date of the service is not given."),
    "nothing_answered": N_("Nothing ticked: type the comment, or leave the sheet out."),
    "not_valid": N_("The values break a rule of the form."),
    "first_page_in_review": N_("Waits for its front, which is checked first."),
}

SheetKind = Literal["feedback", "sign_in", ""]


class SheetStatus(StrEnum):
    READY = "ready"
    REVIEW = "review"
    REFUSED = "refused"


class Needs(StrEnum):
    """Why a sheet that was read waits for a person."""

    UNSURE = "unsure_boxes"  # boxes the reader was not sure of
    SERVICE_AREA = "no_service_area"  # no service area ticked (the sheet needs one)
    SERVICE_DATE = "no_service_date"  # the pile's date of service is not given
    NOTHING = "nothing_answered"  # no answer ticked: only a written comment, if anything
    NOT_VALID = "not_valid"  # the values break a rule of the form (`problem` says which)
    FIRST_PAGE = "first_page_in_review"  # the back of a sheet whose front is in review


@dataclass
class PileValues:
    """What every sheet of a pile shares (as when a pile is typed in). A service area or
    service ticked on a sheet wins over the pile's."""

    service_date: date | None = None
    collected_on: date | None = None  # None: today
    collected_by_id: uuid.UUID | None = None
    service_area: str | None = None
    service_type: str | None = None


PILE_FIELDS: Final = (
    "service_area",
    "service_type",
    "service_date",
    "collected_on",
    "collected_by_id",
)


@dataclass(eq=False)
class ScannedSheet:
    """One page of the pile, as read and judged."""

    number: int  # in the pile, from 1
    reading: PageReading
    kind: SheetKind = ""
    status: SheetStatus = SheetStatus.REFUSED
    refusal: Refusal | None = None
    needs: list[Needs] = field(default_factory=list)
    problem: ValidationError | None = None  # with Needs.NOT_VALID
    settled: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by a person
    comment: str = ""  # typed by a person from the image (a sheet with nothing ticked)
    record_id: uuid.UUID | None = None  # the sheet entered before (a back), or the list
    activity_id: uuid.UUID | None = None  # sign-in lists
    resident_ids: tuple[uuid.UUID, ...] = ()  # sign-in lists: the printed lines
    front: ScannedSheet | None = None  # a back's front, in the same pile
    saved_id: uuid.UUID | None = None

    @property
    def source(self) -> str:
        return self.reading.source

    @property
    def code(self) -> QrPayload | None:
        return self.reading.code

    @property
    def sheet(self) -> str:
        """The sheet's number (`0042`) or the sign-in list's id."""
        code = self.code
        if code is None:
            return ""
        if code.kind == "sheet":
            return f"{code.sheet:04d}"
        return str(code.record_id or "")

    def answer(self, key: str) -> tuple[str, ...] | None:
        """The answer to a question: a person's, else the reader's when it was sure;
        None while it is open."""
        if key in self.settled:
            return self.settled[key]
        for question in self.reading.questions:
            if question.key == key:
                return question.answer if question.sure else None
        return ()

    def open_questions(self) -> list[QuestionReading]:
        return [q for q in self.reading.questions if not q.sure and q.key not in self.settled]

    def unsure_questions(self) -> list[QuestionReading]:
        """Every question the reader was not sure of, settled or not."""
        return [q for q in self.reading.questions if not q.sure]


def proposal(question: QuestionReading) -> tuple[str, ...] | None:
    """What the reader would answer if it had to: accepted with one key on review. None
    when there is nothing to propose (two ticks where one answer is asked)."""
    from station_desktop.scan.reader import BoxState, Doubt  # noqa: PLC0415

    if question.doubt is Doubt.TWO_TICKS:
        return None
    ticked = [b for b in question.boxes if b.state is BoxState.TICKED]
    unsure = [b for b in question.boxes if b.state is BoxState.UNSURE]
    filled = [b for b in unsure if b.doubt is Doubt.FILLED]
    if ticked and filled:  # a box crossed out beside the answer given instead
        chosen = ticked
    else:
        # A dot is a touch of the pen more often than an answer: never proposed (the
        # person sees it in the row and types its number if it was meant).
        chosen = ticked + [b for b in unsure if b.doubt not in (Doubt.NOT_FOUND, Doubt.DOT)]
    if question.single and len(chosen) > 1:
        chosen = [max(chosen, key=lambda b: b.score)]
    return tuple(b.value for b in chosen)


@dataclass
class ScanPile:
    sheets: list[ScannedSheet]
    values: PileValues = field(default_factory=PileValues)

    def with_status(self, status: SheetStatus) -> list[ScannedSheet]:
        return [s for s in self.sheets if s.status is status]

    def review(self) -> list[tuple[ScannedSheet, QuestionReading]]:
        """Every question of the pile a person must answer, most doubtful first: those the
        reader was not sure of (settled already or not), then a required one left empty
        (a feedback sheet's service area)."""
        found = [
            (sheet, question)
            for sheet in self.sheets
            if sheet.status is not SheetStatus.REFUSED
            for question in sheet.unsure_questions()
        ]
        found.sort(key=lambda pair: (-pair[1].weight, pair[0].number))
        for sheet in self.sheets:
            if Needs.SERVICE_AREA in sheet.needs or "service_area" in sheet.settled:
                found += [
                    (sheet, q)
                    for q in sheet.reading.questions
                    if q.key == "service_area" and q.sure
                ]
        return found


@dataclass(frozen=True)
class Handwriting:
    """The image of a handwritten area of an entered sheet, waiting to be typed."""

    page_id: uuid.UUID  # the `ScannedPage` that keeps it
    key: str  # the area: one of `TYPED_AREAS`
    sheet_id: uuid.UUID  # the feedback sheet
    sheet_no: str
    source: str  # the scanned file and page
    image: bytes  # PNG
    comments: str  # the sheet's comments as they are (typed before, or from another page)


@dataclass(frozen=True)
class SavedPile:
    sheets: int  # feedback sheets entered
    backs: int  # comment pages kept with their sheet
    lists: int  # sign-in list pages read
    attendees: int  # people signed in


ScanProgress = Callable[[int, str], None]  # pages read so far, the page's source


class ScanService:
    def __init__(
        self,
        ctx: ServiceContext,
        printing: PrintService,
        feedback: FeedbackService,
        activities: ActivityService,
    ) -> None:
        self.ctx = ctx
        self.printing = printing
        self.feedback = feedback
        self.activities = activities
        self._known: dict[tuple[str, ...], dict[int, KnownPage]] = {}
        self._station_code: str | None = None

    # ------------------------------------------------------------ reading

    def read(
        self,
        paths: Sequence[Path],
        values: PileValues | None = None,
        *,
        progress: ScanProgress | None = None,
    ) -> ScanPile:
        """Read every page of the files and judge them (nothing is written). A file that
        cannot be read raises StationError naming it (nothing of the pile is kept: the
        person chooses the files again); `progress` may raise to stop."""
        check_reader()
        from station_desktop.scan.pages import check_scan_file, page_images  # noqa: PLC0415
        from station_desktop.scan.reader import read_page  # noqa: PLC0415 - heavy

        if not paths:
            raise StationError(MSG_NOTHING_TO_READ)
        for path in paths:
            check_scan_file(path)
        # Forms are rendered again once per pile (a blank page's raster is 4 MB: a day of
        # sign-in lists kept from pile to pile would only grow).
        self._known.clear()
        sheets: list[ScannedSheet] = []
        for path in paths:
            for page in page_images(path):
                reading = read_page(page.source, page.image, self._resolve)
                sheets.append(ScannedSheet(len(sheets) + 1, reading))
                if progress is not None:
                    progress(len(sheets), page.source)
        pile = ScanPile(sheets, values or PileValues())
        self.judge(pile)
        return pile

    def _station(self) -> str:
        if self._station_code is None:
            self._station_code = self.printing.station_header().code
        return self._station_code

    def _resolve(self, code: QrPayload) -> KnownPage | Refusal:
        """The layout of the page a QR code names, or why the page is not read."""
        from station_desktop.scan.reader import Refusal  # noqa: PLC0415

        spec = SCANNED_FORMS.get(code.form)
        if spec is None:
            known_form = any(s.code == code.form for s in SPECS.values())
            return Refusal.NOT_READ if known_form else Refusal.UNKNOWN_FORM
        if code.version != spec.version:
            return Refusal.UNKNOWN_FORM
        if spec is FEEDBACK_FORM:
            if code.kind == "record":  # a sheet printed from its record: entered already
                exists = self.feedback.editable(code.record_id) if code.record_id else None
                return Refusal.ALREADY_ENTERED if exists else Refusal.UNKNOWN_RECORD
            if code.kind != "sheet":
                return Refusal.UNKNOWN_FORM
            if code.station != self._station().upper():
                return Refusal.OTHER_STATION
            pages = self._known_pages(
                (spec.code, str(spec.version)),
                lambda: self.printing.blank_sheets("feedback", 1),
                spec,
            )
        else:
            if code.kind != "list" or code.record_id is None:
                return Refusal.UNKNOWN_FORM
            printed = self.activities.sign_in_list(code.record_id)
            if printed is None:
                return Refusal.UNKNOWN_RECORD
            if printed.station_id != self.ctx.station_id():
                return Refusal.OTHER_STATION
            list_id = printed.list_id
            pages = self._known_pages(
                (spec.code, str(list_id)),
                lambda: [self.printing.sign_in_sheet(list_id)],
                spec,
            )
        return pages.get(code.page) or Refusal.LAYOUT

    def _known_pages(
        self, key: tuple[str, ...], forms: Callable[[], list[Any]], spec: FormSpec
    ) -> dict[int, KnownPage]:
        """The form rendered as printed (once per pile and form)."""
        from station_desktop.scan.known import known_pages  # noqa: PLC0415 - heavy

        if key not in self._known:
            log = LayoutLog()
            pdf = self.printing.render(forms(), layout=log)
            self._known[key] = known_pages(pdf.data, log, spec)
        return self._known[key]

    # ------------------------------------------------------------ judging

    def judge(self, pile: ScanPile) -> None:
        """Sort every page into ready, review or refused (again after a person settled a
        question or the pile's values changed)."""
        from station_desktop.scan.reader import Refusal  # noqa: PLC0415

        with self.ctx.db.read() as session:
            station_id = self.ctx.station_id()
            entered = _entered_sheets(session, station_id, pile)
            scanned = _scanned_pages(session, pile)
        fronts: dict[str, ScannedSheet] = {}
        seen: set[tuple[str, int]] = set()
        # Fronts first: a back joins the front read in the same pile.
        ordered = sorted(pile.sheets, key=lambda s: (s.code.page if s.code else 0, s.number))
        for sheet in ordered:
            sheet.needs, sheet.problem, sheet.front = [], None, None
            sheet.refusal = sheet.reading.refusal
            code = sheet.code
            if sheet.refusal is not None or code is None:
                sheet.status = SheetStatus.REFUSED
                continue
            sheet.kind = "feedback" if code.form == FEEDBACK_FORM.code else "sign_in"
            place = (code.identity, code.page)
            if sheet.saved_id is not None:  # entered from this pile: it stays what it was
                seen.add(place)
                sheet.status = SheetStatus.READY
                continue
            if place in seen:
                sheet.refusal = Refusal.TWICE
            elif place in scanned:
                sheet.refusal = Refusal.ALREADY_ENTERED
            seen.add(place)
            if sheet.refusal is None and sheet.kind == "feedback":
                self._judge_feedback(sheet, pile.values, entered, fronts)
            elif sheet.refusal is None:
                self._judge_list(sheet)
            if sheet.refusal is not None:
                sheet.status = SheetStatus.REFUSED
            else:
                sheet.status = SheetStatus.REVIEW if sheet.needs else SheetStatus.READY

    def _judge_feedback(
        self,
        sheet: ScannedSheet,
        values: PileValues,
        entered: dict[str, uuid.UUID],
        fronts: dict[str, ScannedSheet],
    ) -> None:
        from station_desktop.scan.reader import Refusal  # noqa: PLC0415

        code = sheet.code
        assert code is not None
        existing = entered.get(sheet.sheet)
        if code.page != FEEDBACK_BACK_PAGE:
            if existing is not None:
                sheet.refusal = Refusal.ALREADY_ENTERED
                sheet.record_id = existing
                return
            fronts[code.identity] = sheet
            self._check_front(sheet, values)
            return
        front = fronts.get(code.identity)
        if front is not None:
            sheet.front = front
            if front.needs:
                sheet.needs.append(Needs.FIRST_PAGE)
        elif existing is not None:
            sheet.record_id = existing
        else:
            sheet.refusal = Refusal.FIRST_PAGE_MISSING

    def _check_front(self, sheet: ScannedSheet, values: PileValues) -> None:
        if sheet.open_questions():
            sheet.needs.append(Needs.UNSURE)
        record = self.feedback_values(sheet, values)
        # Sure it is empty (not an open question): the sheet lacks a required answer.
        if record.get("service_area") is None and sheet.answer("service_area") is not None:
            sheet.needs.append(Needs.SERVICE_AREA)
        if record.get("service_date") is None:
            sheet.needs.append(Needs.SERVICE_DATE)
        answered = any(record.get(rating_key(d)) is not None for d in FeedbackDimension)
        if not answered and not record.get("comments") and not sheet.open_questions():
            sheet.needs.append(Needs.NOTHING)
        if not sheet.needs:
            try:
                self.feedback.check(record)
            except ValidationError as error:
                sheet.needs.append(Needs.NOT_VALID)
                sheet.problem = error

    def _judge_list(self, sheet: ScannedSheet) -> None:
        code = sheet.code
        assert code is not None and code.record_id is not None
        printed = self.activities.sign_in_list(code.record_id)
        if printed is not None:
            sheet.record_id = printed.list_id
            sheet.activity_id = printed.activity_id
            sheet.resident_ids = printed.resident_ids
        if sheet.open_questions():
            sheet.needs.append(Needs.UNSURE)

    def feedback_values(self, sheet: ScannedSheet, values: PileValues) -> dict[str, Any]:
        """The values a feedback sheet's front is recorded with: its number, the pile's
        dates and collector, and the answers (ticked boxes); handwriting is not read."""
        code = sheet.code
        assert code is not None

        def one(key: str) -> str | None:
            answer = sheet.answer(key) or ()
            return answer[0] if len(answer) == 1 else None

        record: dict[str, Any] = {
            "sheet_no": f"{code.sheet:04d}",
            "service_area": one("service_area") or values.service_area,
            "service_type": one("service_type") or values.service_type,
            "service_date": values.service_date,
            "collected_on": values.collected_on or self.ctx.today(),
            "collected_by_id": values.collected_by_id,
            "resident_id": None,
            "comments": sheet.comment,
        }
        for dimension in FeedbackDimension:
            record[rating_key(dimension)] = one(rating_key(dimension))
        return record

    def settle(self, pile: ScanPile, sheet: ScannedSheet, key: str, answer: Iterable[str]) -> None:
        """A person's answer to a question of a sheet (an empty answer: none ticked)."""
        sheet.settled[key] = tuple(answer)
        self.judge(pile)

    def type_comment(self, pile: ScanPile, sheet: ScannedSheet, text: str) -> None:
        """The comment of a sheet with nothing ticked, typed from its image."""
        sheet.comment = text.strip()
        self.judge(pile)

    def pile_values(self, raw: Mapping[str, Any]) -> PileValues:
        """The pile's shared values from what was typed (`PILE_FIELDS`; empty ones left
        out), cleaned by the feedback form's own rules: ValidationError, field by field,
        otherwise (a date in the future, a code not in the list...)."""
        given = {k: raw[k] for k in PILE_FIELDS if raw.get(k) not in (None, "")}
        cleaned = clean_form(FEEDBACK_FORM, given, today=self.ctx.today(), only_given=True)
        v = cleaned.values
        if (
            v.get("service_date")
            and v.get("collected_on")
            and v["collected_on"] < v["service_date"]
        ):
            cleaned.error("collected_on", MSG_COLLECTED_BEFORE)
        if cleaned.errors:
            raise ValidationError(cleaned.errors)
        return PileValues(
            v.get("service_date"),
            v.get("collected_on"),
            v.get("collected_by_id"),
            v.get("service_area"),
            v.get("service_type"),
        )

    # ------------------------------------------------------------ handwriting

    def handwriting_to_type(self) -> list[Handwriting]:
        """The kept images of handwriting (`TYPED_AREAS`) of this station's entered sheets
        that nobody has typed yet, sheet by sheet in the order of their numbers."""
        self.ctx.require(Resource.FEEDBACK, Action.UPDATE)
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(ScannedPage, FeedbackSheet.sheet_no, FeedbackSheet.comments)
                .join(FeedbackSheet, FeedbackSheet.id == ScannedPage.record_id)
                .where(
                    ScannedPage.record_kind == "feedback_sheet",
                    ScannedPage.deleted.is_(False),
                    ScannedPage.station_id == self.ctx.station_id(),
                    FeedbackSheet.deleted.is_(False),
                )
                .order_by(FeedbackSheet.sheet_no, ScannedPage.page, ScannedPage.created_at)
            ).all()
            waiting = []
            for page, sheet_no, comments in rows:
                typed = (page.measures or {}).get(TYPED, {})
                for key in TYPED_AREAS:
                    image = (page.images or {}).get(key)
                    if image and key not in typed:
                        waiting.append(
                            Handwriting(
                                page.id,
                                key,
                                page.record_id,
                                sheet_no,
                                page.source,
                                base64.b64decode(image),
                                comments or "",
                            )
                        )
        return waiting

    def type_handwriting(self, item: Handwriting, text: str) -> None:
        """What a person typed from a kept image, in one action: a comment joins the
        sheet's comments (after those it has); every text is kept with the scanned page,
        which then leaves the list. An empty text: nothing to type there."""
        text = text.strip()
        with self.ctx.uow() as uow:
            page = require_record(uow.session, ScannedPage, item.page_id, "scanned_page")
            scope = RecordScope.of(page.station_id)
            self.ctx.require(Resource.FEEDBACK, Action.UPDATE, scope)
            if item.key == COMMENTS and text:
                sheet = require_record(uow.session, FeedbackSheet, page.record_id, "feedback")
                before = sheet.comments or ""
                if text not in before:
                    joined = f"{before.rstrip()}\n{text}" if before.strip() else text
                    cleaned = clean_form(
                        FEEDBACK_FORM, {COMMENTS: joined}, today=self.ctx.today(), only_given=True
                    )
                    raise_if_invalid(cleaned)
                    uow.update(FeedbackSheet, sheet.id, {COMMENTS: cleaned.values[COMMENTS]})
            measures = dict(page.measures or {})
            measures[TYPED] = {**measures.get(TYPED, {}), item.key: text}
            uow.update(ScannedPage, page.id, {"measures": measures})

    # ------------------------------------------------------------ saving

    def save(self, pile: ScanPile) -> SavedPile:
        """Enter every ready page, in one transaction: all of them or none."""
        self.judge(pile)
        ready = [s for s in pile.sheets if s.status is SheetStatus.READY and s.saved_id is None]
        ready.sort(key=lambda s: (s.code.page if s.code else 0, s.number))  # fronts first
        sheets = backs = lists = attendees = 0
        saved: dict[int, uuid.UUID] = {}
        with self.ctx.uow() as uow:
            for sheet in ready:
                code = sheet.code
                assert code is not None
                if sheet.kind == "feedback" and code.page != FEEDBACK_BACK_PAGE:
                    record_id = self.feedback.record_in(
                        uow, self.feedback_values(sheet, pile.values)
                    )
                    sheets += 1
                elif sheet.kind == "feedback":
                    front = sheet.front
                    back_of = saved.get(front.number) if front else sheet.record_id
                    if back_of is None:  # its front was not saved: it waits with it
                        continue
                    record_id = back_of
                    backs += 1
                else:
                    assert sheet.activity_id is not None and sheet.record_id is not None
                    attendees += self.activities.add_attendees_in(
                        uow, sheet.activity_id, self._present(sheet)
                    )
                    record_id = sheet.record_id
                    lists += 1
                saved[sheet.number] = record_id
                uow.insert(ScannedPage, _scanned_page(sheet, record_id))
        for sheet in ready:
            sheet.saved_id = saved.get(sheet.number)
        self.judge(pile)
        return SavedPile(sheets, backs, lists, attendees)

    @staticmethod
    def _present(sheet: ScannedSheet) -> list[uuid.UUID]:
        """The residents whose line of a sign-in list is ticked."""
        present = []
        for question in sheet.reading.questions:
            line = int(question.key.partition(":")[2])
            if sheet.answer(question.key) and 0 < line <= len(sheet.resident_ids):
                present.append(sheet.resident_ids[line - 1])
        return present


def _scanned_page(sheet: ScannedSheet, record_id: uuid.UUID) -> dict[str, Any]:
    code = sheet.code
    assert code is not None
    reading = sheet.reading
    return {
        "identity": code.identity,
        "page": code.page,
        "form_code": code.form,
        "form_version": code.version,
        "record_kind": "feedback_sheet" if sheet.kind == "feedback" else "sign_in_list",
        "record_id": record_id,
        "source": sheet.source[:200],
        "reviewed": bool(sheet.settled or sheet.comment),
        "measures": {
            "reader": READER_VERSION,
            "marks": reading.marks,
            "residual_mm": round(reading.residual_mm, 3),
            "boxes": [b.to_json() for q in reading.questions for b in q.boxes],
            "settled": {k: list(v) for k, v in sheet.settled.items()},
            TYPED: _typed(sheet),
        },
        "images": {
            key: base64.b64encode(png).decode("ascii") for key, png in reading.writing.items()
        },
    }


def _typed(sheet: ScannedSheet) -> dict[str, str]:
    """The handwriting typed on review: a sheet with nothing ticked has its comment typed
    from the image of its back (or of its front); that image is typed already."""
    front = sheet.front or sheet
    if front.comment and COMMENTS in sheet.reading.writing:
        return {COMMENTS: front.comment}
    return {}


def _entered_sheets(session: Any, station_id: uuid.UUID, pile: ScanPile) -> dict[str, uuid.UUID]:
    """The feedback sheets of this station already entered under the pile's numbers
    (typed as `0042` or `42`), by the pile's form of the number."""
    numbers = {
        s.sheet: s.code.sheet for s in pile.sheets if s.code and s.code.form == FEEDBACK_FORM.code
    }
    if not numbers:
        return {}
    spellings = {text: text for text in numbers} | {str(n): text for text, n in numbers.items()}
    rows = session.execute(
        select(FeedbackSheet.sheet_no, FeedbackSheet.id).where(
            FeedbackSheet.station_id == station_id,
            FeedbackSheet.deleted.is_(False),
            FeedbackSheet.sheet_no.in_(list(spellings)),
        )
    )
    return {spellings[number]: sheet_id for number, sheet_id in rows}


def _scanned_pages(session: Any, pile: ScanPile) -> set[tuple[str, int]]:
    """The pages of the pile that were scanned and entered before."""
    identities = {s.code.identity for s in pile.sheets if s.code is not None}
    if not identities:
        return set()
    rows = session.execute(
        select(ScannedPage.identity, ScannedPage.page).where(
            ScannedPage.identity.in_(list(identities)), ScannedPage.deleted.is_(False)
        )
    )
    return {(identity, page) for identity, page in rows}
