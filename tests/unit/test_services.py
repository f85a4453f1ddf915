"""Domain rules enforced by the services, reported per field, never as crashes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole
from station_desktop.domain.ids import attendance_id
from station_desktop.errors import (
    BadTransition,
    NotPermitted,
    StationNotConfigured,
    ValidationError,
)
from station_desktop.services.access import Actor
from tests.conftest import FakeClock, StationSetup

pytestmark = pytest.mark.both_engines


def _fields(error: ValidationError) -> set[str]:
    return {e.field for e in error.errors}


def _register(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"name_zh": "扎西", "legal_basis": "statutory_duty", **values})


def test_writes_need_a_configured_station(app: Application, database: str | None) -> None:
    if database is None:  # a laptop's file: set up a station first
        with pytest.raises(StationNotConfigured):
            _register(app)
    else:  # the bureau's server opened by a laptop of no station: the bureau, which
        with pytest.raises(NotPermitted, match="Bureau administrator"):  # writes none
            _register(app)


def test_all_field_errors_come_back_together(app: Application, station: StationSetup) -> None:
    with pytest.raises(ValidationError) as caught:
        app.residents.register(
            {
                "name_bo": "",
                "name_zh": "",
                "sex": "unknown",
                "birth_date": "2026-13-01",
                "phone": "12345",
                "notes": "x" * 20_001,
            }
        )
    assert _fields(caught.value) == {
        "name_bo",
        "sex",
        "birth_date",
        "phone",
        "notes",
        "legal_basis",
    }
    too_long = caught.value.for_field("notes")[0]
    assert too_long.params == {"limit": 20_000, "length": 20_001}


def test_id_number_must_agree_with_birth_date_and_sex(
    app: Application, station: StationSetup
) -> None:
    with pytest.raises(ValidationError) as caught:
        _register(app, id_number="11010519491231002X", birth_date="1949-12-30", sex="male")
    assert _fields(caught.value) == {"birth_date", "sex"}
    resident = _register(
        app, id_number="１１０１０５１９４９１２３１００２ｘ", birth_date="1949-12-31", sex="female"
    )
    # Stored whole (normalised); shown masked, revealed only on purpose (services.access).
    assert app.residents.reveal_id_number(resident) == "11010519491231002X"
    stored = app.residents.get(resident)
    assert stored is not None and stored.id_number == "110105********002X"


def test_an_id_number_is_registered_once(app: Application, station: StationSetup) -> None:
    _register(app, id_number="11010519491231002X")
    with pytest.raises(ValidationError) as caught:
        _register(app, id_number="11010519491231002X", name_zh="另一人")
    assert _fields(caught.value) == {"id_number"}


def test_children_under_14_need_a_guardian(app: Application, station: StationSetup) -> None:
    # The fixture's today is 2026-06-01 in Lhasa: born 2012-06-02 is still 13.
    with pytest.raises(ValidationError) as caught:
        _register(app, birth_date="2012-06-02", legal_basis="consent")
    assert _fields(caught.value) == {"guardian_name", "legal_basis"}
    _register(app, birth_date="2012-06-01", legal_basis="consent", consent_on="2026-05-30")
    _register(
        app,
        birth_date="2012-06-02",
        legal_basis="guardian_consent",
        consent_on="2026-05-30",
        guardian_name="父亲",
    )


def test_a_consent_is_recorded_with_the_day_and_who_gave_it(
    app: Application, station: StationSetup
) -> None:
    """A child under 14 (in Lhasa's calendar) is registered on the guardian's consent,
    with the guardian named and the day it was given: each missing piece is refused on
    its own field, with a message that says what to do."""
    with pytest.raises(ValidationError) as caught:
        _register(app, birth_date="2015-01-01", legal_basis="guardian_consent")
    errors = {e.field: e.english() for e in caught.value.errors}
    assert set(errors) == {"guardian_name"} and "under 14" in errors["guardian_name"]
    with pytest.raises(ValidationError) as caught:
        _register(
            app,
            birth_date="2015-01-01",
            legal_basis="consent",
            guardian_name="母亲",
            consent_on="2026-05-01",
        )
    assert {e.field: e.english() for e in caught.value.errors} == {
        "legal_basis": "For a child under 14 the basis must be the guardian's consent or a duty."
    }
    with pytest.raises(ValidationError) as caught:
        _register(
            app,
            birth_date="2015-01-01",
            legal_basis="guardian_consent",
            guardian_name="母亲",
            consent_on="2014-05-01",
        )
    assert _fields(caught.value) == {"consent_on"}  # before the birth
    with pytest.raises(ValidationError) as caught:  # an adult's guardian, unnamed
        _register(
            app, birth_date="1950-01-01", legal_basis="guardian_consent", consent_on="2026-05-01"
        )
    assert _fields(caught.value) == {"guardian_name"}
    today = _register(
        app, birth_date="2015-01-01", legal_basis="guardian_consent", guardian_name="母亲"
    )
    assert (stored := app.residents.get(today)) is not None
    assert stored.consent_on == app.ctx.today()  # left empty: recorded as given today
    child = _register(
        app,
        birth_date="2015-01-01",
        legal_basis="guardian_consent",
        guardian_name="母亲",
        consent_on="2026-05-01",
    )
    stored = app.residents.get(child)
    assert stored is not None and stored.consent_on == date(2026, 5, 1)
    # A statutory duty needs no consent, but the child's guardian is still named.
    with pytest.raises(ValidationError) as caught:
        _register(app, birth_date="2015-01-01", legal_basis="statutory_duty")
    assert _fields(caught.value) == {"guardian_name"}


def test_rare_and_private_use_characters_are_stored(
    app: Application, station: StationSetup
) -> None:
    name = "𠀋䶮堃\ue000"
    resident = _register(app, name_zh=name)
    stored = app.residents.get(resident)
    assert stored is not None and stored.name_zh == name
    assert [r.id for r in app.residents.search("䶮")] == [resident]


def test_memberships_have_periods(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    with pytest.raises(ValidationError) as caught:
        app.residents.add_membership(
            resident, {"group": "dibao", "start_date": "2025-01-01", "end_date": "2024-01-01"}
        )
    assert _fields(caught.value) == {"end_date"}
    with pytest.raises(ValidationError) as caught:  # like every event date: not in the future
        app.residents.add_membership(resident, {"group": "dibao", "start_date": "2026-06-02"})
    assert _fields(caught.value) == {"start_date"}
    app.residents.add_membership(resident, {"group": "dibao", "start_date": "2024-01-01"})
    app.residents.add_membership(resident, {"group": "disability", "start_date": "2026-06-01"})
    assert sorted(m.group for m in app.residents.memberships(resident)) == ["dibao", "disability"]


def test_ending_a_membership_takes_typed_dates(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    membership = app.residents.add_membership(
        resident, {"group": "dibao", "start_date": "2024-01-01"}
    )
    for typed in ("yesterday", "2023-12-31", ""):
        with pytest.raises(ValidationError) as caught:
            app.residents.end_membership(membership, typed)
        assert _fields(caught.value) == {"end_date"}
    app.residents.end_membership(membership, "2025年3月31日")
    [stored] = app.residents.memberships(resident)
    assert stored.end_date == date(2025, 3, 31)


def test_a_reviewed_membership_moves_its_review_on(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    kept = app.residents.add_membership(
        resident, {"group": "dibao", "start_date": "2024-01-01", "review_on": "2026-05-01"}
    )
    ended = app.residents.add_membership(
        resident, {"group": "disability", "start_date": "2024-01-01", "end_date": "2025-01-01"}
    )
    with pytest.raises(ValidationError) as caught:
        app.residents.review_membership(kept, {"review_on": "2026-06-01"})  # today
    assert _fields(caught.value) == {"review_on"}
    with pytest.raises(ValidationError):
        app.residents.review_membership(ended, {"review_on": "2027-01-01"})
    app.residents.review_membership(kept, {"review_on": "2027-05-01"})
    [stored] = [m for m in app.residents.memberships(resident) if m.id == kept]
    assert stored.review_on is not None and stored.review_on.isoformat() == "2027-05-01"


def test_visit_rules(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    base = {
        "resident_id": resident,
        "visitor_ids": [station.worker_id],
        "outcome": "at_home",
        "purpose": "routine",
    }
    with pytest.raises(ValidationError) as caught:
        app.visits.record({**base, "visit_date": "2026-06-02", "next_visit_on": "2026-06-01"})
    assert _fields(caught.value) == {"visit_date", "next_visit_on"}
    with pytest.raises(ValidationError) as caught:
        app.visits.record({**base, "visit_date": "2026-05-02", "visitor_ids": [uuid.uuid4()]})
    assert _fields(caught.value) == {"visitor_ids"}
    app.visits.record({**base, "visit_date": "2026-05-02", "outcome": "nobody_home"})


def test_feedback_can_be_anonymous_but_not_empty(app: Application, station: StationSetup) -> None:
    sheet = {
        "service_area": "elderly_care",
        "service_date": "2026-05-01",
        "collected_on": "2026-05-02",
    }
    with pytest.raises(ValidationError) as caught:
        app.feedback.record(sheet)
    assert _fields(caught.value) == {"rating_overall"}
    with pytest.raises(ValidationError) as caught:
        app.feedback.record({**sheet, "rating_overall": "6"})
    assert _fields(caught.value) == {"rating_overall"}
    app.feedback.record({**sheet, "comments": "ཐུགས་རྗེ་ཆེ།"})
    rows = app.listing.records("feedback")
    assert rows[0]["anonymous"] is True and rows[0]["ratings"] == {}


def test_case_work_follows_the_standard(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-03-01",
            "source": "self",
            "presenting_problem": "生活困难",
        }
    )
    with pytest.raises(BadTransition):
        app.cases.move_stage(case, "intervention", "2026-03-02")  # skips assessment and plan
    for stage, day in [("assessment", 2), ("planning", 3), ("intervention", 4), ("evaluation", 5)]:
        app.cases.move_stage(case, stage, f"2026-03-0{day}")
    app.cases.move_stage(case, "intervention", "2026-03-06")  # evaluation sends it back
    with pytest.raises(ValidationError) as caught:
        app.cases.move_stage(case, "closed", "2026-03-07")
    assert _fields(caught.value) == {"closing_reason"}
    with pytest.raises(ValidationError) as caught:
        app.cases.move_stage(case, "closed", "2026-03-07", closing_reason="referred_out")
    assert _fields(caught.value) == {"closing_reason"}  # referred where?
    app.cases.update(case, {"referral_to": "拉萨市残联", "referral_on": "2026-03-07"})
    app.cases.move_stage(case, "closed", "2026-03-07", closing_reason="referred_out")
    closed = app.cases.get(case)
    assert closed is not None
    assert (closed.stage, closed.closing_reason, str(closed.closed_on)) == (
        "closed",
        "referred_out",
        "2026-03-07",
    )
    app.cases.move_stage(case, "assessment", "2026-04-01", note="复发")
    reopened = app.cases.get(case)
    assert reopened is not None
    assert (reopened.stage, reopened.closed_on, reopened.reopen_count) == ("assessment", None, 1)
    history = [(h.from_stage, h.to_stage) for h in app.cases.stage_history(case)]
    assert history[0] == (None, "intake") and history[-1] == ("closed", "assessment")
    assert len(history) == 8


def test_case_numbers_are_unique_per_station_and_year(
    app: Application, station: StationSetup
) -> None:
    resident = _register(app)
    numbers = []
    for opened in ("2025-12-31", "2026-01-01", "2026-01-02"):
        case = app.cases.open(
            {
                "resident_id": resident,
                "opened_on": opened,
                "source": "self",
                "presenting_problem": "x",
            }
        )
        got = app.cases.get(case)
        assert got is not None
        numbers.append(got.case_number)
    year_2025, first_2026, second_2026 = numbers
    assert year_2025.startswith("2025-") and year_2025.endswith("-001")
    assert first_2026.endswith("-001") and second_2026.endswith("-002")


def test_progress_notes_are_append_only(app: Application, station: StationSetup) -> None:
    resident = _register(app)
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-03-01",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    first = app.cases.add_note(case, "2026-03-02", "第一次记录")
    app.cases.add_note(case, "2026-03-03", "更正：应为第二次家访", corrects_id=first)
    with pytest.raises(ValidationError):
        app.cases.add_note(case, "2026-02-01", "开案之前")
    notes = app.cases.notes(case)
    assert [n.body for n in notes] == ["第一次记录", "更正：应为第二次家访"]
    assert notes[1].corrects_id == first
    assert not hasattr(app.cases, "edit_note")


def test_attendance_is_a_set(app: Application, station: StationSetup, clock: FakeClock) -> None:
    a, b = _register(app, name_zh="甲"), _register(app, name_zh="乙")
    activity = app.activities.record(
        {
            "kind": "community_activity",
            "title": "藏历新年活动",
            "held_on": "2026-02-18",
            "headcount_other": 40,
        },
        [a, a],
    )
    clock.advance(minutes=5)
    assert app.activities.add_attendees(activity, [a, b]) == 1
    row = app.listing.records("activities")[0]
    assert (row["named_attendance"], row["total_attendance"]) == (2, 42)
    assert attendance_id(activity, a) == attendance_id(activity, a)
    assert [p.name_zh for p in app.activities.attendees(activity)] == ["甲", "乙"]
    # Signed in by mistake: taken off, and counted no more; signing in again brings it back.
    assert app.activities.remove_attendee(activity, b)
    assert not app.activities.remove_attendee(activity, b)
    assert [p.name_zh for p in app.activities.attendees(activity)] == ["甲"]
    assert app.listing.records("activities")[0]["named_attendance"] == 1
    assert app.activities.add_attendees(activity, [b]) == 1
    assert {p.resident_id for p in app.activities.attendees(activity)} == {a, b}


def test_hand_outs_cannot_exceed_the_donation(app: Application, station: StationSetup) -> None:
    resident = _register(app)
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
    handout = {
        "resident_id": resident,
        "handed_on": "2026-05-02",
        "receipt_id": receipt,
        "kind": "goods",
        "item": "坐便椅",
        "quantity": 2,
        "unit_value": "120",
    }
    app.resources.record_handout(handout)
    assert [r.id for r in app.resources.receipts("爱心")] == [receipt]
    assert [r.id for r in app.resources.receipts("坐便")] == [receipt]
    assert app.resources.receipts("轮椅") == []
    with pytest.raises(ValidationError) as caught:
        app.resources.record_handout({**handout, "quantity": 1})
    assert caught.value.for_field("quantity")[0].params == {"left": 0}
    with pytest.raises(ValidationError) as caught:
        app.resources.record_receipt(
            {
                **{k: v for k, v in handout.items() if k in {"kind", "item"}},
                "received_on": "2026-05-01",
                "donor_name": "x",
                "donor_type": "enterprise",
                "quantity": 1,
                "unit_value": "1.234",
            }
        )
    assert _fields(caught.value) == {"unit_value"}


def test_registration_takes_the_priority_groups_and_can_start_a_household(
    app: Application, station: StationSetup
) -> None:
    from station_desktop.forms.resident import NEW_HOUSEHOLD

    dawa = _register(
        app,
        name_zh="达瓦",
        area_id=str(station.area_id),
        address="冲赛康社区3巷12号",
        household_id=NEW_HOUSEHOLD,
        priority_groups=["dibao", "elderly_alone"],
        groups_since="2025-03-01",
    )
    memberships = app.residents.memberships(dawa)
    assert sorted((m.group, m.start_date.isoformat()) for m in memberships) == [
        ("dibao", "2025-03-01"),
        ("elderly_alone", "2025-03-01"),
    ]
    resident = app.residents.get(dawa)
    assert resident is not None and resident.household_id is not None
    assert resident.household_relation == "head"
    # The household is found by its head's name in any script, or by its address.
    for text in ("达瓦", "dawa", "3巷12"):
        [found] = app.residents.households(text)
        assert found.id == resident.household_id and found.head_name_zh == "达瓦"
    # A member joins it; groups given without a date start today.
    pema = _register(
        app, name_zh="白玛", household_id=str(resident.household_id), priority_groups=["tekun"]
    )
    assert [m.start_date.isoformat() for m in app.residents.memberships(pema)] == ["2026-06-01"]


def test_a_registration_refused_writes_no_household_and_no_membership(
    app: Application, station: StationSetup
) -> None:
    from station_desktop.forms.resident import NEW_HOUSEHOLD

    with pytest.raises(ValidationError) as caught:
        _register(
            app,
            name_zh="",
            household_id=NEW_HOUSEHOLD,
            priority_groups=["dibao", "nonsense"],
            groups_since="2030-01-01",
        )
    assert _fields(caught.value) >= {"name_bo", "priority_groups", "groups_since"}
    from sqlalchemy import func, select

    from station_desktop.store.models import GroupMembership, Household

    with app.ctx.db.read() as session:
        for model in (Household, GroupMembership):
            assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    assert app.listing.counts()["residents"] == 0


def test_case_references_are_unique_across_stations(
    app: Application, station: StationSetup
) -> None:
    """One laptop (one device tag) numbers cases for two stations, as a demo laptop does:
    the stored numbers repeat, the references shown and printed never do."""

    def open_case() -> None:
        app.cases.open(
            {
                "resident_id": _register(app),
                "opened_on": "2026-05-01",
                "source": "self",
                "presenting_problem": "x",
            }
        )

    open_case()
    app.stations.use_station("540102012")
    open_case()
    app.ctx.actor = Actor(uuid.uuid4(), StaffRole.BUREAU_ADMIN, None)  # sees both stations
    rows = app.listing.records("cases")
    assert len({row["case_number"] for row in rows}) == 1  # the same number at each station
    references = sorted(row["case_reference"] for row in rows)
    number = rows[0]["case_number"]
    assert references == [f"540102012-{number}", f"CG-BK-{number}"]
