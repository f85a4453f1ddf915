"""The statistics report as data: its period, its figures, its trend.

Plain frozen values with no database behind them: `services.reports` computes them,
`reports.tables` lays them out as tables, `pdf.report` and the Reports page show them,
`services.submitted` keeps them as they were sent. Every figure is defined in
docs/report-figures.md.
"""

from __future__ import annotations

import calendar
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

from station_desktop.domain.codes import (
    ActivityKind,
    ClosingReason,
    DonorType,
    FeedbackDimension,
    PriorityGroup,
    ResourceKind,
    Satisfaction,
    Sex,
    VisitOutcome,
)

# 2: person-times count services delivered (no feedback sheets, no case merely open),
# hand-outs are quantities per item and unit, priority groups are those of the day of each
# service, and every set of figures starts with its headline (docs/report-figures.md).
REPORT_FORMAT_VERSION = 2

UNKNOWN = "unknown"
NO_GROUP = "none"
# A closing later undone by a reopening: the case record keeps only its latest reason.
REOPENED_LATER = "reopened_later"
COMMUNITY = "community"  # every activity kind other than group work

# Age bands by age on the last day of the period, oldest first (the first that fits wins).
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("80+", 80),
    ("60-79", 60),
    ("18-59", 18),
    ("14-17", 14),
)
YOUNGEST_BAND = "0-13"
AGE_BAND_KEYS: tuple[str, ...] = (YOUNGEST_BAND, "14-17", "18-59", "60-79", "80+", UNKNOWN)

# The service events that make a resident "served"; person-times count each of them.
EVENT_SOURCES: tuple[str, ...] = ("home_visit", "case_contact", "attendance", "handout")
RESOURCE_KIND_KEYS: tuple[str, ...] = ResourceKind.codes()

SEX_KEYS: tuple[str, ...] = (*Sex.codes(), UNKNOWN)
GROUP_KEYS: tuple[str, ...] = (*PriorityGroup.codes(), NO_GROUP)
OUTCOME_KEYS: tuple[str, ...] = VisitOutcome.codes()
REASON_KEYS: tuple[str, ...] = (*ClosingReason.codes(), REOPENED_LATER)
KIND_KEYS: tuple[str, ...] = ActivityKind.codes()
DIMENSION_KEYS: tuple[str, ...] = FeedbackDimension.codes()
LEVEL_KEYS: tuple[str, ...] = Satisfaction.codes()
DONOR_KEYS: tuple[str, ...] = DonorType.codes()


# Longer periods are trended by year: a bar per month of five years would be unreadable.
MAX_MONTHS_IN_TREND = 24

T = TypeVar("T")


# ---------------------------------------------------------------- the report, as data


@dataclass(frozen=True)
class ReportPeriod:
    """From `start` to `end`, both days included (business dates in Lhasa)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            # datetime is a date too; an instant here would be compared as a day by luck.
            if not isinstance(value, date) or isinstance(value, datetime):
                raise TypeError(f"a report period takes dates, not {type(value).__name__}")
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Served:
    people: int  # distinct residents
    person_times: int  # service events


@dataclass(frozen=True)
class ResidentsServed:
    people: int
    person_times: int
    by_source: Mapping[str, Served]
    by_sex: Mapping[str, Served]
    by_age_band: Mapping[str, Served]
    # Each service counts in the groups its person was in on its day: the groups add up
    # to more than the totals when someone is in two groups.
    by_priority_group: Mapping[str, Served]


@dataclass(frozen=True)
class VisitCount:
    visits: int
    households: int


@dataclass(frozen=True)
class HomeVisits:
    visits: int
    households: int
    by_outcome: Mapping[str, VisitCount]


@dataclass(frozen=True)
class Cases:
    opened: int
    active: int
    closed: int
    reopened: int
    open_at_start: int
    open_at_end: int
    closed_by_reason: Mapping[str, int]


@dataclass(frozen=True)
class ActivityCount:
    held: int
    attendances: int  # named_attendances + headcount_other
    named_attendances: int
    headcount_other: int
    participants: int  # distinct named residents


@dataclass(frozen=True)
class Activities:
    total: ActivityCount
    group_work: ActivityCount
    community: ActivityCount
    by_kind: Mapping[str, ActivityCount]


@dataclass(frozen=True)
class DimensionResult:
    answered: int
    unanswered: int
    levels: Mapping[str, int]
    mean: float | None  # two decimals, half up; None when nobody answered


@dataclass(frozen=True)
class SatisfactionResult:
    sheets: int
    anonymous: int
    by_dimension: Mapping[str, DimensionResult]


@dataclass(frozen=True)
class ReceiptCount:
    receipts: int
    value_fen: int


@dataclass(frozen=True)
class Received:
    receipts: int
    value_fen: int
    by_donor_type: Mapping[str, ReceiptCount]


@dataclass(frozen=True)
class HandoutCount:
    handouts: int  # hand-out lines (rice and a quilt given together are two)
    occasions: int  # a person and a day
    value_fen: int
    recipients: int


@dataclass(frozen=True)
class ItemCount:
    """One thing handed out, in its own unit: 50 bags of rice, ¥5,000 of cash."""

    kind: str  # ResourceKind code
    item: str  # as recorded
    unit: str  # as recorded ("" when none was given)
    quantity: int
    value_fen: int


@dataclass(frozen=True)
class HandedOut:
    handouts: int
    occasions: int
    value_fen: int
    recipients: int
    by_item: tuple[ItemCount, ...]  # by kind (code-list order), item, unit
    # By the recipient's groups on the hand-out date; a person in two groups counts twice.
    by_priority_group: Mapping[str, HandoutCount]


@dataclass(frozen=True)
class Resources:
    received: Received
    handed_out: HandedOut


@dataclass(frozen=True)
class Headline:
    """The figures a station's year is summed up by, first in every report: services
    delivered (person-times), households visited, cases opened and closed, activities
    held, and the value of the resources brought in."""

    person_times: int  # residents_served.person_times
    households_visited: int  # home_visits.households
    cases_opened: int  # cases.opened
    cases_closed: int  # cases.closed
    activities: int  # activities.total.held
    resources_fen: int  # resources.received.value_fen


@dataclass(frozen=True)
class Figures:
    """Every figure, for one station or for all selected stations together."""

    headline: Headline
    residents_served: ResidentsServed
    home_visits: HomeVisits
    cases: Cases
    activities: Activities
    satisfaction: SatisfactionResult
    resources: Resources


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    stations: tuple[str, ...]  # codes, sorted
    totals: Figures
    by_station: Mapping[str, Figures]  # by code, in the order of `stations`
    # Per station, the newest change this installation holds from it (None: nothing yet):
    # at the bureau, how far each station's data has arrived.
    received_until: Mapping[str, datetime | None] = dataclass_field(
        default_factory=lambda: frozen_map({})
    )

    def to_json(self) -> dict[str, Any]:
        """The stable structure of docs/report-figures.md (keys are never renamed)."""
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "days": self.period.days,
            },
            "stations": list(self.stations),
            "headline": plain(self.totals.headline),
            "totals": plain(self.totals),
            "by_station": {code: plain(figures) for code, figures in self.by_station.items()},
            "data_received_until": {
                code: when.isoformat() if when else None
                for code, when in self.received_until.items()
            },
        }


@dataclass(frozen=True)
class TrendBucket:
    """The event counts of one month (or year) of a trend, for all its stations together.
    Each is the figure of the same name that `compute` gives for the bucket's period."""

    period: ReportPeriod  # the month or year, cut to the trend's period
    home_visits: int  # home_visits.visits
    households_visited: int  # home_visits.households: distinct within this bucket
    cases_opened: int  # cases.opened
    cases_closed: int  # cases.closed
    activities_held: int  # activities.total.held
    attendances: int  # activities.total.attendances (named + head count)
    feedback_sheets: int  # satisfaction.sheets


TREND_FIGURES: tuple[str, ...] = (
    "home_visits",
    "households_visited",
    "cases_opened",
    "cases_closed",
    "activities_held",
    "attendances",
    "feedback_sheets",
)


@dataclass(frozen=True)
class Trend:
    period: ReportPeriod
    stations: tuple[str, ...]  # codes, sorted
    yearly: bool  # buckets are years (the period spans more than MAX_MONTHS_IN_TREND)
    buckets: tuple[TrendBucket, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "stations": list(self.stations),
            "bucket": "year" if self.yearly else "month",
            "buckets": [
                {
                    "start": b.period.start.isoformat(),
                    "end": b.period.end.isoformat(),
                    **{name: getattr(b, name) for name in TREND_FIGURES},
                }
                for b in self.buckets
            ],
        }


def trend_periods(period: ReportPeriod) -> list[ReportPeriod]:
    """The months of `period` (the first and last cut to the period), or its years when it
    spans more than `MAX_MONTHS_IN_TREND` months."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    yearly = months + 1 > MAX_MONTHS_IN_TREND
    buckets: list[ReportPeriod] = []
    start = period.start
    while start <= period.end:
        if yearly:
            last = date(start.year, 12, 31)
        else:
            last = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        end = min(last, period.end)
        buckets.append(ReportPeriod(start, end))
        start = end + timedelta(days=1)
    return buckets


def is_yearly(buckets: Sequence[ReportPeriod]) -> bool:
    """Whether the buckets are years rather than months."""
    return any(b.start.year != b.end.year or (b.end - b.start).days > 31 for b in buckets)


def plain(value: Any) -> Any:
    """Dataclasses and mappings as JSON-ready dicts, in field/key order."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


def frozen_map(items: Mapping[str, T]) -> Mapping[str, T]:
    return MappingProxyType(dict(items))


def report_from_json(data: Mapping[str, Any]) -> Report:
    """The `Report` whose `to_json()` gave `data` (a submitted report's stored figures).
    ValueError when `data` is of another format version (its figures mean other things)."""
    version = data.get("format_version")
    if version != REPORT_FORMAT_VERSION:
        raise ValueError(f"report format {version}, not {REPORT_FORMAT_VERSION}")
    period = ReportPeriod(
        date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
    )
    received = data.get("data_received_until") or {}
    return Report(
        period,
        tuple(data["stations"]),
        _typed(Figures, data["totals"]),
        frozen_map({code: _typed(Figures, f) for code, f in data["by_station"].items()}),
        frozen_map({c: datetime.fromisoformat(w) if w else None for c, w in received.items()}),
    )


def _typed(kind: Any, value: Any) -> Any:
    """`value` (plain JSON) as the type `kind` of a field of the report's dataclasses."""
    if isinstance(kind, type) and is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _typed(hints[f.name], value[f.name]) for f in fields(kind)})
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is Mapping or origin is dict:
        return frozen_map({str(k): _typed(args[1], v) for k, v in value.items()})
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if origin is types.UnionType or origin is typing.Union:  # float | None
        return value
    return kind(value) if kind in (int, str) else value
