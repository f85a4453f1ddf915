"""The headless command line. Never imports Qt.

Exit codes: 0 success, 1 an expected problem (message on stderr, in English until the
catalogues land), 2 wrong usage (argparse).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from station_desktop import __version__
from station_desktop.cli_stations import add_stations_parser, run_stations
from station_desktop.errors import NeedsMigration, StationError
from station_desktop.i18n import N_, Catalogues
from station_desktop.paths import DATA_DIR_ENV, DataPaths, resolve_data_dir

EXIT_OK = 0
EXIT_PROBLEM = 1

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
        help=f"folder with the station's data (default: ${DATA_DIR_ENV}, else the "
        "platform's user data folder)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="fill the data folder with realistic demo data")
    demo.add_argument("--residents", type=int, default=1000, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")

    residents = commands.add_parser("residents", help="find residents")
    residents_commands = residents.add_subparsers(dest="residents_command", required=True)
    search = residents_commands.add_parser(
        "search", help="search by name in any script, Wylie, pinyin, phonetic, ID or phone"
    )
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    listing = commands.add_parser("list", help="list records, newest first")
    listing.add_argument("kind", choices=LIST_KINDS)
    listing.add_argument("--limit", type=int, default=20, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    setup = commands.add_parser("setup", help="choose the station this laptop serves")
    setup.add_argument(
        "--station", required=True, metavar="CODE", help="its code (see: stations list)"
    )
    add_stations_parser(commands)

    backups = commands.add_parser("backups", help="list, take or restore backups")
    backups_commands = backups.add_subparsers(dest="backups_command", required=True)
    backups_commands.add_parser("list", help="list backups, newest first")
    backups_commands.add_parser("create", help="take a backup now")
    restore = backups_commands.add_parser(
        "restore", help="replace the database with a backup (the current one is kept aside)"
    )
    restore.add_argument("file", type=Path)

    report = commands.add_parser(
        "report", help="the bureau's figures for a period and stations (docs/report-figures.md)"
    )
    report.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    report.add_argument("--station", action="append", metavar="CODE", help="repeatable")
    report.add_argument(
        "--format",
        choices=("json", "xlsx", "pdf"),
        default="json",
        help="json (default, docs/cli-json.md), xlsx (a sheet per table) or pdf (A4, "
        "Tibetan and Chinese, with the monthly trend); xlsx and pdf need -o",
    )
    report.add_argument("-o", "--output", type=Path, metavar="FILE")

    printing = commands.add_parser(
        "print", help="bilingual A4 forms as PDF: filled from a record, blank, or a visit pack"
    )
    printing.add_argument(
        "kind", choices=("visit", "feedback", "case", "activity", "handout", "visit-pack")
    )
    printing.add_argument("--id", dest="record_id", metavar="UUID", help="the record to print")
    printing.add_argument("--blank", action="store_true", help="blank sheets for paper")
    printing.add_argument("--count", type=int, default=1, metavar="N", help="blank sheets")
    printing.add_argument(
        "--first", type=int, default=1, metavar="N", help="number of the first blank sheet"
    )
    printing.add_argument("--village", metavar="CODE", help="visit pack: village or community")
    printing.add_argument("--from", dest="start", metavar="DATE")
    printing.add_argument("--to", dest="end", metavar="DATE")
    printing.add_argument("-o", "--output", type=Path, metavar="FILE.pdf")

    commands.add_parser("info", help="where the data is and what it holds")
    return parser


# ---------------------------------------------------------------- helpers


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _print_json(value: Any) -> None:
    _out(json.dumps(value, ensure_ascii=False, indent=2))


def _paths(args: argparse.Namespace) -> DataPaths:
    return resolve_data_dir(args.data_dir)


def _open(args: argparse.Namespace, *, reading: bool = False) -> Any:
    from station_desktop.app import open_application

    paths = _paths(args)
    if reading and paths.database.exists():
        # Reading changes nothing, so it skips the integrity check, and it works beside a
        # running window (WAL lets readers and one writer share the file).
        try:
            return open_application(paths, read_only=True, check_integrity=False)
        except NeedsMigration:
            pass  # an older file: open it normally, which backs it up and upgrades it
    return open_application(paths)


# ---------------------------------------------------------------- commands


def _cmd_demo(args: argparse.Namespace) -> int:
    from station_desktop.demo.generator import DemoSize, generate_demo

    if args.residents < 1:
        raise StationError(N_("{option} must be at least 1."), option="--residents")
    with _open(args) as app:
        summary = generate_demo(
            app,
            DemoSize(residents=args.residents),
            seed=args.seed,
            progress=lambda text: print(text, file=sys.stderr),
        )
    _out(f"Demo data written to {_paths(args).database}:")
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


def _cmd_setup(args: argparse.Namespace) -> int:
    with _open(args) as app:
        station = app.stations.use_station(args.station)
    _out(f"This laptop now serves {station.code} {station.name_zh} {station.name_bo}".rstrip())
    return EXIT_OK


def _cmd_backups(args: argparse.Namespace) -> int:
    from station_desktop.store.backup import back_up, list_backups
    from station_desktop.store.opening import restore_backup

    paths = _paths(args)
    if args.backups_command == "list":
        backups = list_backups(paths.backups)
        if not backups:
            _out("No backups yet.")
        for backup in backups:
            _out(f"{backup.taken_at.isoformat()}  {backup.reason:<14} {backup.path}")
    elif args.backups_command == "create":
        with _open(args) as app:
            path = back_up(app.paths.database, app.paths.backups, "manual")
        _out(f"Backup written: {path}")
    else:
        kept = restore_backup(paths, args.file)
        _out(f"Restored {args.file}. The database it replaced is kept as {kept}.")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from station_desktop.forms.validate import parse_date
    from station_desktop.services.reports import ReportPeriod
    from station_desktop.store.files import commit_temp_file, temp_path_for

    start, end = parse_date(args.start), parse_date(args.end)
    if start is None or end is None or end < start:
        raise StationError(
            N_("Give the period as {example}."), example="--from 2026-01-01 --to 2026-12-31"
        )
    if args.format == "pdf" and args.output is None:  # before the work, not after it
        raise StationError(N_("A PDF needs a file name: add {option}."), option="-o")
    with _open(args, reading=True) as app:
        period = ReportPeriod(start, end)
        report = app.reports.compute(period, args.station)
        stations = app.stations.stations()
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
    text = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    if args.output is None:
        _out(text)
    else:  # a temporary name, fsync, rename: a USB stick pulled out leaves no half file
        temp = temp_path_for(args.output)
        temp.write_text(text + "\n", encoding="utf-8")
        commit_temp_file(temp, args.output)
    return EXIT_OK


def _cmd_print(args: argparse.Namespace) -> int:
    from station_desktop.cli_print import run_print

    with _open(args, reading=True) as app:
        return run_print(app, args)


def _cmd_info(args: argparse.Namespace) -> int:
    with _open(args, reading=True) as app:
        station = app.stations.current_station()
        counts = app.listing.counts()
    _out(f"data folder: {app.paths.root}")
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
    "info": _cmd_info,
}


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """Messages follow STATION_DESKTOP_LANG, else the usual LANGUAGE/LC_ALL/LANG; English
    when none names Tibetan or Chinese (scripts get stable English by default)."""
    env = os.environ if environ is None else environ
    for variable in ("STATION_DESKTOP_LANG", "LANGUAGE", "LC_ALL", "LANG"):
        value = env.get(variable, "")
        if value.startswith("bo"):
            return "bo"
        if value.startswith("zh"):
            return "zh_CN"
        if value:
            return "en"
    return "en"


def run_command(args: argparse.Namespace) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # Tibetan on a Windows console
    try:
        return COMMANDS[args.command](args)
    except StationError as error:
        translator = Catalogues().translator(cli_language())
        print(
            f"station-desktop: {translator.gettext(error.message, **error.params)}", file=sys.stderr
        )
        for field_error in getattr(error, "errors", ()):
            message = translator.gettext(field_error.message, **field_error.params)
            print(f"  {field_error.field}: {message}", file=sys.stderr)
        return EXIT_PROBLEM
