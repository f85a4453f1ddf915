"""The trend (event counts per month or year) agrees with the report: each bucket holds what
`compute` counts for that month alone, on the hand-counted data set of test_reports.py
(tombstones, withdrawn residents, stations, first and last days of months included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station_desktop.app import Application
from station_desktop.errors import NotFound
from station_desktop.services.reports import (
    MAX_MONTHS_IN_TREND,
    TREND_FIGURES,
    Figures,
    ReportPeriod,
    ReportService,
    TrendBucket,
    trend_periods,
)
from tests.conftest import StationSetup
from tests.unit.test_reports import MARCH, A, B, People, build

# Every record of the data set falls between these two days.
FIRST_RECORD, LAST_RECORD = date(2025, 10, 1), date(2026, 4, 2)

pytestmark = pytest.mark.both_engines


@pytest.fixture
def people(app: Application, station: StationSetup) -> People:
    return build(app, station)


def figures_of(figures: Figures) -> dict[str, int]:
    """The trend's figures, read from the report's."""
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


def test_march_matches_the_hand_count(app: Application, people: People) -> None:
    trend = ReportService(app.ctx).trend(ReportPeriod(date(2026, 2, 1), date(2026, 4, 30)))
    assert [b.period for b in trend.buckets] == [
        ReportPeriod(date(2026, 2, 1), date(2026, 2, 28)),
        MARCH,
        ReportPeriod(date(2026, 4, 1), date(2026, 4, 30)),
    ]
    assert not trend.yearly and trend.stations == (A, B)
    assert bucket_figures(trend.buckets[1]) == {
        "home_visits": 7,  # V1 V2 V5 V6 V7 V9 V10 (V8: R5's, V11 tombstoned)
        "households_visited": 4,  # H1, R3, H2, R6
        "cases_opened": 1,  # C2 (C5 is R5's)
        "cases_closed": 3,  # C1, C4, C8
        "activities_held": 3,  # Act1 Act2 Act5 (Act4 tombstoned)
        "attendances": 54,  # 7 named (R5's dropped) + 47 head count
        "feedback_sheets": 5,  # F1 F2 F5 F6 F7 (F4 R5's)
    }


@pytest.mark.parametrize("codes", [None, [A], [B], [B, A]])
def test_every_month_equals_the_report_of_that_month(
    app: Application, people: People, codes: list[str] | None
) -> None:
    service = ReportService(app.ctx)
    trend = service.trend(ReportPeriod(FIRST_RECORD, LAST_RECORD), codes)
    assert len(trend.buckets) == 7  # October to April, April cut at its 2nd
    assert trend.buckets[-1].period == ReportPeriod(date(2026, 4, 1), LAST_RECORD)
    for bucket in trend.buckets:
        expected = figures_of(service.compute(bucket.period, codes).totals)
        assert bucket_figures(bucket) == expected, bucket.period
    if codes is None or A in codes:  # C7, station A's, closed in November 2025
        assert trend.buckets[1].cases_closed == 1


def test_years_when_the_period_is_long(app: Application, people: People) -> None:
    service = ReportService(app.ctx)
    period = ReportPeriod(date(2023, 6, 15), date(2026, 12, 31))
    trend = service.trend(period)
    assert trend.yearly
    assert [(b.period.start, b.period.end) for b in trend.buckets] == [
        (date(2023, 6, 15), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]
    for bucket in trend.buckets:
        assert bucket_figures(bucket) == figures_of(service.compute(bucket.period).totals)
    assert trend.to_json()["bucket"] == "year"


@settings(
    max_examples=25,
    deadline=None,
    # The data set is built once per test and only read by the examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.dates(FIRST_RECORD - timedelta(days=40), LAST_RECORD),
    days=st.integers(0, 300),
)
def test_event_counts_add_up_to_the_report_of_the_period(
    app: Application, people: People, start: date, days: int
) -> None:
    """Event counts add up over the buckets (distinct households do not: not checked)."""
    service = ReportService(app.ctx)
    period = ReportPeriod(start, start + timedelta(days=days))
    trend = service.trend(period)
    assert trend.buckets[0].period.start == period.start
    assert trend.buckets[-1].period.end == period.end
    whole = figures_of(service.compute(period).totals)
    for name in TREND_FIGURES:
        if name != "households_visited":
            assert sum(getattr(b, name) for b in trend.buckets) == whole[name], name
    # A household is counted once in each bucket it was visited in, at most once overall.
    assert max(b.households_visited for b in trend.buckets) <= whole["households_visited"]
    assert sum(b.households_visited for b in trend.buckets) >= whole["households_visited"]


def test_an_empty_period_has_every_bucket_at_zero(app: Application, people: People) -> None:
    trend = ReportService(app.ctx).trend(ReportPeriod(date(2020, 1, 1), date(2020, 12, 31)))
    assert len(trend.buckets) == 12
    assert all(not any(bucket_figures(b).values()) for b in trend.buckets)


def test_stations_are_checked_as_the_report_checks_them(app: Application, people: People) -> None:
    service = ReportService(app.ctx)
    with pytest.raises(NotFound):
        service.trend(MARCH, [A, "NOPE-1"])
    with pytest.raises(ValueError):
        service.trend(MARCH, [])
    assert service.trend(MARCH, ["cg-gd"]).stations == (B,)


def test_trend_json() -> None:
    period = ReportPeriod(date(2026, 1, 1), date(2026, 1, 31))
    bucket = TrendBucket(period, 3, 2, 1, 0, 4, 50, 6)
    from station_desktop.services.reports import Trend

    data = Trend(period, (A,), False, (bucket,)).to_json()
    assert data["bucket"] == "month"
    assert data["buckets"] == [
        {
            "start": "2026-01-01",
            "end": "2026-01-31",
            "home_visits": 3,
            "households_visited": 2,
            "cases_opened": 1,
            "cases_closed": 0,
            "activities_held": 4,
            "attendances": 50,
            "feedback_sheets": 6,
        }
    ]


def test_trend_periods_are_months_cut_to_the_period_or_years() -> None:
    months = trend_periods(ReportPeriod(date(2025, 11, 15), date(2026, 2, 10)))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in months] == [
        ("2025-11-15", "2025-11-30"),
        ("2025-12-01", "2025-12-31"),
        ("2026-01-01", "2026-01-31"),
        ("2026-02-01", "2026-02-10"),
    ]
    two_years = trend_periods(ReportPeriod(date(2026, 1, 1), date(2027, 12, 31)))
    assert len(two_years) == MAX_MONTHS_IN_TREND
    years = trend_periods(ReportPeriod(date(2022, 3, 1), date(2026, 6, 30)))
    assert [p.start.year for p in years] == [2022, 2023, 2024, 2025, 2026]
    assert years[0].start == date(2022, 3, 1) and years[-1].end == date(2026, 6, 30)
    one_day = trend_periods(ReportPeriod(date(2026, 2, 28), date(2026, 2, 28)))
    assert one_day == [ReportPeriod(date(2026, 2, 28), date(2026, 2, 28))]
