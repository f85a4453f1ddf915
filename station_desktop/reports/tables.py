"""The report as tables and charts, as data: what the Reports page, the workbook and the
printed report show, in the same rows and order, so that they never disagree.

`report_tables` lays a `Report` out as the tables people read. Labels stay message ids
(`Msg`) until they are shown: the page shows them in the interface language, paper and the
workbook in Tibetan and Chinese at once. The charts' data (`priority_group_shares`,
`bucket_label`, `axis_ticks`...) and the trend's table (`trend_table`) are here too.
Nothing here reads the database.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date

from station_desktop.domain.codes import (
    ActivityKind,
    ClosingReason,
    Code,
    DonorType,
    FeedbackDimension,
    PriorityGroup,
    ResourceKind,
    Satisfaction,
    Sex,
    VisitOutcome,
)
from station_desktop.formats import LocaleFormats
from station_desktop.i18n import N_
from station_desktop.reports.figures import (
    NO_GROUP,
    REOPENED_LATER,
    UNKNOWN,
    ActivityCount,
    Figures,
    Headline,
    Report,
    ReportPeriod,
    Served,
    Trend,
    TrendBucket,
)

# ---------------------------------------------------------------- messages

# Table titles (also the sheet names).
# TRANSLATORS: title of the first table of every report: the few figures a year is summed up by.
T_HEADLINE = N_("Headline figures")
T_SUMMARY = N_("Summary")
T_SERVED = N_("Residents served")
T_VISITS = N_("Home visits")
T_CASES = N_("Cases")
T_CLOSING = N_("Reason for closing")
T_ACTIVITIES = N_("Activities")
T_SATISFACTION = N_("Satisfaction feedback")
T_RECEIVED = N_("Resources received")
T_HANDED_OUT = N_("Resources handed out")
T_ITEMS = N_("Resources handed out, by item")
T_STATIONS = N_("Stations")
T_RECEIVED_UNTIL = N_("Data received up to")
T_TREND_MONTHS = N_("Figures per month")
T_TREND_YEARS = N_("Figures per year")

# Column headers.
H_FIGURE = N_("Figure")
H_NEWEST_CHANGE = N_("Newest change held here")
NOTHING_RECEIVED = N_("nothing yet")
NOTE_RECEIVED_UNTIL = N_(
    "The figures count what has reached this laptop: a station's changes after this time "
    "are not in them yet."
)
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
# TRANSLATORS: column header: hand-outs counted once per person and day.
H_OCCASIONS = N_("Occasions")
H_RESOURCE_KIND = N_("Kind of resource")
H_ITEM = N_("Item")
H_UNIT = N_("Unit")
H_QUANTITY = N_("Quantity")
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
# TRANSLATORS: hand-outs counted once per person and day, whatever was given.
F_OCCASIONS = N_("Hand-out occasions")
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
    # TRANSLATORS: a kind of service: a dated contact (a progress note) in a case.
    "case_contact": N_("Case contacts"),
    "attendance": N_("Activity attendance"),
    "handout": N_("Resources handed out"),
}

# Notes under a table.
NOTE_OVERLAP = N_(
    "A person who belongs to two rows counts in both, so the rows can add up to more "
    "than the total."
)
NOTE_ITEMS = N_(
    "Each thing is counted in its own unit; quantities in different units are not added up."
)
NOTE_STATIONS = N_(
    "People, households and recipients are counted once in the totals even when several "
    "stations served them, so the totals can be less than the sum of the stations."
)

# The title rows of every sheet.
REPORT_TITLE = N_("Statistics report")
PERIOD_LINE = N_("Period: {start} to {end} ({days} days)")
STATIONS_LINE = N_("Stations ({count}): {codes}")

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


@dataclass(frozen=True)
class Joined:
    """Several labels read as one ("Summary · Cases opened"), each translated."""

    parts: tuple[Msg | Raw | Names, ...]


Cell = Msg | Raw | Names | Joined | Money | Mean | int | None


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
        headline_table(totals.headline),
        _summary(totals),
        _served(totals),
        _visits(totals),
        _cases(totals),
        _closing(totals),
        _activities(totals),
        _satisfaction(totals),
        _received(totals),
        _handed_out(totals),
        _items(totals),
        _stations(report, station_names or {}),
        _received_until(report, station_names or {}),
    )


HEADLINE_FIGURES: tuple[tuple[str, Callable[[Headline], int | Money]], ...] = (
    (F_PERSON_TIMES, lambda h: h.person_times),
    (F_HOUSEHOLDS, lambda h: h.households_visited),
    (F_OPENED, lambda h: h.cases_opened),
    (F_CLOSED, lambda h: h.cases_closed),
    (F_HELD, lambda h: h.activities),
    (F_VALUE_RECEIVED, lambda h: Money(h.resources_fen)),
)


def headline_table(headline: Headline) -> Table:
    """The headline: first in every report."""
    return Table(
        "headline",
        T_HEADLINE,
        (*_label_columns(H_FIGURE), *_count_columns(H_NUMBER)),
        tuple(Row((Msg(label), figure(headline))) for label, figure in HEADLINE_FIGURES),
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
        (F_OCCASIONS, handed.occasions),
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
        Row(
            (
                code_label(PriorityGroup, k),
                v.handouts,
                v.occasions,
                Money(v.value_fen),
                v.recipients,
            )
        )
        for k, v in h.by_priority_group.items()
    ]
    total = (h.handouts, h.occasions, Money(h.value_fen), h.recipients)
    rows.append(Row((Msg(TOTAL), *total), total=True))
    return Table(
        "resources_handed_out",
        T_HANDED_OUT,
        (
            *_label_columns(H_GROUP),
            *_count_columns(H_HANDOUTS, H_OCCASIONS, H_VALUE, H_RECIPIENTS),
        ),
        tuple(rows),
        note=NOTE_OVERLAP,
    )


def _items(f: Figures) -> Table:
    h = f.resources.handed_out
    rows = [
        Row(
            (
                code_label(ResourceKind, i.kind),
                Raw(i.item),
                Raw(i.unit),
                i.quantity,
                Money(i.value_fen),
            )
        )
        for i in h.by_item
    ]
    rows.append(Row((Msg(TOTAL), None, None, None, Money(h.value_fen)), total=True))
    return Table(
        "resources_items",
        T_ITEMS,
        (
            *_label_columns(H_RESOURCE_KIND, H_ITEM, H_UNIT),
            *_count_columns(H_QUANTITY, H_VALUE),
        ),
        tuple(rows),
        note=NOTE_ITEMS,
        label_columns=3,
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


def _received_until(report: Report, names: Mapping[str, Names]) -> Table:
    """How far each station's data had arrived when the report was made: beside the
    figures at the bureau, which holds what the stations have sent so far."""
    rows = [
        Row(
            (
                Raw(code),
                names.get(code, Names("", "")),
                Raw(when.date().isoformat()) if when else Msg(NOTHING_RECEIVED),
            )
        )
        for code in report.stations
        for when in [report.received_until.get(code)]
    ]
    return Table(
        "received_until",
        T_RECEIVED_UNTIL,
        (*_label_columns(H_STATION, H_STATION_NAME), Column(msg(H_NEWEST_CHANGE), numeric=False)),
        tuple(rows),
        note=NOTE_RECEIVED_UNTIL,
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

# TRANSLATORS: under a table of figures per month; the marked month is the current one.
NOTE_TREND_PARTIAL = N_(
    "A household visited in two of the months (or years) counts in both, so the households "
    "of the rows can add up to more than the households visited in the whole period. * The "
    "month is not over yet: its figures are counted up to the day the report was printed."
)
# TRANSLATORS: under a bar chart per month; {date} is the day the report was printed.
NOTE_PARTIAL = N_("* Not over yet: counted up to {date}.")
NOTE_TREND = N_(
    "A household visited in two of the months (or years) counts in both, so the households "
    "of the rows can add up to more than the households visited in the whole period."
)


def unfinished(bucket: ReportPeriod, today: date) -> bool:
    """A month (or year) of a trend that is not over yet: its figures are partial, and a
    chart or table marks it so that a drop does not read as a collapse."""
    return bucket.start <= today < bucket.end


PARTIAL_MARK = "*"


def trend_table(trend: Trend, today: date | None = None) -> Table:
    """The trend's figures, a row per month (or year); the month not over yet on `today`
    is marked with `PARTIAL_MARK` (and `NOTE_PARTIAL` under the table says so)."""
    rows = []
    partial = False
    for b in trend.buckets:
        name = month_names(b.period, yearly=trend.yearly)
        if today is not None and unfinished(b.period, today):
            name = Names(f"{name.bo} {PARTIAL_MARK}", f"{name.zh} {PARTIAL_MARK}")
            partial = True
        rows.append(Row((name, *(f(b) for _label, f in TREND_COLUMNS))))
    return Table(
        "trend",
        T_TREND_YEARS if trend.yearly else T_TREND_MONTHS,
        (
            *_label_columns(H_YEAR if trend.yearly else H_MONTH),
            *_count_columns(*(label for label, _f in TREND_COLUMNS)),
        ),
        tuple(rows),
        note=NOTE_TREND_PARTIAL if partial else NOTE_TREND,
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
