"""What this laptop holds about one person (a PIPL access request): every kind of record
that names them is counted and printed, withdrawn ones and erasures included."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from station_desktop.app import Application
from station_desktop.errors import NotFound
from station_desktop.forms.privacy import HELD_KINDS
from tests.conftest import StationSetup
from tests.unit.test_resident_file import ID_NUMBER, Family, family  # noqa: F401 - fixture


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_counts_and_prints_every_kind_of_record_held(
    app: Application, station: StationSetup, request: pytest.FixtureRequest
) -> None:
    held: Family = request.getfixturevalue("family")
    app.cases.add_note(held.case, "2026-02-06", "邻居每天送饭")
    app.residents.register(
        {
            "name_zh": "小卓玛",
            "legal_basis": "statutory_duty",
            "birth_date": "2020-03-01",
            "guardian_id": held.dolkar,
        }
    )
    app.residents.delete(held.dolkar)
    app.privacy.erase_id_number(held.dolkar)

    report = app.access_report.report(held.dolkar)
    assert set(report.counts) == {key for key, _label in HELD_KINDS}
    assert all(report.counts[key] > 0 for key, _label in HELD_KINDS), report.counts
    assert report.counts["home_visit"] == 3  # two live visits and a withdrawn one
    assert report.counts["attendance"] == 1 and report.counts["guardian_of"] == 1
    codes = [form.spec.code for form in report.forms]
    assert codes[0] == "PA-01"
    assert codes.count("GM-01") == 3  # the memberships (not the one withdrawn)
    assert codes.count("HV-01") == 2
    assert codes.count("SF-01") == codes.count("CS-01") == codes.count("RH-01") == 1
    assert "AC-01" not in codes  # a sign-in list names other people

    pdf = app.access_report.render(held.dolkar)
    text = _text(pdf.data)
    assert "卓嘎" in text and "藏历新年活动" in text and "邻居每天送饭" in text
    assert ID_NUMBER not in text  # erased: the laptop no longer holds it


def test_the_full_id_number_is_shown_to_its_owner(
    app: Application, station: StationSetup, request: pytest.FixtureRequest
) -> None:
    held: Family = request.getfixturevalue("family")
    text = _text(app.access_report.render(held.dolkar).data)
    assert ID_NUMBER in text  # not masked: it is the person's own


def test_an_unknown_person_is_refused(app: Application, station: StationSetup) -> None:
    import uuid

    with pytest.raises(NotFound):
        app.access_report.report(uuid.uuid4())
