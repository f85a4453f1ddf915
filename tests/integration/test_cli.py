"""The command line, run as a user runs it (a separate process).

The commands that use data run on both engines: on a station's SQLite file, and on the
bureau's PostgreSQL server remembered by the data folder (`server use`), the way a bureau
laptop is set up (see tests/conftest.py for the server)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from station_desktop import __version__
from station_desktop.app import Application, open_application
from station_desktop.cli import DEMO_ADMINISTRATOR
from station_desktop.paths import DataPaths
from station_desktop.services.accounts import sign_in
from tests.conftest import ENGINES, empty_server_database

# The password of the folders the command line makes here (`demo`, `setup --admin`): read
# from a file, as a script gives it, by every command (a plain folder or the bureau's
# server never reads it).
TEST_PASSWORD = "demo password 2026"


@functools.cache
def password_file() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="station-desktop-test-"))
    path = folder / "password"
    path.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    return path


def open_demo(data_dir: Path, name: str = DEMO_ADMINISTRATOR) -> Application:
    """A folder the command line made, signed in as its administrator (as a command
    does): the demo's, or `name` given to `setup --admin`."""
    person = sign_in(DataPaths(data_dir), name, TEST_PASSWORD)
    app = open_application(DataPaths(data_dir), key=person.data_key)
    app.accounts.begin(person)
    return app


def cli_env() -> dict[str, str]:
    """The environment of a command run here: UTF-8 output, the test folders' password."""
    return {
        **os.environ,
        "PYTHONIOENCODING": "utf-8",
        "STATION_DESKTOP_PASSWORD_FILE": str(password_file()),
    }


def run_cli(
    *args: str,
    data_dir: Path | None = None,
    check: bool = True,
    lang: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(), "STATION_DESKTOP_LANG": "en", **(lang or {})}
    env.pop("STATION_DESKTOP_DATA_DIR", None)
    env.pop("STATION_DESKTOP_DATABASE_URL", None)
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    result = subprocess.run(  # noqa: PLW1510 - the caller checks, with the output
        [sys.executable, "-m", "station_desktop", *prefix, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str | None:
    """The server's URL for the PostgreSQL run (its database emptied), None for SQLite."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("server_template")
    empty_server_database(url)
    return url


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, engine: str | None) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    if engine is not None:
        said = run_cli("server", "use", engine, data_dir=data_dir).stdout
        assert "now works on the database" in said and "@" in said
    run_cli("demo", "--residents", "300", "--seed", "7", data_dir=data_dir)
    return data_dir


def test_version() -> None:
    assert run_cli("--version").stdout.strip() == f"station-desktop {__version__}"


@pytest.mark.parametrize("query", ["扎西", "bkra shis", "zhaxi", "Tashi"])
def test_search_finds_tashi_in_every_script(demo_dir: Path, query: str) -> None:
    rows = json.loads(run_cli("residents", "search", query, "--json", data_dir=demo_dir).stdout)
    assert rows, f"nobody found for {query!r}"
    for row in rows:
        assert {"id", "name_bo", "name_zh"} <= set(row)
    assert rows[0]["name_zh"].startswith("扎西") or rows[0]["name_bo"].startswith("བཀྲ་ཤིས")


@pytest.mark.parametrize(
    "kind", ["residents", "visits", "feedback", "cases", "activities", "resources"]
)
def test_list_every_kind_as_json_newest_first(demo_dir: Path, kind: str) -> None:
    rows = json.loads(run_cli("list", kind, "--limit", "15", "--json", data_dir=demo_dir).stdout)
    assert 0 < len(rows) <= 15
    assert all("id" in row for row in rows)
    date_key = {
        "residents": "created_at",
        "visits": "visit_date",
        "feedback": "service_date",
        "cases": "opened_on",
        "activities": "held_on",
        "resources": "date",
    }[kind]
    dates = [row[date_key] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_report_as_json(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run_cli(
        "report", "--from", "2025-01-01", "--to", "2026-12-31", "-o", str(out), data_dir=demo_dir
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["format_version"] == 2
    assert report["totals"]["home_visits"]["visits"] > 0
    assert list(report)[3] == "headline" == next(iter(report["totals"]))
    assert report["headline"]["households_visited"] == report["totals"]["home_visits"]["households"]
    assert "since_submitted" not in report  # never submitted
    one = json.loads(
        run_cli(
            "report",
            "--from",
            "2025-01-01",
            "--to",
            "2026-12-31",
            "--station",
            report["stations"][0],
            data_dir=demo_dir,
        ).stdout
    )
    assert one["stations"] == report["stations"][:1]
    sheet = tmp_path / "report.xlsx"
    run_cli(
        "report",
        "--from",
        "2025-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "xlsx",
        "-o",
        str(sheet),
        data_dir=demo_dir,
    )
    from openpyxl import load_workbook

    assert len(load_workbook(sheet).sheetnames) >= 5
    bad = run_cli(
        "report", "--from", "2026-02-30", "--to", "2026-03-01", data_dir=demo_dir, check=False
    )
    assert bad.returncode == 1 and "--from" in bad.stderr


def test_report_as_pdf(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    args = ("report", "--from", "2025-07-01", "--to", "2026-06-30", "--format", "pdf")
    result = run_cli(*args, "-o", str(out), data_dir=demo_dir)
    from pypdf import PdfReader

    reader = PdfReader(out)
    assert result.stdout.startswith(f"{out}: {len(reader.pages)} pages, ")
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert "统计报表" in text and "བསྡོམས་རྩིས་སྙན་ཞུ" in text  # the title in both languages
    assert "2025年7月1日至2026年6月30日" in text  # the period
    data = json.loads(run_cli(*args[:5], data_dir=demo_dir).stdout)  # the same figures
    visits = data["totals"]["home_visits"]["visits"]
    assert visits > 0 and f"{visits:,}" in text
    # Without -o: told what is missing, no traceback, no file.
    missing = run_cli(*args, data_dir=demo_dir, check=False)
    assert missing.returncode == 1 and "-o" in missing.stderr
    assert "Traceback" not in missing.stderr and missing.stdout == ""
    # The PDF is made without Qt.
    code = (
        "import sys\n"
        "from station_desktop.__main__ import main\n"
        f"main(['--data-dir', {str(demo_dir)!r}, *{list(args)!r}, '-o', "
        f"{str(tmp_path / 'again.pdf')!r}])\n"
        "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not qt, qt\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, timeout=300, env=cli_env()
    )
    assert (tmp_path / "again.pdf").stat().st_size > 10_000


def test_a_report_is_kept_as_submitted(demo_dir: Path, tmp_path: Path) -> None:
    period = ("--from", "2026-01-01", "--to", "2026-03-31")
    result = run_cli("report", *period, "--submit", "--note", "一季度报表", data_dir=demo_dir)
    assert result.stdout.startswith("submitted ")
    listed = json.loads(run_cli("submitted", "list", "--json", data_dir=demo_dir).stdout)
    [kept] = [s for s in listed if s["period"] == {"start": "2026-01-01", "end": "2026-03-31"}]
    assert kept["note"] == "一季度报表" and kept["format_version"] == 2
    assert result.stdout.strip() == f"submitted {kept['id']}"
    pdf = tmp_path / "kept.pdf"
    run_cli("submitted", "pdf", kept["id"], "-o", str(pdf), data_dir=demo_dir)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == kept["pdf_sha256"]
    figures = json.loads(run_cli("submitted", "show", kept["id"], data_dir=demo_dir).stdout)
    again = json.loads(run_cli("report", *period, data_dir=demo_dir).stdout)
    since = again.pop("since_submitted")
    assert since["submitted_id"] == kept["id"] and since["changed"] is False
    assert since["differences"] == [] and since["causes"] == []
    # Nothing was recorded since (but the submission itself: how far the data has arrived
    # is not a figure).
    again.pop("data_received_until")
    figures.pop("data_received_until")
    assert again == figures
    bad = run_cli("submitted", "pdf", "nope", "-o", str(pdf), data_dir=demo_dir, check=False)
    assert bad.returncode == 1 and "submitted list" in bad.stderr


def test_list_text_output_and_info(demo_dir: Path, engine: str | None) -> None:
    assert run_cli("list", "cases", "--limit", "3", data_dir=demo_dir).stdout.count("\n") == 3
    info = run_cli("info", data_dir=demo_dir).stdout
    assert "residents:" in info and str(demo_dir) in info
    where = "postgresql://" if engine else str(demo_dir / "station.sqlite3")
    assert f"database:    {where}" in info


def test_stations_list_the_bundled_stations_without_a_data_folder(tmp_path: Path) -> None:
    rows = json.loads(run_cli("stations", "list", "--json", data_dir=tmp_path / "d").stdout)
    assert len(rows) == 65
    assert {"code", "name_zh", "name_bo", "district"} <= set(rows[0])
    barkhor = next(row for row in rows if row["code"] == "540102002")
    assert barkhor["name_zh"] == "八廓街道" and barkhor["district"] == "城关区"
    text = run_cli("stations", "list", data_dir=tmp_path / "d").stdout
    assert text.count("\n") == 65 and "540102002  八廓街道" in text
    assert not (tmp_path / "d").exists()


def test_setup_a_bundled_station_on_an_empty_folder(tmp_path: Path) -> None:
    """A new folder is encrypted from the start, as by init: never a plain store."""
    data_dir = tmp_path / "fresh"
    needs = run_cli("setup", "--station", "540102012", data_dir=data_dir, check=False)
    assert needs.returncode == 2 and "--admin NAME" in needs.stderr
    assert not (data_dir / "station.sqlite3").exists()
    said = run_cli("setup", "--station", "540102012", "--admin", "罗布", data_dir=data_dir).stdout
    assert "540102012" in said and "娘热街道" in said
    assert (data_dir / "station.sqlite3").read_bytes()[:16] != b"SQLite format 3\0"
    assert "540102012 娘热街道" in run_cli("info", data_dir=data_dir).stdout
    workers = run_cli("workers", "list", data_dir=data_dir).stdout
    assert workers.strip() == "罗布\tstation_head"


def test_the_demo_makes_an_encrypted_store_whose_administrator_is_its_stations_head(
    demo_dir: Path, engine: str | None, tmp_path: Path
) -> None:
    if engine is not None:  # the server's own access control applies (README)
        assert not (demo_dir / "key-slots.json").exists()
        return
    assert (demo_dir / "station.sqlite3").read_bytes()[:16] != b"SQLite format 3\0"
    assert run_cli("workers", "list", data_dir=demo_dir).stdout.strip() == (
        f"{DEMO_ADMINISTRATOR}\tstation_head"
    )
    with open_demo(demo_dir) as app:
        worker = app.stations.current_worker()
        assert worker is not None and worker.name_zh == DEMO_ADMINISTRATOR
        assert app.ctx.actor.role.value == "station_head"
    wrong = run_cli(
        "info",
        data_dir=demo_dir,
        check=False,
        lang={"STATION_DESKTOP_PASSWORD_FILE": os.devnull},
    )
    assert wrong.returncode == 1
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    more = run_cli("demo", "--residents", "2", "--force", data_dir=copy).stdout
    assert "residents: 2" in more  # the demo adds to its encrypted store


def test_errors_are_clear_and_exit_non_zero(tmp_path: Path) -> None:
    result = run_cli("setup", "--station", "NOPE", data_dir=tmp_path / "d", check=False)
    assert result.returncode == 1
    assert "No station has the code NOPE" in result.stderr and "Traceback" not in result.stderr
    assert "stations list" in result.stderr
    result = run_cli("list", "nonsense", data_dir=tmp_path / "d", check=False)
    assert result.returncode == 2


def test_errors_speak_the_users_language(tmp_path: Path) -> None:
    scripts = {"zh_CN.UTF-8": ("\u4e00", "\u9fff"), "bo_CN.UTF-8": ("\u0f40", "\u0fbc")}
    for lang, (low, high) in scripts.items():
        result = run_cli(
            "setup",
            "--station",
            "NOPE",
            data_dir=tmp_path / "d",
            check=False,
            lang={"STATION_DESKTOP_LANG": lang},
        )
        assert result.returncode == 1
        message = result.stderr.removeprefix("station-desktop: ")
        assert sum(low <= ch <= high for ch in message) >= 2, result.stderr
        assert "NOPE" in message  # the code the user typed is kept


def test_backups_create_list_restore(demo_dir: Path, tmp_path: Path, engine: str | None) -> None:
    if engine is not None:  # the server's own backups keep it: said, nothing done
        refused = run_cli("backups", "create", data_dir=demo_dir, check=False)
        assert refused.returncode == 1 and "pg_dump" in refused.stderr
        assert not (demo_dir / "backups").exists()
        return
    created = run_cli("backups", "create", data_dir=demo_dir).stdout
    backup = created.strip().split(": ", 1)[1]
    assert backup in run_cli("backups", "list", data_dir=demo_dir).stdout
    restored = run_cli("backups", "restore", backup, "--yes", data_dir=demo_dir).stdout
    assert "kept as" in restored


def test_headless_commands_never_import_qt(demo_dir: Path) -> None:
    code = (
        "import sys\n"
        "from station_desktop.__main__ import main\n"
        f"main(['--data-dir', {str(demo_dir)!r}, 'list', 'visits', '--limit', '1'])\n"
        f"main(['--data-dir', {str(demo_dir)!r}, 'residents', 'search', 'zhaxi'])\n"
        "qt = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not qt, qt\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, timeout=120, env=cli_env()
    )


# ---------------------------------------------------------------- rosters


@pytest.fixture
def station_dir(tmp_path: Path) -> Path:
    """A laptop serving 八廓街道 (540102002, with 冲赛康社区), with one demo resident."""
    data_dir = tmp_path / "data"
    run_cli("demo", "--residents", "1", data_dir=data_dir)
    return data_dir


def test_roster_import_previews_imports_and_adds_nothing_the_second_time(
    station_dir: Path, tmp_path: Path
) -> None:
    from tests import rosters

    broken = rosters.broken_roster()
    path = rosters.write_xlsx(tmp_path / "低保花名册.xlsx", broken.rows)
    shown = run_cli("roster", "import", str(path), "--dry-run", data_dir=station_dir).stdout
    assert "公民身份号码 → ID card number" in shown
    assert "488 to add" in shown and "12 rows refused" in shown
    for row in broken.refused:
        assert f"Row {row}" in shown
    assert "5.40102E+17" in shown and "色拉村 is not one of this station's" in shown
    assert shown.rstrip().endswith("Nothing was written (--dry-run).")

    done = json.loads(run_cli("roster", "import", str(path), "--json", data_dir=station_dir).stdout)
    assert done["written"] is True
    assert len(done["added"]) == 488 and done["refused_rows"] == sorted(broken.refused)
    assert done["groups"] == ["dibao"]
    assert {r["column"] for r in done["refused"] if "turned this ID" in r["reason"]} == {
        "公民身份号码"
    }

    again = json.loads(
        run_cli("roster", "import", str(path), "--json", data_dir=station_dir).stdout
    )
    assert again["added"] == [] and again["joining"] == [] and again["unchanged"] == 488
    assert again["written"] is False


def test_roster_import_speaks_chinese_and_takes_corrections(
    station_dir: Path, tmp_path: Path
) -> None:
    from tests import rosters

    path = rosters.write_csv(tmp_path / "特困.csv", rosters.table(rosters.people(5)))
    shown = run_cli(
        "roster",
        "import",
        str(path),
        "--group",
        "特困",
        "--since",
        "2025-07-01",
        "--column",
        "联系电话=skip",
        "--dry-run",
        data_dir=station_dir,
        lang={"STATION_DESKTOP_LANG": "zh_CN"},
    ).stdout
    assert "联系电话 → 不导入" in shown
    assert "特困供养人员" in shown
    wrong = run_cli(
        "roster", "import", str(path), "--group", "rich", data_dir=station_dir, check=False
    )
    assert wrong.returncode == 1 and "rich is not a priority group" in wrong.stderr


def test_export_list_masks_ids_and_keeps_formulas_text(station_dir: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from openpyxl import load_workbook

    from tests import rosters

    persons = rosters.people(3)
    persons[0] = replace(persons[0], name_zh='=HYPERLINK("http://x")')
    # A CSV keeps the text as typed (a workbook would hold a formula, read as its value).
    path = rosters.write_csv(tmp_path / "r.csv", rosters.table(persons))
    run_cli("roster", "import", str(path), data_dir=station_dir)
    out = tmp_path / "居民.xlsx"
    shown = run_cli("export-list", "residents", "-o", str(out), data_dir=station_dir).stdout
    # The demo's one resident lives at another of the demo laptop's stations: the station
    # head's list keeps to the station (services/access.py).
    assert shown.strip() == f"{out}: 3 rows"
    sheet = load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert "བོད་ཡིག་གི་མིང / 藏文姓名" in headers or any("藏文姓名" in h for h in headers)
    ids = [c.value for c in sheet["F"][1:] if c.value]
    assert ids and all("*" in v for v in ids)
    assert persons[1].id_number not in {c.value for row in sheet.iter_rows() for c in row}
    formula = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert formula and all(c.data_type == "s" and c.quotePrefix for c in formula)


def test_migrate_to_loads_a_station_file_once(tmp_path: Path) -> None:
    """A station's file into the bureau's database, with progress; twice: nothing new."""
    from tests.conftest import server_url_or_skip

    url = server_url_or_skip()
    empty_server_database(url)
    station = tmp_path / "station"
    run_cli("demo", "--residents", "200", "--seed", "3", data_dir=station)
    first = run_cli("migrate-to", "--database-url", url, data_dir=station)
    assert "rows copied, 0 already there" in first.stdout
    assert "resident_search_key" in first.stderr  # progress, table by table
    second = run_cli(
        "--data-dir",
        str(tmp_path / "bureau"),
        "--database-url",
        url,
        "migrate-to",
        "--from",
        str(station),
    )
    assert " 0 rows copied" in second.stdout
    here = json.loads(run_cli("residents", "search", "zhaxi", "--json", data_dir=station).stdout)
    bureau = json.loads(
        run_cli(
            "--database-url",
            url,
            "residents",
            "search",
            "zhaxi",
            "--json",
            data_dir=tmp_path / "bureau",
        ).stdout
    )
    # The demo laptop acts as one station's head and finds that station's people; the
    # bureau finds them too, among every station's.
    assert {r["id"] for r in here} <= {r["id"] for r in bureau}
    assert bureau  # the demo's eight stations hold several Zhaxi


def test_migrate_to_opens_encrypted_station_files_with_the_bureaus_recovery_key(
    tmp_path: Path,
) -> None:
    """The bureau holds the recovery key every station's data key is sealed to: it opens
    a station's folder and its backups (each with the key file kept beside it) without
    any worker's password; a password of the station's worker opens them too."""
    import pyrage

    from tests.conftest import server_url_or_skip

    url = server_url_or_skip()
    empty_server_database(url)
    bureau_key = pyrage.x25519.Identity.generate()
    card = tmp_path / "bureau.card"
    card.write_text(str(bureau_key.to_public()) + "\n", encoding="utf-8")
    identity = tmp_path / "bureau.identity"
    identity.write_text(str(bureau_key) + "\n", encoding="utf-8")
    station = tmp_path / "station"
    run_cli("demo", "--residents", "30", "--seed", "5", data_dir=station)
    run_cli("workers", "recovery-key", str(card), data_dir=station)
    backup = run_cli("backups", "create", data_dir=station).stdout.strip().split(": ", 1)[1]
    no_password = {"STATION_DESKTOP_PASSWORD_FILE": os.devnull}
    refused = run_cli(
        "migrate-to", "--database-url", url, data_dir=station, check=False, lang=no_password
    )
    assert refused.returncode == 1 and "password" in refused.stderr.lower()
    loaded = run_cli(
        "migrate-to",
        "--database-url",
        url,
        "--recovery-identity",
        str(identity),
        "--from",
        str(station),
        "--from",
        backup,
        data_dir=tmp_path / "bureau",
        lang=no_password,
    ).stdout.splitlines()
    assert "rows copied, 0 already there" in loaded[0]
    assert loaded[1].split(": ", 1)[1].startswith("0 rows copied")  # the backup: all there
    again = run_cli("migrate-to", "--database-url", url, data_dir=station).stdout
    assert " 0 rows copied" in again  # a worker's password opens it as well


def test_a_password_on_the_command_line_is_refused_without_echoing_it(tmp_path: Path) -> None:
    result = run_cli(
        "--database-url",
        "postgresql://bureau:pa55word@db.example.org/stations",
        "info",
        data_dir=tmp_path / "d",
        check=False,
    )
    assert result.returncode == 2
    assert "pa55word" not in result.stderr + result.stdout
    assert "password file" in result.stderr


def test_the_window_can_quit_as_soon_as_it_is_usable(demo_dir: Path, tmp_path: Path) -> None:
    """For measuring start-up: STATION_DESKTOP_EXIT_AFTER_START=1 opens the window over
    the data (the demo laptop has its station and worker, so nothing is asked) and quits
    with status 0, without having loaded the PDF and spreadsheet machinery on the way."""
    code = (
        "import os, sys\n"
        "exit_now = os._exit\n"
        "def check_then_exit(status):\n"
        "    heavy = [m for m in sys.modules if m.startswith(('reportlab', 'openpyxl'))]\n"
        "    exit_now(3 if heavy else status)\n"
        "os._exit = check_then_exit\n"
        "from station_desktop.__main__ import main\n"
        f"main(['--data-dir', {str(demo_dir)!r}])\n"
        "sys.exit(4)  # not reached: the program exits at once\n"
    )
    env = {
        **cli_env(),
        "QT_QPA_PLATFORM": "offscreen",
        "STATION_DESKTOP_USER": DEMO_ADMINISTRATOR,
        "STATION_DESKTOP_EXIT_AFTER_START": "1",
        "XDG_CONFIG_HOME": str(tmp_path),  # the window's settings, not the user's
    }
    result = subprocess.run(  # noqa: PLW1510 - checked below, with the output
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
