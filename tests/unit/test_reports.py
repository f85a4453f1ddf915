"""The report's figures, checked exactly against a data set whose every figure was counted by
hand (definitions: docs/report-figures.md).

The period is March 2026. Station A is the fixture's CG-BK; station B (CG-GD) is added here.
People (sex, birth date → age on 2026-03-31 → band; priority groups overlapping March):

    R1  male,   1946-03-31 → 80 → 80+    dibao (since 2024) and disability (since 2025)
    R2  female, 1946-04-01 → 79 → 60-79  elderly_alone from 2026-03-20 (overlaps March)
    R3  no sex, no birth date → unknown  dibao ended 2026-02-28 (the day before) → none
    R4a male,   2012-04-01 → 13 → 0-13   left_behind_child from 2026-04-01 → none;
                                         a tombstoned disability membership → none
    R4b female, 2012-03-31 → 14 → 14-17  left_behind_child since 2025-09-01
    R5  tombstoned after all its records were made: nothing of it counts
    R6  female, 1990-05-05 → 35 → 18-59  registered at B; tekun until 2026-03-11 (overlaps)

Households: R1 and R2 live in H1, R4a and R4b in H2, R5 in H3; R3 and R6 have none.
Case contacts (progress notes) N1–N6 and hand-outs HO1–HO7 are listed where they are made.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_desktop.app import Application
from station_desktop.domain.codes import AreaKind, StaffRole, StationKind
from station_desktop.errors import NotFound
from station_desktop.i18n import N_, Label
from station_desktop.services.access import Actor
from station_desktop.services.reports import (
    AGE_BANDS,
    YOUNGEST_BAND,
    ReportPeriod,
    ReportService,
    satisfaction_mean,
    years_before,
)
from station_desktop.services.residents import age_on
from station_desktop.services.stations import StationInfo
from station_desktop.store.models import Activity, GroupMembership, HomeVisit
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines


MARCH = ReportPeriod(date(2026, 3, 1), date(2026, 3, 31))
A, B = "CG-BK", "CG-GD"


# ---------------------------------------------------------------- the data set


@dataclass
class People:
    r1: uuid.UUID
    r2: uuid.UUID
    r3: uuid.UUID
    r4a: uuid.UUID
    r4b: uuid.UUID
    r5: uuid.UUID
    r6: uuid.UUID


def _register(app: Application, name: str, **values: object) -> uuid.UUID:
    return app.residents.register({"name_zh": name, "legal_basis": "statutory_duty", **values})


def _visit(app: Application, resident: uuid.UUID, day: str, outcome: str, staff: uuid.UUID) -> Any:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": day,
            "visitor_ids": [staff],
            "outcome": outcome,
            "purpose": "routine",
        }
    )


def _case(app: Application, resident: uuid.UUID, opened: str) -> uuid.UUID:
    return app.cases.open(
        {"resident_id": resident, "opened_on": opened, "source": "self", "presenting_problem": "x"}
    )


def _sheet(app: Application, service: str, collected: str, **values: object) -> uuid.UUID:
    return app.feedback.record(
        {
            "service_area": "elderly_care",
            "service_date": service,
            "collected_on": collected,
            **values,
        }
    )


def _receipt(
    app: Application, day: str, donor_type: str, item: str, quantity: int, unit_value: str
) -> uuid.UUID:
    return app.resources.record_receipt(
        {
            "received_on": day,
            "donor_name": "捐赠方",
            "donor_type": donor_type,
            "kind": "cash" if item == "慰问金" else "goods",
            "item": item,
            "quantity": quantity,
            "unit_value": unit_value,
        }
    )


# What each receipt holds: kind, item, unit.
THINGS = {
    "坐便椅": ("goods", "把"),
    "慰问金": ("cash", "元"),
    "夜灯": ("goods", "个"),
    "棉被": ("goods", "床"),
}


def _handout(
    app: Application,
    resident: uuid.UUID,
    day: str,
    receipt: uuid.UUID,
    item: str,
    quantity: int,
    unit_value: str,
) -> uuid.UUID:
    kind, unit = THINGS[item]
    return app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": day,
            "receipt_id": receipt,
            "kind": kind,
            "item": item,
            "unit": unit,
            "quantity": quantity,
            "unit_value": unit_value,
        }
    )


def _tombstone(app: Application, model: Any, record_id: uuid.UUID) -> None:
    with app.ctx.uow() as uow:
        uow.tombstone(model, record_id)


def build(app: Application, station: StationSetup) -> People:
    worker = station.worker_id
    # ------------------------------------------------ people at station A
    h1 = app.residents.create_household(station.area_id, "H1", "")
    h2 = app.residents.create_household(station.area_id, "H2", "")
    h3 = app.residents.create_household(station.other_area_id, "H3", "")
    r1 = _register(app, "甲", sex="male", birth_date="1946-03-31", household_id=h1)
    r2 = _register(app, "乙", sex="female", birth_date="1946-04-01", household_id=h1)
    r3 = _register(app, "丙")
    r4a = _register(app, "丁", sex="male", birth_date="2012-04-01", household_id=h2)
    r4b = _register(app, "戊", sex="female", birth_date="2012-03-31", household_id=h2)
    r5 = _register(app, "己", sex="male", birth_date="1950-01-01", household_id=h3)
    app.residents.add_membership(r1, {"group": "dibao", "start_date": "2024-01-01"})
    app.residents.add_membership(r1, {"group": "disability", "start_date": "2025-06-01"})
    app.residents.add_membership(r2, {"group": "elderly_alone", "start_date": "2026-03-20"})
    app.residents.add_membership(
        r3, {"group": "dibao", "start_date": "2025-01-01", "end_date": "2026-02-28"}
    )
    app.residents.add_membership(r4a, {"group": "left_behind_child", "start_date": "2026-04-01"})
    gone = app.residents.add_membership(r4a, {"group": "disability", "start_date": "2025-01-01"})
    _tombstone(app, GroupMembership, gone)
    app.residents.add_membership(r4b, {"group": "left_behind_child", "start_date": "2025-09-01"})
    app.residents.add_membership(r5, {"group": "dibao", "start_date": "2024-01-01"})

    # ------------------------------------------------ station A records
    _visit(app, r1, "2026-03-01", "at_home", worker)  # V1: first day of the period
    _visit(app, r2, "2026-03-31", "at_home", worker)  # V2: last day
    _visit(app, r1, "2026-02-28", "at_home", worker)  # V3: one day before
    _visit(app, r1, "2026-04-01", "at_home", worker)  # V4: one day after
    _visit(app, r3, "2026-03-10", "nobody_home", worker)  # V5: R3 is its own household
    _visit(app, r3, "2026-03-11", "at_home", worker)  # V6
    _visit(app, r4a, "2026-03-15", "refused", worker)  # V7
    _visit(app, r5, "2026-03-05", "at_home", worker)  # V8: R5 tombstoned later
    v11 = _visit(app, r2, "2026-03-12", "at_home", worker)  # V11: tombstoned
    _tombstone(app, HomeVisit, v11)

    c1 = _case(app, r1, "2026-01-10")  # opened before, closed inside
    app.cases.move_stage(c1, "assessment", "2026-01-20")
    app.cases.add_note(c1, "2026-02-01", "电话回访")  # a contact in February
    app.cases.move_stage(c1, "closed", "2026-03-15", closing_reason="goals_met")
    c2 = _case(app, r2, "2026-03-05")  # C2: opened inside, still in intake
    n1 = app.cases.add_note(c2, "2026-03-06", "入户评估")  # N1: a contact
    app.cases.add_note(c2, "2026-03-07", "更正", corrects_id=n1)  # a correction: no contact
    c3 = _case(app, r3, "2025-12-01")  # closed before, reopened inside
    app.cases.move_stage(c3, "closed", "2026-01-15", closing_reason="client_withdrew")
    app.cases.move_stage(c3, "assessment", "2026-03-10")
    app.cases.add_note(c3, "2026-03-12", "上午电话")  # N2 and N3: one contact (one day)
    app.cases.add_note(c3, "2026-03-12", "下午入户")
    c4 = _case(app, r4a, "2026-02-01")  # closed and reopened inside
    app.cases.move_stage(c4, "closed", "2026-03-03", closing_reason="moved_away")
    app.cases.move_stage(c4, "assessment", "2026-03-20")
    app.cases.add_note(c4, "2026-02-28", "前一天")  # the day before the period
    app.cases.add_note(c4, "2026-03-31", "最后一天")  # N4: the last day
    c5 = _case(app, r5, "2026-03-02")  # C5: R5 tombstoned later
    app.cases.add_note(c5, "2026-03-04", "己")  # goes with R5
    _case(app, r1, "2026-04-02")  # C6: opened after the period
    c7 = _case(app, r2, "2025-10-01")  # closed before the period
    app.cases.move_stage(c7, "closed", "2025-11-01", closing_reason="other")

    app.activities.record(  # Act1: R5's attendance goes with R5
        {"kind": "group_work", "title": "小组", "held_on": "2026-03-08", "headcount_other": 2},
        [r1, r2, r5],
    )
    app.activities.record(
        {
            "kind": "community_activity",
            "title": "活动",
            "held_on": "2026-03-31",
            "headcount_other": 40,
        },
        [r1, r4a, r4b],
    )
    app.activities.record(  # Act3: one day after
        {
            "kind": "policy_publicity",
            "title": "宣讲",
            "held_on": "2026-04-01",
            "headcount_other": 10,
        },
        [r1],
    )
    act4 = app.activities.record(  # tombstoned
        {"kind": "group_work", "title": "作废", "held_on": "2026-03-09", "headcount_other": 3},
        [r3],
    )
    _tombstone(app, Activity, act4)

    ratings_f1 = {"attitude": 5, "timeliness": 4, "professionalism": 5}
    ratings_f1 |= {"effectiveness": 4, "language": 5, "overall": 5}
    _sheet(  # F1
        app,
        "2026-03-01",
        "2026-03-02",
        resident_id=r1,
        **{f"rating_{k}": str(v) for k, v in ratings_f1.items()},
    )
    _sheet(app, "2026-02-25", "2026-03-03", rating_attitude="3", rating_overall="4")  # F2
    _sheet(app, "2026-03-30", "2026-04-02", resident_id=r2, rating_overall="2")  # F3
    _sheet(app, "2026-03-10", "2026-03-10", resident_id=r5, rating_overall="1")  # F4
    _sheet(app, "2026-03-20", "2026-03-21", comments="谢谢")  # F5: no rating at all
    _sheet(  # F7
        app,
        "2026-02-20",
        "2026-03-01",
        resident_id=r3,
        rating_overall="5",
        rating_timeliness="3",
    )

    rc1 = _receipt(app, "2026-03-02", "enterprise", "坐便椅", 4, "120.00")
    rc2 = _receipt(app, "2026-02-27", "government", "慰问金", 1000, "1.00")
    rc3 = _receipt(app, "2026-03-31", "individual", "夜灯", 10, "25.00")
    _handout(app, r1, "2026-03-05", rc1, "坐便椅", 1, "120")  # HO1
    _handout(app, r2, "2026-03-06", rc2, "慰问金", 500, "1")  # HO2
    _handout(app, r5, "2026-03-07", rc1, "坐便椅", 1, "120")  # HO3: R5 tombstoned later
    _handout(app, r1, "2026-03-31", rc3, "夜灯", 2, "25")  # HO4
    _handout(app, r4a, "2026-04-01", rc3, "夜灯", 1, "25")  # HO5: one day after
    _handout(app, r1, "2026-03-05", rc1, "坐便椅", 1, "120")  # HO7: with HO1, one occasion

    app.residents.delete(r5)

    # ------------------------------------------------ station B
    app.stations.add_station(StationInfo(B, StationKind.STREET_OFFICE, "", "公德林街道"))
    app.stations.use_station(B)
    app.stations.add_area("CG-GD-01", AreaKind.COMMUNITY, "", "社区")
    worker_b = app.stations.add_staff("", "次仁", StaffRole.SOCIAL_WORKER)
    r6 = _register(app, "庚", sex="female", birth_date="1990-05-05")
    app.residents.add_membership(
        r6, {"group": "tekun", "start_date": "2025-01-01", "end_date": "2026-03-11"}
    )
    _visit(app, r1, "2026-03-20", "at_home", worker_b)  # V9: B visits A's resident
    _visit(app, r6, "2026-03-21", "vacant", worker_b)  # V10
    c8 = _case(app, r6, "2026-02-15")
    app.cases.add_note(c8, "2026-03-11", "特困最后一天")  # N5: tekun's last day
    app.cases.add_note(c8, "2026-03-18", "转介准备")  # N6
    app.cases.update(c8, {"referral_to": "残联", "referral_on": "2026-03-25"})
    app.cases.move_stage(c8, "closed", "2026-03-25", closing_reason="referred_out")
    app.activities.record(
        {"kind": "training", "title": "培训", "held_on": "2026-03-15", "headcount_other": 5},
        [r1, r6],
    )
    _sheet(  # F6
        app, "2026-03-22", "2026-03-22", resident_id=r6, rating_overall="3", rating_attitude="4"
    )
    rc4 = _receipt(app, "2026-03-10", "social_organization", "棉被", 3, "160")
    _handout(app, r6, "2026-03-12", rc4, "棉被", 1, "160")  # HO6: R6's tekun ended 03-11
    # The figures of every station are the bureau's to read (a station's people get their
    # own station's: services.access).
    app.ctx.actor = Actor(None, StaffRole.BUREAU_ADMIN, None)
    return People(r1, r2, r3, r4a, r4b, r5, r6)


@pytest.fixture
def people(app: Application, station: StationSetup) -> People:
    return build(app, station)


# ---------------------------------------------------------------- expected figures


def sv(people: int, times: int) -> dict[str, int]:
    return {"people": people, "person_times": times}


def vc(visits: int, households: int) -> dict[str, int]:
    return {"visits": visits, "households": households}


def ac(
    held: int, attendances: int, named: int, headcount: int, participants: int
) -> dict[str, int]:
    return {
        "held": held,
        "attendances": attendances,
        "named_attendances": named,
        "headcount_other": headcount,
        "participants": participants,
    }


def dim(
    answered: int, unanswered: int, levels: tuple[int, int, int, int, int], mean: float | None
) -> dict[str, Any]:
    return {
        "answered": answered,
        "unanswered": unanswered,
        "levels": dict(zip("12345", levels, strict=True)),
        "mean": mean,
    }


def rc(receipts: int, value_fen: int) -> dict[str, int]:
    return {"receipts": receipts, "value_fen": value_fen}


def ho(handouts: int, occasions: int, value_fen: int, recipients: int) -> dict[str, int]:
    return {
        "handouts": handouts,
        "occasions": occasions,
        "value_fen": value_fen,
        "recipients": recipients,
    }


def item(kind: str, name: str, quantity: int, value_fen: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "item": name,
        "unit": THINGS[name][1],
        "quantity": quantity,
        "value_fen": value_fen,
    }


def headline(
    times: int, households: int, opened: int, closed: int, held: int, fen: int
) -> dict[str, int]:
    return {
        "person_times": times,
        "households_visited": households,
        "cases_opened": opened,
        "cases_closed": closed,
        "activities": held,
        "resources_fen": fen,
    }


NO_ANSWER = dim(0, 0, (0, 0, 0, 0, 0), None)

# Services delivered in March (person-times), by person and station. A service is a home
# visit that met someone, a case contact (a progress note; one per case and day; not a
# correction), a named attendance, or a hand-out occasion (a person and a day):
#   R1: A: V1, Act1, Act2, HO1+HO7 (03-05), HO4 (03-31) (5); B: V9, Act5 (2) → 7
#   R2: A: V2, N1 (C2 03-06; its correction is none), Act1, HO2           → 4
#   R3: A: V6, N2+N3 (C3, both 03-12) (V5 nobody home)                      → 2
#   R4a: A: Act2, N4 (C4 03-31; its 02-28 note is outside) (V7 refused)     → 2
#   R4b: A: Act2                                                            → 1
#   R6: B: N5 (03-11), N6 (03-18), Act5, HO6 (V10 found the dwelling vacant) → 4
# Feedback sheets and cases with no contact in the period serve nobody.
# Groups on the day of each service: R1 dibao and disability throughout; R2 elderly_alone
# from 03-20 (V2 only); R3's dibao ended 02-28; R4a's group starts 04-01; R4b
# left_behind_child; R6 tekun until 03-11 (N5 only).
TOTALS: dict[str, Any] = {
    "headline": headline(20, 4, 1, 3, 3, 121_000),
    "residents_served": {
        "people": 6,  # R1 R2 R3 R4a R4b R6 (R5 tombstoned)
        "person_times": 20,  # 7 + 4 + 2 + 2 + 1 + 4
        "by_source": {
            "home_visit": sv(3, 4),  # V1 V9 (R1), V2 (R2), V6 (R3): at home only
            "case_contact": sv(4, 5),  # N1 (R2), N2+N3 (R3), N4 (R4a), N5 N6 (R6)
            "attendance": sv(5, 7),  # Act1 R1 R2, Act2 R1 R4a R4b, Act5 R1 R6
            "handout": sv(3, 4),  # 03-05 and 03-31 (R1), HO2 (R2), HO6 (R6)
        },
        "by_sex": {"male": sv(2, 9), "female": sv(3, 9), "unknown": sv(1, 2)},
        "by_age_band": {
            "0-13": sv(1, 2),  # R4a, 13 on 03-31 (14 on 04-01)
            "14-17": sv(1, 1),  # R4b, 14 on 03-31 exactly
            "18-59": sv(1, 4),  # R6
            "60-79": sv(1, 4),  # R2, 79 (80 on 04-01)
            "80+": sv(1, 7),  # R1, 80 on 03-31 exactly
            "unknown": sv(1, 2),  # R3
        },
        "by_priority_group": {  # R1's 7 count in two groups: 27 in all for 20 services
            "tekun": sv(1, 1),  # R6's N5 on 03-11, the membership's last day
            "dibao": sv(1, 7),  # R1 (R3's ended 02-28)
            "elderly_alone": sv(1, 1),  # R2's V2 on 03-31 (from 03-20)
            "left_behind_child": sv(1, 1),  # R4b (R4a's starts 04-01)
            "disability": sv(1, 7),  # R1 (R4a's is tombstoned)
            "none": sv(4, 10),  # R2 3 (before 03-20), R3 2, R4a 2, R6 3 (after 03-11)
        },
    },
    "home_visits": {
        "visits": 7,  # V1 V2 V5 V6 V7 V9 V10 (V3 V4 outside, V8 R5, V11 tombstoned)
        "households": 4,  # H1, R3 (own), H2, R6 (own)
        "by_outcome": {
            "at_home": vc(4, 2),  # V1 V2 V9 (H1), V6 (R3)
            "nobody_home": vc(1, 1),  # V5
            "vacant": vc(1, 1),  # V10
            "refused": vc(1, 1),  # V7
        },
    },
    "cases": {
        "opened": 1,  # C2 (C5 is R5's, C6 in April)
        "active": 5,  # C1 C4 C8 open at start, C2 opened, C3 reopened
        "closed": 3,  # C1 03-15, C4 03-03, C8 03-25
        "reopened": 2,  # C3 03-10, C4 03-20
        "open_at_start": 3,  # C1 C4 C8 (C3 was closed, C7 long closed)
        "open_at_end": 3,  # C2 C3 C4 (= 3 + 1 - 3 + 2)
        "closed_by_reason": {
            "goals_met": 1,  # C1
            "referred_out": 1,  # C8
            "client_withdrew": 0,  # C3's closing was in January
            "moved_away": 0,  # C4's reason went with its reopening
            "deceased": 0,
            "no_longer_eligible": 0,
            "lost_contact": 0,
            "other": 0,  # C7 closed in 2025
            "reopened_later": 1,  # C4
        },
    },
    "activities": {
        "total": ac(3, 54, 7, 47, 5),  # Act1 Act2 Act5; R1 R2 R4a R4b R6
        "group_work": ac(1, 4, 2, 2, 2),  # Act1: R1 R2 (+2), R5 not counted
        "community": ac(2, 50, 5, 45, 4),  # Act2 (3 + 40), Act5 (2 + 5)
        "by_kind": {
            "group_work": ac(1, 4, 2, 2, 2),
            "community_activity": ac(1, 43, 3, 40, 3),
            "policy_publicity": ac(0, 0, 0, 0, 0),  # Act3 in April
            "volunteer_service": ac(0, 0, 0, 0, 0),
            "training": ac(1, 7, 2, 5, 2),
        },
    },
    "satisfaction": {
        "sheets": 5,  # collected in March: F1 F2 F5 F6 F7 (F3 in April, F4 R5's)
        "anonymous": 2,  # F2 F5
        "by_dimension": {
            "attitude": dim(3, 2, (0, 0, 1, 1, 1), 4.0),  # F1 5, F2 3, F6 4
            "timeliness": dim(2, 3, (0, 0, 1, 1, 0), 3.5),  # F1 4, F7 3
            "professionalism": dim(1, 4, (0, 0, 0, 0, 1), 5.0),  # F1
            "effectiveness": dim(1, 4, (0, 0, 0, 1, 0), 4.0),  # F1
            "language": dim(1, 4, (0, 0, 0, 0, 1), 5.0),  # F1
            "overall": dim(4, 1, (0, 0, 1, 1, 2), 4.25),  # F1 5, F2 4, F6 3, F7 5
        },
    },
    "resources": {
        "received": {
            "receipts": 3,  # RC1 RC3 RC4 (RC2 in February)
            "value_fen": 121_000,  # 4 × 12,000 + 10 × 2,500 + 3 × 16,000
            "by_donor_type": {
                "government": rc(0, 0),  # RC2 in February
                "enterprise": rc(1, 48_000),
                "social_organization": rc(1, 48_000),
                "individual": rc(1, 25_000),
                "community": rc(0, 0),
                "other": rc(0, 0),
            },
        },
        "handed_out": {
            "handouts": 5,  # HO1 HO2 HO4 HO6 HO7 (HO3 R5's, HO5 in April)
            "occasions": 4,  # R1 03-05 (HO1 HO7) and 03-31, R2 03-06, R6 03-12
            "value_fen": 95_000,  # 12,000 + 50,000 + 5,000 + 16,000 + 12,000
            "recipients": 3,  # R1 R2 R6
            "by_item": [  # goods before cash (code-list order), then by item
                item("goods", "坐便椅", 2, 24_000),  # HO1 HO7
                item("goods", "夜灯", 2, 5_000),  # HO4
                item("goods", "棉被", 1, 16_000),  # HO6
                item("cash", "慰问金", 500, 50_000),  # HO2: 500 yuan, not 500 things
            ],
            "by_priority_group": {
                "tekun": ho(0, 0, 0, 0),  # R6's ended the day before HO6
                "dibao": ho(3, 2, 29_000, 1),  # HO1 HO4 HO7 (R1)
                "elderly_alone": ho(0, 0, 0, 0),  # R2's starts after HO2
                "left_behind_child": ho(0, 0, 0, 0),
                "disability": ho(3, 2, 29_000, 1),  # HO1 HO4 HO7 (R1)
                "none": ho(2, 2, 66_000, 2),  # HO2 (R2), HO6 (R6)
            },
        },
    },
}

STATION_A: dict[str, Any] = {
    "headline": headline(14, 3, 1, 2, 2, 73_000),
    "residents_served": {
        "people": 5,  # R1 R2 R3 R4a R4b
        "person_times": 14,  # 5 + 4 + 2 + 2 + 1
        "by_source": {
            "home_visit": sv(3, 3),  # V1 V2 V6
            "case_contact": sv(3, 3),  # N1, N2+N3, N4
            "attendance": sv(4, 5),  # Act1 R1 R2, Act2 R1 R4a R4b
            "handout": sv(2, 3),  # R1 03-05 and 03-31, R2 03-06
        },
        "by_sex": {"male": sv(2, 7), "female": sv(2, 5), "unknown": sv(1, 2)},
        "by_age_band": {
            "0-13": sv(1, 2),
            "14-17": sv(1, 1),
            "18-59": sv(0, 0),
            "60-79": sv(1, 4),
            "80+": sv(1, 5),
            "unknown": sv(1, 2),
        },
        "by_priority_group": {
            "tekun": sv(0, 0),
            "dibao": sv(1, 5),
            "elderly_alone": sv(1, 1),
            "left_behind_child": sv(1, 1),
            "disability": sv(1, 5),
            "none": sv(3, 7),  # R2 3, R3 2, R4a 2
        },
    },
    "home_visits": {
        "visits": 5,  # V1 V2 V5 V6 V7
        "households": 3,  # H1, R3, H2
        "by_outcome": {
            "at_home": vc(3, 2),
            "nobody_home": vc(1, 1),
            "vacant": vc(0, 0),
            "refused": vc(1, 1),
        },
    },
    "cases": {
        "opened": 1,
        "active": 4,
        "closed": 2,
        "reopened": 2,
        "open_at_start": 2,  # C1 C4
        "open_at_end": 3,  # C2 C3 C4 (= 2 + 1 - 2 + 2)
        "closed_by_reason": {
            "goals_met": 1,
            "referred_out": 0,
            "client_withdrew": 0,
            "moved_away": 0,
            "deceased": 0,
            "no_longer_eligible": 0,
            "lost_contact": 0,
            "other": 0,
            "reopened_later": 1,
        },
    },
    "activities": {
        "total": ac(2, 47, 5, 42, 4),
        "group_work": ac(1, 4, 2, 2, 2),
        "community": ac(1, 43, 3, 40, 3),
        "by_kind": {
            "group_work": ac(1, 4, 2, 2, 2),
            "community_activity": ac(1, 43, 3, 40, 3),
            "policy_publicity": ac(0, 0, 0, 0, 0),
            "volunteer_service": ac(0, 0, 0, 0, 0),
            "training": ac(0, 0, 0, 0, 0),
        },
    },
    "satisfaction": {
        "sheets": 4,  # F1 F2 F5 F7
        "anonymous": 2,
        "by_dimension": {
            "attitude": dim(2, 2, (0, 0, 1, 0, 1), 4.0),  # F1 5, F2 3
            "timeliness": dim(2, 2, (0, 0, 1, 1, 0), 3.5),
            "professionalism": dim(1, 3, (0, 0, 0, 0, 1), 5.0),
            "effectiveness": dim(1, 3, (0, 0, 0, 1, 0), 4.0),
            "language": dim(1, 3, (0, 0, 0, 0, 1), 5.0),
            "overall": dim(3, 1, (0, 0, 0, 1, 2), 4.67),  # 14 / 3 = 4.666…
        },
    },
    "resources": {
        "received": {
            "receipts": 2,
            "value_fen": 73_000,
            "by_donor_type": {
                "government": rc(0, 0),
                "enterprise": rc(1, 48_000),
                "social_organization": rc(0, 0),
                "individual": rc(1, 25_000),
                "community": rc(0, 0),
                "other": rc(0, 0),
            },
        },
        "handed_out": {
            "handouts": 4,
            "occasions": 3,
            "value_fen": 79_000,
            "recipients": 2,
            "by_item": [
                item("goods", "坐便椅", 2, 24_000),
                item("goods", "夜灯", 2, 5_000),
                item("cash", "慰问金", 500, 50_000),
            ],
            "by_priority_group": {
                "tekun": ho(0, 0, 0, 0),
                "dibao": ho(3, 2, 29_000, 1),
                "elderly_alone": ho(0, 0, 0, 0),
                "left_behind_child": ho(0, 0, 0, 0),
                "disability": ho(3, 2, 29_000, 1),
                "none": ho(1, 1, 50_000, 1),
            },
        },
    },
}

STATION_B: dict[str, Any] = {
    "headline": headline(6, 2, 0, 1, 1, 48_000),
    "residents_served": {
        "people": 2,  # R1 (A's resident, visited by B) and R6: 5 + 2 > 6 in total
        "person_times": 6,
        "by_source": {
            "home_visit": sv(1, 1),  # V9
            "case_contact": sv(1, 2),  # N5 N6
            "attendance": sv(2, 2),  # Act5
            "handout": sv(1, 1),  # HO6
        },
        "by_sex": {"male": sv(1, 2), "female": sv(1, 4), "unknown": sv(0, 0)},
        "by_age_band": {
            "0-13": sv(0, 0),
            "14-17": sv(0, 0),
            "18-59": sv(1, 4),
            "60-79": sv(0, 0),
            "80+": sv(1, 2),
            "unknown": sv(0, 0),
        },
        "by_priority_group": {
            "tekun": sv(1, 1),
            "dibao": sv(1, 2),
            "elderly_alone": sv(0, 0),
            "left_behind_child": sv(0, 0),
            "disability": sv(1, 2),
            "none": sv(1, 3),
        },
    },
    "home_visits": {
        "visits": 2,
        "households": 2,  # H1 (also visited by A: 3 + 2 > 4 in total), R6
        "by_outcome": {
            "at_home": vc(1, 1),
            "nobody_home": vc(0, 0),
            "vacant": vc(1, 1),
            "refused": vc(0, 0),
        },
    },
    "cases": {
        "opened": 0,
        "active": 1,
        "closed": 1,
        "reopened": 0,
        "open_at_start": 1,
        "open_at_end": 0,
        "closed_by_reason": {
            "goals_met": 0,
            "referred_out": 1,
            "client_withdrew": 0,
            "moved_away": 0,
            "deceased": 0,
            "no_longer_eligible": 0,
            "lost_contact": 0,
            "other": 0,
            "reopened_later": 0,
        },
    },
    "activities": {
        "total": ac(1, 7, 2, 5, 2),
        "group_work": ac(0, 0, 0, 0, 0),
        "community": ac(1, 7, 2, 5, 2),
        "by_kind": {
            "group_work": ac(0, 0, 0, 0, 0),
            "community_activity": ac(0, 0, 0, 0, 0),
            "policy_publicity": ac(0, 0, 0, 0, 0),
            "volunteer_service": ac(0, 0, 0, 0, 0),
            "training": ac(1, 7, 2, 5, 2),
        },
    },
    "satisfaction": {
        "sheets": 1,
        "anonymous": 0,
        "by_dimension": {
            "attitude": dim(1, 0, (0, 0, 0, 1, 0), 4.0),
            "timeliness": dim(0, 1, (0, 0, 0, 0, 0), None),
            "professionalism": dim(0, 1, (0, 0, 0, 0, 0), None),
            "effectiveness": dim(0, 1, (0, 0, 0, 0, 0), None),
            "language": dim(0, 1, (0, 0, 0, 0, 0), None),
            "overall": dim(1, 0, (0, 0, 1, 0, 0), 3.0),
        },
    },
    "resources": {
        "received": {
            "receipts": 1,
            "value_fen": 48_000,
            "by_donor_type": {
                "government": rc(0, 0),
                "enterprise": rc(0, 0),
                "social_organization": rc(1, 48_000),
                "individual": rc(0, 0),
                "community": rc(0, 0),
                "other": rc(0, 0),
            },
        },
        "handed_out": {
            "handouts": 1,
            "occasions": 1,
            "value_fen": 16_000,
            "recipients": 1,
            "by_item": [item("goods", "棉被", 1, 16_000)],
            "by_priority_group": {
                "tekun": ho(0, 0, 0, 0),
                "dibao": ho(0, 0, 0, 0),
                "elderly_alone": ho(0, 0, 0, 0),
                "left_behind_child": ho(0, 0, 0, 0),
                "disability": ho(0, 0, 0, 0),
                "none": ho(1, 1, 16_000, 1),
            },
        },
    },
}


# ---------------------------------------------------------------- tests


def test_every_figure_of_a_known_data_set(app: Application, people: People) -> None:
    report = ReportService(app.ctx).compute(MARCH)
    data = report.to_json()
    assert data["format_version"] == 2
    assert data["period"] == {"start": "2026-03-01", "end": "2026-03-31", "days": 31}
    assert data["stations"] == [A, B]
    assert data["headline"] == TOTALS["headline"]
    assert data["totals"] == TOTALS
    assert list(data["by_station"]) == [A, B]
    assert data["by_station"][A] == STATION_A
    assert data["by_station"][B] == STATION_B


def test_the_objects_carry_the_same_figures(app: Application, people: People) -> None:
    report = ReportService(app.ctx).compute(MARCH)
    cases = report.totals.cases
    assert (cases.opened, cases.closed, cases.reopened) == (1, 3, 2)
    # The flow adds up: open at the end = open at the start + opened - closed + reopened.
    for figures in (report.totals, *report.by_station.values()):
        c = figures.cases
        assert c.open_at_end == c.open_at_start + c.opened - c.closed + c.reopened
    assert report.totals.residents_served.by_priority_group["dibao"].people == 1
    assert report.by_station[B].satisfaction.by_dimension["language"].mean is None
    assert report.totals.resources.handed_out.value_fen == 95_000


def test_chosen_stations_only(app: Application, people: People) -> None:
    service = ReportService(app.ctx)
    only_b = service.compute(MARCH, ["cg-gd"])  # codes are matched as the station list does
    data = only_b.to_json()
    assert data["stations"] == [B]
    assert data["totals"] == STATION_B
    assert data["by_station"] == {B: STATION_B}
    both = service.compute(MARCH, [B, A, B]).to_json()
    assert both["stations"] == [A, B] and both["totals"] == TOTALS


def test_unknown_stations_are_refused(app: Application, people: People) -> None:
    service = ReportService(app.ctx)
    with pytest.raises(NotFound) as caught:
        service.compute(MARCH, [A, "NOPE-1"])
    assert caught.value.params == {"kind": Label(N_("station")), "record_id": "NOPE-1"}
    assert "station NOPE-1" in caught.value.english()
    with pytest.raises(ValueError, match="at least one station"):
        service.compute(MARCH, [])
    with pytest.raises(TypeError):
        service.compute(MARCH, A)  # a bare string is not a list of codes


def test_a_period_without_records_has_every_key_at_zero(app: Application, people: People) -> None:
    report = ReportService(app.ctx).compute(ReportPeriod(date(2020, 1, 1), date(2020, 1, 1)))
    data = report.to_json()
    assert data["period"]["days"] == 1

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return type(value).__name__

    assert shape(data["totals"]) == shape(TOTALS) | {
        "satisfaction": shape(TOTALS["satisfaction"])
        | {
            "by_dimension": {
                d: shape(NO_ANSWER) | {"mean": "NoneType"}
                for d in TOTALS["satisfaction"]["by_dimension"]
            }
        }
    }

    def numbers(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):  # things handed out: none at all
            return [n for v in value for n in numbers(v)]
        return [value]

    assert data["totals"]["resources"]["handed_out"]["by_item"] == []

    assert set(numbers(data["totals"])) == {0, None}


def test_json_is_plain_and_stable(app: Application, people: People) -> None:
    data = ReportService(app.ctx).compute(MARCH).to_json()
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    assert json.loads(text) == data
    assert list(data) == [
        "format_version",
        "period",
        "stations",
        "headline",
        "totals",
        "by_station",
        "data_received_until",
    ]
    # How far each station's data has arrived: here, the changes made for the test.
    assert set(data["data_received_until"]) == set(data["stations"])
    assert all(when is not None for when in data["data_received_until"].values())
    assert list(data["totals"]) == [
        "headline",
        "residents_served",
        "home_visits",
        "cases",
        "activities",
        "satisfaction",
        "resources",
    ]
    assert isinstance(data["totals"]["resources"]["received"]["value_fen"], int)


def test_periods_take_dates_in_order() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        ReportPeriod(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(TypeError):
        ReportPeriod(datetime(2026, 3, 1), date(2026, 3, 2))
    assert ReportPeriod(date(2024, 1, 1), date(2024, 12, 31)).days == 366


def _band_by_age(birth: date, day: date) -> str:
    age = age_on(birth, day)
    return next((name for name, least in AGE_BANDS if age >= least), YOUNGEST_BAND)


def _band_by_cutoff(birth: date, day: date) -> str:
    return next(
        (name for name, least in AGE_BANDS if birth <= years_before(day, least)), YOUNGEST_BAND
    )


@given(
    st.dates(date(1900, 1, 1), date(2030, 12, 31)),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)),
)
def test_age_bands_in_sql_agree_with_age_on(birth: date, day: date) -> None:
    # The SQL compares birth dates with cut-off dates; residents.age_on is the definition.
    assert _band_by_cutoff(birth, day) == _band_by_age(birth, day)


@pytest.mark.parametrize(
    ("birth", "day"),
    [
        (date(2012, 2, 29), date(2026, 2, 28)),  # 29 February birthdays
        (date(2012, 2, 29), date(2026, 3, 1)),
        (date(1946, 2, 28), date(2026, 2, 28)),
        (date(1946, 3, 1), date(2028, 2, 29)),  # a period ending on 29 February
        (date(1948, 2, 29), date(2028, 2, 29)),
        (date(2014, 2, 28), date(2028, 2, 29)),
    ],
)
def test_age_bands_around_29_february(birth: date, day: date) -> None:
    assert _band_by_cutoff(birth, day) == _band_by_age(birth, day)
    assert years_before(date(2028, 2, 29), 14) == date(2014, 2, 28)
    assert years_before(date(2026, 2, 28), 14) == date(2012, 2, 29)


def test_a_29_february_birthday_falls_on_28_february() -> None:
    # As docs/report-figures.md says (and the Civil Code's month-end rule, art. 202).
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 27)) == 17
    assert age_on(born, date(2026, 2, 28)) == 18
    assert age_on(born, date(2026, 3, 1)) == 18
    assert age_on(born, date(2028, 2, 28)) == 19  # a leap year: the birthday is the 29th
    assert age_on(born, date(2028, 2, 29)) == 20


def test_means_have_two_decimals_rounded_half_up() -> None:
    assert satisfaction_mean({4: 7, 5: 1}) == 4.13  # 33 / 8 = 4.125
    assert satisfaction_mean({4: 2, 5: 1}) == 4.33
    assert satisfaction_mean({1: 1, 2: 1}) == 1.5
    assert satisfaction_mean({}) is None
    assert satisfaction_mean({3: 0}) is None


def test_a_report_reads_only(app: Application, people: People) -> None:
    before = app.listing.counts()
    ReportService(app.ctx).compute(MARCH)
    ReportService(app.ctx).compute(ReportPeriod(MARCH.start - timedelta(days=400), MARCH.end))
    assert app.listing.counts() == before


# ---------------------------------------------------------------- priority groups, any overlap

GROUP_BASE = date(2026, 1, 1)
GROUP_PERIOD = ReportPeriod(GROUP_BASE + timedelta(days=10), GROUP_BASE + timedelta(days=50))
memberships = st.lists(
    st.tuples(
        st.sampled_from(["dibao", "disability"]),
        st.integers(0, 70),  # start, days after GROUP_BASE
        st.one_of(st.none(), st.integers(0, 40)),  # length in days; None: still open
        st.booleans(),  # tombstoned
    ),
    max_size=5,
)
event_days = st.lists(st.integers(0, 60), max_size=4)


@settings(max_examples=30)  # each example records a resident's year: keep the file quick
@given(memberships=memberships, visit_days=event_days, handout_days=event_days)
def test_services_count_once_in_each_group_of_their_day(
    app: Application,
    station: StationSetup,
    memberships: list[tuple[str, int, int | None, bool]],
    visit_days: list[int],
    handout_days: list[int],
) -> None:
    """A new resident's services and hand-outs, with memberships that overlap, repeat,
    end, stay open or were withdrawn: the report's groups grow by what a hand count of
    the definition gives (each service once in each group its person was in that day)."""
    service = ReportService(app.ctx)
    if B not in {s.code for s in app.stations.stations()}:
        # A second station, so that the report of the first alone is one of some stations.
        app.stations.add_station(StationInfo(B, StationKind.STREET_OFFICE, "", "公德林街道"))

    def groups_now() -> tuple[dict[str, Any], dict[str, Any]]:
        every = service.compute(GROUP_PERIOD).to_json()["totals"]
        alone = service.compute(GROUP_PERIOD, [A]).to_json()["totals"]
        assert alone == every  # B has no records
        served = every["residents_served"]["by_priority_group"]
        return served, every["resources"]["handed_out"]["by_priority_group"]

    served_before, handed_before = groups_now()
    person = _register(app, "辛")
    live: list[tuple[str, date, date | None]] = []
    for group, start, length, withdrawn in memberships:
        first = GROUP_BASE + timedelta(days=start)
        last = None if length is None else first + timedelta(days=length)
        values: dict[str, object] = {"group": group, "start_date": first.isoformat()}
        if last is not None:
            values["end_date"] = last.isoformat()
        membership = app.residents.add_membership(person, values)
        if withdrawn:
            _tombstone(app, GroupMembership, membership)
        else:
            live.append((group, first, last))

    def on(days: int) -> str:
        return (GROUP_BASE + timedelta(days=days)).isoformat()

    for day in visit_days:
        _visit(app, person, on(day), "at_home", station.worker_id)
    receipt = _receipt(app, on(0), "individual", "夜灯", 100, "2")
    for day in handout_days:
        _handout(app, person, on(day), receipt, "夜灯", 1, "2")
    served_after, handed_after = groups_now()

    def groups_on(day: date) -> set[str]:
        held = {g for g, first, last in live if first <= day and (last is None or day <= last)}
        return held or {"none"}

    def in_period(days: list[int]) -> list[date]:
        shifted = [GROUP_BASE + timedelta(days=d) for d in days]
        return [d for d in shifted if GROUP_PERIOD.start <= d <= GROUP_PERIOD.end]

    times: dict[str, int] = {}
    lines: dict[str, int] = {}
    occasions: dict[str, set[date]] = {}
    services = in_period(visit_days) + sorted(set(in_period(handout_days)))  # occasions
    for day in services:
        for group in groups_on(day):
            times[group] = times.get(group, 0) + 1
    for day in in_period(handout_days):
        for group in groups_on(day):
            lines[group] = lines.get(group, 0) + 1
            occasions.setdefault(group, set()).add(day)
    for group in served_after:
        grown = {k: served_after[group][k] - served_before[group][k] for k in served_after[group]}
        expected = times.get(group, 0)
        assert grown == {"people": int(expected > 0), "person_times": expected}, group
    for group in handed_after:
        grown = {k: handed_after[group][k] - handed_before[group][k] for k in handed_after[group]}
        n = lines.get(group, 0)
        assert grown == {
            "handouts": n,
            "occasions": len(occasions.get(group, set())),
            "value_fen": 200 * n,
            "recipients": int(n > 0),
        }, group
