"""The resident's file: details, memberships, household and the timeline of services, built
from records made through the services (tombstones and anonymous sheets stay out)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from station_desktop.app import Application
from station_desktop.domain.codes import (
    ActivityKind,
    CaseStage,
    ClosingReason,
    ResourceKind,
    Satisfaction,
    ServiceArea,
    ServiceType,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.errors import NotFound
from station_desktop.services.resident_file import TimelineKind
from station_desktop.store.models import (
    Attendance,
    GroupMembership,
    HomeVisit,
    Replicated,
    Resident,
)
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines


ID_NUMBER = "11010519491231002X"  # a valid number: female, born 1949-12-31


def _tombstone(app: Application, model: type[Replicated], record_id: uuid.UUID) -> None:
    with app.ctx.uow() as uow:
        uow.tombstone(model, record_id)


def _resident(app: Application, **values: Any) -> uuid.UUID:
    return app.residents.register({"legal_basis": "statutory_duty", **values})


def _visit(
    app: Application, resident: uuid.UUID, day: str, worker: uuid.UUID, **values: Any
) -> uuid.UUID:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": day,
            "visitor_ids": [worker],
            "outcome": "at_home",
            "purpose": "routine",
            **values,
        }
    )


@dataclass
class Family:
    """卓嘎 (the resident whose file is read), her son in the same household, and records."""

    dolkar: uuid.UUID
    son: uuid.UUID
    household: uuid.UUID
    visit_may: uuid.UUID
    visit_january: uuid.UUID
    case: uuid.UUID
    sheet: uuid.UUID
    handout: uuid.UUID
    activity: uuid.UUID


@pytest.fixture
def family(app: Application, station: StationSetup) -> Family:
    worker = station.worker_id
    household = app.residents.create_household(station.area_id, "12", "冲赛康路3号")
    dolkar = _resident(
        app,
        name_bo="སྒྲོལ་དཀར་",
        name_zh="卓嘎",
        sex="female",
        ethnicity="04",
        birth_date="1949-12-31",
        id_number=ID_NUMBER,
        phone="13908901234",
        household_id=household,
        household_relation="head",
        guardian_name="次仁（儿子）",
    )
    son = _resident(
        app,
        name_bo="ཚེ་རིང་",
        name_zh="次仁",
        birth_date="1980-05-01",
        household_id=household,
        household_relation="child",
    )
    granddaughter = _resident(
        app, name_zh="央金", birth_date="2005-02-01", household_id=household
    )  # no relation given: listed after those with one
    gone = _resident(app, name_zh="已删除", household_id=household, household_relation="spouse")
    _tombstone(app, Resident, gone)
    _resident(app, name_zh="邻居", household_id=app.residents.create_household(None, "13", ""))
    del granddaughter

    # Two priority groups now, one ended, one entered by mistake and deleted.
    app.residents.add_membership(
        dolkar, {"group": "elderly_alone", "start_date": "2024-01-01", "review_on": "2026-07-01"}
    )
    app.residents.add_membership(dolkar, {"group": "dibao", "start_date": "2025-03-01"})
    app.residents.add_membership(
        dolkar, {"group": "disability", "start_date": "2020-01-01", "end_date": "2023-12-31"}
    )
    mistake = app.residents.add_membership(dolkar, {"group": "tekun", "start_date": "2025-01-01"})
    _tombstone(app, GroupMembership, mistake)

    visit_january = _visit(
        app, dolkar, "2026-01-15", worker, outcome="nobody_home", purpose="follow_up"
    )
    deleted_visit = _visit(app, dolkar, "2026-03-10", worker)
    _tombstone(app, HomeVisit, deleted_visit)
    _visit(app, son, "2026-05-20", worker)  # the son's visit is on his own file
    case = app.cases.open(
        {
            "resident_id": dolkar,
            "opened_on": "2026-02-01",
            "source": "home_visit",
            "service_area": "elderly_care",
            "presenting_problem": "独居，冬季取暖困难",
        }
    )
    app.cases.move_stage(case, "assessment", "2026-02-05")
    activity = app.activities.record(
        {"kind": "community_activity", "title": "藏历新年活动", "held_on": "2026-02-18"},
        [dolkar, son],
    )
    app.activities.record(
        {"kind": "training", "title": "防诈骗讲座", "held_on": "2026-03-01"}, [son]
    )
    sheet = app.feedback.record(
        {
            "service_area": "elderly_care",
            "service_date": "2026-04-20",
            "collected_on": "2026-04-21",
            "resident_id": dolkar,
            "rating_overall": "5",
            "rating_attitude": "4",
        }
    )
    app.feedback.record(  # anonymous: nobody can tell it is hers
        {
            "service_area": "elderly_care",
            "service_date": "2026-04-22",
            "collected_on": "2026-04-22",
            "rating_overall": "2",
        }
    )
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 2,
            "unit": "把",
            "unit_value": "120.00",
        }
    )
    handout = app.resources.record_handout(
        {
            "resident_id": dolkar,
            "handed_on": "2026-05-02",
            "receipt_id": receipt,
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 1,
            "unit": "把",
        }
    )
    visit_may = _visit(
        app, dolkar, "2026-05-30", worker, services=["policy_consultation", "resource_linkage"]
    )
    return Family(dolkar, son, household, visit_may, visit_january, case, sheet, handout, activity)


def test_details_mask_the_id_number_and_take_the_area_from_the_household(
    app: Application, station: StationSetup, family: Family
) -> None:
    details = app.resident_file.load(family.dolkar).details
    assert (details.name_bo, details.name_zh) == ("སྒྲོལ་དཀར་", "卓嘎")
    assert (details.sex, details.ethnicity) == ("female", "04")
    assert details.birth_date == date(1949, 12, 31)
    assert details.age == 76  # the test clock says 1 June 2026
    assert details.id_number_masked == "110105********002X"
    assert ID_NUMBER not in repr(details)
    assert details.phone == "13908901234"
    assert details.area is not None
    assert (details.area.id, details.area.code, details.area.name_zh) == (
        station.area_id,
        "CG-BK-01",
        "冲赛康社区",
    )
    assert details.household is not None
    assert (details.household.household_no, details.household.address) == ("12", "冲赛康路3号")
    assert details.household_relation == "head"
    assert details.guardian is not None
    assert (details.guardian.resident_id, details.guardian.names) == (None, ("次仁（儿子）",))


def test_a_registered_guardian_is_named_from_their_record(
    app: Application, station: StationSetup, family: Family
) -> None:
    child = _resident(
        app,
        name_zh="小卓玛",
        birth_date="2018-01-01",
        legal_basis="guardian_consent",
        guardian_id=family.son,
        guardian_relation="parent",
    )
    details = app.resident_file.load(child).details
    assert details.guardian is not None
    assert details.guardian.resident_id == family.son
    assert details.guardian.names == ("ཚེ་རིང་", "次仁")
    assert details.guardian.relation == "parent"
    assert (details.household, details.area, details.id_number_masked) == (None, None, None)


def test_memberships_newest_first_with_which_are_current(app: Application, family: Family) -> None:
    memberships = app.resident_file.load(family.dolkar).memberships
    assert [(m.group, m.current) for m in memberships] == [
        ("dibao", True),
        ("elderly_alone", True),
        ("disability", False),
    ]
    elderly = memberships[1]
    assert (elderly.start_date, elderly.end_date, elderly.review_on) == (
        date(2024, 1, 1),
        None,
        date(2026, 7, 1),
    )
    assert memberships[2].end_date == date(2023, 12, 31)


def test_household_members_are_the_other_live_residents_of_the_household(
    app: Application, family: Family
) -> None:
    members = app.resident_file.load(family.dolkar).household_members
    assert [(m.name_zh, m.relation, m.birth_date) for m in members] == [
        ("次仁", "child", date(1980, 5, 1)),
        ("央金", None, date(2005, 2, 1)),
    ]
    assert members[0].id == family.son
    # From the son's file, his mother is the head of the household.
    from_son = app.resident_file.load(family.son).household_members
    assert [(m.id, m.relation) for m in from_son] == [
        (family.dolkar, "head"),
        (members[1].id, None),
    ]


def test_the_timeline_lists_every_service_newest_first(app: Application, family: Family) -> None:
    timeline = app.resident_file.load(family.dolkar).timeline
    assert [(e.on.isoformat(), e.kind, e.record_id) for e in timeline] == [
        ("2026-05-30", TimelineKind.VISIT, family.visit_may),
        ("2026-05-02", TimelineKind.HANDOUT, family.handout),
        ("2026-04-20", TimelineKind.FEEDBACK, family.sheet),
        ("2026-02-18", TimelineKind.ACTIVITY, family.activity),
        ("2026-02-01", TimelineKind.CASE, family.case),
        ("2026-01-15", TimelineKind.VISIT, family.visit_january),
    ]  # no deleted visit (March), no anonymous sheet, nothing of the son's
    case = app.cases.get(family.case)
    assert case is not None
    assert [e.summary for e in timeline] == [
        (
            VisitPurpose.ROUTINE,
            VisitOutcome.AT_HOME,
            ServiceType.POLICY_CONSULTATION,
            ServiceType.RESOURCE_LINKAGE,
        ),
        (ResourceKind.GOODS, "坐便椅", "1 把"),
        (ServiceArea.ELDERLY_CARE, Satisfaction.VERY_SATISFIED),
        (ActivityKind.COMMUNITY_ACTIVITY, "藏历新年活动"),
        (f"CG-BK-{case.case_number}", CaseStage.ASSESSMENT, ServiceArea.ELDERLY_CARE),
        (VisitPurpose.FOLLOW_UP, VisitOutcome.NOBODY_HOME),
    ]


def test_a_closed_case_shows_why_and_a_withdrawn_attendance_goes(
    app: Application, family: Family
) -> None:
    app.cases.move_stage(family.case, "closed", "2026-05-31", closing_reason="goals_met")
    with app.ctx.db.read() as session:
        [attendance] = session.scalars(
            select(Attendance.id).where(Attendance.resident_id == family.dolkar)
        ).all()
    _tombstone(app, Attendance, attendance)
    timeline = app.resident_file.load(family.dolkar).timeline
    [case] = [e for e in timeline if e.kind is TimelineKind.CASE]
    assert case.summary[1:3] == (CaseStage.CLOSED, ClosingReason.GOALS_MET)
    assert TimelineKind.ACTIVITY not in {e.kind for e in timeline}


def test_records_entered_the_same_day_come_last_entered_first(
    app: Application, station: StationSetup, family: Family
) -> None:
    second = _visit(app, family.dolkar, "2026-05-30", station.worker_id, purpose="emergency")
    timeline = app.resident_file.load(family.dolkar).timeline
    assert [e.record_id for e in timeline[:2]] == [second, family.visit_may]


def test_a_code_from_a_newer_version_is_passed_on_as_it_is(
    app: Application, family: Family
) -> None:
    with app.ctx.uow() as uow:
        uow.update(HomeVisit, family.visit_may, {"outcome": "video_call"})
    entry = app.resident_file.load(family.dolkar).timeline[0]
    assert entry.summary[:2] == (VisitPurpose.ROUTINE, "video_call")


def test_an_unknown_or_deleted_resident_is_not_found(app: Application, family: Family) -> None:
    with pytest.raises(NotFound):
        app.resident_file.load(uuid.uuid4())
    _tombstone(app, Resident, family.son)
    with pytest.raises(NotFound) as caught:
        app.resident_file.load(family.son)
    assert str(family.son) in caught.value.english()
    # And a deleted member is no longer listed in the household.
    members = app.resident_file.load(family.dolkar).household_members
    assert [m.name_zh for m in members] == ["央金"]
