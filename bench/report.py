"""The statistics report over a year, all stations, on about 650,000 records: time through
`ReportService.compute`, against the floor of the same figures as six hand-written SQL
statements run with the sqlite3 module on the same file (no ORM, no result objects).

The floor's figures are also checked against the report's, figure by figure, so the
comparison is between two ways of computing the same numbers.

Then the monthly trend (`ReportService.trend`, one statement) against what the Reports page
did before it: one full report per month. Each month of the trend is checked against that
month's report. Last, the report as a PDF (`ReportPdfService.render`).
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from bench.data import BENCH_NOW, bench_clock, demo_data
from station_desktop.app import open_application
from station_desktop.services.report_pdf import ReportPdfService
from station_desktop.services.reports import (
    TREND_FIGURES,
    Figures,
    ReportPeriod,
    ReportService,
    TrendBucket,
    years_before,
)

# The demo spreads two years of services over its residents, at about 11 records each:
# 60,000 residents make about 650,000 records in all (the count is printed).
RESIDENTS = 60_000
REPEAT = 5
PERIOD = ReportPeriod(BENCH_NOW.date() - timedelta(days=365), BENCH_NOW.date() - timedelta(days=1))

RECORD_TABLES = (
    "station",
    "area",
    "staff",
    "household",
    "resident",
    "group_membership",
    "home_visit",
    "feedback_sheet",
    "feedback_rating",
    "case_record",
    "case_stage_change",
    "case_note",
    "activity",
    "attendance",
    "resource_receipt",
    "resource_handout",
)

# ---------------------------------------------------------------- the floor

TOMBSTONED = "(SELECT id FROM resident WHERE deleted = 1)"

CASES = f"""
stage_before AS (
  SELECT case_id, to_stage FROM (
    SELECT case_id, to_stage, row_number() OVER (
      PARTITION BY case_id ORDER BY changed_on DESC, created_at DESC, id DESC) AS n
    FROM case_stage_change WHERE deleted = 0 AND changed_on <= :before) WHERE n = 1),
stage_end AS (
  SELECT case_id, to_stage FROM (
    SELECT case_id, to_stage, row_number() OVER (
      PARTITION BY case_id ORDER BY changed_on DESC, created_at DESC, id DESC) AS n
    FROM case_stage_change WHERE deleted = 0 AND changed_on <= :end) WHERE n = 1),
case_states AS (
  SELECT c.id, c.station_id, c.resident_id,
         c.opened_on BETWEEN :start AND :end AS opened,
         c.opened_on < :start AND coalesce(b.to_stage, 'intake') <> 'closed' AS at_start,
         coalesce(e.to_stage, 'intake') <> 'closed' AS at_end
  FROM case_record c
  LEFT JOIN stage_before b ON b.case_id = c.id
  LEFT JOIN stage_end e ON e.case_id = c.id
  WHERE c.deleted = 0 AND c.opened_on <= :end AND c.resident_id NOT IN {TOMBSTONED}),
cases AS (
  SELECT *, opened OR at_start OR id IN (
    SELECT case_id FROM case_stage_change WHERE deleted = 0 AND from_stage = 'closed'
    AND to_stage <> 'closed' AND changed_on BETWEEN :start AND :end) AS active
  FROM case_states)"""

# Each statement: common table expressions, then lines of (SQL with {s} for the station
# column, or NULL for all stations together; names of its value columns).
Line = tuple[str, tuple[str, ...]]
FLOOR: Sequence[tuple[str, Sequence[Line]]] = [
    (
        f"""WITH all_events AS (
  SELECT station_id, resident_id, 'home_visit' AS source, visit_date AS day, id AS ref
  FROM home_visit
  WHERE deleted = 0 AND outcome = 'at_home' AND visit_date BETWEEN :start AND :end
  UNION ALL SELECT DISTINCT c.station_id, c.resident_id, 'case_contact', n.written_on, c.id
  FROM case_note n JOIN case_record c ON c.id = n.case_id
  WHERE n.deleted = 0 AND n.corrects_id IS NULL AND c.deleted = 0
  AND n.written_on BETWEEN :start AND :end
  UNION ALL SELECT a.station_id, t.resident_id, 'attendance', a.held_on, a.id
  FROM attendance t JOIN activity a ON a.id = t.activity_id
  WHERE t.deleted = 0 AND a.deleted = 0 AND a.held_on BETWEEN :start AND :end
  UNION ALL SELECT DISTINCT station_id, resident_id, 'handout', handed_on, NULL
  FROM resource_handout WHERE deleted = 0 AND handed_on BETWEEN :start AND :end),
events AS (SELECT * FROM all_events WHERE resident_id NOT IN {TOMBSTONED}),
event_groups AS (
  SELECT DISTINCT e.*, coalesce(m."group", 'none') AS grp FROM events e
  LEFT JOIN group_membership m ON m.resident_id = e.resident_id AND m.deleted = 0
  AND m.start_date <= e.day AND (m.end_date IS NULL OR m.end_date >= e.day)),
by_station AS (
  SELECT station_id, resident_id, count(*) AS times,
         sum(source = 'home_visit') AS s_home_visit,
         sum(source = 'case_contact') AS s_case_contact,
         sum(source = 'attendance') AS s_attendance, sum(source = 'handout') AS s_handout
  FROM events GROUP BY station_id, resident_id),
people_by_station AS (
  SELECT p.*, coalesce(r.sex, 'unknown') AS sex,
         CASE WHEN r.birth_date IS NULL THEN 'unknown' WHEN r.birth_date <= :c80 THEN '80+'
              WHEN r.birth_date <= :c60 THEN '60-79' WHEN r.birth_date <= :c18 THEN '18-59'
              WHEN r.birth_date <= :c14 THEN '14-17' ELSE '0-13' END AS band
  FROM by_station p JOIN resident r ON r.id = p.resident_id WHERE r.deleted = 0),
people AS (
  SELECT resident_id, sex, band, sum(times) AS times, sum(s_home_visit) AS s_home_visit,
         sum(s_case_contact) AS s_case_contact, sum(s_attendance) AS s_attendance,
         sum(s_handout) AS s_handout
  FROM people_by_station GROUP BY resident_id, sex, band)""",
        # One row per person ({p}: per person, or per person and station): no DISTINCT.
        [
            (
                "SELECT {s}, 'residents_served', count(*), sum(times) FROM {p} GROUP BY 2",
                ("people", "person_times"),
            ),
            (
                "SELECT {s}, 'residents_served.by_sex.' || sex, count(*), sum(times) "
                "FROM {p} GROUP BY 2, 3",
                ("people", "person_times"),
            ),
            (
                "SELECT {s}, 'residents_served.by_age_band.' || band, count(*), sum(times) "
                "FROM {p} GROUP BY 2, 3",
                ("people", "person_times"),
            ),
            (  # every event in the groups of its day
                "SELECT {s}, 'residents_served.by_priority_group.' || grp, "
                "count(DISTINCT resident_id), count(*) FROM event_groups GROUP BY 2, 3",
                ("people", "person_times"),
            ),
        ]
        + [
            (
                f"SELECT {{s}}, 'residents_served.by_source.{source}', sum(s_{source} > 0), "
                f"sum(s_{source}) FROM {{p}} GROUP BY 2",
                ("people", "person_times"),
            )
            for source in ("home_visit", "case_contact", "attendance", "handout")
        ],
    ),
    (
        f"""WITH visits AS (
  SELECT station_id, outcome, coalesce(household_id, resident_id) AS household
  FROM home_visit WHERE deleted = 0 AND visit_date BETWEEN :start AND :end
  AND resident_id NOT IN {TOMBSTONED})""",
        [
            (
                "SELECT {s}, 'home_visits', count(*), count(DISTINCT household) "
                "FROM visits GROUP BY 2",
                ("visits", "households"),
            ),
            (
                "SELECT {s}, 'home_visits.by_outcome.' || outcome, count(*), "
                "count(DISTINCT household) FROM visits GROUP BY 2, 3",
                ("visits", "households"),
            ),
        ],
    ),
    (
        f"""WITH {CASES},
history AS (
  SELECT case_id, to_stage, from_stage, changed_on, row_number() OVER (
    PARTITION BY case_id ORDER BY changed_on DESC, created_at DESC, id DESC) AS n
  FROM case_stage_change WHERE deleted = 0),
changes AS (
  SELECT c.station_id, h.from_stage, h.to_stage,
         CASE WHEN h.n = 1 AND c.stage = 'closed' THEN c.closing_reason
              ELSE 'reopened_later' END AS reason
  FROM history h JOIN case_record c ON c.id = h.case_id
  WHERE h.changed_on BETWEEN :start AND :end AND c.deleted = 0
  AND c.resident_id NOT IN {TOMBSTONED})""",
        [
            (
                "SELECT {s}, 'cases', sum(opened), sum(at_start), sum(at_end), sum(active) "
                "FROM cases GROUP BY 2",
                ("opened", "open_at_start", "open_at_end", "active"),
            ),
            (
                "SELECT {s}, 'cases.closed_by_reason.' || reason, count(*) FROM changes "
                "WHERE to_stage = 'closed' GROUP BY 2, 3",
                ("",),
            ),
            (
                "SELECT {s}, 'cases', count(*) FROM changes "
                "WHERE from_stage = 'closed' AND to_stage <> 'closed' GROUP BY 2",
                ("reopened",),
            ),
        ],
    ),
    (
        f"""WITH held AS (
  SELECT station_id, kind, headcount_other FROM activity
  WHERE deleted = 0 AND held_on BETWEEN :start AND :end),
named AS (
  SELECT a.station_id, a.kind, t.resident_id FROM attendance t
  JOIN activity a ON a.id = t.activity_id
  WHERE t.deleted = 0 AND a.deleted = 0 AND a.held_on BETWEEN :start AND :end
  AND t.resident_id NOT IN {TOMBSTONED})""",
        [
            (
                f"SELECT {{s}}, 'activities.' || {part}, count(*), sum(headcount_other) "
                f"FROM held GROUP BY 2, 3",
                ("held", "headcount_other"),
            )
            for part in (
                "'by_kind.' || kind",
                "'total'",
                "CASE WHEN kind = 'group_work' THEN 'group_work' ELSE 'community' END",
            )
        ]
        + [
            (
                f"SELECT {{s}}, 'activities.' || {part}, count(*), "
                f"count(DISTINCT resident_id) FROM named GROUP BY 2, 3",
                ("named_attendances", "participants"),
            )
            for part in (
                "'by_kind.' || kind",
                "'total'",
                "CASE WHEN kind = 'group_work' THEN 'group_work' ELSE 'community' END",
            )
        ],
    ),
    (
        f"""WITH sheets AS (
  SELECT id, station_id, resident_id IS NULL AS anonymous FROM feedback_sheet
  WHERE deleted = 0 AND collected_on BETWEEN :start AND :end
  AND (resident_id IS NULL OR resident_id NOT IN {TOMBSTONED})),
ratings AS (
  SELECT s.station_id, r.dimension, r.level FROM sheets s
  JOIN feedback_rating r ON r.sheet_id = s.id WHERE r.deleted = 0)""",
        [
            (
                "SELECT {s}, 'satisfaction', count(*), sum(anonymous) FROM sheets GROUP BY 2",
                ("sheets", "anonymous"),
            ),
            (
                "SELECT {s}, 'satisfaction.by_dimension.' || dimension, count(*), "
                "round(avg(level), 2) FROM ratings GROUP BY 2, 3",
                ("answered", "mean"),
            ),
            (
                "SELECT {s}, 'satisfaction.by_dimension.' || dimension || '.levels.' || level, "
                "count(*) FROM ratings GROUP BY 2, 3",
                ("",),
            ),
        ],
    ),
    (
        f"""WITH receipts AS (
  SELECT station_id, donor_type, quantity * unit_value_fen AS value FROM resource_receipt
  WHERE deleted = 0 AND received_on BETWEEN :start AND :end),
handouts AS (
  SELECT id, station_id, resident_id, handed_on, kind, item, unit, quantity,
         quantity * unit_value_fen AS value
  FROM resource_handout WHERE deleted = 0 AND handed_on BETWEEN :start AND :end
  AND resident_id NOT IN {TOMBSTONED}),
handout_groups AS (
  SELECT DISTINCT h.id, m."group" AS grp FROM handouts h
  JOIN group_membership m ON m.resident_id = h.resident_id AND m.deleted = 0
  AND m.start_date <= h.handed_on AND (m.end_date IS NULL OR m.end_date >= h.handed_on))""",
        [
            (
                "SELECT {s}, 'resources.received', count(*), sum(value) FROM receipts GROUP BY 2",
                ("receipts", "value_fen"),
            ),
            (
                "SELECT {s}, 'resources.received.by_donor_type.' || donor_type, count(*), "
                "sum(value) FROM receipts GROUP BY 2, 3",
                ("receipts", "value_fen"),
            ),
            (
                "SELECT {s}, 'resources.handed_out', count(*), sum(value), "
                "count(DISTINCT resident_id) FROM handouts GROUP BY 2",
                ("handouts", "value_fen", "recipients"),
            ),
            (
                "SELECT {s}, 'resources.handed_out', count(*) FROM "
                "(SELECT DISTINCT station_id, resident_id, handed_on FROM handouts) GROUP BY 2",
                ("occasions",),
            ),
            (
                "SELECT {s}, 'resources.handed_out.by_item.' || kind || '/' || item || '/' "
                "|| unit, sum(quantity), sum(value) FROM handouts GROUP BY 2, 3",
                ("quantity", "value_fen"),
            ),
            (
                "SELECT {s}, 'resources.handed_out.by_priority_group.' || "
                "coalesce(grp, 'none'), count(*), sum(value), "
                "count(DISTINCT resident_id) FROM handouts h "
                "LEFT JOIN handout_groups g ON g.id = h.id GROUP BY 2, 3",
                ("handouts", "value_fen", "recipients"),
            ),
            (
                "SELECT {s}, 'resources.handed_out.by_priority_group.' || "
                "coalesce(grp, 'none'), count(*) FROM (SELECT DISTINCT h.station_id, "
                "h.resident_id, h.handed_on, g.grp FROM handouts h "
                "LEFT JOIN handout_groups g ON g.id = h.id) GROUP BY 2, 3",
                ("occasions",),
            ),
        ],
    ),
]


def floor_statements() -> Iterator[tuple[str, list[tuple[str, ...]]]]:
    """Each statement, with the value names of its lines (tagged by line number). Every
    line runs twice: for all stations together and grouped by station."""
    for ctes, lines in FLOOR:
        arms, names = [], []
        for number, (line, values) in enumerate(lines):
            padding = ", NULL" * (4 - len(values))  # the arms of a UNION have one width
            for station in ("NULL", "station_id"):
                arm = line.replace("SELECT {s}", f"SELECT {number}, {station}", 1)
                arm = arm.replace("{p}", "people" if station == "NULL" else "people_by_station")
                arms.append(f"SELECT *{padding} FROM ({arm})" if padding else arm)
            names.append(values)
        yield f"{ctes}\n" + "\nUNION ALL ".join(arms), names


def floor(raw: sqlite3.Connection, codes: dict[str, str]) -> dict[tuple[str, str], Any]:
    """The figures by (station code or '*', dotted path), from the hand-written SQL."""
    params = {
        "start": PERIOD.start.isoformat(),
        "end": PERIOD.end.isoformat(),
        "before": (PERIOD.start - timedelta(days=1)).isoformat(),
        **{f"c{age}": years_before(PERIOD.end, age).isoformat() for age in (80, 60, 18, 14)},
    }
    figures: dict[tuple[str, str], Any] = {}
    for statement, names in floor_statements():
        for number, station, path, *values in raw.execute(statement, params):
            where = "*" if station is None else codes[station]
            for name, value in zip(names[number], values, strict=False):
                key = f"{path}.{name}" if name else path
                figures[(where, key)] = value
    return figures


# Reading the rows of the period once, one column each (the cost of touching the data).
READ_ONLY = """SELECT
  (SELECT count(resident_id) FROM home_visit WHERE visit_date BETWEEN :start AND :end),
  (SELECT count(a.kind) + count(t.resident_id) FROM activity a
   LEFT JOIN attendance t ON t.activity_id = a.id WHERE a.held_on BETWEEN :start AND :end),
  (SELECT count(resident_id) FROM resource_handout WHERE handed_on BETWEEN :start AND :end),
  (SELECT count(donor_type) FROM resource_receipt WHERE received_on BETWEEN :start AND :end),
  (SELECT count(s.resident_id) + count(r.level) FROM feedback_sheet s
   LEFT JOIN feedback_rating r ON r.sheet_id = s.id
   WHERE s.collected_on BETWEEN :start AND :end),
  (SELECT count(c.resident_id) + count(h.to_stage) FROM case_record c
   LEFT JOIN case_stage_change h ON h.case_id = c.id WHERE c.opened_on <= :end),
  (SELECT count(sex) FROM resident), (SELECT count("group") FROM group_membership)"""


# ---------------------------------------------------------------- checking


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):  # things handed out, keyed as the floor keys them
        for entry in value:
            key = f"{prefix}.{entry['kind']}/{entry['item']}/{entry['unit']}"
            yield f"{key}.quantity", entry["quantity"]
            yield f"{key}.value_fen", entry["value_fen"]
    else:
        yield prefix, value


def report_figures(data: dict[str, Any]) -> dict[tuple[str, str], Any]:
    figures = {("*", k): v for k, v in flatten(data["totals"])}
    for code, section in data["by_station"].items():
        figures |= {(code, k): v for k, v in flatten(section)}
    return figures


def derived(report: dict[tuple[str, str], Any]) -> set[str]:
    """Figures the floor leaves to arithmetic on its own numbers (not compared)."""
    return {
        path
        for _, path in report
        if path.endswith((".attendances", ".unanswered", "cases.closed"))
        or path.startswith("headline.")  # copies of figures compared under their own names
    }


def mismatches(
    report: dict[tuple[str, str], Any], floor_figures: dict[tuple[str, str], Any]
) -> list[str]:
    skip = derived(report)
    wrong = []
    for key, value in report.items():
        if key[1] in skip:
            continue
        other = floor_figures.get(key)
        if key[1].endswith(".mean"):
            # SQLite's round() works on binary floats; the report rounds exact decimals.
            same = value is None if other is None else abs(value - other) < 0.0051
        else:
            same = value == (other or 0)
        if not same:
            wrong.append(f"{key}: report {value}, floor {other}")
    wrong += [f"{key}: only in the floor" for key in floor_figures.keys() - report.keys()]
    return wrong


def trend_figures(figures: Figures) -> dict[str, int]:
    """The trend's figures, read from a report."""
    return {
        "home_visits": figures.home_visits.visits,
        "households_visited": figures.home_visits.households,
        "cases_opened": figures.cases.opened,
        "cases_closed": figures.cases.closed,
        "activities_held": figures.activities.total.held,
        "attendances": figures.activities.total.attendances,
        "feedback_sheets": figures.satisfaction.sheets,
    }


def bucket_figures(bucket: TrendBucket) -> dict[str, int]:
    return {name: getattr(bucket, name) for name in TREND_FIGURES}


# ---------------------------------------------------------------- timing


def _median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm the page cache: both contenders read the same file
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> None:
    paths, built = demo_data(RESIDENTS)
    if built is not None:
        print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
    raw = sqlite3.connect(f"file:{paths.database}?mode=ro", uri=True)
    raw.execute("PRAGMA cache_size=-65536")  # the application's own cache size
    counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RECORD_TABLES}
    codes = dict(raw.execute("SELECT id, code FROM station").fetchall())
    print(
        f"{sum(counts.values()):,} records ({counts['resident']:,} residents, "
        f"{counts['home_visit']:,} visits, {counts['feedback_rating']:,} ratings, "
        f"{counts['attendance']:,} attendances) at {len(codes)} stations"
    )
    print(f"period {PERIOD.start} to {PERIOD.end}, every station")
    with open_application(paths, clock=bench_clock, read_only=True) as app:
        service = ReportService(app.ctx)
        report = service.compute(PERIOD)
        wrong = mismatches(report_figures(report.to_json()), floor(raw, codes))
        if wrong:
            print(f"THE FLOOR DISAGREES on {len(wrong)} figures:", *wrong[:20], sep="\n  ")
        else:
            print("the floor's figures agree with the report's")
        served = report.totals.residents_served
        print(
            f"served {served.people:,} people, {served.person_times:,} person-times; "
            f"{report.totals.home_visits.visits:,} visits"
        )
        ours = _median_ms(lambda: service.compute(PERIOD))
        single = _median_ms(lambda: service.compute(PERIOD, [report.stations[0]]))

        trend = service.trend(PERIOD)
        started = time.perf_counter()
        monthly = [service.compute(b.period) for b in trend.buckets]
        per_month_ms = (time.perf_counter() - started) * 1000
        wrong_months = [
            f"{b.period.start}: trend {bucket_figures(b)}, report {trend_figures(m.totals)}"
            for b, m in zip(trend.buckets, monthly, strict=True)
            if bucket_figures(b) != trend_figures(m.totals)
        ]
        if wrong_months:
            print("THE TREND DISAGREES with the monthly reports:", *wrong_months, sep="\n  ")
        else:
            print(f"the trend's {len(trend.buckets)} months agree with their reports")
        trend_ms = _median_ms(lambda: service.trend(PERIOD))
        trend_one_ms = _median_ms(lambda: service.trend(PERIOD, [report.stations[0]]))

        printer = ReportPdfService(app.ctx)
        pdf = printer.render(report, trend)
        pdf_ms = _median_ms(lambda: printer.render(report, trend), repeat=3)
        print(f"report PDF: {pdf.pages} pages, {len(pdf.data) / 1024:.0f} kB")
    floor_ms = _median_ms(lambda: floor(raw, codes))
    dates = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
    read_ms = _median_ms(lambda: raw.execute(READ_ONLY, dates).fetchall())
    raw.close()
    print(f"{'':<28}{'median ms':>10}")
    print(f"{'report, every station':<28}{ours:>10.0f}")
    print(f"{'report, one station':<28}{single:>10.0f}")
    print(f"{'floor (hand-written SQL)':<28}{floor_ms:>10.0f}")
    print(f"{'reading the rows only':<28}{read_ms:>10.0f}")
    print(f"{'trend, every station':<28}{trend_ms:>10.0f}")
    print(f"{'trend, one station':<28}{trend_one_ms:>10.0f}")
    print(f"{'a report per month (before)':<28}{per_month_ms:>10.0f}")
    print(f"{'report as PDF (render only)':<28}{pdf_ms:>10.0f}")
    print(f"ratio report / floor: {ours / floor_ms:.2f}; report / reading: {ours / read_ms:.1f}")
    print(f"trend vs a report per month: {per_month_ms / trend_ms:.0f}× faster")


if __name__ == "__main__":
    run()
