"""The headless command line. Never imports Qt.

Exit codes: 0 success, 1 an expected problem (one line on stderr in the reader's
language: `STATION_DESKTOP_LANG`, else `LANG`), 2 wrong usage. Nothing a command writes is
ever left half-written, and no temporary file stays behind. A bug (anything that is not a
`StationError`) is one line too, pointing at the log that holds the details.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from station_desktop import __version__
from station_desktop.cli_args import (
    bounded,
    cli_language,
    cli_translator,
    folder_argument,
    path_argument,
    text_argument,
)
from station_desktop.cli_stations import add_stations_parser, run_stations
from station_desktop.errors import (
    DatabaseDamaged,
    NeedsMigration,
    StationError,
    UsageError,
)
from station_desktop.i18n import N_, Catalogues, Translator
from station_desktop.paths import (
    DATA_DIR_ENV,
    DATABASE_URL_ENV,
    DataPaths,
    resolve_data_dir,
    resolve_database_url,
)

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Bounds on what a command may be asked for: beyond them the answer is an error, never a
# machine brought to its knees or a number SQLite cannot hold.
MAX_LIMIT = 100_000
MAX_DEMO_RESIDENTS = 200_000
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# The demo's administrator: the head of the station the demo laptop serves (demo/names.py,
# the first of the demo's staff), so the sign-in is that person's staff row.
DEMO_ADMINISTRATOR = "索朗卓玛"

MSG_PERIOD = N_("Give the period as {example}, between {earliest} and {latest}.")
MSG_DEMO_INTO_DATA = N_(
    "{path} already holds data ({records} records). Demo data would be mixed into it. "
    "Choose an empty data folder with {option}, or add {force} to mix them all the same."
)
MSG_BUG = N_(
    "Station Desktop met an unexpected problem ({kind}). No data was left half-written. The "
    "details are in {log}; please pass them on to the people who look after the program."
)
MSG_INTERRUPTED = N_("Interrupted. No data was left half-written.")
MSG_CONFIRM_RESTORE = N_(
    "Restoring replaces the data on this laptop with the backup (the current data is kept "
    "in the backups folder). Add {option} to confirm."
)
MSG_RESTORE_QUESTION = N_("Replace the data on this laptop with this backup? [y/N] ")
MSG_RESTORE_CANCELLED = N_("Nothing was changed.")
MSG_RESTORED = N_("Restored the data from {path}. The data it replaced is kept as {kept}.")
MSG_RESTORED_NOTHING_KEPT = N_("Restored the data from {path}.")
MSG_SUMMARY_BACKUP = N_("The backup: {path}")
MSG_SUMMARY_CURRENT = N_("Data on this laptop now: {path}")
MSG_SUMMARY_NONE = N_("(no data that can be read)")
MSG_SUMMARY_LINE = N_(
    "station {station}; residents {residents}, visits {visits}, feedback sheets "
    "{feedback}, cases {cases}, activities {activities}, resources {resources}; "
    "{changes} changes, the newest on {newest}"
)
MSG_NO_STATION = N_("(not set)")
MSG_WARNING = N_("Warning: {text}")


def _period(start_text: str, end_text: str) -> tuple[date, date]:
    from station_desktop.forms.validate import parse_date

    start, end = parse_date(start_text), parse_date(end_text)
    if start is None or end is None or end < start or start < EARLIEST_DATE or end > LATEST_DATE:
        raise StationError(
            MSG_PERIOD,
            example="--from 2026-01-01 --to 2026-12-31",
            earliest=EARLIEST_DATE.isoformat(),
            latest=LATEST_DATE.isoformat(),
        )
    return start, end


LIST_KINDS = ("residents", "visits", "feedback", "cases", "activities", "resources")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="station-desktop",
        description="Bilingual desktop application for Lhasa's social-work stations. "
        "Without a command it opens the application window.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=folder_argument,
        help=f"folder with the station's data (default: ${DATA_DIR_ENV}, else the "
        "platform's user data folder)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        type=text_argument,
        help=f"the bureau's PostgreSQL database, e.g. postgresql://bureau@db.example.org/"
        f"stations, with no password in it (default: ${DATABASE_URL_ENV}, else the server "
        "remembered by `server use`, else the data folder's own file)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        type=text_argument,
        help="who signs in on a folder protected by passwords (default: "
        "$STATION_DESKTOP_USER, else the only worker); the password is read from the file "
        "named by $STATION_DESKTOP_PASSWORD_FILE, else standard input, else a prompt",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="fill the data folder with realistic demo data; a new folder is encrypted, its "
        f"administrator {DEMO_ADMINISTRATOR} (the head of the demo laptop's station), whose "
        "new password is read as every password is (see README)",
    )
    demo.add_argument(
        "--residents",
        type=bounded("--residents", 1, MAX_DEMO_RESIDENTS),
        default=1000,
        metavar="N",
    )
    demo.add_argument("--seed", type=bounded("--seed", 0, 2**31 - 1), default=1, metavar="S")
    demo.add_argument(
        "--force", action="store_true", help="add demo data even to a folder that holds data"
    )

    residents = commands.add_parser("residents", help="find residents")
    residents_commands = residents.add_subparsers(dest="residents_command", required=True)
    search = residents_commands.add_parser(
        "search", help="search by name in any script, Wylie, pinyin, phonetic, ID or phone"
    )
    search.add_argument("text", type=text_argument)
    search.add_argument("--limit", type=bounded("--limit", 1, MAX_LIMIT), default=20)
    search.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    listing = commands.add_parser("list", help="list records, newest first")
    listing.add_argument("kind", choices=LIST_KINDS)
    listing.add_argument("--limit", type=bounded("--limit", 1, MAX_LIMIT), default=20, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    setup = commands.add_parser(
        "setup", help="choose the station this laptop serves (or make it the bureau's)"
    )
    chosen = setup.add_mutually_exclusive_group(required=True)
    chosen.add_argument(
        "--station", metavar="CODE", type=text_argument, help="its code (see: stations list)"
    )
    chosen.add_argument(
        "--bureau", action="store_true", help="this installation is the civil-affairs bureau's"
    )
    setup.add_argument(
        "--admin",
        metavar="NAME",
        type=text_argument,
        help="on a new data folder: its first administrator (the data is encrypted, as by "
        "init; the new password is read as every password is)",
    )
    add_stations_parser(commands)

    backups = commands.add_parser("backups", help="list, take or restore backups")
    backups_commands = backups.add_subparsers(dest="backups_command", required=True)
    backups_commands.add_parser("list", help="list backups, newest first")
    backups_commands.add_parser("create", help="take a backup now")
    restore = backups_commands.add_parser(
        "restore",
        help="replace the database with a backup, after checking it and showing what it "
        "holds (the current data is kept in the backups folder)",
    )
    restore.add_argument("file", type=path_argument)
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing")
    restore.add_argument(
        "--other-station",
        action="store_true",
        help="allow a backup of another station than the one this laptop holds",
    )

    report = commands.add_parser(
        "report", help="the bureau's figures for a period and stations (docs/report-figures.md)"
    )
    report.add_argument(
        "--from", dest="start", required=True, metavar="YYYY-MM-DD", type=text_argument
    )
    report.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", type=text_argument)
    report.add_argument(
        "--station", action="append", metavar="CODE", help="repeatable", type=text_argument
    )
    report.add_argument(
        "--format",
        choices=("json", "xlsx", "pdf"),
        default="json",
        help="json (default, docs/cli-json.md), xlsx (a sheet per table) or pdf (A4, "
        "Tibetan and Chinese, with the monthly trend); xlsx and pdf need -o",
    )
    report.add_argument("-o", "--output", type=path_argument, metavar="FILE")
    report.add_argument(
        "--submit", action="store_true", help="keep this report as submitted to the bureau"
    )
    report.add_argument(
        "--note", default="", metavar="TEXT", help="with --submit", type=text_argument
    )

    submitted = commands.add_parser(
        "submitted", help="reports kept as they were submitted to the bureau"
    )
    submitted_commands = submitted.add_subparsers(dest="submitted_command", required=True)
    submitted_list = submitted_commands.add_parser("list", help="newest first")
    submitted_list.add_argument("--json", action="store_true", help="docs/cli-json.md")
    submitted_commands.add_parser("show", help="its figures, as submitted").add_argument(
        "id", type=text_argument
    )
    submitted_pdf = submitted_commands.add_parser("pdf", help="its PDF, as submitted")
    submitted_pdf.add_argument("id", type=text_argument)
    submitted_pdf.add_argument("-o", "--output", type=path_argument, metavar="FILE.pdf")

    printing = commands.add_parser(
        "print", help="bilingual A4 forms as PDF: filled from a record, blank, or a visit pack"
    )
    printing.add_argument(
        "kind",
        choices=("visit", "feedback", "case", "activity", "handout", "visit-pack", "sign-in"),
    )
    printing.add_argument(
        "--id", dest="record_id", metavar="UUID", help="the record to print", type=text_argument
    )
    printing.add_argument("--blank", action="store_true", help="blank sheets for paper")
    printing.add_argument(
        "--count", type=bounded("--count", 1, 9999), default=1, metavar="N", help="blank sheets"
    )
    printing.add_argument(
        "--first",
        type=bounded("--first", 1, 9999),
        default=1,
        metavar="N",
        help="number of the first blank sheet",
    )
    printing.add_argument(
        "--village",
        metavar="CODE",
        help="visit pack: village or community",
        type=text_argument,
    )
    printing.add_argument(
        "--group", metavar="CODE", help="sign-in: one priority group", type=text_argument
    )
    printing.add_argument("--from", dest="start", metavar="DATE", type=text_argument)
    printing.add_argument("--to", dest="end", metavar="DATE", type=text_argument)
    printing.add_argument("-o", "--output", type=path_argument, metavar="FILE.pdf")

    from station_desktop.cli_roster import add_roster_commands

    add_roster_commands(commands)  # roster import, export-list

    from station_desktop.cli_sync import add_sync_commands

    add_sync_commands(commands)  # keys, export, import, conflicts

    from station_desktop.cli_privacy import add_privacy_commands

    add_privacy_commands(commands)  # privacy schedule, purge, erase-id, report
    from station_desktop.cli_scan import add_scan_commands

    add_scan_commands(commands)  # scan

    commands.add_parser("info", help="where the data is and what it holds")

    from station_desktop.cli_accounts import add_account_commands

    add_account_commands(commands, text_argument)  # init, workers, password, recover
    from station_desktop.cli_audit import add_audit_commands

    add_audit_commands(commands)  # audit verify, audit list

    from station_desktop.cli_server import add_server_commands

    add_server_commands(commands, text_argument, text_argument)
    return parser


# ---------------------------------------------------------------- helpers


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _print_json(value: Any) -> None:
    _out(json.dumps(value, ensure_ascii=False, indent=2))


def _paths(args: argparse.Namespace) -> DataPaths:
    return resolve_data_dir(args.data_dir)


def _database_url(args: argparse.Namespace) -> str | None:
    """The bureau's server when one is given or remembered; None: the local file."""
    return resolve_database_url(args.database_url, _paths(args))


def _warn(message: StationError) -> None:
    translator = cli_translator()
    text = translator.gettext(message.message, **message.params)
    print(f"station-desktop: {translator.gettext(MSG_WARNING, text=text)}", file=sys.stderr)


def _open(args: argparse.Namespace, *, reading: bool = False, new: Any = None) -> Any:
    """The application on the data folder. Reading commands never create anything (a
    mistyped folder is an error, not a new empty station) and skip the integrity check
    (cheap header checks still run), so they work beside a running window. `new`: the
    first administrator just made (`first_administrator`), who begins when the caller
    has set the folder up."""
    from station_desktop.app import open_application

    paths = _paths(args)
    url = _database_url(args)
    if new is not None:
        return open_application(paths, key=new.data_key)
    person, key = _signed_in(args, paths, url)
    app = None
    if reading:
        # An older file raises NeedsMigration: it is then opened normally, which backs it
        # up and upgrades it.
        with contextlib.suppress(NeedsMigration):
            app = open_application(
                paths, read_only=True, check_integrity=False, database_url=url, key=key
            )
    if app is None:
        app = open_application(paths, database_url=url, key=key)
    if person is not None:
        app.accounts.begin(person, remember=app.store.lock is not None)
    for notice in app.store.notices:
        _warn(notice)
    return app


def _signed_in(args: argparse.Namespace, paths: DataPaths, url: str | None) -> tuple[Any, Any]:
    """(who signed in, the data key) on a folder protected by passwords; (None, None)
    on a plain folder or a server (whose own access control applies)."""
    if url is not None or not paths.key_slots.exists():
        return None, None
    from station_desktop.cli_accounts import sign_in_for_command

    person = sign_in_for_command(args, paths)
    return person, person.data_key


# ---------------------------------------------------------------- commands


def _cmd_demo(args: argparse.Namespace) -> int:
    from station_desktop.cli_accounts import first_administrator
    from station_desktop.demo.generator import DemoSize, generate_demo

    new = first_administrator(args, _paths(args), DEMO_ADMINISTRATOR, quick=True)
    with _open(args, new=new) as app:
        held = sum(app.listing.counts().values())
        if (held or app.stations.current_station() is not None) and not args.force:
            raise StationError(
                MSG_DEMO_INTO_DATA,
                path=str(app.paths.root),
                records=held,
                option="--data-dir",
                force="--force",
            )
        summary = generate_demo(
            app,
            DemoSize(residents=args.residents),
            seed=args.seed,
            progress=lambda text: print(text, file=sys.stderr),
        )
        if new is not None:  # the station exists now: the slot finds its staff row
            app.accounts.begin(new)
        where = app.store.where
    _out(f"Demo data written to {where}:")
    for kind, count in summary.items():
        _out(f"  {kind}: {count}")
    return EXIT_OK


def _cmd_residents(args: argparse.Namespace) -> int:
    with _open(args, reading=True) as app:
        found = app.residents.search(args.text, limit=args.limit)
        with app.ctx.db.read() as session:
            rows = app.listing.resident_dicts(session, found)
    if args.json:
        _print_json(rows)
    elif not rows:
        _out("No resident found.")
    else:
        for row in rows:
            _out(_resident_line(row))
    return EXIT_OK


def _resident_line(row: dict[str, Any]) -> str:
    name = " / ".join(n for n in (row["name_bo"], row["name_zh"]) if n)
    parts = [name, row["birth_date"] or "", row["area_code"] or "", row["id"]]
    return "  ".join(p for p in parts if p)


def _cmd_list(args: argparse.Namespace) -> int:
    with _open(args, reading=True) as app:
        rows = app.listing.records(args.kind, limit=args.limit)
    if args.json:
        _print_json(rows)
        return EXIT_OK
    if not rows:
        _out("Nothing recorded yet.")
    for row in rows:
        _out(
            "  ".join(str(v) for k, v in row.items() if v not in (None, "", [], {}) and k != "id")
            + f"  {row['id']}"
        )
    return EXIT_OK


MSG_SETUP_NEW_FOLDER = N_(
    "{path} holds no data yet: name its first administrator with {option} NAME (the data "
    "is then protected by their password), or make it with {init}."
)


def _cmd_setup(args: argparse.Namespace) -> int:
    from station_desktop.cli_accounts import first_administrator

    paths = _paths(args)
    new = None
    fresh = _database_url(args) is None and _is_new_folder(paths)
    if fresh and args.station:  # a wrong code is said before any password is asked
        _check_bundled_code(args.station)
    if args.admin:
        new = first_administrator(args, paths, args.admin, bureau=args.bureau)
    elif fresh:
        raise UsageError(MSG_SETUP_NEW_FOLDER, path=str(paths.root), option="--admin", init="init")
    with _open(args, new=new) as app:
        if args.bureau:
            app.sync.set_role("bureau")
            if new is not None:
                app.accounts.begin(new)
            _out("This installation is now the bureau's: it receives every station.")
            return EXIT_OK
        station = app.stations.use_station(args.station)
        if new is not None:
            app.accounts.begin(new)
    _out(f"This laptop now serves {station.code} {station.name_zh} {station.name_bo}".rstrip())
    return EXIT_OK


def _check_bundled_code(code: str) -> None:
    """A new folder can only serve a station of the bundled list."""
    from station_desktop.domain.text import has_unstorable, normalize_text
    from station_desktop.reference.stations import bundled_stations
    from station_desktop.services.stations import LIST_COMMAND, MSG_NO_SUCH_STATION

    if has_unstorable(code):
        from station_desktop.errors import FieldError, ValidationError
        from station_desktop.forms.validate import MSG_UNSTORABLE

        raise ValidationError([FieldError("code", MSG_UNSTORABLE)])
    if bundled_stations().find(normalize_text(code).upper()) is None:
        raise StationError(MSG_NO_SUCH_STATION, code=code, command=LIST_COMMAND)


def _is_new_folder(paths: DataPaths) -> bool:
    from station_desktop.cli_accounts import is_new_folder

    return is_new_folder(paths)


def _cmd_backups(args: argparse.Namespace) -> int:
    from station_desktop.services.backups import BackupService

    url = _database_url(args)
    if url is not None:  # the server's own backups keep it (README)
        from station_desktop.errors import BackupsOnServer
        from station_desktop.store.server import describe_server

        raise BackupsOnServer(server=describe_server(url))
    paths = _paths(args)
    if args.backups_command == "create":
        with _open(args) as app:
            path = app.backups.back_up("manual")
        _out(f"Backup written: {path}")
        return EXIT_OK
    service = BackupService(paths)
    person = None
    if paths.key_slots.exists():  # listing and restoring ask for the password too
        from station_desktop.cli_accounts import copy_key_opener, sign_in_for_command

        person = sign_in_for_command(args, paths)
        service = BackupService(
            paths, key=person.data_key, open_copy_key=copy_key_opener(args, person.name)
        )
    elif args.backups_command == "restore":
        opened = _encrypted_copy_for_a_new_folder(args, paths)
        if opened is not None:
            service, who = opened
            service.actor = lambda: who
            return _restore_with_its_slots(service, args)
    who = _backup_actor(paths, person)
    service.actor = lambda: who
    if args.backups_command == "list":
        backups = service.backups()
        if not backups:
            _out("No backups yet.")
        for backup in backups:
            _out(f"{backup.taken_at.isoformat()}  {backup.reason:<14} {backup.path}")
    else:
        return _restore(service, args)
    return EXIT_OK


def _encrypted_copy_for_a_new_folder(args: argparse.Namespace, paths: DataPaths) -> Any:
    """A new laptop restoring an encrypted backup (README, "Moving a laptop's data to a new
    one"): the password is checked against the key slots kept beside the copy, whose key
    then opens it. None when this is not that case."""
    from station_desktop.store.cipher import read_slots, sidecar, unlock

    slots_file = sidecar(args.file)
    if paths.key_slots.exists() or paths.database.exists() or not slots_file.is_file():
        return None
    from station_desktop.cli_accounts import MSG_PASSWORD_PROMPT, read_password
    from station_desktop.domain.codes import StaffRole
    from station_desktop.services.access import Actor
    from station_desktop.services.backups import BackupService

    slots = read_slots(slots_file)
    name = getattr(args, "user", None) or os.environ.get("STATION_DESKTOP_USER")
    if not name:
        if len(slots.slots) != 1:
            from station_desktop.cli_accounts import MSG_WHO

            raise UsageError(MSG_WHO, option="--user")
        name = slots.slots[0].name
    prompt = cli_translator().gettext(MSG_PASSWORD_PROMPT, name=name)
    unlocked = unlock(slots, slots_file, name, read_password(prompt))
    slot = unlocked.slot
    who = Actor(slot.staff_id, StaffRole.parse(slot.role), None)
    return BackupService(paths, key=unlocked.data_key), who


def _restore_with_its_slots(service: Any, args: argparse.Namespace) -> int:
    """Restore, the copy's key slots becoming the folder's (removed again if it fails)."""
    from station_desktop.store.cipher import read_slots, sidecar, write_slots

    paths = service.paths
    paths.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_slots(paths.key_slots, read_slots(sidecar(args.file)))
    try:
        status = _restore(service, args)
    except BaseException:
        paths.key_slots.unlink(missing_ok=True)
        raise
    if status != EXIT_OK:
        paths.key_slots.unlink(missing_ok=True)
    return status


def _backup_actor(paths: DataPaths, person: Any) -> Any:
    """Who lists or restores backups (services.access): the signed-in person with their key
    slot's role (kept in step with their staff row by every role change made here; the
    data is not opened, since it may be damaged or missing: that is why one restores). A
    folder of an earlier version without passwords has nobody signed in: the program."""
    from station_desktop.services.access import SYSTEM
    from station_desktop.services.accounts import slot_actor

    return slot_actor(person) if person is not None else SYSTEM


def _summary_line(translator: Translator, summary: Any) -> str:
    newest = summary.newest_change.date().isoformat() if summary.newest_change else "-"
    station = " ".join(p for p in (summary.station_code, summary.station_name) if p)
    return translator.gettext(
        MSG_SUMMARY_LINE,
        station=station or translator.gettext(MSG_NO_STATION),
        changes=summary.changes,
        newest=newest,
        **summary.counts,
    )


def _restore(service: Any, args: argparse.Namespace) -> int:
    """Check the backup, show it beside the current data, ask, then restore."""
    from station_desktop.errors import OtherStationBackup

    translator = cli_translator()
    plan = service.plan(args.file)
    _out(translator.gettext(MSG_SUMMARY_BACKUP, path=str(args.file)))
    _out(f"  {_summary_line(translator, plan.backup)}")
    _out(translator.gettext(MSG_SUMMARY_CURRENT, path=str(service.paths.database)))
    current = plan.current
    described = _summary_line(translator, current) if current else None
    _out(f"  {described or translator.gettext(MSG_SUMMARY_NONE)}")
    if plan.other_station and not args.other_station:
        raise OtherStationBackup(
            path=str(args.file),
            backup_station=plan.backup.station_code or translator.gettext(MSG_NO_STATION),
            current_station=current.station_code if current else "",
            option="--other-station",
        )
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(MSG_CONFIRM_RESTORE, option="--yes")
        answer = input(translator.gettext(MSG_RESTORE_QUESTION))
        if answer.strip().lower() not in {"y", "yes", "是", "ཡིན"}:
            _out(translator.gettext(MSG_RESTORE_CANCELLED))
            return EXIT_PROBLEM
    result = service.restore(plan, allow_other_station=args.other_station)
    if result.kept is None:
        _out(translator.gettext(MSG_RESTORED_NOTHING_KEPT, path=str(args.file)))
    else:
        _out(translator.gettext(MSG_RESTORED, path=str(args.file), kept=str(result.kept)))
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from station_desktop.services.reports import ReportPeriod
    from station_desktop.store.files import write_atomically

    start, end = _period(args.start, args.end)
    if args.format == "pdf" and args.output is None:  # before the work, not after it
        raise StationError(N_("A PDF needs a file name: add {option}."), option="-o")
    with _open(args, reading=not args.submit) as app:
        if args.output is not None or args.format != "json":  # a copy out (services.access)
            from station_desktop.services.access import Action, Resource

            app.ctx.require(Resource.REPORT, Action.EXPORT)
        period = ReportPeriod(start, end)
        report = app.reports.compute(period, args.station)
        stations = app.stations.stations()
        if args.submit:
            from station_desktop.cli_submitted import submit

            kept = submit(app, report, app.reports.trend(period, args.station), args.note)
            _out(f"submitted {kept.id}")
            return EXIT_OK
        since = None
        if args.format == "json":
            from station_desktop.cli_submitted import revision_json

            since = revision_json(app, report)
        if args.format == "pdf":
            from station_desktop.services.report_pdf import ReportPdfService

            pdfs = ReportPdfService(app.ctx)
            pdf = pdfs.render(report, app.reports.trend(period, args.station))
            pdfs.write(pdf, args.output)
            plural = "page" if pdf.pages == 1 else "pages"
            _out(f"{args.output}: {pdf.pages} {plural}, {len(pdf.data) / 1024:.0f} kB")
            return EXIT_OK
    if args.format == "xlsx":
        from station_desktop.services.report_export import station_names, write_xlsx

        if args.output is None:
            raise StationError(N_("A spreadsheet needs a file name: add {option}."), option="-o")
        write_xlsx(report, args.output, Catalogues(), station_names=station_names(stations))
        _out(f"{args.output}")
        return EXIT_OK
    data = report.to_json()
    if since is not None:  # what changed since the latest submission of this report
        data["since_submitted"] = since
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output is None:
        _out(text)
    else:  # a temporary name, fsync, rename: a USB stick pulled out leaves no half file
        write_atomically(args.output, (text + "\n").encode("utf-8"))
    return EXIT_OK


def _cmd_print(args: argparse.Namespace) -> int:
    from station_desktop.cli_print import run_print

    with _open(args, reading=True) as app:
        return run_print(app, args)


def _cmd_roster(args: argparse.Namespace) -> int:
    from station_desktop.cli_roster import run_roster

    with _open(args, reading=args.dry_run) as app:
        return run_roster(app, args, Catalogues().translator(cli_language()))


def _cmd_export_list(args: argparse.Namespace) -> int:
    from station_desktop.cli_roster import run_export_list

    # Whole ID numbers are a reveal, written to the audit trail: not a read-only opening.
    with _open(args, reading=not args.whole_id_numbers) as app:
        return run_export_list(app, args, Catalogues().translator(cli_language()))


def _cmd_sync(args: argparse.Namespace) -> int:
    from station_desktop import cli_sync

    run = {
        "keys": cli_sync.run_keys,
        "export": cli_sync.run_export,
        "import": cli_sync.run_import,
        "conflicts": cli_sync.run_conflicts,
    }[args.command]
    # A new laptop shows its key card before it has any data: only the conflict list
    # is read-only (it works beside a running window).
    reading = (
        args.command == "conflicts"
        and args.conflicts_command == "list"
        and not args.whole_id_numbers  # a reveal is written to the audit trail
    )
    with _open(args, reading=reading) as app:
        return run(app, args, cli_translator())


def _cmd_scan(args: argparse.Namespace) -> int:
    from station_desktop.cli_scan import run_scan

    with _open(args, reading=args.dry_run) as app:
        return run_scan(app, args, cli_translator())


def _cmd_submitted(args: argparse.Namespace) -> int:
    from station_desktop.cli_submitted import run_submitted

    with _open(args, reading=True) as app:
        return run_submitted(app, args)


def _cmd_privacy(args: argparse.Namespace) -> int:
    from station_desktop.cli_privacy import READING_COMMANDS, run_privacy

    reading = args.privacy_command in READING_COMMANDS or getattr(args, "dry_run", False)
    with _open(args, reading=reading) as app:
        return run_privacy(app, args, cli_translator())


def _cmd_audit(args: argparse.Namespace) -> int:
    from station_desktop.cli_audit import run_audit

    with _open(args, reading=True) as app:
        return run_audit(app, args, cli_translator())


def _cmd_info(args: argparse.Namespace) -> int:
    with _open(args, reading=True) as app:
        station = app.stations.current_station()
        counts = app.listing.counts()
    _out(f"data folder: {app.paths.root}")
    _out(f"database:    {app.store.where}")
    _out(f"device:      {app.ctx.device_id}")
    _out(f"station:     {station.code + ' ' + station.name_zh if station else '(not set)'}")
    for kind, count in counts.items():
        _out(f"{kind + ':':<13}{count}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _cmd_demo,
    "residents": _cmd_residents,
    "list": _cmd_list,
    "setup": _cmd_setup,
    "stations": run_stations,
    "backups": _cmd_backups,
    "report": _cmd_report,
    "print": _cmd_print,
    "roster": _cmd_roster,
    "export-list": _cmd_export_list,
    "keys": _cmd_sync,
    "export": _cmd_sync,
    "import": _cmd_sync,
    "conflicts": _cmd_sync,
    "submitted": _cmd_submitted,
    "scan": _cmd_scan,
    "info": _cmd_info,
    "privacy": _cmd_privacy,
    "init": lambda args: _accounts_command("run_init", args),
    "recover": lambda args: _accounts_command("run_recover", args),
    "workers": lambda args: _signed_in_command("run_workers", args),
    "password": lambda args: _signed_in_command("run_password", args),
    "audit": _cmd_audit,
    "server": lambda args: _server_command("run_server", args),
    "migrate-to": lambda args: _server_command("run_migrate_to", args),
}


def _accounts_command(name: str, args: argparse.Namespace) -> int:
    import station_desktop.cli_accounts as commands

    run: Callable[..., int] = getattr(commands, name)
    return run(args, _paths(args), _out)


def _signed_in_command(name: str, args: argparse.Namespace) -> int:
    import station_desktop.cli_accounts as commands

    run: Callable[..., int] = getattr(commands, name)
    with _open(args) as app:
        return run(app, args, _out)


def _server_command(name: str, args: argparse.Namespace) -> int:
    import station_desktop.cli_server as commands

    run: Callable[..., int] = getattr(commands, name)
    return run(args, _paths(args), _out, _warn)


def _corruption(error: BaseException) -> bool:
    """SQLite found the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB) while reading it."""
    from sqlalchemy.exc import DBAPIError

    cause = error.orig if isinstance(error, DBAPIError) else error
    code = (getattr(cause, "sqlite_errorcode", 0) or 0) & 0xFF
    sqlcipher = type(cause).__module__.startswith("sqlcipher3")
    return (isinstance(cause, sqlite3.DatabaseError) or sqlcipher) and code in (11, 26)


def _report(translator: Translator, error: StationError) -> None:
    print(f"station-desktop: {translator.gettext(error.message, **error.params)}", file=sys.stderr)
    for field_error in getattr(error, "errors", ()):
        message = translator.gettext(field_error.message, **field_error.params)
        print(f"  {field_error.field}: {message}", file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Tibetan on a Windows console
    translator = cli_translator()
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        _report(translator, error)
        return EXIT_USAGE
    except StationError as error:
        _report(translator, error)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print(f"station-desktop: {translator.gettext(MSG_INTERRUPTED)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`station-desktop list visits | head`): not a problem. Point
        # stdout at nothing so the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        if _corruption(error):
            from station_desktop.store.backup import usable_backups

            paths = _paths(args)
            damaged = DatabaseDamaged(paths.database, usable_backups(paths.backups), str(error))
            _report(translator, damaged)
            return EXIT_PROBLEM
        log = _log_bug(args, error)
        _report(translator, StationError(MSG_BUG, kind=type(error).__name__, log=log))
        return EXIT_PROBLEM


def _log_bug(args: argparse.Namespace, error: BaseException) -> str:
    """Write the traceback where it can be found (the data folder's log, else the temporary
    folder); the person sees one line."""
    import tempfile
    import traceback

    from station_desktop.logs import redact

    # Masked like the application's log: a traceback quotes values (names, ID numbers).
    details = redact("".join(traceback.format_exception(error)))
    for folder in (_paths(args).logs, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / "station-desktop-cli-errors.log"
            with log.open("a", encoding="utf-8") as handle:
                handle.write(details + "\n")
            return str(log)
        except OSError:
            continue
    logging.getLogger(__name__).error("%s", details)
    return "-"
