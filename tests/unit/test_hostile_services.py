"""The services against what a hostile tester (or a confused script) hands them: every bad
value is a ValidationError on its field, nothing is written, and nothing else escapes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_desktop.app import Application
from station_desktop.domain.codes import AreaKind, StaffRole, StationKind
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.case import CASE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import RESIDENT_FORM
from station_desktop.forms.resources import RECEIPT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.validate import parse_money_fen
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.services.followups import FollowUpService
from station_desktop.services.stations import StationInfo
from tests.conftest import StationSetup

LONE_SURROGATE = "扎西\udc80"
MILLION = "ཀ" * 1_000_000


def _fields(error: ValidationError) -> set[str]:
    return {e.field for e in error.errors}


def _changes(app: Application) -> int:
    from sqlalchemy import func, select

    from station_desktop.store.models import ChangeLogEntry

    with app.ctx.db.read() as session:
        return int(session.execute(select(func.count()).select_from(ChangeLogEntry)).scalar_one())


def _refused(app: Application, action: Callable[[], object], *fields: str) -> None:
    before = _changes(app)
    with pytest.raises(ValidationError) as caught:
        action()
    assert set(fields) <= _fields(caught.value), caught.value.english()
    assert _changes(app) == before


# ---------------------------------------------------------------- money

MONEY = ["1e400", "9" * 30, "1e-400", "-1", "NaN", "sNaN", "Infinity", "1.001", "¥", "1.2.3"]


@pytest.mark.parametrize("typed", MONEY)
def test_money_that_is_not_an_amount(typed: str) -> None:
    assert parse_money_fen(typed) is None


@given(st.text(max_size=40) | st.decimals(allow_nan=True) | st.floats() | st.integers())
def test_money_never_raises(typed: object) -> None:
    fen = parse_money_fen(typed)
    assert fen is None or (isinstance(fen, int) and 0 <= fen <= 10**12)


@pytest.mark.parametrize("typed", ["1e400", "9" * 30, "NaN"])
def test_money_from_the_form_is_a_field_error(
    app: Application, station: StationSetup, typed: str
) -> None:
    _refused(
        app,
        lambda: app.resources.record_receipt(
            {
                "donor": "某公司",
                "received_on": "2026-05-01",
                "kind": "goods",
                "item": "大米",
                "quantity": 10,
                "unit": "bag",
                "value_yuan": typed,
            }
        ),
        "value_yuan",
    )


# ---------------------------------------------------------------- names of reference data


@pytest.mark.parametrize("name", [LONE_SURROGATE, MILLION, "\ufffe"])
def test_staff_station_and_area_names_have_limits(
    app: Application, station: StationSetup, name: str
) -> None:
    _refused(app, lambda: app.stations.add_staff(name, "", StaffRole.SOCIAL_WORKER), "name_bo")
    _refused(app, lambda: app.stations.add_staff("", name, StaffRole.SOCIAL_WORKER), "name_zh")
    _refused(
        app,
        lambda: app.stations.add_station(StationInfo("NEW", StationKind.TOWNSHIP, name, "新")),
        "name_bo",
    )
    _refused(
        app,
        lambda: app.stations.add_station(
            StationInfo("NEW", StationKind.TOWNSHIP, "", "新", county_zh=name)
        ),
        "county_zh",
    )
    _refused(app, lambda: app.stations.add_area("NEW-01", AreaKind.VILLAGE, "", name), "name_zh")


def test_a_station_code_that_cannot_be_stored(app: Application, station: StationSetup) -> None:
    _refused(app, lambda: app.stations.use_station(LONE_SURROGATE), "code")
    _refused(
        app,
        lambda: app.stations.add_station(StationInfo(MILLION, StationKind.TOWNSHIP, "", "新")),
        "code",
    )


# ---------------------------------------------------------------- references and settings


@pytest.mark.parametrize("attendee", ["not-an-id", 42, None, "", "0" * 40])
def test_attendees_that_are_not_ids(
    app: Application, station: StationSetup, attendee: object
) -> None:
    values = {"title": "健康讲座", "kind": "training", "held_on": "2026-05-01"}
    _refused(app, lambda: app.activities.record(values, [attendee]), "attendance")  # type: ignore[list-item]
    activity = app.activities.record(values)
    _refused(app, lambda: app.activities.add_attendees(activity, [attendee]), "attendance")  # type: ignore[list-item]


def test_records_referred_to_by_something_that_is_not_an_id(
    app: Application, station: StationSetup
) -> None:
    _refused(
        app,
        lambda: app.visits.record(
            {"resident_id": "'; DROP TABLE resident; --", "visit_date": "2026-05-01"}
        ),
        "resident_id",
    )


@pytest.mark.parametrize(
    ("rhythm", "field"),
    [
        ({"no_such_group": 30}, "no_such_group"),
        ({"elderly_alone": "thirty"}, "elderly_alone"),
        ({"elderly_alone": 10**20}, "elderly_alone"),
        ({"elderly_alone": True}, "elderly_alone"),
    ],
)
def test_the_visiting_rhythm_refuses_what_is_not_a_group_or_a_number(
    app: Application, station: StationSetup, rhythm: Mapping[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        FollowUpService(app.ctx).save_settings(rhythm, 30)
    assert field in _fields(caught.value)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("birth", ["0001-01-01", "1899-12-31", date(1, 1, 1)])
def test_birth_dates_must_be_plausible(app: Application, station: StationSetup, birth: Any) -> None:
    _refused(
        app,
        lambda: app.residents.register(
            {"name_zh": "扎西", "legal_basis": "statutory_duty", "birth_date": birth}
        ),
        "birth_date",
    )


def test_a_birth_date_given_as_a_datetime_is_its_day(
    app: Application, station: StationSetup
) -> None:
    resident = app.residents.register(
        {
            "name_zh": "扎西",
            "legal_basis": "statutory_duty",
            "birth_date": datetime(1950, 3, 4, 15, 30),
        }
    )
    with app.ctx.db.read() as session:
        from station_desktop.store.models import Resident

        assert session.get(Resident, resident).birth_date == date(1950, 3, 4)  # type: ignore[union-attr]


def test_planned_dates_have_an_end(app: Application, station: StationSetup) -> None:
    resident = app.residents.register({"name_zh": "扎西", "legal_basis": "statutory_duty"})
    _refused(
        app,
        lambda: app.visits.record(
            {
                "resident_id": resident,
                "visit_date": "2026-05-01",
                "visitor_ids": [station.worker_id],
                "next_visit_on": "9999-12-31",
            }
        ),
        "next_visit_on",
    )


def test_nothing_happens_to_someone_before_they_are_born(
    app: Application, station: StationSetup
) -> None:
    child = app.residents.register(
        {
            "name_zh": "小卓玛",
            "legal_basis": "statutory_duty",
            "birth_date": "2020-06-01",
            "guardian_name": "卓玛",
            "guardian_relation": "parent",
        }
    )
    before_birth = "2019-01-01"
    _refused(
        app,
        lambda: app.visits.record(
            {
                "resident_id": child,
                "visit_date": before_birth,
                "visitor_ids": [station.worker_id],
            }
        ),
        "visit_date",
    )
    _refused(
        app,
        lambda: app.cases.open({"resident_id": child, "opened_on": before_birth}),
        "opened_on",
    )
    _refused(
        app,
        lambda: app.residents.add_membership(
            child, {"group": "left_behind_child", "start_date": before_birth}
        ),
        "start_date",
    )
    _refused(
        app,
        lambda: app.activities.record(
            {"title": "讲座", "kind": "training", "held_on": before_birth}, [child]
        ),
        "attendance",
    )


# ---------------------------------------------------------------- anything at all

FORMS: dict[str, FormSpec] = {
    "resident": RESIDENT_FORM,
    "visit": VISIT_FORM,
    "feedback": FEEDBACK_FORM,
    "case": CASE_FORM,
    "activity": ACTIVITY_FORM,
    "receipt": RECEIPT_FORM,
}

ANYTHING = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=30)
    | st.dates()
    | st.datetimes()
    | st.uuids()
    | st.lists(st.text(max_size=5) | st.uuids(), max_size=3)
    | st.sampled_from(["1e400", "0001-01-01", LONE_SURROGATE, "%", "NEAR(", "=cmd|' /C calc'!A0"])
)


def _saver(app: Application, kind: str) -> Callable[[Mapping[str, Any]], object]:
    return {
        "resident": app.residents.register,
        "visit": app.visits.record,
        "feedback": app.feedback.record,
        "case": app.cases.open,
        "activity": app.activities.record,
        "receipt": app.resources.record_receipt,
    }[kind]


@pytest.mark.parametrize("kind", FORMS)
def test_any_values_give_a_record_or_field_errors(
    app: Application, station: StationSetup, kind: str
) -> None:
    spec = FORMS[kind]
    keys = [field.key for field in spec.fields()]
    save = _saver(app, kind)

    @settings(max_examples=80)
    @given(st.dictionaries(st.sampled_from(keys), ANYTHING, max_size=len(keys)))
    def saving(values: dict[str, Any]) -> None:
        try:
            record = save(values)
        except ValidationError as error:
            assert error.errors and all(e.field for e in error.errors)
        except StationError:
            pass  # an explained refusal (e.g. a stage rule)
        else:
            assert isinstance(record, uuid.UUID)

    saving()
