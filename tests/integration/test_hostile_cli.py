"""The command line against hostile input and hostile environments, as a tester would try
them: every case ends in one clear line in the reader's language (exit 1 for a problem,
2 for wrong usage), never a traceback, nothing half-written and no temporary file left.

Most cases run the command in this process (`main(argv)`, as the console script does) to
keep the suite fast; `test_cli.py` runs the real process."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from station_desktop.__main__ import main
from station_desktop.app import open_application
from station_desktop.demo.generator import DemoSize, generate_demo
from station_desktop.paths import DataPaths

BUG = "unexpected problem"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse: wrong usage
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_clear_line(result: tuple[int, str, str], code: int, *words: str) -> None:
    status, _out, err = result
    assert status == code, err
    assert "Traceback" not in err and BUG not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 2 and lines and lines[0].startswith("usage:"):
        lines = [line for line in lines if not line.startswith(("usage:", " "))]
    assert len(lines) == 1, err
    assert lines[0].startswith("station-desktop") or "error:" in lines[0], err
    for word in words:
        assert word in err, err


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATION_DESKTOP_LANG", "en")
    monkeypatch.delenv("STATION_DESKTOP_DATA_DIR", raising=False)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    paths = DataPaths(tmp_path_factory.mktemp("hostile") / "data")
    with open_application(paths) as app:
        generate_demo(app, DemoSize(residents=30), seed=3)
    return paths.root


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    """A copy of a small demo data folder, to damage at will."""
    root = tmp_path / "demo"
    shutil.copytree(demo_template, root, ignore=shutil.ignore_patterns("*.lock"))
    return root


def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs the suite as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)


@contextlib.contextmanager
def _mounted(target: Path, options: str) -> Iterator[Path]:
    _mount(target, options)
    try:
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A real read-only file system (writes fail with EROFS)."""
    with _mounted(tmp_path / "ro", "size=1m") as target:
        (target / "inside").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
        yield target


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A real file system with no space left (writes fail with ENOSPC)."""
    with _mounted(tmp_path / "full", "size=256k") as target:
        with contextlib.suppress(OSError), (target / "filler").open("wb", buffering=0) as fill:
            while True:
                fill.write(b"\0" * 4096)
        yield target


# ---------------------------------------------------------------- output files

OUTPUTS = {
    "report json": ("report", "--from", "2026-01-01", "--to", "2026-12-31", "-o"),
    "report xlsx": (
        "report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "xlsx", "-o",
    ),
    "report pdf": (
        "report", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "pdf", "-o",
    ),
    "blank form": ("print", "feedback", "--blank", "-o"),
}  # fmt: skip


def _no_temporary_files(*folders: Path) -> None:
    for folder in folders:
        if folder.is_dir():
            assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*"))


@pytest.mark.parametrize("command", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_output_into_a_missing_folder(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    target = tmp_path / "no-such-folder" / "out.file"
    result = run(capsys, "--data-dir", str(demo), *command, str(target))
    assert_one_clear_line(result, 1, "does not exist")
    assert not target.parent.exists()


@pytest.mark.parametrize("command", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_output_at_a_folder(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    target = tmp_path / "a-folder"
    target.mkdir()
    result = run(capsys, "--data-dir", str(demo), *command, str(target))
    assert_one_clear_line(result, 1, "is a folder")
    assert target.is_dir() and not list(target.iterdir())
    _no_temporary_files(tmp_path)


@pytest.mark.parametrize("command", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_output_onto_a_read_only_disk(
    capsys: pytest.CaptureFixture[str],
    demo: Path,
    read_only_folder: Path,
    command: tuple[str, ...],
) -> None:
    target = read_only_folder / "inside" / "out.file"
    result = run(capsys, "--data-dir", str(demo), *command, str(target))
    assert_one_clear_line(result, 1, "read-only")
    assert not target.exists()


@pytest.mark.parametrize("command", OUTPUTS.values(), ids=OUTPUTS.keys())
def test_output_onto_a_full_disk(
    capsys: pytest.CaptureFixture[str], demo: Path, full_folder: Path, command: tuple[str, ...]
) -> None:
    target = full_folder / "out.file"
    result = run(capsys, "--data-dir", str(demo), *command, str(target))
    assert_one_clear_line(result, 1, "is full")
    assert not target.exists()
    _no_temporary_files(full_folder)


def test_backup_onto_a_full_disk_and_into_a_file(
    capsys: pytest.CaptureFixture[str], demo: Path, full_folder: Path
) -> None:
    backups = DataPaths(demo).backups
    shutil.rmtree(backups, ignore_errors=True)
    backups.symlink_to(full_folder)
    assert_one_clear_line(run(capsys, "--data-dir", str(demo), "backups", "create"), 1, "full")
    _no_temporary_files(full_folder)
    backups.unlink()
    backups.write_text("not a folder")
    result = run(capsys, "--data-dir", str(demo), "backups", "create")
    assert_one_clear_line(result, 1, "should be a folder")


# ---------------------------------------------------------------- options and arguments

BAD_OPTIONS = {
    "huge limit": ("list", "visits", "--limit", str(10**20)),
    "zero limit": ("list", "visits", "--limit", "0"),
    "negative limit": ("list", "visits", "--limit", "-1"),
    "word limit": ("residents", "search", "x", "--limit", "many"),
    "huge search limit": ("residents", "search", "x", "--limit", str(10**20)),
    "huge demo": ("demo", "--residents", str(10**20)),
    "no demo": ("demo", "--residents", "0"),
    "huge count": ("print", "feedback", "--blank", "--count", str(10**20)),
    "empty data dir": ("--data-dir", "", "info"),
    "blank data dir": ("--data-dir", "   ", "info"),
    "station not UTF-8": ("setup", "--station", "\udcff\udcfeX"),
    "search not UTF-8": ("residents", "search", "\udce4\udcb8"),
    "data dir not UTF-8": ("--data-dir", "/tmp/\udcff", "info"),
}


@pytest.mark.parametrize("argv", BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], demo: Path, argv: tuple[str, ...]
) -> None:
    before = sorted(p.name for p in demo.iterdir())
    prefix = () if argv[0] == "--data-dir" else ("--data-dir", str(demo))
    assert_one_clear_line(run(capsys, *prefix, *argv), 2)
    assert sorted(p.name for p in demo.iterdir()) == before


BAD_PERIODS = {
    "all of time": ("0001-01-01", "9999-12-31"),
    "year 10000": ("2026-01-01", "10000-01-01"),
    "no month 13": ("2026-13-01", "2026-12-31"),
    "backwards": ("2026-12-31", "2026-01-01"),
    "words": ("yesterday", "today"),
}


@pytest.mark.parametrize("period", BAD_PERIODS.values(), ids=BAD_PERIODS.keys())
def test_report_periods_out_of_reason(
    capsys: pytest.CaptureFixture[str], demo: Path, period: tuple[str, str]
) -> None:
    result = run(capsys, "--data-dir", str(demo), "report", "--from", period[0], "--to", period[1])
    assert_one_clear_line(result, 1, "period")


def test_reading_commands_create_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mistyped = tmp_path / "stattion-data"
    for argv in (
        ("info",),
        ("list", "visits"),
        ("residents", "search", "扎西"),
        ("report", "--from", "2026-01-01", "--to", "2026-12-31"),
        ("print", "feedback", "--blank", "-o", str(tmp_path / "x.pdf")),
    ):
        assert_one_clear_line(run(capsys, "--data-dir", str(mistyped), *argv), 1, "no Station")
        assert not mistyped.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_clear_line(run(capsys, "--data-dir", str(empty), "info"), 1, "no Station")
    assert list(empty.iterdir()) == []


def test_demo_into_a_folder_with_data_asks_for_force(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    database = DataPaths(demo).database
    before = database.read_bytes()
    result = run(capsys, "--data-dir", str(demo), "demo", "--residents", "5")
    assert_one_clear_line(result, 1, "--force")
    assert database.read_bytes() == before


def test_a_bug_is_one_line_and_a_log(
    capsys: pytest.CaptureFixture[str], demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever escapes as a bug still reaches the person as one line; the details go to
    the log in the data folder."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr("station_desktop.services.listing.ListingService.counts", broken)
    status, _out, err = run(capsys, "--data-dir", str(demo), "info")
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and BUG in err and "ZeroDivisionError" in err
    log = DataPaths(demo).logs / "station-desktop-cli-errors.log"
    assert "planted" in log.read_text(encoding="utf-8")


def test_arguments_that_are_not_utf8_from_a_real_terminal(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 on a real command line (a terminal set to GBK, say)."""
    env = {**os.environ, "STATION_DESKTOP_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"station_desktop",
            b"--data-dir",
            str(tmp_path / "d").encode(),
            b"setup",
            b"--station",
            "拉萨".encode("gbk"),
        ],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and "Traceback" not in err and "not valid text" in err


# ---------------------------------------------------------------- damaged stores


def _truncate(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 3)


def _zero_header(database: Path) -> None:
    with database.open("r+b") as handle:
        handle.write(b"\0" * 100)


def _text(database: Path) -> None:
    database.write_text("this is not a database\n")


def _checkpointed(root: Path) -> Path:
    """Fold the WAL into the main file, so damaging the file damages the data."""
    database = DataPaths(root).database
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


DAMAGE = {"truncated": _truncate, "zeroed header": _zero_header, "text file": _text}
READERS = {
    "info": ("info",),
    "list": ("list", "residents"),
    "search": ("residents", "search", "扎西"),
    "report": ("report", "--from", "2026-01-01", "--to", "2026-12-31"),
    "print": ("print", "feedback", "--blank", "-o", "out.pdf"),
    "backups create": ("backups", "create"),
    "setup": ("setup", "--station", "X"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
@pytest.mark.parametrize("argv", READERS.values(), ids=READERS.keys())
def test_a_damaged_database_is_explained_by_every_command(
    capsys: pytest.CaptureFixture[str],
    demo: Path,
    damage: object,
    argv: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    database = _checkpointed(demo)
    damage(database)  # type: ignore[operator]
    before = database.read_bytes()
    result = run(capsys, "--data-dir", str(demo), *argv)
    assert_one_clear_line(result, 1, "integrity check", "backups restore")
    assert database.read_bytes() == before  # nothing written to it


UNEXPECTED = {
    "data folder is a file": lambda root: (shutil.rmtree(root), root.write_text("x")),
    "data folder under a file": lambda root: None,
    "database is a folder": lambda root: (
        DataPaths(root).database.unlink(),
        DataPaths(root).database.mkdir(),
    ),
    "backups is a file": lambda root: (
        shutil.rmtree(DataPaths(root).backups, ignore_errors=True),
        DataPaths(root).backups.write_text("x"),
    ),
    "lock file is a folder": lambda root: (
        DataPaths(root).lock.unlink(missing_ok=True),
        DataPaths(root).lock.mkdir(),
    ),
}
UNEXPECTED_WORDS = {
    "data folder is a file": "is a file, not a folder",
    "data folder under a file": "is a file, not a folder",
    "database is a folder": "should be a file",
    "backups is a file": "should be a folder",
    "lock file is a folder": "should be a file",
}


@pytest.mark.parametrize("case", UNEXPECTED, ids=UNEXPECTED.keys())
@pytest.mark.parametrize("argv", [("info",), ("demo", "--residents", "3")], ids=["read", "write"])
def test_unexpected_things_in_the_data_folder(
    capsys: pytest.CaptureFixture[str], demo: Path, case: str, argv: tuple[str, ...]
) -> None:
    root = demo
    if case == "data folder under a file":
        blocker = demo.parent / "blocker"
        blocker.write_text("x")
        root = blocker / "data"
    else:
        UNEXPECTED[case](demo)
    assert_one_clear_line(run(capsys, "--data-dir", str(root), *argv), 1, UNEXPECTED_WORDS[case])


def test_a_database_of_another_program_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    root.mkdir()
    database = DataPaths(root).database
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO accounts (name) VALUES ('someone')")
    connection.commit()
    connection.close()
    before = database.read_bytes()
    for argv in (("info",), ("demo", "--residents", "3"), ("setup", "--station", "X")):
        assert_one_clear_line(run(capsys, "--data-dir", str(root), *argv), 1, "another program")
    assert database.read_bytes() == before


def test_a_data_folder_on_a_read_only_disk(
    capsys: pytest.CaptureFixture[str], read_only_folder: Path
) -> None:
    root = read_only_folder / "inside"
    result = run(capsys, "--data-dir", str(root), "demo", "--residents", "3")
    assert_one_clear_line(result, 1, "cannot be written to")
    result = run(capsys, "--data-dir", str(read_only_folder / "new"), "demo")
    assert_one_clear_line(result, 1, "cannot be written to")


def test_a_data_folder_without_permission(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The permission check itself (root, who runs CI, is never refused by the system)."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    assert_one_clear_line(run(capsys, "--data-dir", str(root), "info"), 1, "permission")


def test_output_piped_into_a_reader_that_stops_early(demo: Path) -> None:
    """`station-desktop list residents | head -1`: the reader closes the pipe early (here
    before anything is written, so the write surely meets a closed pipe)."""
    env = {**os.environ, "STATION_DESKTOP_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    command = (
        f"{sys.executable} -m station_desktop --data-dir {demo} list residents --limit 500"
        " --json | true"
    )
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert b"Traceback" not in result.stderr and result.stderr == b"", result.stderr
    assert result.returncode == 0
