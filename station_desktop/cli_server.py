"""The command line's bureau commands: which database server this installation uses, and
moving a station's SQLite file into it. Never imports Qt.

    station-desktop server use postgresql://bureau@db.example.org/stations
    station-desktop server forget
    station-desktop migrate-to --database-url postgresql://… [--from FOLDER_OR_FILE …]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from station_desktop.errors import StationError, UsageError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths, resolve_database_url
from station_desktop.store.files import write_atomically

MSG_NO_SERVER = N_(
    "Say which database to load into: {option} postgresql://user@host/database "
    "(or set {variable}, or remember one with {command})."
)
MSG_WHO_HERE = N_(
    "{path} is encrypted and several workers have passwords there: say whose password you "
    "give with {option} NAME, or open it with the bureau's recovery key ({other} FILE)."
)
MSG_DIFFERING = N_(
    "{count} records of {source} were already in the bureau's database with other "
    "changes (changed in both places). Both histories are in the change log; the "
    "records keep the bureau's values until the sync import merges them."
)
MSG_CLASHES = N_(
    "{count} change-log entries of {source} have the number of an entry already in the "
    "bureau's database with other content: a laptop was copied without a new device "
    "identity. The bureau's entries were kept."
)


def add_server_commands(
    commands: Any, text: Callable[[str], str], address: Callable[[str], str]
) -> None:
    """The `server` and `migrate-to` sub-commands (`text`, `address`: argument checks)."""
    server = commands.add_parser(
        "server", help="use the bureau's database server instead of the local file"
    )
    server_commands = server.add_subparsers(dest="server_command", required=True)
    use = server_commands.add_parser(
        "use",
        help="check the server's database (creating its tables if empty) and remember it "
        "for this data folder; no password in the address (README)",
    )
    use.add_argument("url", metavar="URL", type=address)
    server_commands.add_parser("forget", help="go back to the local file")

    migrate = commands.add_parser(
        "migrate-to",
        help="copy a station's data file into the bureau's database (running it again "
        "adds only what is missing)",
    )
    migrate.add_argument(
        "--database-url",
        dest="target_url",
        metavar="URL",
        type=address,
        help="the bureau's database (default: --database-url before the command, "
        "the environment, or the remembered server)",
    )
    migrate.add_argument(
        "--from",
        dest="sources",
        action="append",
        metavar="PATH",
        type=lambda value: Path(text(value)),
        help="a station's data folder, its station.sqlite3 or a backup; repeatable "
        "(default: the data folder's own file)",
    )
    migrate.add_argument(
        "--recovery-identity",
        metavar="FILE",
        help="the bureau's recovery key (AGE-SECRET-KEY-… file): opens every encrypted "
        "station file sealed to it; without it each encrypted file asks for a password of "
        "one of its workers (--user NAME, the password read as every password is)",
    )


def run_server(
    args: argparse.Namespace,
    paths: DataPaths,
    out: Callable[[str], None],
    warn: Callable[[StationError], None],
) -> int:
    from station_desktop.app import open_application

    if args.server_command == "forget":
        paths.database_setting.unlink(missing_ok=True)
        out(f"This laptop now works on its own file: {paths.database}")
        return 0
    with open_application(paths, database_url=args.url) as app:
        where = app.store.where
        for notice in app.store.notices:
            warn(notice)
    setting = json.dumps({"url": args.url}, indent=2) + "\n"
    write_atomically(paths.database_setting, setting.encode("utf-8"))
    out(f"This laptop now works on the database {where}")
    return 0


def _source_file(path: Path) -> Path:
    """A data folder means its database file."""
    return path / DataPaths(path).database.name if path.is_dir() else path


def run_migrate_to(
    args: argparse.Namespace,
    paths: DataPaths,
    out: Callable[[str], None],
    warn: Callable[[StationError], None],
) -> int:
    from station_desktop.store.loading import load_station_file, ready_files
    from station_desktop.store.server import open_server_database

    url = args.target_url or resolve_database_url(args.database_url, paths)
    if url is None:
        raise UsageError(
            MSG_NO_SERVER,
            option="--database-url",
            variable="STATION_DESKTOP_DATABASE_URL",
            command="station-desktop server use URL",
        )
    sources = [_source_file(p) for p in (args.sources or [paths.root])]
    target, _migrated, _identity = open_server_database(url)
    try:
        # Every password asked before the first file loads (the next file is checked, and
        # upgraded if older, while one loads, and a long load then runs unattended).
        files = [(path, _station_key(args, path)) for path in sources]
        started = time.perf_counter()
        with closing(ready_files(files)) as ready:
            for station in ready:
                path = station.path
                try:
                    result = load_station_file(
                        station.readable,
                        target,
                        origin=path,
                        progress=_progress(path.parent.name),
                        key=station.key,
                    )
                finally:
                    station.close()
                print(file=sys.stderr)
                seconds, started = time.perf_counter() - started, time.perf_counter()
                out(
                    f"{path}: {result.rows_copied} rows copied, {result.rows_present} already "
                    f"there ({seconds:.1f} s) into {target.where}"
                )
                if result.differing:
                    warn(StationError(MSG_DIFFERING, count=len(result.differing), source=str(path)))
                if result.clashes:
                    warn(StationError(MSG_CLASHES, count=result.clashes, source=str(path)))
    finally:
        target.dispose()
    return 0


def _slots_file(path: Path) -> Path | None:
    """The key slots of an encrypted station file: its folder's, or those kept beside a
    backup. None for a plain file."""
    from station_desktop.store.cipher import sidecar

    if sidecar(path).is_file():
        return sidecar(path)
    folder = DataPaths(path.parent)
    if path.name == folder.database.name and folder.key_slots.is_file():
        return folder.key_slots
    return None


def _station_key(args: argparse.Namespace, path: Path) -> bytes | None:
    """The data key of the station file `path`: with the bureau's recovery identity when
    given (it opens every station sealed to it), else a password of one of its workers,
    asked for this file (several files, several passwords: one line each on standard
    input). None for a plain file."""
    from station_desktop.store.cipher import read_slots, unlock, unlock_with_recovery

    slots_file = _slots_file(path)
    if slots_file is None:
        return None
    slots = read_slots(slots_file)
    if getattr(args, "recovery_identity", None):
        from station_desktop.cli_accounts import _read_key_file

        identity = _read_key_file(args.recovery_identity)
        return unlock_with_recovery(slots, slots_file, identity)
    from station_desktop.cli_accounts import (
        MSG_PASSWORD_PROMPT,
        USER_ENV,
        _translate,
        read_password,
    )

    name = getattr(args, "user", None) or os.environ.get(USER_ENV)
    if not name:
        if len(slots.slots) != 1:
            raise UsageError(
                MSG_WHO_HERE, path=str(path), option="--user", other="--recovery-identity"
            )
        name = slots.slots[0].name
    password = read_password(_translate(MSG_PASSWORD_PROMPT, name=name) + f" ({path})")
    return unlock(slots, slots_file, name, password).data_key


def _progress(label: str) -> Callable[[str, int, int], None]:
    def show(table: str, done: int, total: int) -> None:
        print(f"\r{label}: {table} {done}/{total}\033[K", end="", file=sys.stderr, flush=True)

    return show
