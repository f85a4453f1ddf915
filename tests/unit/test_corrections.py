"""Correcting and withdrawing visits, feedback sheets, activities, donations and hand-outs:
the rules of recording hold for a correction, every correction is logged against the
version it was based on, a correction of an older version is refused, and a withdrawn
record leaves the lists and the report's figures."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from station_desktop.app import Application
from station_desktop.errors import StaleEdit, StationError, ValidationError
from station_desktop.services.reports import ReportPeriod
from station_desktop.store.models import (
    ChangeLogEntry,
    FeedbackSheet,
    HomeVisit,
    ResourceHandout,
)
from tests.conftest import StationSetup

pytestmark = pytest.mark.both_engines


SPRING = ReportPeriod(date(2026, 1, 1), date(2026, 6, 1))  # the fixture's today is 2026-06-01


def _fields(error: ValidationError) -> set[str]:
    return {e.field for e in error.errors}


def _register(app: Application, name: str, household_id: uuid.UUID | None = None) -> uuid.UUID:
    return app.residents.register(
        {"name_zh": name, "legal_basis": "statutory_duty", "household_id": household_id}
    )


def _log(app: Application) -> list[ChangeLogEntry]:
    with app.ctx.db.read() as session:
        entries = list(session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.seq)))
        for entry in entries:
            session.expunge(entry)
        return entries


def _log_size(app: Application) -> int:
    with app.ctx.db.read() as session:
        return int(session.execute(select(func.count()).select_from(ChangeLogEntry)).scalar_one())


def _last_update(app: Application, record_id: uuid.UUID) -> ChangeLogEntry:
    return [e for e in _log(app) if e.record_id == record_id and e.op == "update"][-1]


def _ids(app: Application, kind: str) -> list[str]:
    return [str(row["id"]) for row in app.listing.records(kind)]


def _visit(app: Application, station: StationSetup, resident: uuid.UUID) -> uuid.UUID:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-02",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
            "next_visit_on": "2026-06-15",
        }
    )


# ---------------------------------------------------------------- home visits


def test_a_visit_shows_its_values_and_a_correction_is_logged_against_them(
    app: Application, station: StationSetup
) -> None:
    household = app.residents.create_household(station.area_id, "H1", "")
    other_household = app.residents.create_household(station.area_id, "H2", "")
    dolma = _register(app, "卓玛", household)
    tashi = _register(app, "扎西", other_household)
    visit = _visit(app, station, dolma)
    editable = app.visits.editable(visit)
    assert editable is not None
    assert editable.values["visit_date"] == date(2026, 5, 2)
    assert editable.values["resident_id"] == str(dolma)
    assert editable.values["visitor_ids"] == [str(station.worker_id)]
    # Saving the form untouched changes nothing and logs nothing.
    size = _log_size(app)
    assert app.visits.update(visit, editable.values, based_on=editable.heads) is False
    assert _log_size(app) == size

    changed = {**editable.values, "visit_date": "2026-05-03", "resident_id": str(tashi)}
    assert app.visits.update(visit, changed, based_on=editable.heads) is True
    entry = _last_update(app, visit)
    assert entry.parents == editable.heads
    assert entry.fields == {
        "visit_date": "2026-05-03",
        "resident_id": str(tashi),
        "household_id": str(other_household),  # the right resident's household
    }
    row = app.listing.records("visits")[0]
    assert (row["visit_date"], row["resident_name_zh"]) == ("2026-05-03", "扎西")


def test_a_corrected_visit_keeps_the_rules_of_recording(
    app: Application, station: StationSetup
) -> None:
    visit = _visit(app, station, _register(app, "卓玛"))
    size = _log_size(app)
    # Only the next visit is given: it is checked against the stored visit date.
    with pytest.raises(ValidationError) as caught:
        app.visits.update(visit, {"next_visit_on": "2026-05-01"})
    assert _fields(caught.value) == {"next_visit_on"}
    with pytest.raises(ValidationError) as caught:
        app.visits.update(
            visit, {"visit_date": "2026-06-02", "visitor_ids": [], "resident_id": str(uuid.uuid4())}
        )
    assert _fields(caught.value) == {"visit_date", "visitor_ids", "resident_id"}
    assert _log_size(app) == size  # nothing written
    editable = app.visits.editable(visit)
    assert editable is not None and editable.values["next_visit_on"] == date(2026, 6, 15)


def test_a_correction_made_from_an_older_version_is_refused(
    app: Application, station: StationSetup
) -> None:
    visit = _visit(app, station, _register(app, "卓玛"))
    opened = app.visits.editable(visit)
    assert opened is not None
    app.visits.update(visit, {"companions": "村委会主任"})  # someone else, meanwhile
    with pytest.raises(StaleEdit):
        app.visits.update(visit, {"visit_date": "2026-05-03"}, based_on=opened.heads)
    with pytest.raises(StaleEdit):
        app.visits.withdraw(visit, based_on=opened.heads)
    editable = app.visits.editable(visit)
    assert editable is not None and editable.values["visit_date"] == date(2026, 5, 2)


def test_a_withdrawn_visit_leaves_the_list_the_report_and_the_follow_ups(
    app: Application, station: StationSetup
) -> None:
    visit = _visit(app, station, _register(app, "卓玛"))
    assert app.reports.compute(SPRING).totals.home_visits.visits == 1
    editable = app.visits.editable(visit)
    assert editable is not None
    app.visits.withdraw(visit, based_on=editable.heads)
    assert _ids(app, "visits") == []
    assert app.reports.compute(SPRING).totals.home_visits.visits == 0
    assert app.visits.editable(visit) is None
    entry = _last_update(app, visit)
    assert (entry.fields, entry.parents) == ({"deleted": True}, editable.heads)
    with pytest.raises(ValidationError):  # there is nothing left to correct
        app.visits.update(visit, {"visit_date": "2026-05-03"})
    with app.ctx.db.read() as session:
        assert session.get(HomeVisit, visit) is not None  # kept, as a tombstone


# ---------------------------------------------------------------- feedback sheets

SHEET: Mapping[str, Any] = {
    "service_area": "elderly_care",
    "service_date": "2026-05-01",
    "collected_on": "2026-05-02",
    "rating_overall": "4",
    "rating_attitude": "5",
}


def test_a_sheet_and_its_ratings_are_corrected_in_one_action(
    app: Application, station: StationSetup
) -> None:
    sheet = app.feedback.record(SHEET)
    editable = app.feedback.editable(sheet)
    assert editable is not None
    assert (editable.values["rating_overall"], editable.values["rating_attitude"]) == (4, 5)
    assert editable.values["rating_timeliness"] is None
    assert editable.values["service_date"] == date(2026, 5, 1)
    assert app.feedback.update(sheet, editable.values, based_on=editable.heads) is False

    with app.ctx.db.read() as session:
        stored = session.get(FeedbackSheet, sheet)
        assert stored is not None
        sheet_heads = list(stored.heads)
    assert set(sheet_heads) < set(editable.heads)  # the version spans the ratings too
    size = _log_size(app)
    changed = {
        **editable.values,
        "collected_on": "2026-05-03",
        "rating_overall": "2",  # a different answer
        "rating_attitude": None,  # the question was not answered after all
        "rating_timeliness": "3",  # an answer that was missed
    }
    assert app.feedback.update(sheet, changed, based_on=editable.heads) is True
    entries = _log(app)[size:]
    assert len(entries) == 4
    assert len({e.action_id for e in entries}) == 1  # one user action
    assert [e.parents for e in entries if e.record_id == sheet] == [sheet_heads]
    row = app.listing.records("feedback")[0]
    assert row["collected_on"] == "2026-05-03"
    assert row["ratings"] == {"overall": 2, "timeliness": 3}
    overall = app.reports.compute(SPRING).totals.satisfaction.by_dimension["overall"]
    assert (overall.answered, overall.mean) == (1, 2.0)

    # Answered again: the question's rating comes back.
    again = app.feedback.editable(sheet)
    assert again is not None
    assert app.feedback.update(sheet, {"rating_attitude": "5"}, based_on=again.heads)
    assert app.listing.records("feedback")[0]["ratings"] == {
        "overall": 2,
        "timeliness": 3,
        "attitude": 5,
    }


def test_a_corrected_sheet_keeps_the_rules_of_recording(
    app: Application, station: StationSetup
) -> None:
    sheet = app.feedback.record(SHEET)
    size = _log_size(app)
    with pytest.raises(ValidationError) as caught:  # nothing answered, no comment
        app.feedback.update(sheet, {"rating_overall": None, "rating_attitude": ""})
    assert _fields(caught.value) == {"rating_overall"}
    with pytest.raises(ValidationError) as caught:  # checked against the stored service date
        app.feedback.update(sheet, {"collected_on": "2026-04-30"})
    assert _fields(caught.value) == {"collected_on"}
    assert _log_size(app) == size
    # Only a comment left is a sheet still.
    assert app.feedback.update(
        sheet, {"rating_overall": None, "rating_attitude": None, "comments": "很好"}
    )
    assert app.listing.records("feedback")[0]["ratings"] == {}


def test_a_rating_changed_meanwhile_makes_a_sheet_correction_stale(
    app: Application, station: StationSetup
) -> None:
    sheet = app.feedback.record(SHEET)
    opened = app.feedback.editable(sheet)
    assert opened is not None
    app.feedback.update(sheet, {"rating_overall": "3"})  # the sheet's own row is unchanged
    with pytest.raises(StaleEdit):
        app.feedback.update(sheet, {"comments": "好"}, based_on=opened.heads)
    with pytest.raises(StaleEdit):
        app.feedback.withdraw(sheet, based_on=opened.heads)


def test_a_withdrawn_sheet_and_its_ratings_leave_the_list_and_the_report(
    app: Application, station: StationSetup
) -> None:
    kept = app.feedback.record({**SHEET, "rating_overall": "5"})
    sheet = app.feedback.record(SHEET)
    before = app.reports.compute(SPRING).totals.satisfaction
    assert (before.sheets, before.by_dimension["overall"].answered) == (2, 2)
    editable = app.feedback.editable(sheet)
    assert editable is not None
    app.feedback.withdraw(sheet, based_on=editable.heads)
    assert _ids(app, "feedback") == [str(kept)]
    after = app.reports.compute(SPRING).totals.satisfaction
    assert after.sheets == 1
    assert (after.by_dimension["overall"].answered, after.by_dimension["overall"].mean) == (1, 5.0)
    assert after.by_dimension["attitude"].answered == 1


# ---------------------------------------------------------------- activities


def test_an_activity_is_corrected_and_withdrawn_with_its_sign_ins(
    app: Application, station: StationSetup
) -> None:
    resident = _register(app, "卓玛")
    activity = app.activities.record(
        {"kind": "group_work", "title": "小组", "held_on": "2026-05-20", "headcount_other": 3},
        [resident],
    )
    editable = app.activities.editable(activity)
    assert editable is not None
    assert (editable.values["title"], editable.values["headcount_other"]) == ("小组", 3)
    assert app.activities.update(activity, editable.values, based_on=editable.heads) is False
    with pytest.raises(ValidationError) as caught:
        app.activities.update(activity, {"held_on": "2026-06-02", "headcount_other": "-1"})
    assert _fields(caught.value) == {"held_on", "headcount_other"}
    assert app.activities.update(
        activity, {"title": "老年人小组", "headcount_other": "5"}, based_on=editable.heads
    )
    assert _last_update(app, activity).parents == editable.heads
    row = app.listing.records("activities")[0]
    assert (row["title"], row["total_attendance"]) == ("老年人小组", 6)
    assert app.reports.compute(SPRING).totals.activities.total.attendances == 6

    corrected = app.activities.editable(activity)
    assert corrected is not None
    with pytest.raises(StaleEdit):
        app.activities.withdraw(activity, based_on=editable.heads)
    app.activities.withdraw(activity, based_on=corrected.heads)
    assert _ids(app, "activities") == []
    total = app.reports.compute(SPRING).totals.activities.total
    assert (total.held, total.attendances, total.participants) == (0, 0, 0)
    served = app.reports.compute(SPRING).totals.residents_served
    assert served.by_source["attendance"].person_times == 0


# ---------------------------------------------------------------- donations and hand-outs

RECEIPT: Mapping[str, Any] = {
    "received_on": "2026-05-01",
    "donor_name": "爱心企业",
    "donor_type": "enterprise",
    "kind": "goods",
    "item": "坐便椅",
    "quantity": 3,
    "unit": "把",
    "unit_value": "120.50",
}


def _handout(app: Application, receipt: uuid.UUID, resident: uuid.UUID, quantity: int) -> uuid.UUID:
    return app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": "2026-05-05",
            "receipt_id": receipt,
            "kind": "goods",
            "item": "坐便椅",
            "quantity": quantity,
            "unit_value": "120.50",
        }
    )


def test_a_donation_is_corrected_but_never_below_what_was_handed_out(
    app: Application, station: StationSetup
) -> None:
    receipt = app.resources.record_receipt(RECEIPT)
    _handout(app, receipt, _register(app, "卓玛"), 2)
    editable = app.resources.editable_receipt(receipt)
    assert editable is not None
    assert (editable.values["unit_value"], editable.values["quantity"]) == ("120.50", 3)
    assert app.resources.update_receipt(receipt, editable.values) is False

    size = _log_size(app)
    with pytest.raises(ValidationError) as caught:
        app.resources.update_receipt(receipt, {"quantity": 1, "received_on": "2026-05-06"})
    assert _fields(caught.value) == {"quantity", "received_on"}
    assert caught.value.for_field("quantity")[0].params == {"handed": 2}
    assert caught.value.for_field("received_on")[0].params == {"day": "2026-05-05"}
    assert _log_size(app) == size

    assert app.resources.update_receipt(
        receipt, {"quantity": 2, "unit_value": "99.5"}, based_on=editable.heads
    )
    entry = _last_update(app, receipt)
    assert (entry.fields, entry.parents) == (
        {"quantity": 2, "unit_value_fen": 9950},
        editable.heads,
    )
    corrected = app.resources.editable_receipt(receipt)
    assert corrected is not None and corrected.values["unit_value"] == "99.50"
    received = app.reports.compute(SPRING).totals.resources.received
    assert received.value_fen == 2 * 9950


def test_a_donation_with_hand_outs_cannot_be_withdrawn(
    app: Application, station: StationSetup
) -> None:
    receipt = app.resources.record_receipt(RECEIPT)
    resident = _register(app, "卓玛")
    first, second = _handout(app, receipt, resident, 1), _handout(app, receipt, resident, 1)
    size = _log_size(app)
    with pytest.raises(StationError) as caught:
        app.resources.withdraw_receipt(receipt)
    assert caught.value.params == {"count": 2}
    assert "(2)" in caught.value.english()
    assert _log_size(app) == size
    assert str(receipt) in _ids(app, "resources")

    for handout in (first, second):
        app.resources.withdraw_handout(handout)
    app.resources.withdraw_receipt(receipt)
    assert _ids(app, "resources") == []
    resources = app.reports.compute(SPRING).totals.resources
    assert (resources.received.receipts, resources.handed_out.handouts) == (0, 0)


def test_a_hand_out_is_corrected_within_what_is_left_besides_itself(
    app: Application, station: StationSetup
) -> None:
    receipt = app.resources.record_receipt(RECEIPT)  # 3 chairs
    dolma, tashi = _register(app, "卓玛"), _register(app, "扎西")
    _handout(app, receipt, dolma, 1)
    handout = _handout(app, receipt, dolma, 2)  # nothing left now
    editable = app.resources.editable_handout(handout)
    assert editable is not None
    assert editable.values["receipt_id"] == str(receipt)
    assert editable.values["unit_value"] == "120.50"
    # Its own two chairs count as left for itself.
    assert app.resources.update_handout(handout, editable.values) is False

    size = _log_size(app)
    with pytest.raises(ValidationError) as caught:
        app.resources.update_handout(handout, {"quantity": 3, "handed_on": "2026-04-30"})
    assert _fields(caught.value) == {"quantity", "handed_on"}
    assert caught.value.for_field("quantity")[0].params == {"left": 2}
    assert _log_size(app) == size

    changed = {**editable.values, "resident_id": str(tashi), "quantity": "1"}
    assert app.resources.update_handout(handout, changed, based_on=editable.heads)
    entry = _last_update(app, handout)
    assert (entry.fields, entry.parents) == (
        {"resident_id": str(tashi), "quantity": 1},
        editable.heads,
    )
    row = next(r for r in app.listing.records("resources") if r["id"] == str(handout))
    assert (row["resident_name_zh"], row["quantity"]) == ("扎西", 1)
    with pytest.raises(StaleEdit):
        app.resources.update_handout(handout, {"quantity": 2}, based_on=editable.heads)

    handed = app.reports.compute(SPRING).totals.resources.handed_out
    assert (handed.handouts, handed.occasions, handed.recipients) == (2, 2, 2)
    assert [i.quantity for i in handed.by_item] == [2]  # 1 to Dolma, 1 to Tashi
    app.resources.withdraw_handout(handout)
    handed = app.reports.compute(SPRING).totals.resources.handed_out
    assert (handed.handouts, handed.occasions, handed.recipients) == (1, 1, 1)
    assert [i.quantity for i in handed.by_item] == [1]
    assert str(handout) not in _ids(app, "resources")
    with app.ctx.db.read() as session:
        stored = session.get(ResourceHandout, handout)
        assert stored is not None and stored.deleted
