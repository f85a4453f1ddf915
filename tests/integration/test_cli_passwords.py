"""Passwords on the command line, run as a user runs it (a separate process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAD_PASSWORD = "head password 1"


def run(
    *args: str, data_dir: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "STATION_DESKTOP_LANG": "en"}
    for variable in ("STATION_DESKTOP_DATA_DIR", "STATION_DESKTOP_DATABASE_URL"):
        environment.pop(variable, None)
    return subprocess.run(  # noqa: PLW1510 - the callers check
        [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**environment, **(env or {})},
        timeout=300,
    )


def test_init_then_every_command_asks_and_a_wrong_password_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = run(
        "init",
        "--station",
        "540102002",
        "--admin",
        "罗布",
        data_dir=data,
        stdin=HEAD_PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert b"SQLite format 3" not in (data / "station.sqlite3").read_bytes()[:16]

    password_file = tmp_path / "password"
    password_file.write_text(HEAD_PASSWORD + "\n", encoding="utf-8")
    info = run("info", data_dir=data, env={"STATION_DESKTOP_PASSWORD_FILE": str(password_file)})
    assert info.returncode == 0, info.stderr
    assert "540102002" in info.stdout

    before = (data / "station.sqlite3").read_bytes()
    wrong = run("info", data_dir=data, stdin="not it\n")
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        "station-desktop: The name or the password is wrong."
    ]
    assert (data / "station.sqlite3").read_bytes() == before
    none = run("list", "residents", data_dir=data, stdin="")
    assert none.returncode == 1 and len(none.stderr.strip().splitlines()) == 1


def _plain_folder_of_an_earlier_version(data: Path) -> None:
    """Data written before passwords existed (the command line makes none any more)."""
    from station_desktop.app import open_application
    from station_desktop.demo.generator import DemoSize, generate_demo
    from station_desktop.paths import DataPaths

    with open_application(DataPaths(data)) as app:
        generate_demo(app, DemoSize(residents=30))


def test_a_new_folders_demo_is_encrypted_with_the_password_given(tmp_path: Path) -> None:
    data = tmp_path / "data"
    none = run("demo", "--residents", "3", data_dir=data, stdin="")
    assert none.returncode == 1 and len(none.stderr.strip().splitlines()) == 1
    short = run("demo", "--residents", "3", data_dir=data, stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr
    made = run("demo", "--residents", "3", data_dir=data, stdin=HEAD_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert not (data / "station.sqlite3").read_bytes().startswith(b"SQLite format 3")
    info = run("info", data_dir=data, stdin=HEAD_PASSWORD + "\n")
    assert info.returncode == 0 and "residents:   3" in info.stdout


def test_init_protects_a_plain_folder_once_and_nothing_is_lost(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _plain_folder_of_an_earlier_version(data)
    plain = run("list", "residents", "--limit", "100", "--json", data_dir=data)
    made = run("init", "--admin", "罗布", data_dir=data, stdin=HEAD_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    after = run(
        "list", "residents", "--limit", "100", "--json", data_dir=data, stdin=HEAD_PASSWORD + "\n"
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout == plain.stdout
    again = run("init", "--admin", "罗布", data_dir=data, stdin=HEAD_PASSWORD + "\n")
    assert again.returncode == 1
    assert "already protected" in again.stderr
