"""What new records start with, and the event dates that may not lie in the future."""

from __future__ import annotations

import uuid
from datetime import date

from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.defaults import starting_values
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import MEMBERSHIP_FORM, REGISTRATION_FORM, RESIDENT_FORM
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.spec import FieldKind
from station_desktop.forms.visit import VISIT_FORM

TODAY = date(2026, 6, 1)
WORKER = uuid.UUID("00000000-0000-4000-8000-000000000001")
FORMS = (
    RESIDENT_FORM, REGISTRATION_FORM, MEMBERSHIP_FORM, VISIT_FORM, FEEDBACK_FORM, CASE_FORM,
    CASE_NOTE_FORM, STAGE_CHANGE_FORM, ACTIVITY_FORM, RECEIPT_FORM, HANDOUT_FORM,
)  # fmt: skip


def test_a_new_visit_starts_today_with_the_worker_as_visitor() -> None:
    values = starting_values(VISIT_FORM, today=TODAY, worker_id=WORKER)
    assert values == {"visit_date": TODAY, "visitor_ids": [str(WORKER)]}


def test_a_new_sheet_has_the_worker_as_collector_and_todays_dates() -> None:
    values = starting_values(FEEDBACK_FORM, today=TODAY, worker_id=WORKER)
    assert values["collected_by_id"] == str(WORKER)
    assert values["service_date"] == values["collected_on"] == TODAY


def test_without_a_worker_only_dates_are_filled_in_and_never_a_birth_date() -> None:
    for form in FORMS:
        values = starting_values(form, today=TODAY, worker_id=None)
        assert set(values.values()) <= {TODAY}
    assert starting_values(RESIDENT_FORM, today=TODAY, worker_id=WORKER) == {}
    assert starting_values(MEMBERSHIP_FORM, today=TODAY, worker_id=None) == {"start_date": TODAY}


def test_every_date_of_an_event_refuses_the_future() -> None:
    """The dates a record is about (when it happened) share one rule; dates that plan
    ahead (the next visit, a review, the end of a membership) do not."""
    planned = {"next_visit_on", "review_on", "end_date"}
    for form in FORMS:
        for field in form.fields():
            if field.kind is FieldKind.DATE and field.key not in planned:
                assert field.not_future, (form.code, field.key)
