"""`station-desktop audit verify` and `audit list`, as a script or a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from station_desktop.cli import DEMO_ADMINISTRATOR
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import sign_in
from station_desktop.store.cipher import connected
from tests.integration.test_cli import TEST_PASSWORD, run_cli


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("audit") / "data"
    run_cli("demo", "--residents", "20", data_dir=data_dir)
    return data_dir


def test_a_whole_trail_says_so_and_exits_0(demo_dir: Path) -> None:
    result = run_cli("audit", "verify", data_dir=demo_dir)
    assert result.stdout.startswith("The audit trail is whole:")
    assert result.stdout.count("\n") == 1
    data = json.loads(run_cli("audit", "verify", "--json", data_dir=demo_dir).stdout)
    assert data["whole"] is True and data["entries"] > 20 and data["problems"] == []


def test_the_trail_lists_who_did_what(demo_dir: Path) -> None:
    rows = json.loads(run_cli("audit", "list", "--json", "--limit", "5", data_dir=demo_dir).stdout)
    assert len(rows) == 5 and rows[0]["entry"] > rows[-1]["entry"]
    assert all(isinstance(name, str) for row in rows for name in row["fields"])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "was changed outside Station Desktop"),
        ("zh_CN", "与其变更日志不符"),
        ("bo", "བཟོ་བཅོས་ཟིན་ཐོ"),
    ],
)
def test_a_record_edited_with_the_sqlite3_tool_is_one_line_and_exit_1(
    tmp_path: Path, demo_dir: Path, lang: str, expected: str
) -> None:
    data_dir = tmp_path / "data"
    import shutil

    shutil.copytree(demo_dir, data_dir)
    # A tool with the key (SQLCipher's shell and a worker's password): the chain still
    # finds the edit.
    key = sign_in(DataPaths(data_dir), DEMO_ADMINISTRATOR, TEST_PASSWORD).data_key
    with connected(data_dir / "station.sqlite3", key) as raw:
        raw.execute("UPDATE resident SET name_zh = 'X' WHERE rowid = 3")
        raw.commit()
    result = run_cli(
        "audit", "verify", data_dir=data_dir, check=False, lang={"STATION_DESKTOP_LANG": lang}
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("station-desktop: ") and expected in lines[0]
    assert "X" not in lines[0]  # the value is not repeated


def test_an_export_from_the_command_line_is_recorded(tmp_path: Path, demo_dir: Path) -> None:
    """`export-list` opens the data read-only (it works beside a running window), and
    still records the export."""
    import shutil

    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir)
    run_cli("export-list", "residents", "-o", str(tmp_path / "r.xlsx"), data_dir=data_dir)
    rows = json.loads(
        run_cli("audit", "list", "--action", "export", "--json", data_dir=data_dir).stdout
    )
    assert [(row["action"], row["entity"]) for row in rows] == [("export", "residents")]
    assert run_cli("audit", "verify", "--quick", data_dir=data_dir).returncode == 0
