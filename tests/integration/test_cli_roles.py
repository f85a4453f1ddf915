"""The command line acts with a role too (services/access.py): until sign-in, the person
chosen on the laptop, else the station head. A refusal is one line naming who may."""

from __future__ import annotations

import json
from pathlib import Path

from station_desktop.cli import DEMO_ADMINISTRATOR
from tests.integration.test_cli import open_demo, run_cli, station_dir

__all__ = ["station_dir"]  # the fixture, shared with test_cli


WORKER = {"STATION_DESKTOP_USER": "白玛"}  # who signs in (the password: the tests' file)


def _add_a_social_worker(data_dir: Path) -> None:
    run_cli("workers", "add", "白玛", "--role", "social_worker", data_dir=data_dir)  # the head


def test_a_refused_command_says_who_may_and_writes_nothing(
    station_dir: Path, tmp_path: Path
) -> None:
    head = tmp_path / "head.xlsx"
    run_cli("export-list", "residents", "-o", str(head), "--whole-id-numbers", data_dir=station_dir)
    assert head.exists()  # the station head (nobody chosen on the demo laptop but its head)

    _add_a_social_worker(station_dir)
    out = tmp_path / "worker.xlsx"
    refused = run_cli(
        "export-list",
        "residents",
        "-o",
        str(out),
        "--whole-id-numbers",
        data_dir=station_dir,
        check=False,
        lang=WORKER,
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
        lang={"STATION_DESKTOP_LANG": "zh_CN", **WORKER},
    )
    assert "只有站长和民政局管理员可以。" in in_chinese.stderr
    run_cli("export-list", "residents", "-o", str(out), data_dir=station_dir, lang=WORKER)
    assert out.exists()  # masked: fine


def test_a_role_a_head_changes_counts_from_the_next_command(
    station_dir: Path, tmp_path: Path
) -> None:
    _add_a_social_worker(station_dir)
    head = {"STATION_DESKTOP_USER": DEMO_ADMINISTRATOR}

    def export_whole(name: str, who: dict[str, str]) -> int:
        out = tmp_path / name
        args = ("export-list", "residents", "--whole-id-numbers", "-o", str(out))
        result = run_cli(*args, data_dir=station_dir, lang=who, check=False)
        assert (result.returncode == 0) == out.exists()
        return result.returncode

    assert export_whole("a.xlsx", WORKER) == 1
    said = run_cli("workers", "role", "白玛", "station_head", data_dir=station_dir, lang=head)
    assert said.stdout.strip() == "白玛: station_head"
    assert export_whole("b.xlsx", WORKER) == 0  # a station head from this sign-in on
    # The new head demotes the demo's: its administrator can no longer manage workers
    # nor export whole numbers.
    demote = ("workers", "role", DEMO_ADMINISTRATOR, "social_worker")
    run_cli(*demote, data_dir=station_dir, lang=WORKER)
    refused = run_cli("workers", "add", "次仁", data_dir=station_dir, check=False, lang=head)
    assert refused.returncode == 1 and "Only a station head" in refused.stderr
    assert export_whole("c.xlsx", head) == 1
    listed = run_cli("workers", "list", data_dir=station_dir, lang=WORKER).stdout.splitlines()
    assert sorted(listed) == sorted([f"{DEMO_ADMINISTRATOR}\tsocial_worker", "白玛\tstation_head"])


def test_a_station_role_gets_its_own_stations_figures_and_is_refused_anothers(
    station_dir: Path,
) -> None:
    """The demo laptop holds eight stations and acts as the head of 540102002."""
    period = ("report", "--from", "2026-01-01", "--to", "2026-12-31")
    own = json.loads(run_cli(*period, data_dir=station_dir).stdout)
    assert own["stations"] == ["540102002"]
    with open_demo(station_dir) as app:
        other = next(s.code for s in app.stations.stations() if s.code != "540102002")
    refused = run_cli(*period, "--station", other, data_dir=station_dir, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "station-desktop: The role Station head may not do this (see: reports). Nothing was "
        "changed. Only the roles Bureau administrator and Auditor may."
    ]
