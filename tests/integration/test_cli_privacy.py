"""`station-desktop privacy …`: the schedule, a purge that lists what it will empty and
asks first, erasing a withdrawn resident's ID number, and the access report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.integration.test_cli import open_demo, password_file, run_cli

ID_NUMBER = "11010519491231002X"


def _laptop(data_dir: Path) -> tuple[str, str]:
    """A station with one resident and a visit of 2019 that is due for a purge."""
    run_cli("setup", "--station", "540102002", "--admin", "罗布", data_dir=data_dir)
    with open_demo(data_dir, "罗布") as app:
        staff = app.stations.add_staff("", "卓玛", "social_worker")
        resident = app.residents.register(
            {"name_zh": "次仁", "legal_basis": "statutory_duty", "id_number": ID_NUMBER}
        )
        visit = app.visits.record(
            {
                "resident_id": resident,
                "visit_date": "2019-05-01",
                "visitor_ids": [staff],
                "outcome": "at_home",
                "purpose": "routine",
                "situation": "屋顶漏雨",
            }
        )
    return str(resident), str(visit)


def test_purge_lists_asks_and_empties(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    resident, visit = _laptop(data_dir)
    schedule = run_cli("privacy", "schedule", data_dir=data_dir).stdout
    assert "Home visit: kept 5 years after the day of the visit" in schedule

    listed = run_cli("privacy", "purge", "--dry-run", data_dir=data_dir).stdout
    assert "1 records have outlived" in listed and "Home visit: 2019-05-01  次仁" in listed
    assert "Situation" in listed or "situation" in listed.lower()

    listed_json = json.loads(
        run_cli("privacy", "purge", "--dry-run", "--json", data_dir=data_dir).stdout
    )
    assert [(d["entity"], d["id"], d["since"]) for d in listed_json["due"]] == [
        ("home_visit", visit, "2019-05-01")
    ]
    assert "situation" in listed_json["due"][0]["fields"]

    refused = run_cli("privacy", "purge", data_dir=data_dir, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr

    done = run_cli("privacy", "purge", "--yes", data_dir=data_dir).stdout
    assert "1 records emptied" in done
    again = run_cli("privacy", "purge", "--dry-run", data_dir=data_dir).stdout
    assert "Nothing is due" in again

    live = run_cli("privacy", "erase-id", resident, "--yes", data_dir=data_dir, check=False)
    assert live.returncode == 1 and "withdraw the resident first" in live.stderr
    bad = run_cli("privacy", "erase-id", "nonsense", "--yes", data_dir=data_dir, check=False)
    assert bad.returncode == 2 and "Not a record id" in bad.stderr


def test_the_access_report_is_written(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    resident, _visit = _laptop(data_dir)
    output = tmp_path / "access.pdf"
    said = run_cli("privacy", "report", resident, "-o", str(output), data_dir=data_dir).stdout
    assert "次仁" in said and str(output) in said
    text = "".join(page.extract_text() for page in PdfReader(output).pages)
    assert ID_NUMBER in text and "屋顶漏雨" in text


def test_a_bug_in_a_command_logs_no_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's own error log is masked like the application's."""
    from station_desktop.__main__ import main

    data_dir = tmp_path / "data"
    _laptop(data_dir)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError(f"cannot read 次仁 {ID_NUMBER} phone 137-6214-2223 'zhaxi'")

    monkeypatch.setenv("STATION_DESKTOP_LANG", "en")
    monkeypatch.setenv("STATION_DESKTOP_PASSWORD_FILE", str(password_file()))
    monkeypatch.setattr("station_desktop.services.listing.ListingService.counts", broken)
    assert main(["--data-dir", str(data_dir), "info"]) == 1
    capsys.readouterr()
    log = (data_dir / "logs" / "station-desktop-cli-errors.log").read_text(encoding="utf-8")
    assert "ValueError" in log and "cannot read" in log
    for secret in ("次仁", ID_NUMBER, "137-6214-2223", "zhaxi"):
        assert secret not in log
