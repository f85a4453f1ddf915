"""The command line acts with a role too (services/access.py): until sign-in, the person
chosen on the laptop, else the station head. A refusal is one line naming who may."""

from __future__ import annotations

import json
from pathlib import Path

from station_desktop.app import open_application
from station_desktop.domain.codes import StaffRole
from station_desktop.paths import DataPaths
from tests.integration.test_cli import run_cli, station_dir

__all__ = ["station_dir"]  # the fixture, shared with test_cli


def _choose_a_social_worker(data_dir: Path) -> None:
    with open_application(DataPaths(data_dir)) as app:
        staff = app.stations.staff()
        worker = next(s for s in staff if s.role == StaffRole.SOCIAL_WORKER.value)
        app.stations.choose_worker(worker.id)


def test_a_refused_command_says_who_may_and_writes_nothing(
    station_dir: Path, tmp_path: Path
) -> None:
    head = tmp_path / "head.xlsx"
    run_cli("export-list", "residents", "-o", str(head), "--whole-id-numbers", data_dir=station_dir)
    assert head.exists()  # the station head (nobody chosen on the demo laptop but its head)

    _choose_a_social_worker(station_dir)
    out = tmp_path / "worker.xlsx"
    refused = run_cli(
        "export-list",
        "residents",
        "-o",
        str(out),
        "--whole-id-numbers",
        data_dir=station_dir,
        check=False,
    )
    assert refused.returncode == 1 and not out.exists()
    assert refused.stderr.strip().splitlines() == [
        "station-desktop: The role Social worker may not do this (export: whole ID card "
        "numbers). Nothing was changed. Only the roles Station head and Bureau administrator "
        "may."
    ]
    in_chinese = run_cli(
        "export-list",
        "residents",
        "-o",
        str(out),
        "--whole-id-numbers",
        data_dir=station_dir,
        check=False,
        lang={"STATION_DESKTOP_LANG": "zh_CN"},
    )
    assert "只有站长和民政局管理员可以。" in in_chinese.stderr
    run_cli("export-list", "residents", "-o", str(out), data_dir=station_dir)  # masked: fine
    assert out.exists()


def test_a_station_role_gets_its_own_stations_figures_and_is_refused_anothers(
    station_dir: Path,
) -> None:
    """The demo laptop holds eight stations and acts as the head of 540102002."""
    period = ("report", "--from", "2026-01-01", "--to", "2026-12-31")
    own = json.loads(run_cli(*period, data_dir=station_dir).stdout)
    assert own["stations"] == ["540102002"]
    with open_application(DataPaths(station_dir)) as app:
        other = next(s.code for s in app.stations.stations() if s.code != "540102002")
    refused = run_cli(*period, "--station", other, data_dir=station_dir, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "station-desktop: The role Station head may not do this (see: reports). Nothing was "
        "changed. Only the roles Bureau administrator and Auditor may."
    ]
