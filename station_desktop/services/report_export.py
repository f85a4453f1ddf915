"""The report as tables, and those tables as a spreadsheet.

`report_tables` lays a `Report` out as the tables people read: the same rows, in the same
order, on the Reports page and in the workbook, so the two never disagree. Labels stay
message ids (`Msg`) until they are shown: the page shows them in the interface language,
the workbook in Tibetan and Chinese at once.

The charts' data (`priority_group_shares`, `bucket_label`, `axis_ticks`...) and the
trend's table (`trend_table`) are here too, shared by the page and the printed report
(`pdf.report`).

`write_xlsx` writes one sheet per table. Numbers are stored as numbers (money in yuan with
a ¥ format, means with two decimals) so that the bureau can add and chart them. Every text
cell is stored as a literal string, and one that a spreadsheet could read as a formula
(`=`, `+`, `-`, `@`, ...) is also quote-prefixed: a station name such as
`=HYPERLINK(...)` stays text when the file is opened and when the cell is edited.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date

from station_desktop.domain.codes import (
    ActivityKind,
    ClosingReason,
    Code,
    DonorType,
    FeedbackDimension,
    PriorityGroup,
    Satisfaction,
    Sex,
    VisitOutcome,
)
from station_desktop.errors import StationError
from station_desktop.formats import LocaleFormats
from station_desktop.i18n import N_, Catalogues
from station_desktop.services.reports import (
    NO_GROUP,
    REOPENED_LATER,
    UNKNOWN,
    ActivityCount,
    Figures,
    Report,
    ReportPeriod,
    Served,
    Trend,
    TrendBucket,
)
from station_desktop.services.stations import StationView
from station_desktop.store.files import commit_temp_file, temp_path_for

# ---------------------------------------------------------------- messages

# Table titles (also the sheet names).
T_SUMMARY = N_("Summary")
T_SERVED = N_("Residents served")
T_VISITS = N_("Home visits")
T_CASES = N_("Cases")
T_CLOSING = N_("Reason for closing")
T_ACTIVITIES = N_("Activities")
T_SATISFACTION = N_("Satisfaction feedback")
T_RECEIVED = N_("Resources received")
T_HANDED_OUT = N_("Resources handed out")
T_STATIONS = N_("Stations")
T_TREND_MONTHS = N_("Figures per month")
T_TREND_YEARS = N_("Figures per year")

# Column headers.
H_FIGURE = N_("Figure")
H_NUMBER = N_("Number")
H_BREAKDOWN = N_("Breakdown")
H_CATEGORY = N_("Category")
H_PEOPLE = N_("People")
H_PERSON_TIMES = N_("Person-times")
H_OUTCOME = N_("Outcome")
H_VISITS = N_("Visits")
H_HOUSEHOLDS = N_("Households")
H_REASON = N_("Reason for closing")
H_CLOSINGS = N_("Closings")
H_KIND = N_("Kind of activity")
H_HELD = N_("Sessions held")
H_ATTENDANCES = N_("Attendances")
H_NAMED = N_("Named attendances")
H_HEADCOUNT = N_("Other participants (head count)")
H_PARTICIPANTS = N_("Participants")
H_QUESTION = N_("Question")
H_ANSWERED = N_("Answered")
H_UNANSWERED = N_("Not answered")
H_LEVEL = N_("{level} {label}")
H_MEAN = N_("Mean")
H_DONOR = N_("Kind of donor")
H_RECEIPTS = N_("Receipts")
H_VALUE = N_("Value (yuan)")
H_GROUP = N_("Priority group")
H_SEX = N_("Sex")
H_HANDOUTS = N_("Hand-outs")
H_ITEMS = N_("Items")
H_RECIPIENTS = N_("Recipients")
H_STATION = N_("Station")
H_STATION_NAME = N_("Station name")
H_MONTH = N_("Month")
H_YEAR = N_("Year")

# Row labels.
F_PEOPLE = N_("People served")
F_PERSON_TIMES = N_("Person-times served")
F_VISITS = N_("Home visits made")
F_HOUSEHOLDS = N_("Households visited")
F_OPEN_AT_START = N_("Cases open at the start")
F_OPENED = N_("Cases opened")
F_CLOSED = N_("Cases closed")
F_REOPENED = N_("Cases reopened")
F_OPEN_AT_END = N_("Cases open at the end")
F_ACTIVE = N_("Cases active in the period")
F_HELD = N_("Activities held")
F_ATTENDANCES = N_("Attendances")
F_PARTICIPANTS = N_("Named participants")
F_SHEETS = N_("Feedback sheets collected")
F_ANONYMOUS = N_("Anonymous sheets")
F_RECEIPTS = N_("Donations received")
F_VALUE_RECEIVED = N_("Value received")
F_HANDOUTS = N_("Hand-outs")
F_ITEMS = N_("Items handed out")
F_VALUE_HANDED_OUT = N_("Value handed out")
F_RECIPIENTS = N_("Recipients")
TOTAL = N_("Total")
ALL_STATIONS = N_("All selected stations")
NOT_RECORDED = N_("Not recorded")
NO_PRIORITY_GROUP = N_("No priority group")
REOPENED_AFTERWARDS = N_("Closed, then reopened later")
ALL_BUT_GROUP_WORK = N_("All kinds but group work")
KIND_OF_SERVICE = N_("Kind of service")
AGE = N_("Age")
AGE_RANGE = N_("{low}–{high} years")
AGE_AND_OVER = N_("{low} years and over")
SOURCE_LABELS: Mapping[str, str] = {
    "home_visit": N_("Home visits"),
    "case": N_("Cases"),
    "attendance": N_("Activity attendance"),
    "handout": N_("Resources handed out"),
    "feedback": N_("Satisfaction feedback"),
}

# Notes under a table.
NOTE_OVERLAP = N_(
    "A person who belongs to two rows counts in both, so the rows can add up to more "
    "than the total."
)
NOTE_STATIONS = N_(
    "People, households and recipients are counted once in the totals even when several "
    "stations served them, so the totals can be less than the sum of the stations."
)

# The title rows of every sheet.
REPORT_TITLE = N_("Statistics report")
PERIOD_LINE = N_("Period: {start} to {end} ({days} days)")
STATIONS_LINE = N_("Stations ({count}): {codes}")

MSG_EXPORT_FAILED = N_("The spreadsheet could not be saved as {path}: {reason}")


class ExportFailed(StationError):
    """The file could not be written (disk full, read-only, stick pulled out)."""

    message = MSG_EXPORT_FAILED


# ---------------------------------------------------------------- tables, as data


@dataclass(frozen=True)
class Msg:
    """A message id, with parameters, translated where it is shown."""

    message: str
    params: tuple[tuple[str, Any], ...] = ()

    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


def msg(message: str, **params: Any) -> Msg:
    return Msg(message, tuple(params.items()))


@dataclass(frozen=True)
class Raw:
    """Text shown as it is: a code from the data, never translated."""

    text: str


@dataclass(frozen=True)
class Names:
    """A name written in both scripts (a station's); either may be empty."""

    bo: str
    zh: str


@dataclass(frozen=True)
class Money:
    fen: int


@dataclass(frozen=True)
class Mean:
    value: float | None  # None: nobody answered


Cell = Msg | Raw | Names | Money | Mean | int | None


@dataclass(frozen=True)
class Column:
    header: Msg
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    total: bool = False  # a totals row, shown bold


@dataclass(frozen=True)
class Table:
    key: str  # stable name, for code and tests
    title: str  # message id
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str | None = None  # message id
    label_columns: int = 1  # leading text columns that name the row


def _label_columns(*headers: str) -> tuple[Column, ...]:
    return tuple(Column(msg(h), numeric=False) for h in headers)


def _count_columns(*headers: str) -> tuple[Column, ...]:
    return tuple(Column(msg(h)) for h in headers)


def code_label(codes: type[Code] | None, key: str) -> Msg | Raw:
    """A breakdown key as a label: the code's label, our own words for the extra keys of
    the report, and a key this version does not know as it is (never hidden)."""
    if codes is not None:
        with contextlib.suppress(ValueError):
            return Msg(codes.parse(key).label)
    special = {UNKNOWN: NOT_RECORDED, NO_GROUP: NO_PRIORITY_GROUP}
    special[REOPENED_LATER] = REOPENED_AFTERWARDS
    if key in special:
        return Msg(special[key])
    return Raw(key)


def source_label(key: str) -> Msg | Raw:
    return Msg(SOURCE_LABELS[key]) if key in SOURCE_LABELS else Raw(key)


_AGE_RANGE = re.compile(r"^(\d+)-(\d+)$")
_AGE_OVER = re.compile(r"^(\d+)\+$")


def age_band_label(key: str) -> Msg | Raw:
    if key == UNKNOWN:
        return Msg(NOT_RECORDED)
    if match := _AGE_RANGE.match(key):
        return msg(AGE_RANGE, low=match.group(1), high=match.group(2))
    if match := _AGE_OVER.match(key):
        return msg(AGE_AND_OVER, low=match.group(1))
    return Raw(key)


def report_tables(
    report: Report, station_names: Mapping[str, Names] | None = None
) -> tuple[Table, ...]:
    """Every table of the report, in reading order. `station_names` names the stations in
    the per-station table (by code); a station without one shows its code only."""
    totals = report.totals
    return (
        _summary(totals),
        _served(totals),
        _visits(totals),
        _cases(totals),
        _closing(totals),
        _activities(totals),
        _satisfaction(totals),
        _received(totals),
        _handed_out(totals),
        _stations(report, station_names or {}),
    )


def _summary(f: Figures) -> Table:
    served, visits, cases = f.residents_served, f.home_visits, f.cases
    activities, sheets = f.activities.total, f.satisfaction
    received, handed = f.resources.received, f.resources.handed_out
    figures: list[tuple[str, int | Money]] = [
        (F_PEOPLE, served.people),
        (F_PERSON_TIMES, served.person_times),
        (F_VISITS, visits.visits),
        (F_HOUSEHOLDS, visits.households),
        (F_OPEN_AT_START, cases.open_at_start),
        (F_OPENED, cases.opened),
        (F_CLOSED, cases.closed),
        (F_REOPENED, cases.reopened),
        (F_OPEN_AT_END, cases.open_at_end),
        (F_ACTIVE, cases.active),
        (F_HELD, activities.held),
        (F_ATTENDANCES, activities.attendances),
        (F_PARTICIPANTS, activities.participants),
        (F_SHEETS, sheets.sheets),
        (F_ANONYMOUS, sheets.anonymous),
        (F_RECEIPTS, received.receipts),
        (F_VALUE_RECEIVED, Money(received.value_fen)),
        (F_HANDOUTS, handed.handouts),
        (F_ITEMS, handed.items),
        (F_VALUE_HANDED_OUT, Money(handed.value_fen)),
        (F_RECIPIENTS, handed.recipients),
    ]
    return Table(
        "summary",
        T_SUMMARY,
        (*_label_columns(H_FIGURE), *_count_columns(H_NUMBER)),
        tuple(Row((Msg(label), value)) for label, value in figures),
    )


def _served(f: Figures) -> Table:
    served = f.residents_served
    rows = [Row((Msg(TOTAL), None, served.people, served.person_times), total=True)]
    parts: list[tuple[str, Iterable[tuple[Msg | Raw, Served]]]] = [
        (KIND_OF_SERVICE, ((source_label(k), v) for k, v in served.by_source.items())),
        (H_SEX, ((code_label(Sex, k), v) for k, v in served.by_sex.items())),
        (AGE, ((age_band_label(k), v) for k, v in served.by_age_band.items())),
        (H_GROUP, ((code_label(PriorityGroup, k), v) for k, v in served.by_priority_group.items())),
    ]
    for breakdown, items in parts:
        for label, value in items:
            rows.append(Row((Msg(breakdown), label, value.people, value.person_times)))
    return Table(
        "residents_served",
        T_SERVED,
        (*_label_columns(H_BREAKDOWN, H_CATEGORY), *_count_columns(H_PEOPLE, H_PERSON_TIMES)),
        tuple(rows),
        note=NOTE_OVERLAP,
        label_columns=2,
    )


def _visits(f: Figures) -> Table:
    visits = f.home_visits
    rows = [
        Row((code_label(VisitOutcome, k), v.visits, v.households))
        for k, v in visits.by_outcome.items()
    ]
    rows.append(Row((Msg(TOTAL), visits.visits, visits.households), total=True))
    return Table(
        "home_visits",
        T_VISITS,
        (*_label_columns(H_OUTCOME), *_count_columns(H_VISITS, H_HOUSEHOLDS)),
        tuple(rows),
    )


def _cases(f: Figures) -> Table:
    c = f.cases
    # In the order of the flow: open at the start + opened − closed + reopened = at the end.
    figures = [
        (F_OPEN_AT_START, c.open_at_start),
        (F_OPENED, c.opened),
        (F_CLOSED, c.closed),
        (F_REOPENED, c.reopened),
        (F_OPEN_AT_END, c.open_at_end),
        (F_ACTIVE, c.active),
    ]
    return Table(
        "cases",
        T_CASES,
        (*_label_columns(H_FIGURE), *_count_columns(H_NUMBER)),
        tuple(Row((Msg(label), value)) for label, value in figures),
    )


def _closing(f: Figures) -> Table:
    rows = [Row((code_label(ClosingReason, k), n)) for k, n in f.cases.closed_by_reason.items()]
    rows.append(Row((Msg(TOTAL), f.cases.closed), total=True))
    return Table(
        "closing_reasons",
        T_CLOSING,
        (*_label_columns(H_REASON), *_count_columns(H_CLOSINGS)),
        tuple(rows),
    )


def _activity_cells(count: ActivityCount) -> tuple[int, ...]:
    return (
        count.held,
        count.attendances,
        count.named_attendances,
        count.headcount_other,
        count.participants,
    )


def _activities(f: Figures) -> Table:
    a = f.activities
    rows = [Row((code_label(ActivityKind, k), *_activity_cells(v))) for k, v in a.by_kind.items()]
    rows.append(Row((Msg(ALL_BUT_GROUP_WORK), *_activity_cells(a.community)), total=True))
    rows.append(Row((Msg(TOTAL), *_activity_cells(a.total)), total=True))
    return Table(
        "activities",
        T_ACTIVITIES,
        (
            *_label_columns(H_KIND),
            *_count_columns(H_HELD, H_ATTENDANCES, H_NAMED, H_HEADCOUNT, H_PARTICIPANTS),
        ),
        tuple(rows),
        note=NOTE_OVERLAP,
    )


def _satisfaction(f: Figures) -> Table:
    s = f.satisfaction
    levels: list[str] = []
    for result in s.by_dimension.values():
        levels += [k for k in result.levels if k not in levels]
    rows = [
        Row(
            (
                code_label(FeedbackDimension, k),
                d.answered,
                d.unanswered,
                *(d.levels.get(level, 0) for level in levels),
                Mean(d.mean),
            )
        )
        for k, d in s.by_dimension.items()
    ]
    level_columns = []
    for level in levels:
        try:  # a Code parameter is shown as its label, translated
            header = msg(H_LEVEL, level=level, label=Satisfaction.parse(level))
        except ValueError:  # a level this version does not know: its code alone
            header = Msg(level)
        level_columns.append(Column(header))
    return Table(
        "satisfaction",
        T_SATISFACTION,
        (
            *_label_columns(H_QUESTION),
            *_count_columns(H_ANSWERED, H_UNANSWERED),
            *level_columns,
            Column(msg(H_MEAN)),
        ),
        tuple(rows),
    )


def _received(f: Figures) -> Table:
    r = f.resources.received
    rows = [
        Row((code_label(DonorType, k), v.receipts, Money(v.value_fen)))
        for k, v in r.by_donor_type.items()
    ]
    rows.append(Row((Msg(TOTAL), r.receipts, Money(r.value_fen)), total=True))
    return Table(
        "resources_received",
        T_RECEIVED,
        (*_label_columns(H_DONOR), *_count_columns(H_RECEIPTS, H_VALUE)),
        tuple(rows),
    )


def _handed_out(f: Figures) -> Table:
    h = f.resources.handed_out
    rows = [
        Row((code_label(PriorityGroup, k), v.handouts, v.items, Money(v.value_fen), v.recipients))
        for k, v in h.by_priority_group.items()
    ]
    total = (h.handouts, h.items, Money(h.value_fen), h.recipients)
    rows.append(Row((Msg(TOTAL), *total), total=True))
    return Table(
        "resources_handed_out",
        T_HANDED_OUT,
        (
            *_label_columns(H_GROUP),
            *_count_columns(H_HANDOUTS, H_ITEMS, H_VALUE, H_RECIPIENTS),
        ),
        tuple(rows),
        note=NOTE_OVERLAP,
    )


STATION_FIGURES: tuple[tuple[str, Callable[[Figures], int | Money]], ...] = (
    (F_PEOPLE, lambda f: f.residents_served.people),
    (F_PERSON_TIMES, lambda f: f.residents_served.person_times),
    (F_VISITS, lambda f: f.home_visits.visits),
    (F_HOUSEHOLDS, lambda f: f.home_visits.households),
    (F_OPENED, lambda f: f.cases.opened),
    (F_ACTIVE, lambda f: f.cases.active),
    (F_CLOSED, lambda f: f.cases.closed),
    (F_OPEN_AT_END, lambda f: f.cases.open_at_end),
    (F_HELD, lambda f: f.activities.total.held),
    (F_ATTENDANCES, lambda f: f.activities.total.attendances),
    (F_SHEETS, lambda f: f.satisfaction.sheets),
    (F_VALUE_RECEIVED, lambda f: Money(f.resources.received.value_fen)),
    (F_VALUE_HANDED_OUT, lambda f: Money(f.resources.handed_out.value_fen)),
    (F_RECIPIENTS, lambda f: f.resources.handed_out.recipients),
)


def _stations(report: Report, names: Mapping[str, Names]) -> Table:
    rows = [
        Row(
            (
                Raw(code),
                names.get(code, Names("", "")),
                *(figure(figures) for _label, figure in STATION_FIGURES),
            )
        )
        for code, figures in report.by_station.items()
    ]
    several = len(report.by_station) > 1
    if several:  # the totals count a person served by two stations once
        totals = tuple(figure(report.totals) for _label, figure in STATION_FIGURES)
        rows.append(Row((Msg(ALL_STATIONS), None, *totals), total=True))
    return Table(
        "stations",
        T_STATIONS,
        (
            *_label_columns(H_STATION, H_STATION_NAME),
            *_count_columns(*(label for label, _figure in STATION_FIGURES)),
        ),
        tuple(rows),
        note=NOTE_STATIONS if several else None,
        label_columns=2,
    )


# ---------------------------------------------------------------- charts, as data

# The same charts on the Reports page and on paper.
MSG_TREND_MONTHS = N_("Home visits per month")
MSG_TREND_YEARS = N_("Home visits per year")
MSG_BY_GROUP = N_("People served by priority group")
MSG_NOTHING = N_("Nothing to show for this period.")


def nice_step(largest: float, steps: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1) for about `steps` grid lines up to
    `largest`: axes read 0, 50, 100, not 0, 37, 74."""
    if largest <= 0:
        return 1.0
    raw = largest / steps
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, float(factor * power))
    return max(1.0, float(10 * power))  # pragma: no cover - the loop always returns


def axis_ticks(largest: float) -> list[float]:
    """Round values from 0 up to at least `largest`, for the grid lines of a chart."""
    step = nice_step(largest)
    top = max(step, math.ceil(largest / step) * step)
    return [step * i for i in range(round(top / step) + 1)]


def localised_digits(formats: LocaleFormats, text: str) -> str:
    """ASCII digits in `text` written as the reader writes them (Tibetan digits when asked)."""
    return "".join(formats.number(int(ch)) if ch.isascii() and ch.isdigit() else ch for ch in text)


def bucket_label(formats: LocaleFormats, bucket: ReportPeriod, *, yearly: bool) -> str:
    """A short name for a bar: '3月', 'ཟླ་3', 'Mar'; or its year ('2026年') when yearly."""
    day, language = bucket.start, formats.language
    if yearly:
        return year_label(formats, day.year)
    if language == "bo":
        text = f"ཟླ་{day.month}"
    elif language == "zh_CN":
        text = f"{day.month}月"
    else:
        return format_date(day, "MMM", locale="en")
    return localised_digits(formats, text)


def year_label(formats: LocaleFormats, year: int) -> str:
    text = {"bo": f"{year}ལོ", "zh_CN": f"{year}年"}.get(formats.language, str(year))
    return localised_digits(formats, text)


def trend_years_grouped(trend: Trend) -> bool:
    """Monthly bars of more than one year are grouped under their year."""
    return not trend.yearly and len({b.period.start.year for b in trend.buckets}) > 1


def month_names(bucket: ReportPeriod, *, yearly: bool) -> Names:
    """A month (or year) of a trend in both scripts, with its year: '2026ལོའི་ཟླ་3', '2026年3月'
    (the Tibet Daily's and the Chinese way of writing dates, as `formats` does)."""
    day = bucket.start
    if yearly:
        return Names(f"{day.year}ལོ", f"{day.year}年")
    return Names(f"{day.year}ལོའི་ཟླ་{day.month}", f"{day.year}年{day.month}月")


TREND_COLUMNS: tuple[tuple[str, Callable[[TrendBucket], int]], ...] = (
    (F_VISITS, lambda b: b.home_visits),
    (F_HOUSEHOLDS, lambda b: b.households_visited),
    (F_OPENED, lambda b: b.cases_opened),
    (F_CLOSED, lambda b: b.cases_closed),
    (F_HELD, lambda b: b.activities_held),
    (F_ATTENDANCES, lambda b: b.attendances),
    (F_SHEETS, lambda b: b.feedback_sheets),
)

NOTE_TREND = N_(
    "A household visited in two of the months (or years) counts in both, so the households "
    "of the rows can add up to more than the households visited in the whole period."
)


def trend_table(trend: Trend) -> Table:
    """The trend's figures, a row per month (or year)."""
    rows = tuple(
        Row((month_names(b.period, yearly=trend.yearly), *(f(b) for _label, f in TREND_COLUMNS)))
        for b in trend.buckets
    )
    return Table(
        "trend",
        T_TREND_YEARS if trend.yearly else T_TREND_MONTHS,
        (
            *_label_columns(H_YEAR if trend.yearly else H_MONTH),
            *_count_columns(*(label for label, _f in TREND_COLUMNS)),
        ),
        rows,
        note=NOTE_TREND,
    )


@dataclass(frozen=True)
class GroupShare:
    key: str
    label: Msg | Raw
    people: int
    share: float  # of the people served; the groups overlap, so shares add up to more than 1


def priority_group_shares(figures: Figures) -> tuple[GroupShare, ...]:
    """People served in each priority group (and in none), with their share of everyone
    served; nothing when nobody was served."""
    served = figures.residents_served
    if not served.people:
        return ()
    return tuple(
        GroupShare(key, code_label(PriorityGroup, key), value.people, value.people / served.people)
        for key, value in served.by_priority_group.items()
    )


def share_text(formats: LocaleFormats, share: float) -> str:
    return localised_digits(formats, f"{share:.0%}")


# ---------------------------------------------------------------- the workbook

INT_FORMAT = "#,##0"
MONEY_FORMAT = "¥#,##0.00"
MEAN_FORMAT = "0.00"
# A spreadsheet reads a typed cell starting with these as a formula (OWASP "CSV injection";
# tab and line breaks too, and the full-width forms some input methods produce).
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
TITLE_ROWS = 3
HEADER_ROW = TITLE_ROWS + 1
SHEET_NAME_LIMIT = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH, _MAX_HEADER_WIDTH = 8.0, 60.0, 24.0
_LINE_POINTS, _TIBETAN_LINE_POINTS = 15.0, 21.0
_HEADER_FILL = "DDE4EE"
# openpyxl is imported where a workbook is written: the report page opens without it.


def safe_text(text: str) -> str:
    """Text a worksheet can store: XML-illegal control characters removed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]  # noqa: PLC0415

    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned


def _joined(bo: str, zh: str) -> str:
    parts = [p for p in (bo, zh) if p]
    if len(parts) == 2 and parts[0] == parts[1]:  # no translation yet: say it once
        return parts[0]
    return " / ".join(parts)


def bilingual(catalogues: Catalogues, message: Msg) -> str:
    """'Tibetan / Chinese', as headers on bilingual paper are written."""
    return _joined(*catalogues.both(message.message, **message.kwargs()))


def cell_text(catalogues: Catalogues, cell: Msg | Raw | Names) -> str:
    if isinstance(cell, Msg):
        return bilingual(catalogues, cell)
    if isinstance(cell, Names):
        return _joined(cell.bo, cell.zh)
    return cell.text


def display_width(text: str) -> float:
    """Roughly how many '0' characters wide `text` is (Excel's column width unit)."""
    width = 0.0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
            continue  # Tibetan vowels and subjoined letters stack; they take no width
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 2.0
        elif "\u0f00" <= ch <= "\u0fff":
            width += 1.3
        else:
            width += 1.0
    return width


def _has_tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


def _put_text(cell: Any, text: str) -> None:
    cell.value = safe_text(text)
    # openpyxl would store "=..." as a formula and "#N/A" as an error: say it is a string.
    cell.data_type = "s"
    if cell.value[:1] in FORMULA_STARTS:
        cell.quotePrefix = True  # stays text when someone edits the cell in Excel


def _put(cell: Any, value: Cell, catalogues: Catalogues) -> str:
    """Write one cell; return its text as shown, to size the column."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int: never meant here
        raise TypeError("a report cell cannot be a bool")
    if isinstance(value, int):
        cell.value = value
        cell.number_format = INT_FORMAT
        return f"{value:,}"
    if isinstance(value, Money):
        cell.value = value.fen / 100
        cell.number_format = MONEY_FORMAT
        return f"¥{value.fen / 100:,.2f}"
    if isinstance(value, Mean):
        cell.value = value.value
        cell.number_format = MEAN_FORMAT
        return "" if value.value is None else f"{value.value:.2f}"
    text = cell_text(catalogues, value)
    _put_text(cell, text)
    return text


def _paper_period(catalogues: Catalogues, period: ReportPeriod) -> str:
    lines = []
    for language in ("bo", "zh_CN"):
        formats = LocaleFormats.fixed(language)
        lines.append(
            catalogues.translator(language).gettext(
                PERIOD_LINE,
                start=formats.date(period.start),
                end=formats.date(period.end),
                days=period.days,
            )
        )
    return _joined(*lines)


def sheet_name(catalogues: Catalogues, title: str, used: set[str]) -> str:
    """'Tibetan Chinese' when it fits Excel's 31 characters, else the Chinese alone;
    characters a sheet name cannot have are dropped; unique within the workbook."""
    bo, zh = (_SHEET_NAME_FORBIDDEN.sub("", t).strip(" '") for t in catalogues.both(title))
    name = zh if bo == zh or len(f"{bo} {zh}") > SHEET_NAME_LIMIT else f"{bo} {zh}"
    name = name[:SHEET_NAME_LIMIT] or "Sheet"
    unique, number = name, 2
    while unique.casefold() in {u.casefold() for u in used}:
        suffix = f" ({number})"
        unique, number = name[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(unique)
    return unique


def _write_sheet(sheet: Any, table: Table, report: Report, catalogues: Catalogues) -> None:
    from openpyxl.styles import (  # type: ignore[import-untyped]  # noqa: PLC0415
        Alignment,
        Border,
        Font,
        PatternFill,
        Side,
    )
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

    codes = ", ".join(report.stations)
    title_lines = (
        bilingual(catalogues, Msg(REPORT_TITLE)) + " · " + bilingual(catalogues, Msg(table.title)),
        _paper_period(catalogues, report.period),
        bilingual(catalogues, msg(STATIONS_LINE, count=len(report.stations), codes=codes)),
    )
    for number, line in enumerate(title_lines, start=1):
        _put_text(sheet.cell(number, 1), line)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 26.0 if _has_tibetan(title_lines[0]) else 20.0
    for number in (2, 3):
        sheet.row_dimensions[number].height = _TIBETAN_LINE_POINTS

    widths = [_MIN_WIDTH] * len(table.columns)
    header_texts: list[str] = []
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(HEADER_ROW, c)
        text = bilingual(catalogues, column.header)
        _put_text(cell, text)
        header_texts.append(text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.border = Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[c - 1] = max(widths[c - 1], min(display_width(text) + 2, _MAX_HEADER_WIDTH))

    body: list[list[str]] = []
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        texts = []
        for c, value in enumerate(row.cells, start=1):
            cell = sheet.cell(r, c)
            text = _put(cell, value, catalogues)
            texts.append(text)
            widths[c - 1] = max(widths[c - 1], min(display_width(text) + 2, _MAX_WIDTH))
            if row.total:
                cell.font = Font(bold=True)
            if not table.columns[c - 1].numeric:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
        body.append(texts)

    if table.note:
        note_row = HEADER_ROW + len(table.rows) + 2
        _put_text(sheet.cell(note_row, 1), bilingual(catalogues, Msg(table.note)))
        sheet.cell(note_row, 1).font = Font(italic=True)

    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = round(width, 1)
    # Explicit heights: not every spreadsheet program grows a row for wrapped or Tibetan
    # text on its own, and Tibetan stacks need a taller line than Chinese.
    sheet.row_dimensions[HEADER_ROW].height = _row_height(header_texts, widths)
    for r, texts in enumerate(body, start=HEADER_ROW + 1):
        sheet.row_dimensions[r].height = _row_height(texts, widths)
    # The header row and the row labels stay in view while scrolling.
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, table.label_columns + 1).coordinate


def _row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    lines = max(
        (math.ceil(display_width(t) / max(w - 1, 1.0)) for t, w in zip(texts, widths, strict=True)),
        default=1,
    )
    per_line = _TIBETAN_LINE_POINTS if any(_has_tibetan(t) for t in texts) else _LINE_POINTS
    return max(1, lines) * per_line + 2


def station_names(stations: Sequence[StationView]) -> dict[str, Names]:
    """Station codes to their names in both scripts (a Report carries only codes)."""
    return {s.code: Names(s.name_bo or "", s.name_zh or "") for s in stations}


def write_xlsx(
    report: Report,
    path: Path,
    catalogues: Catalogues,
    *,
    station_names: Mapping[str, Names] | None = None,
) -> None:
    """Write the report as an .xlsx workbook at `path`, one sheet per table, headers in
    Tibetan and Chinese. Written under a temporary name and renamed: a failed write (a
    USB stick pulled out) leaves the old file or none, never half a file. Raises
    ExportFailed when the file cannot be written."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # noqa: PLC0415

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in report_tables(report, station_names):
        sheet = workbook.create_sheet(sheet_name(catalogues, table.title, used))
        _write_sheet(sheet, table, report, catalogues)
    workbook.properties.creator = "Station Desktop"
    temp = temp_path_for(path)
    try:
        workbook.save(temp)
        commit_temp_file(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):  # the medium may be gone altogether
            temp.unlink(missing_ok=True)
        raise ExportFailed(path=str(path), reason=error.strerror or str(error)) from error
