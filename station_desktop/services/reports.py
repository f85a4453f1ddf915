"""Statistics for any period and any set of stations, computed from the records.

Every figure, its JSON key and its exact definition are in docs/report-figures.md; keep the
two in step. In short:

- The period is a pair of inclusive business dates (Lhasa dates). Each record is placed in
  the period by one date of its own, named in the documentation (a visit by `visit_date`,
  a hand-out by `handed_on`, ...), never by when it was typed in.
- A record belongs to a station by its own `station_id` (an attendance and a rating by their
  activity's and sheet's station, a stage change by its case's).
- Tombstoned records never count, and neither does anything that names a tombstoned
  resident: the registration was withdrawn (a mistake, a duplicate, an erasure request)
  and the records hanging from it go with it.
- "people" figures count distinct residents; per-station distinct counts do not add up to
  the totals when one person was served by two stations.

Everything is counted by SQL aggregates in seven statements, one per part of the report
(see `_Tally`), read in one snapshot, which return a few hundred small rows whatever the
number of records; nothing loops over records in Python. On the bureau's server they run
at once on connections of their own (`Database.read_all`): one statement runs on one core
of the server. It is portable between SQLite and PostgreSQL: no dialect functions,
computed keys are grouped on from an inner query (PostgreSQL cannot match two copies of an
expression holding bound parameters), and constants in it are written inline.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from station_desktop.domain.codes import ActivityKind, CaseStage, VisitOutcome
from station_desktop.domain.text import normalize_text
from station_desktop.errors import NotFound
from station_desktop.i18n import N_, Label
from station_desktop.reports.figures import (
    AGE_BAND_KEYS,
    AGE_BANDS,
    COMMUNITY,
    DIMENSION_KEYS,
    DONOR_KEYS,
    EVENT_SOURCES,
    GROUP_KEYS,
    KIND_KEYS,
    LEVEL_KEYS,
    MAX_MONTHS_IN_TREND,
    NO_GROUP,
    OUTCOME_KEYS,
    REASON_KEYS,
    REOPENED_LATER,
    REPORT_FORMAT_VERSION,
    RESOURCE_KIND_KEYS,
    SEX_KEYS,
    TREND_FIGURES,
    UNKNOWN,
    YOUNGEST_BAND,
    Activities,
    ActivityCount,
    Cases,
    DimensionResult,
    Figures,
    HandedOut,
    HandoutCount,
    Headline,
    HomeVisits,
    ItemCount,
    ReceiptCount,
    Received,
    Report,
    ReportPeriod,
    ResidentsServed,
    Resources,
    SatisfactionResult,
    Served,
    Trend,
    TrendBucket,
    VisitCount,
    frozen_map,
    is_yearly,
    trend_periods,
)
from station_desktop.services.access import Action, RecordScope, Resource, visible
from station_desktop.services.context import ServiceContext
from station_desktop.store.engine import Database
from station_desktop.store.models import (
    Activity,
    Attendance,
    CaseNote,
    CaseRecord,
    CaseStageChange,
    ChangeLogEntry,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Replicated,
    Resident,
    ResourceHandout,
    ResourceReceipt,
    Station,
)
from station_desktop.store.reference_seed import REFERENCE_DEVICE

_CLOSED = CaseStage.CLOSED.value
_INTAKE = CaseStage.INTAKE.value
_GROUP_WORK = ActivityKind.GROUP_WORK.value
# Every record set of the report is computed once and kept (`AS MATERIALIZED`), as it was
# written to be. Left to choose, SQLite 3.53 (SQLCipher's) recomputes a set that two arms
# read, up to a third more time for the whole report; SQLite 3.40 and PostgreSQL keep a
# set read twice anyway. Both understand the hint (SQLite ≥ 3.35, PostgreSQL ≥ 12).
_MATERIALIZED = "MATERIALIZED"

StationKey = uuid.UUID | None  # None: all selected stations together

# The value types live in `reports.figures` (below pdf/ and services/); they are named here
# too, for the callers that know them from this module.
__all__ = [
    "AGE_BANDS",
    "AGE_BAND_KEYS",
    "COMMUNITY",
    "EVENT_SOURCES",
    "GROUP_KEYS",
    "MAX_MONTHS_IN_TREND",
    "NO_GROUP",
    "REOPENED_LATER",
    "REPORT_FORMAT_VERSION",
    "TREND_FIGURES",
    "UNKNOWN",
    "YOUNGEST_BAND",
    "Activities",
    "ActivityCount",
    "Cases",
    "DimensionResult",
    "Figures",
    "HandedOut",
    "HandoutCount",
    "HomeVisits",
    "ReceiptCount",
    "Received",
    "Report",
    "ReportPeriod",
    "ReportService",
    "ResidentsServed",
    "Resources",
    "SatisfactionResult",
    "Served",
    "Trend",
    "TrendBucket",
    "VisitCount",
    "is_yearly",
    "satisfaction_mean",
    "trend_periods",
    "years_before",
]


def years_before(day: date, years: int) -> date:
    """The latest birth date of someone at least `years` old on `day` (a 29 February
    birthday is reached on 28 February in other years, as `residents.age_on` counts)."""
    year = day.year - years
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    if (day.month, day.day) == (2, 28) and calendar.isleap(year) and not calendar.isleap(day.year):
        return date(year, 2, 29)  # born on 29 February: their birthday is today
    return day.replace(year=year)


def satisfaction_mean(level_counts: Mapping[int, int]) -> float | None:
    answered = sum(level_counts.values())
    if answered == 0:
        return None
    total = sum(level * count for level, count in level_counts.items())
    exact = Decimal(total) / Decimal(answered)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- the service


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def compute(self, period: ReportPeriod, station_codes: Sequence[str] | None = None) -> Report:
        """The report for `period` over the stations with `station_codes` (every live
        station when None). Raises NotFound for an unknown or tombstoned station code."""
        self.ctx.require(Resource.REPORT, Action.READ)
        with self.ctx.db.read() as session:
            stations, every = self._stations(session, station_codes)
            ids = tuple(stations)
            tally = _Tally(period, ids, every_station=every)
            counts = tally.run(self.ctx.db, session, per_station=len(ids) > 1)
            received = _received_until(session, ids)
        totals = _build(counts.get(None, {}))
        if len(ids) == 1:
            by_station = {stations[ids[0]]: totals}
        else:
            by_station = {code: _build(counts.get(i, {})) for i, code in stations.items()}
        return Report(
            period,
            tuple(stations.values()),
            totals,
            frozen_map(by_station),
            frozen_map({code: received.get(i) for i, code in stations.items()}),
        )

    def trend(self, period: ReportPeriod, station_codes: Sequence[str] | None = None) -> Trend:
        """Event counts per month of `period` (per year when it spans more than
        `MAX_MONTHS_IN_TREND` months) over the chosen stations together, by the rules of
        `compute`: each bucket holds what `compute` counts for that month. One statement,
        whatever the number of buckets."""
        self.ctx.require(Resource.REPORT, Action.READ)
        buckets = trend_periods(period)
        with self.ctx.db.read() as session:
            stations, every = self._stations(session, station_codes)
            tally = _Tally(period, tuple(stations), every_station=every)
            values = tally.trend(session, buckets)
        return Trend(
            period,
            tuple(stations.values()),
            is_yearly(buckets),
            tuple(
                TrendBucket(
                    period=bucket,
                    home_visits=values["visits.0"][n],
                    households_visited=values["visits.1"][n],
                    cases_opened=values["opened.0"][n],
                    cases_closed=values["closed.0"][n],
                    activities_held=values["held.0"][n],
                    attendances=values["named.0"][n] + values["held.1"][n],
                    feedback_sheets=values["sheets.0"][n],
                )
                for n, bucket in enumerate(buckets)
            ),
        )

    def _stations(
        self, session: Session, codes: Sequence[str] | None
    ) -> tuple[dict[uuid.UUID, str], bool]:
        """`_stations`, within the actor's reach: a station's people get their own
        station's figures (all stations, asked of them, means theirs) and are refused
        another's, naming who may (the bureau's roles); the bureau's see every one."""
        shown = visible(self.ctx.actor, Resource.REPORT)
        if codes is None and shown is not None:
            own = session.scalar(select(Station.code).where(Station.id == shown.station_id))
            codes = [own] if own is not None else None
        stations, every = _stations(session, codes)
        for station_id in stations:
            self.ctx.require(Resource.REPORT, Action.READ, RecordScope(station_id))
        return stations, every


def _received_until(
    session: Session, station_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """Per station, the time of the newest change held here (the bundled reference list,
    the same everywhere, does not count as data received). One descent of the log's
    station-and-time index per station: a scan of the whole log cost more than the rest of
    the report on an encrypted file, where every page read is decrypted."""
    log = ChangeLogEntry
    newest = (
        select(log.wall_time)
        .where(log.station_id == Station.id, log.device_id != REFERENCE_DEVICE)
        .order_by(log.wall_time.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(select(Station.id, newest).where(Station.id.in_(list(station_ids))))
    return {station_id: when for station_id, when in rows if when is not None}


def _stations(session: Session, codes: Sequence[str] | None) -> tuple[dict[uuid.UUID, str], bool]:
    """The chosen stations (id → code, sorted by code), and whether they are all the live
    stations there are."""
    rows = session.execute(select(Station.id, Station.code).where(Station.deleted.is_(False)))
    live = {station_id: code for station_id, code in rows}
    if codes is None:
        found = live
    else:
        if isinstance(codes, str):  # one code passed bare would be read letter by letter
            raise TypeError("station_codes takes a sequence of codes, not one string")
        wanted = list(dict.fromkeys(normalize_text(c).upper() for c in codes))
        if not wanted:
            raise ValueError("choose at least one station (or None for all of them)")
        found = {i: code for i, code in live.items() if code in wanted}
        missing = sorted(set(wanted) - set(found.values()))
        if missing:
            raise NotFound(kind=Label(N_("station")), record_id=", ".join(missing))
    return dict(sorted(found.items(), key=lambda item: item[1])), len(found) == len(live)


# ---------------------------------------------------------------- the statement


def _live(model: type[Replicated]) -> ColumnElement[bool]:
    return model.deleted.is_(False)


def _resident_live(column: Any) -> ColumnElement[bool]:
    # NOT IN the (small) set of tombstoned ids: cheaper than joining every row to resident.
    tombstoned = select(Resident.id).where(Resident.deleted.is_(True))
    condition: ColumnElement[bool] = column.not_in(tombstoned)
    return condition


def _const(word: str) -> ColumnElement[str]:
    """A code written into the SQL text. Inline, not a bound parameter: PostgreSQL cannot
    always type a parameter that stands alone in a column of a UNION."""
    if not word.replace("_", "").replace("-", "").replace("+", "").isalnum():
        raise ValueError(f"not a plain code: {word!r}")
    return literal_column(f"'{word}'", String)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _distinct_count(column: Any) -> ColumnElement[int]:
    return func.count(distinct(column))


def _newest_first(change: type[CaseStageChange]) -> ColumnElement[int]:
    """1 for the latest change of each case (by date; on one day, the one recorded last)."""
    return func.row_number().over(
        partition_by=change.case_id,
        order_by=(change.changed_on.desc(), change.created_at.desc(), change.id.desc()),
    )


def _counted(measure: ColumnElement[Any]) -> ColumnElement[int]:
    """A count or a sum of counts as a plain integer: summed again, it stays an integer
    (PostgreSQL sums a bigint as a numeric, which is slower and takes more memory)."""
    return cast(measure, Integer)


def _sums(*columns: str) -> Callable[[FromClause], tuple[ColumnElement[Any], ...]]:
    """Measures of rows that already hold counts: their sums."""

    def measures(rows: FromClause) -> tuple[ColumnElement[Any], ...]:
        return tuple(func.sum(rows.c[column]) for column in columns)

    return measures


def _rows_and_sums(*columns: str) -> Callable[[FromClause], tuple[ColumnElement[Any], ...]]:
    """Measures of rows that stand for one person (or household) each: the rows, and the
    sums of their counts."""

    def measures(rows: FromClause) -> tuple[ColumnElement[Any], ...]:
        return (func.count(), *(func.sum(rows.c[column]) for column in columns))

    return measures


def _people_by_source(rows: FromClause) -> tuple[ColumnElement[Any], ...]:
    """Measures of per-person rows: the people and their events, then for each source the
    people with events of that source and those events."""
    by_source: list[ColumnElement[Any]] = []
    for source in EVENT_SOURCES:
        by_source += [func.sum(_flag(rows.c[source] > 0)), func.sum(rows.c[source])]
    return (func.count(), func.sum(rows.c.times), *by_source)


Path = tuple[str, ...]
Counts = dict[Path, list[int]]

_MAX_KEYS = 3
_MAX_MEASURES = 2 + 2 * len(EVENT_SOURCES)  # the people's cells: see _people_by_source
_TREND_MEASURES = 2


@dataclass(frozen=True)
class _Source:
    rows: FromClause
    measures: tuple[ColumnElement[Any], ...]


@dataclass(frozen=True)
class _Arm:
    """One aggregate: rows grouped by their `keys` columns, measured by `measures`; from
    `together` for all stations together, from `each` (with a station_id column) per
    station. Usually the same rows; not when rows are per person."""

    tag: str
    keys: tuple[str, ...]
    together: _Source
    each: _Source


class _Tally:
    """All figures as one statement per part of the report (people served by sex and
    age, by group, visits, cases, activities, satisfaction, resources): the record sets are
    common table expressions, each read once in its statement (materialised:
    `_MATERIALIZED`; SQLCipher's SQLite 3.53 otherwise computed a CTE read twice once per
    reading), and every aggregate is an arm of a UNION ALL with the same columns: tag,
    station (NULL for all stations together), keys, measures."""

    def __init__(
        self, period: ReportPeriod, station_ids: tuple[uuid.UUID, ...], *, every_station: bool
    ) -> None:
        self.start = period.start
        self.end = period.end
        self.ids = station_ids
        self.every_station = every_station
        self.arms: list[_Arm] = []
        self._visits: CTE | None = None  # shared by visits and residents served
        self._states: CTE | None = None  # shared by cases and residents served
        self._events: CTE | None = None
        self._memberships: CTE | None = None  # shared by residents served and hand-outs

    def in_period(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column <= self.end)

    def at_station(self, column: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool]
        if self.every_station:
            # Same rows as IN (every live station), but the planner then reads by the date
            # index instead of fetching every record of every station by the station index.
            tombstoned = select(Station.id).where(Station.deleted.is_(True))
            condition = column.not_in(tombstoned)
        else:
            condition = column.in_(self.ids)
        return condition

    def of_chosen_cases(self, case_id: Any) -> tuple[ColumnElement[bool], ...]:
        """For a report of some stations, rows of their cases only (a case's stage history
        is numbered per case, so leaving out other stations' cases changes nothing): one
        station's report then does not order the whole bureau's history."""
        if self.every_station:
            return ()
        record = CaseRecord
        return (case_id.in_(select(record.id).where(self.at_station(record.station_id))),)

    # Which records count, shared by the report and the trend so that the two never differ.

    def counted_visits(self) -> tuple[ColumnElement[bool], ...]:
        visit = HomeVisit
        return (
            _live(visit),
            self.in_period(visit.visit_date),
            self.at_station(visit.station_id),
            _resident_live(visit.resident_id),
        )

    def counted_case(self) -> ColumnElement[bool]:
        """A case that counts (whatever its dates): live, at a chosen station, its resident
        not withdrawn."""
        record = CaseRecord
        return and_(
            _live(record),
            self.at_station(record.station_id),
            _resident_live(record.resident_id),
        )

    def counted_activities(self) -> tuple[ColumnElement[bool], ...]:
        activity = Activity
        return (
            _live(activity),
            self.in_period(activity.held_on),
            self.at_station(activity.station_id),
        )

    def counted_attendances(self) -> tuple[ColumnElement[bool], ...]:
        """Named attendance rows (joined to their activity) that count."""
        return (
            _live(Attendance),
            *self.counted_activities(),
            _resident_live(Attendance.resident_id),
        )

    def counted_handouts(self) -> tuple[ColumnElement[bool], ...]:
        handout = ResourceHandout
        return (
            _live(handout),
            self.in_period(handout.handed_on),
            self.at_station(handout.station_id),
            _resident_live(handout.resident_id),
        )

    def counted_sheets(self) -> ColumnElement[bool]:
        sheet = FeedbackSheet
        return and_(
            _live(sheet),
            self.in_period(sheet.collected_on),
            self.at_station(sheet.station_id),
            or_(sheet.resident_id.is_(None), _resident_live(sheet.resident_id)),
        )

    def arm(
        self, tag: str, rows: FromClause, keys: Sequence[str], *measures: ColumnElement[Any]
    ) -> None:
        source = _Source(rows, measures)
        self.arms.append(_Arm(tag, tuple(keys), source, source))

    def split_arm(
        self,
        tag: str,
        together: FromClause,
        each: FromClause,
        keys: Sequence[str],
        measures: Callable[[FromClause], tuple[ColumnElement[Any], ...]],
    ) -> None:
        self.arms.append(
            _Arm(
                tag,
                tuple(keys),
                _Source(together, measures(together)),
                _Source(each, measures(each)),
            )
        )

    def run(self, db: Database, session: Session, *, per_station: bool) -> dict[StationKey, Counts]:
        """Counts by figure path, for all stations together (key None) and, when asked,
        for each station (keys: station ids; a station with no records is absent)."""
        statements = []
        width: dict[str, tuple[int, int]] = {}
        for part in (
            self.served,
            self.served_groups,
            self.visits,
            self.cases,
            self.activities,
            self.satisfaction,
            self.resources,
        ):
            self.arms.clear()
            part()
            selects = []
            for arm in self.arms:
                width[arm.tag] = (len(arm.keys), len(arm.together.measures))
                selects.append(self.select(arm, per_station=False))
                if per_station:
                    selects.append(self.select(arm, per_station=True))
            statements.append(union_all(*selects))
        counts: dict[StationKey, Counts] = {None: {}}
        for rows in db.read_all(session, statements):
            for row in rows:
                tag, station, *rest = tuple(row)
                n_keys, n_measures = width[tag]
                path = (tag, *(UNKNOWN if k is None else str(k) for k in rest[:n_keys]))
                values = [int(v or 0) for v in rest[_MAX_KEYS : _MAX_KEYS + n_measures]]
                slot = counts.setdefault(station, {}).setdefault(path, [0] * n_measures)
                for index, value in enumerate(values):
                    slot[index] += value
        return counts

    @staticmethod
    def select(arm: _Arm, *, per_station: bool) -> Select[Any]:
        source = arm.each if per_station else arm.together
        rows, measures = source.rows, source.measures
        assert len(arm.keys) <= _MAX_KEYS and len(measures) <= _MAX_MEASURES
        keys = [rows.c[k] for k in arm.keys]
        group: list[Any] = [rows.c.station_id, *keys] if per_station else keys
        station = rows.c.station_id if per_station else cast(null(), Uuid())
        padded_keys = [cast(k, String) for k in keys] + [null()] * (_MAX_KEYS - len(keys))
        zeros: list[ColumnElement[Any]] = [literal_column("0")] * (_MAX_MEASURES - len(measures))
        return (
            select(_const(arm.tag), station, *padded_keys, *measures, *zeros)
            .select_from(rows)
            .group_by(*group)
        )

    # ------------------------------------------------------------ residents served

    def visit_rows(self) -> CTE:
        if self._visits is None:
            visit = HomeVisit
            # A visit to someone without a household: that person is their own household.
            self._visits = (
                select(
                    visit.station_id,
                    visit.resident_id,
                    visit.outcome,
                    visit.visit_date,
                    func.coalesce(visit.household_id, visit.resident_id).label("household"),
                )
                .where(*self.counted_visits())
                .cte("report_visits")
                .prefix_with(_MATERIALIZED)
            )
        return self._visits

    def service_events(self) -> CTE:
        """One row per service event (docs/report-figures.md, `residents_served`): its
        station, resident and day, and a 1 in the column of its source."""
        if self._events is not None:
            return self._events
        visits, note, record, handout = self.visit_rows(), CaseNote, CaseRecord, ResourceHandout

        def source_flags(source: str) -> list[ColumnElement[int]]:
            return [
                literal_column("1" if name == source else "0", Integer).label(name)
                for name in EVENT_SOURCES
            ]

        contacts = (
            select(record.station_id, record.resident_id, note.written_on, note.case_id)
            .select_from(note)
            .join(record, record.id == note.case_id)
            .where(
                _live(note),
                note.corrects_id.is_(None),  # a correction is not a second contact
                self.in_period(note.written_on),
                self.counted_case(),
            )
            .distinct()  # a case's contacts are counted per day
            .subquery("report_contacts")
        )
        occasions = (
            select(handout.station_id, handout.resident_id, handout.handed_on)
            .where(*self.counted_handouts())
            .distinct()  # a hand-out occasion: a person and a day, whatever was given
            .subquery("report_handout_days")
        )
        self._events = (
            union_all(
                select(
                    visits.c.station_id,
                    visits.c.resident_id,
                    visits.c.visit_date.label("day"),
                    *source_flags("home_visit"),
                ).where(visits.c.outcome == VisitOutcome.AT_HOME.value),
                select(
                    contacts.c.station_id,
                    contacts.c.resident_id,
                    contacts.c.written_on,
                    *source_flags("case_contact"),
                ),
                select(
                    Activity.station_id,
                    Attendance.resident_id,
                    Activity.held_on,
                    *source_flags("attendance"),
                )
                .select_from(Attendance)
                .join(Activity, Activity.id == Attendance.activity_id)
                .where(*self.counted_attendances()),
                select(
                    occasions.c.station_id,
                    occasions.c.resident_id,
                    occasions.c.handed_on,
                    *source_flags("handout"),
                ),
            )
            .cte("report_events")
            .prefix_with(_MATERIALIZED)
        )
        return self._events

    def memberships(self) -> CTE:
        """The days each resident was in each priority group, as spans that never overlap:
        the live memberships that reach into the period, those of one person and one group
        that overlap merged into one span (two records covering a day cover it once). An
        open end, or one after the period, is taken as the period's last day. So a service
        joined to the spans of its person that hold its day meets each of their groups of
        that day exactly once, with no DISTINCT over the services."""
        if self._memberships is not None:
            return self._memberships
        member = GroupMembership
        spans = (
            select(
                member.resident_id,
                member.group.label("grp"),
                member.start_date,
                case(
                    (or_(member.end_date.is_(None), member.end_date > self.end), self.end),
                    else_=member.end_date,
                ).label("end_day"),
            )
            .where(
                _live(member),
                member.start_date <= self.end,
                or_(member.end_date.is_(None), member.end_date >= self.start),
                *self.of_people_served(member.resident_id),
            )
            .subquery("report_membership_spans")
        )
        person = (spans.c.resident_id, spans.c.grp)
        in_order = (spans.c.start_date, spans.c.end_day)
        # The latest end among the spans that start before this one: a span that starts
        # after it opens a new run of overlapping spans.
        reach = func.max(spans.c.end_day).over(
            partition_by=person, order_by=in_order, rows=(None, -1)
        )
        ranked = select(spans, reach.label("reach")).subquery("report_membership_reach")
        opens = _flag(or_(ranked.c.reach.is_(None), ranked.c.start_date > ranked.c.reach))
        runs = select(
            ranked.c.resident_id,
            ranked.c.grp,
            ranked.c.start_date,
            ranked.c.end_day,
            func.sum(opens)
            .over(
                partition_by=(ranked.c.resident_id, ranked.c.grp),
                order_by=(ranked.c.start_date, ranked.c.end_day),
                rows=(None, 0),
            )
            .label("run"),
        ).subquery("report_membership_runs")
        self._memberships = (
            select(
                runs.c.resident_id,
                runs.c.grp,
                func.min(runs.c.start_date).label("start_date"),
                func.max(runs.c.end_day).label("end_day"),
            )
            .group_by(runs.c.resident_id, runs.c.grp, runs.c.run)
            .cte("report_memberships")
            .prefix_with(_MATERIALIZED)
        )
        return self._memberships

    def of_people_served(self, resident: Any) -> tuple[ColumnElement[bool], ...]:
        """For a report of some stations, the memberships of the people with service events
        there only (everyone handed something has one): one station's report then does not
        merge the whole bureau's memberships."""
        if self.every_station:
            return ()
        return (resident.in_(select(self.service_events().c.resident_id)),)

    def in_groups(self, rows: FromClause, resident: str, day: str) -> Subquery:
        """`rows` with the group column `grp`: one row for each group their resident was in
        on their day, or one row with `none` (no group that day)."""
        spans = self.memberships()
        return (
            select(rows, func.coalesce(spans.c.grp, _const(NO_GROUP)).label("grp"))
            .select_from(rows)
            .outerjoin(
                spans,
                and_(
                    spans.c.resident_id == rows.c[resident],
                    spans.c.start_date <= rows.c[day],
                    spans.c.end_day >= rows.c[day],
                ),
            )
            .subquery()
        )

    def served(self) -> None:
        events = self.service_events()

        # One row per person and station with their events counted by source, then one row
        # per person: the breakdowns count rows and add times, with no DISTINCT over events.
        birth = Resident.birth_date
        band = case(
            (birth.is_(None), _const(UNKNOWN)),
            *((birth <= years_before(self.end, age), _const(name)) for name, age in AGE_BANDS),
            else_=_const(YOUNGEST_BAND),
        )
        counted = ("times", *EVENT_SOURCES)
        per_station = (
            select(
                events.c.station_id,
                events.c.resident_id,
                _counted(func.count()).label("times"),
                *(_counted(func.sum(events.c[source])).label(source) for source in EVENT_SOURCES),
            )
            .group_by(events.c.station_id, events.c.resident_id)
            .subquery("report_served_by_station")
        )
        each = (
            select(
                per_station,
                func.coalesce(Resident.sex, _const(UNKNOWN)).label("sex"),
                band.label("band"),
            )
            .select_from(per_station)
            .join(Resident, Resident.id == per_station.c.resident_id)
            .cte("report_people_by_station")
            .prefix_with(_MATERIALIZED)
        )
        together = (
            select(
                each.c.resident_id,
                each.c.sex,
                each.c.band,
                *(_counted(func.sum(each.c[column])).label(column) for column in counted),
            )
            .group_by(each.c.resident_id, each.c.sex, each.c.band)
            .subquery("report_people")
        )
        # One sex and one age band per person: the cells add up to the whole, and hold the
        # people of each source too.
        self.split_arm("cell", together, each, ["sex", "band"], _people_by_source)

    def served_groups(self) -> None:
        # Each event in the groups its person belonged to on its day, counted per person.
        events = self.service_events()
        grouped = self.in_groups(events, "resident_id", "day")
        group_each = (
            select(
                grouped.c.station_id,
                grouped.c.resident_id,
                grouped.c.grp,
                _counted(func.count()).label("times"),
            )
            .group_by(grouped.c.station_id, grouped.c.resident_id, grouped.c.grp)
            .cte("report_event_groups")
            .prefix_with(_MATERIALIZED)
        )
        group_together = (
            select(
                group_each.c.resident_id,
                group_each.c.grp,
                _counted(func.sum(group_each.c.times)).label("times"),
            )
            .group_by(group_each.c.resident_id, group_each.c.grp)
            .subquery("report_people_groups")
        )
        self.split_arm("group", group_together, group_each, ["grp"], _rows_and_sums("times"))

    # ------------------------------------------------------------ home visits

    def visits(self) -> None:
        # Visits counted per station, household and outcome first: the distinct households
        # are then rows of small groupings, not a DISTINCT over every visit.
        rows = self.visit_rows()
        households = (
            select(
                rows.c.station_id,
                rows.c.household,
                rows.c.outcome,
                _counted(func.count()).label("visits"),
            )
            .group_by(rows.c.station_id, rows.c.household, rows.c.outcome)
            .cte("report_visit_households")
            .prefix_with(_MATERIALIZED)
        )

        def per(*keys: str) -> Subquery:
            columns = [households.c[k] for k in keys]
            return (
                select(*columns, _counted(func.sum(households.c.visits)).label("visits"))
                .group_by(*columns)
                .subquery()
            )

        def measures(rows: FromClause) -> tuple[ColumnElement[Any], ...]:
            return (func.sum(rows.c.visits), func.count())  # visits, households

        self.split_arm("outcome", per("outcome", "household"), households, ["outcome"], measures)
        self.split_arm("visits", per("household"), per("station_id", "household"), [], measures)

    # ------------------------------------------------------------ cases

    def last_stage(self, day: date, name: str) -> Subquery:
        """Each case's stage at the end of `day`, by its stage history."""
        change = CaseStageChange
        ranked = (
            select(change.case_id, change.to_stage, _newest_first(change).label("newest"))
            .where(_live(change), change.changed_on <= day, *self.of_chosen_cases(change.case_id))
            .subquery(f"{name}_ranked")
        )
        return (
            select(ranked.c.case_id, ranked.c.to_stage).where(ranked.c.newest == 1).subquery(name)
        )

    def case_states(self) -> CTE:
        """One row per case opened by the end of the period, with 0/1 flags."""
        if self._states is not None:
            return self._states
        record, change = CaseRecord, CaseStageChange
        before = self.last_stage(self.start - timedelta(days=1), "report_stage_before")
        after = self.last_stage(self.end, "report_stage_after")
        reopened = select(change.case_id).where(
            _live(change),
            change.from_stage == _CLOSED,
            change.to_stage != _CLOSED,
            self.in_period(change.changed_on),
        )
        opened = self.in_period(record.opened_on)
        # A case with no stage history is taken as in intake from its opening day.
        open_at_start = and_(
            record.opened_on < self.start, func.coalesce(before.c.to_stage, _INTAKE) != _CLOSED
        )
        open_at_end = func.coalesce(after.c.to_stage, _INTAKE) != _CLOSED
        active = or_(opened, open_at_start, record.id.in_(reopened))
        self._states = (
            select(
                record.station_id,
                record.resident_id,
                _flag(opened).label("opened"),
                _flag(open_at_start).label("open_at_start"),
                _flag(open_at_end).label("open_at_end"),
                _flag(active).label("active"),
            )
            .select_from(record)
            .outerjoin(before, before.c.case_id == record.id)
            .outerjoin(after, after.c.case_id == record.id)
            .where(record.opened_on <= self.end, self.counted_case())
            .cte("report_cases")
            .prefix_with(_MATERIALIZED)
        )
        return self._states

    def cases(self) -> None:
        record, change = CaseRecord, CaseStageChange
        states = self.case_states()
        flags = ("opened", "open_at_start", "open_at_end", "active")
        self.arm("cases", states, [], *(func.sum(states.c[f]) for f in flags))

        case_counts = self.counted_case()
        history = (
            select(change.case_id, change.to_stage, change.changed_on)
            .add_columns(_newest_first(change).label("newest"))
            .where(_live(change), *self.of_chosen_cases(change.case_id))
            .subquery("report_history")
        )
        # The record keeps the reason of its latest closing only; an earlier closing,
        # undone by a reopening, is counted under REOPENED_LATER.
        reason = case(
            (
                and_(history.c.newest == 1, record.stage == _CLOSED),
                func.coalesce(record.closing_reason, _const(UNKNOWN)),
            ),
            else_=_const(REOPENED_LATER),
        )
        closings = (
            select(record.station_id, reason.label("reason"))
            .select_from(history)
            .join(record, record.id == history.c.case_id)
            .where(history.c.to_stage == _CLOSED, self.in_period(history.c.changed_on), case_counts)
            .cte("report_closings")
            .prefix_with(_MATERIALIZED)
        )
        self.arm("closing", closings, ["reason"], func.count())

        reopenings = (
            select(record.station_id)
            .select_from(change)
            .join(record, record.id == change.case_id)
            .where(
                _live(change),
                change.from_stage == _CLOSED,
                change.to_stage != _CLOSED,
                self.in_period(change.changed_on),
                case_counts,
            )
            .cte("report_reopenings")
            .prefix_with(_MATERIALIZED)
        )
        self.arm("reopened", reopenings, [], func.count())

    # ------------------------------------------------------------ activities

    def activities(self) -> None:
        activity = Activity
        held = (
            select(activity.station_id, activity.kind, activity.headcount_other)
            .where(*self.counted_activities())
            .cte("report_activities")
            .prefix_with(_MATERIALIZED)
        )
        self.arm("kind", held, ["kind"], func.count(), func.sum(held.c.headcount_other))

        is_group_work = activity.kind == _GROUP_WORK
        named = (
            select(
                activity.station_id,
                activity.kind,
                case((is_group_work, _const(_GROUP_WORK)), else_=_const(COMMUNITY)).label("class"),
                Attendance.resident_id,
            )
            .select_from(Attendance)
            .join(activity, activity.id == Attendance.activity_id)
            .where(*self.counted_attendances())
            .cte("report_attendance")
            .prefix_with(_MATERIALIZED)
        )
        people = _distinct_count(named.c.resident_id)
        self.arm("named", named, ["kind"], func.count(), people)
        self.arm("participants", named, ["class"], people)
        self.arm("participants_all", named, [], people)

    # ------------------------------------------------------------ satisfaction

    def satisfaction(self) -> None:
        sheet = FeedbackSheet
        counted = self.counted_sheets()
        sheets = (
            select(sheet.station_id, _flag(sheet.resident_id.is_(None)).label("anonymous"))
            .where(counted)
            .cte("report_sheets")
            .prefix_with(_MATERIALIZED)
        )
        self.arm("sheets", sheets, [], func.count(), func.sum(sheets.c.anonymous))
        # Six answers a sheet: counted per station as they are read, then added up.
        rating = FeedbackRating
        ratings = (
            select(
                sheet.station_id,
                rating.dimension,
                rating.level,
                _counted(func.count()).label("answers"),
            )
            .select_from(rating)
            .join(sheet, sheet.id == rating.sheet_id)
            .where(_live(rating), counted)
            .group_by(sheet.station_id, rating.dimension, rating.level)
            .cte("report_ratings")
            .prefix_with(_MATERIALIZED)
        )
        self.split_arm("rating", ratings, ratings, ["dimension", "level"], _sums("answers"))

    # ------------------------------------------------------------ resources

    def resources(self) -> None:
        receipt, handout = ResourceReceipt, ResourceHandout
        receipts = (
            select(
                receipt.station_id,
                receipt.donor_type,
                (receipt.quantity * receipt.unit_value_fen).label("value"),
            )
            .where(
                _live(receipt),
                self.in_period(receipt.received_on),
                self.at_station(receipt.station_id),
            )
            .cte("report_receipts")
            .prefix_with(_MATERIALIZED)
        )
        self.arm("donor", receipts, ["donor_type"], func.count(), func.sum(receipts.c.value))

        lines = (
            select(
                handout.id,
                handout.station_id,
                handout.resident_id,
                handout.handed_on,
                handout.kind,
                handout.item,
                handout.unit,
                handout.quantity,
                (handout.quantity * handout.unit_value_fen).label("value"),
            )
            .where(*self.counted_handouts())
            .cte("report_handouts")
            .prefix_with(_MATERIALIZED)
        )
        self.handout_arms("", lines)
        # Quantities of each thing in its own unit: bags, quilts and yuan are not added up.
        self.arm(
            "item",
            lines,
            ["kind", "item", "unit"],
            func.sum(lines.c.quantity),
            func.sum(lines.c.value),
        )
        # The recipient's groups on the day of the hand-out.
        grouped = self.in_groups(lines, "resident_id", "handed_on")
        by_group = select(grouped).cte("report_handouts_by_group").prefix_with(_MATERIALIZED)
        self.handout_arms("_group", by_group, ["grp"])

    def handout_arms(self, suffix: str, rows: FromClause, keys: Sequence[str] = ()) -> None:
        """Hand-outs (lines), their value and recipients; and the occasions among them (a
        person and a day), by `keys`."""
        self.arm(
            f"handed{suffix}",
            rows,
            keys,
            func.count(),
            func.sum(rows.c.value),
            _distinct_count(rows.c.resident_id),
        )
        occasions = (
            select(
                rows.c.station_id, rows.c.resident_id, rows.c.handed_on, *(rows.c[k] for k in keys)
            )
            .distinct()
            .cte(f"report_occasions{suffix}")
            .prefix_with(_MATERIALIZED)
        )
        self.arm(f"occasions{suffix}", occasions, keys, func.count())

    # ------------------------------------------------------------ the trend

    @staticmethod
    def bucket_of(column: Any, buckets: Sequence[ReportPeriod]) -> ColumnElement[int]:
        """The number of the bucket a date of the period falls in. The rows are already
        limited to the period, so only the last day of each bucket is compared."""
        last = literal_column(str(len(buckets) - 1), Integer)
        if len(buckets) == 1:
            return last
        return case(
            *(
                (column <= bucket.end, literal_column(str(number), Integer))
                for number, bucket in enumerate(buckets[:-1])
            ),
            else_=last,
        )

    def trend(self, session: Session, buckets: Sequence[ReportPeriod]) -> dict[str, list[int]]:
        """Per trend figure, its value in each bucket: one statement of GROUP BY aggregates
        over the same record sets (`counted_*`) as the report's."""
        visit, record, change, activity = HomeVisit, CaseRecord, CaseStageChange, Activity

        def bucket(column: Any) -> ColumnElement[int]:
            return self.bucket_of(column, buckets).label("bucket")

        visits = (
            select(
                bucket(visit.visit_date),
                func.coalesce(visit.household_id, visit.resident_id).label("household"),
            )
            .where(*self.counted_visits())
            .subquery("trend_visits")
        )
        opened = (
            select(bucket(record.opened_on))
            .where(self.in_period(record.opened_on), self.counted_case())
            .subquery("trend_opened")
        )
        closed = (
            select(bucket(change.changed_on))
            .select_from(change)
            .join(record, record.id == change.case_id)
            .where(
                _live(change),
                change.to_stage == _CLOSED,
                self.in_period(change.changed_on),
                self.counted_case(),
            )
            .subquery("trend_closed")
        )
        held = (
            select(bucket(activity.held_on), activity.headcount_other)
            .where(*self.counted_activities())
            .subquery("trend_held")
        )
        named = (
            select(bucket(activity.held_on))
            .select_from(Attendance)
            .join(activity, activity.id == Attendance.activity_id)
            .where(*self.counted_attendances())
            .subquery("trend_named")
        )
        sheets = (
            select(bucket(FeedbackSheet.collected_on))
            .where(self.counted_sheets())
            .subquery("trend_sheets")
        )
        arms: list[tuple[str, Subquery, tuple[ColumnElement[Any], ...]]] = [
            ("visits", visits, (func.count(), _distinct_count(visits.c.household))),
            ("opened", opened, (func.count(),)),
            ("closed", closed, (func.count(),)),
            ("held", held, (func.count(), func.sum(held.c.headcount_other))),
            ("named", named, (func.count(),)),
            ("sheets", sheets, (func.count(),)),
        ]
        selects = [
            select(
                _const(tag),
                rows.c.bucket,
                *measures,
                *[literal_column("0")] * (_TREND_MEASURES - len(measures)),
            ).group_by(rows.c.bucket)
            for tag, rows, measures in arms
        ]
        values = {
            f"{tag}.{n}": [0] * len(buckets)
            for tag, _rows, _measures in arms
            for n in range(_TREND_MEASURES)
        }
        for tag, number, *measures in session.execute(union_all(*selects)):
            for n, value in enumerate(measures):
                values[f"{tag}.{n}"][int(number)] = int(value or 0)
        return values


# ---------------------------------------------------------------- counts to figures


def _value(counts: Counts, *path: str, index: int = 0) -> int:
    slot = counts.get(path)
    return slot[index] if slot else 0


def _codes(counts: Counts, tag: str, fixed: Sequence[str], position: int = 1) -> list[str]:
    """The fixed codes of a breakdown (all of them, zeros included), then any other code
    met in the data (one added after this version, or a damaged value), sorted."""
    seen = {p[position] for p in counts if p[0] == tag and len(p) > position}
    return [*fixed, *sorted(seen - set(fixed))]


def _build(counts: Counts) -> Figures:
    served = _build_served(counts)
    visits = _build_visits(counts)
    cases = _build_cases(counts)
    activities = _build_activities(counts)
    resources = _build_resources(counts)
    return Figures(
        headline=Headline(
            person_times=served.person_times,
            households_visited=visits.households,
            cases_opened=cases.opened,
            cases_closed=cases.closed,
            activities=activities.total.held,
            resources_fen=resources.received.value_fen,
        ),
        residents_served=served,
        home_visits=visits,
        cases=cases,
        activities=activities,
        satisfaction=_build_satisfaction(counts),
        resources=resources,
    )


def _build_served(counts: Counts) -> ResidentsServed:
    cells = {p: v for p, v in counts.items() if p[0] == "cell"}

    def summed(position: int, key: str) -> Served:
        chosen = [v for p, v in cells.items() if p[position] == key]
        return Served(sum(v[0] for v in chosen), sum(v[1] for v in chosen))

    def source(number: int) -> Served:
        people, times = 2 + 2 * number, 3 + 2 * number  # see _people_by_source
        return Served(sum(v[people] for v in cells.values()), sum(v[times] for v in cells.values()))

    return ResidentsServed(
        people=sum(v[0] for v in cells.values()),
        person_times=sum(v[1] for v in cells.values()),
        by_source=frozen_map({k: source(n) for n, k in enumerate(EVENT_SOURCES)}),
        by_sex=frozen_map({k: summed(1, k) for k in _codes(counts, "cell", SEX_KEYS)}),
        by_age_band=frozen_map({k: summed(2, k) for k in _codes(counts, "cell", AGE_BAND_KEYS, 2)}),
        by_priority_group=frozen_map(
            {
                k: Served(_value(counts, "group", k), _value(counts, "group", k, index=1))
                for k in _codes(counts, "group", GROUP_KEYS)
            }
        ),
    )


def _build_visits(counts: Counts) -> HomeVisits:
    return HomeVisits(
        visits=_value(counts, "visits"),
        households=_value(counts, "visits", index=1),
        by_outcome=frozen_map(
            {
                o: VisitCount(_value(counts, "outcome", o), _value(counts, "outcome", o, index=1))
                for o in _codes(counts, "outcome", OUTCOME_KEYS)
            }
        ),
    )


def _build_cases(counts: Counts) -> Cases:
    reasons = {r: _value(counts, "closing", r) for r in _codes(counts, "closing", REASON_KEYS)}
    return Cases(
        opened=_value(counts, "cases", index=0),
        active=_value(counts, "cases", index=3),
        closed=sum(reasons.values()),
        reopened=_value(counts, "reopened"),
        open_at_start=_value(counts, "cases", index=1),
        open_at_end=_value(counts, "cases", index=2),
        closed_by_reason=frozen_map(reasons),
    )


def _build_activities(counts: Counts) -> Activities:
    kinds = _codes(counts, "kind", KIND_KEYS)

    def count(chosen: Sequence[str], participants: int) -> ActivityCount:
        held = sum(_value(counts, "kind", k) for k in chosen)
        headcount = sum(_value(counts, "kind", k, index=1) for k in chosen)
        named = sum(_value(counts, "named", k) for k in chosen)
        return ActivityCount(held, named + headcount, named, headcount, participants)

    return Activities(
        total=count(kinds, _value(counts, "participants_all")),
        group_work=count([_GROUP_WORK], _value(counts, "participants", _GROUP_WORK)),
        community=count(
            [k for k in kinds if k != _GROUP_WORK], _value(counts, "participants", COMMUNITY)
        ),
        by_kind=frozen_map({k: count([k], _value(counts, "named", k, index=1)) for k in kinds}),
    )


def _build_satisfaction(counts: Counts) -> SatisfactionResult:
    sheets = _value(counts, "sheets")
    dimensions: dict[str, DimensionResult] = {}
    for dimension in _codes(counts, "rating", DIMENSION_KEYS):
        seen = {p[2] for p in counts if p[:2] == ("rating", dimension)}
        levels = {
            level: _value(counts, "rating", dimension, level)
            for level in [*LEVEL_KEYS, *sorted(seen - set(LEVEL_KEYS))]
        }
        answered = sum(levels.values())
        dimensions[dimension] = DimensionResult(
            answered=answered,
            unanswered=sheets - answered,
            levels=frozen_map(levels),
            mean=satisfaction_mean({int(k): n for k, n in levels.items()}),
        )
    return SatisfactionResult(
        sheets=sheets,
        anonymous=_value(counts, "sheets", index=1),
        by_dimension=frozen_map(dimensions),
    )


def _build_resources(counts: Counts) -> Resources:
    def handouts(suffix: str, *keys: str) -> HandoutCount:
        handed = f"handed{suffix}"
        return HandoutCount(
            handouts=_value(counts, handed, *keys),
            occasions=_value(counts, f"occasions{suffix}", *keys),
            value_fen=_value(counts, handed, *keys, index=1),
            recipients=_value(counts, handed, *keys, index=2),
        )

    donors = {
        d: ReceiptCount(_value(counts, "donor", d), _value(counts, "donor", d, index=1))
        for d in _codes(counts, "donor", DONOR_KEYS)
    }
    kinds = {kind: n for n, kind in enumerate(RESOURCE_KIND_KEYS)}
    items = sorted(
        (path[1:] for path in counts if path[0] == "item"),
        key=lambda key: (kinds.get(key[0], len(kinds)), key),
    )
    total = handouts("")
    return Resources(
        received=Received(
            receipts=sum(d.receipts for d in donors.values()),
            value_fen=sum(d.value_fen for d in donors.values()),
            by_donor_type=frozen_map(donors),
        ),
        handed_out=HandedOut(
            handouts=total.handouts,
            occasions=total.occasions,
            value_fen=total.value_fen,
            recipients=total.recipients,
            by_item=tuple(
                ItemCount(
                    kind,
                    item,
                    unit,
                    _value(counts, "item", kind, item, unit),
                    _value(counts, "item", kind, item, unit, index=1),
                )
                for kind, item, unit in items
            ),
            by_priority_group=frozen_map(
                {g: handouts("_group", g) for g in _codes(counts, "handed_group", GROUP_KEYS)}
            ),
        ),
    )
