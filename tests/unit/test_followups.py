"""Follow-ups: planned visits, the visiting rhythm of priority groups, quiet cases,
membership reviews. Today is 2026-06-01 (the test clock)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from station_desktop.app import Application
from station_desktop.errors import ValidationError
from station_desktop.services.followups import (
    CASE_QUIET,
    REVIEW_DUE,
    VISIT_PLANNED,
    VISIT_RHYTHM,
    FollowUpService,
)
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines


def _person(app: Application, name: str) -> uuid.UUID:
    return app.residents.register({"name_zh": name, "legal_basis": "statutory_duty"})


def _visit(
    app: Application, station: StationSetup, who: uuid.UUID, on: str, next_on: str | None = None
) -> None:
    app.visits.record(
        {
            "resident_id": who,
            "visit_date": on,
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
            "next_visit_on": next_on,
        }
    )


def test_what_is_due_and_why(app: Application, station: StationSetup) -> None:
    planned = _person(app, "甲")  # visited 05-01, next planned 06-10: due 06-10
    _visit(app, station, planned, "2026-05-01", "2026-06-10")
    elderly = _person(app, "乙")  # elderly alone, last visit 04-20 + 30 days: overdue 05-20
    app.residents.add_membership(elderly, {"group": "elderly_alone", "start_date": "2025-01-01"})
    _visit(app, station, elderly, "2026-04-20")
    never = _person(app, "丙")  # dibao since 05-25, never visited: due from 05-25
    app.residents.add_membership(
        never, {"group": "dibao", "start_date": "2026-05-25", "review_on": "2026-06-05"}
    )
    later = _person(app, "丁")  # planned 07-01: beyond the 14-day horizon
    _visit(app, station, later, "2026-05-20", "2026-07-01")
    done = _person(app, "戊")  # planned visit already made: nothing due
    _visit(app, station, done, "2026-05-01", "2026-05-15")
    _visit(app, station, done, "2026-05-16")
    quiet = _person(app, "己")  # case opened 04-01, last note 04-15: quiet since 05-15
    case = app.cases.open(
        {
            "resident_id": quiet,
            "opened_on": "2026-04-01",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    app.cases.add_note(case, "2026-04-15", "第一次")
    gone = _person(app, "庚")  # tombstoned: never listed
    _visit(app, station, gone, "2026-05-01", "2026-06-02")
    app.residents.delete(gone)

    due = FollowUpService(app.ctx).due(horizon_days=14)
    got = [(f.name_zh, f.kind, f.due_on.isoformat(), f.reason) for f in due]
    assert got == [
        ("己", "case", "2026-05-15", CASE_QUIET),
        ("乙", "visit", "2026-05-20", VISIT_RHYTHM),
        ("丙", "visit", "2026-05-25", VISIT_RHYTHM),
        ("丙", "review", "2026-06-05", REVIEW_DUE),
        ("甲", "visit", "2026-06-10", VISIT_PLANNED),
    ]
    today = date(2026, 6, 1)
    assert [f.overdue(today) for f in due] == [True, True, True, False, False]
    assert due[0].record_id == case


def test_the_rhythm_can_be_changed_within_bounds(app: Application, station: StationSetup) -> None:
    service = FollowUpService(app.ctx)
    elderly = _person(app, "乙")
    app.residents.add_membership(elderly, {"group": "elderly_alone", "start_date": "2025-01-01"})
    _visit(app, station, elderly, "2026-05-10")  # + 30 days = 06-09, inside the horizon
    assert [f.due_on.isoformat() for f in service.due()] == ["2026-06-09"]
    service.set_rhythm("elderly_alone", 60)  # + 60 days = 07-09: not yet
    assert service.rhythm()["elderly_alone"] == 60
    assert service.due() == []
    with pytest.raises(ValidationError):
        service.set_rhythm("elderly_alone", 3)


def test_settings_are_saved_together_or_not_at_all(app: Application, station: StationSetup) -> None:
    service = FollowUpService(app.ctx)
    case = app.cases.open(
        {
            "resident_id": _person(app, "丙"),
            "opened_on": "2026-05-10",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    assert service.quiet_case_days() == 30
    assert [f.record_id for f in service.due() if f.kind == "case"] == [case]  # quiet from 06-09
    with pytest.raises(ValidationError) as refused:
        service.save_settings({"dibao": 400, "disability": 45}, quiet_case_days=2)
    assert {e.field for e in refused.value.errors} == {"dibao", "quiet_case_days"}
    assert service.rhythm()["disability"] == 60  # nothing of the refused action stayed
    service.save_settings({"disability": 45}, quiet_case_days=60)
    assert service.rhythm()["disability"] == 45
    assert service.quiet_case_days() == 60
    assert [f for f in service.due() if f.kind == "case"] == []  # quiet only from 07-09
