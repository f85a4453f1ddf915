"""Passwords on the command line: `init`, `workers`, `password`, `recover`, and the sign-in
every command does on an encrypted data folder. Never imports Qt.

A password comes from the file named by STATION_DESKTOP_PASSWORD_FILE (a script may name a
file descriptor: /dev/fd/3), else from standard input when it is not a terminal (one line),
else from a prompt that does not echo. Never from the command line (it would show in the
process list and the shell's history). Who signs in: `--user NAME`, else
STATION_DESKTOP_USER, else the only worker when there is one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from station_desktop.errors import StationError, UsageError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths

PASSWORD_FILE_ENV = "STATION_DESKTOP_PASSWORD_FILE"
USER_ENV = "STATION_DESKTOP_USER"

MSG_PASSWORD_PROMPT = N_("Password for {name}: ")
MSG_NEW_PASSWORD_PROMPT = N_("New password for {name}: ")
MSG_AGAIN_PROMPT = N_("The same password again: ")
MSG_PASSWORDS_DIFFER = N_("The two passwords differ. Nothing was changed.")
MSG_NO_PASSWORD = N_(
    "No password was given: type it when asked, give it on standard input, or name a file "
    "holding it with {variable}."
)
MSG_PASSWORD_FILE = N_("The password file {path} cannot be read ({reason}).")
MSG_WHO = N_("Several workers have passwords here: say who you are with {option} NAME.")
MSG_RECOVERY_FILE = N_("The recovery key file {path} cannot be read ({reason}).")


def _from_file(environ: Mapping[str, str]) -> str | None:
    name = environ.get(PASSWORD_FILE_ENV)
    if not name:
        return None
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise StationError(MSG_PASSWORD_FILE, path=name, reason=reason or str(error)) from None
    return text.splitlines()[0] if text else ""


def read_password(
    prompt: str,
    *,
    stdin: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
    ask: Callable[[str], str] = getpass.getpass,
) -> str:
    """The password from the file, else standard input (not a terminal), else a prompt."""
    env = os.environ if environ is None else environ
    stream = sys.stdin if stdin is None else stdin
    password = _from_file(env)
    if password is None:
        if stream is not None and not stream.isatty():
            password = stream.readline().rstrip("\r\n")
        else:
            password = ask(prompt)
    if not password:
        raise StationError(MSG_NO_PASSWORD, variable=PASSWORD_FILE_ENV)
    return password


def read_new_password(prompt: str, again: str, **kwargs: Any) -> str:
    """A new password: typed twice at a prompt, once from a file or standard input."""
    env = kwargs.get("environ") or os.environ
    stream = kwargs.get("stdin") or sys.stdin
    first = read_password(prompt, **kwargs)
    if env.get(PASSWORD_FILE_ENV) or (stream is not None and not stream.isatty()):
        return first
    if read_password(again, **kwargs) != first:
        raise StationError(MSG_PASSWORDS_DIFFER)
    return first


def _translate(message: str, **params: Any) -> str:
    from station_desktop.cli_args import cli_translator

    return cli_translator().gettext(message, **params)


def who(args: argparse.Namespace, paths: DataPaths) -> str:
    name: str | None = getattr(args, "user", None) or os.environ.get(USER_ENV)
    if name:
        return name
    from station_desktop.store.cipher import read_slots

    slots = read_slots(paths.key_slots).slots
    if len(slots) == 1:
        return slots[0].name
    raise UsageError(MSG_WHO, option="--user")


def sign_in_for_command(args: argparse.Namespace, paths: DataPaths) -> Any:
    """The signed-in person (services.accounts.SignedIn) of an encrypted folder."""
    from station_desktop.services.accounts import sign_in

    name = who(args, paths)
    password = read_password(_translate(MSG_PASSWORD_PROMPT, name=name))
    person = sign_in(paths, name, password)
    args.signed_in_password = password  # for copies made under an earlier key (restore)
    return person


def copy_key_opener(args: argparse.Namespace, name: str) -> Callable[[Path], bytes | None]:
    """Opens a backup's own key slots with the password given to this command."""

    def open_copy(slots_file: Path) -> bytes | None:
        from station_desktop.store.cipher import read_slots, unlock

        password = getattr(args, "signed_in_password", None)
        if not password:
            return None
        try:
            return unlock(read_slots(slots_file), slots_file, name, password).data_key
        except StationError:
            return None

    return open_copy


def is_new_folder(paths: DataPaths) -> bool:
    """No data here yet: no passwords, no database, no copy of an earlier one (those are
    opened, converted by init, or restored: never started afresh)."""
    from station_desktop.services.accounts import has_plain_data, is_protected
    from station_desktop.store.opening import earlier_copies

    if is_protected(paths) or has_plain_data(paths):
        return False
    if paths.database.is_file() and paths.database.stat().st_size > 0:
        return False  # not SQLite: opening it says whose it may be
    return not paths.root.is_dir() or not earlier_copies(paths)


def first_administrator(
    args: argparse.Namespace,
    paths: DataPaths,
    name: str,
    *,
    bureau: bool = False,
    quick: bool = False,
) -> Any:
    """On a new data folder (no data, no passwords, not the bureau's server), its first
    administrator, made as `init` makes one: the data is encrypted from the start, the
    password read as every password is. None where the folder holds data already.
    `quick`: the Argon2id floor instead of the laptop's calibrated cost (the demo's
    invented data, signed in to by every command of a training session)."""
    from station_desktop.paths import resolve_database_url
    from station_desktop.services.accounts import protect_store
    from station_desktop.store.cipher import ARGON2_FLOOR, check_password
    from station_desktop.store.opening import check_data_folder

    # The bureau's server (given, or remembered by the folder) has its own access control.
    if resolve_database_url(getattr(args, "database_url", None), paths) or not is_new_folder(paths):
        return None
    from station_desktop.domain.codes import StaffRole

    check_data_folder(paths, create=True)  # an unusable folder said before the password
    password = read_new_password(
        _translate(MSG_NEW_PASSWORD_PROMPT, name=name), _translate(MSG_AGAIN_PROMPT)
    )
    check_password(password)
    role = StaffRole.BUREAU_ADMIN if bureau else StaffRole.STATION_HEAD
    return protect_store(paths, name, password, role=role, kdf=ARGON2_FLOOR if quick else None)


# ---------------------------------------------------------------- the commands


def add_account_commands(commands: Any, text_argument: Callable[[str], str]) -> None:
    init = commands.add_parser(
        "init",
        help="make this folder's data (or protect a plain one): the station and its first "
        "administrator, whose new password is read as every password is (see README)",
    )
    init.add_argument("--station", metavar="CODE", type=text_argument, help="see: stations list")
    init.add_argument(
        "--admin", metavar="NAME", required=True, type=text_argument, help="sign-in name"
    )
    init.add_argument(
        "--recovery-key",
        metavar="FILE",
        help="the bureau's recovery key card (its age public key, age1…)",
    )

    workers = commands.add_parser("workers", help="who may sign in on this laptop")
    workers_commands = workers.add_subparsers(dest="workers_command", required=True)
    workers_commands.add_parser("list", help="names and roles")
    add = workers_commands.add_parser("add", help="a new worker with a first password")
    add.add_argument("name", type=text_argument)
    add.add_argument(
        "--role",
        choices=("social_worker", "station_head", "auditor"),
        default="social_worker",
    )
    remove = workers_commands.add_parser(
        "remove", help="remove a worker's password (the data is re-keyed)"
    )
    remove.add_argument("name", type=text_argument)
    role = workers_commands.add_parser(
        "role", help="give a worker another role (it counts from their next sign-in)"
    )
    role.add_argument("name", type=text_argument)
    role.add_argument("role", choices=("social_worker", "station_head", "auditor"))
    reset = workers_commands.add_parser("reset", help="give a worker a new password")
    reset.add_argument("name", type=text_argument)
    recovery = workers_commands.add_parser(
        "recovery-key", help="let the bureau's recovery key reset passwords here"
    )
    recovery.add_argument("card", metavar="CARD", help="the bureau's key card (age1…)")

    commands.add_parser("password", help="change your own password")

    recover = commands.add_parser(
        "recover", help="a new password for NAME, with the bureau's recovery key"
    )
    recover.add_argument("name", type=text_argument)
    recover.add_argument(
        "--recovery-identity", metavar="FILE", required=True, help="AGE-SECRET-KEY-… file"
    )


def _read_key_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise StationError(MSG_RECOVERY_FILE, path=path, reason=reason or "?") from None


def _recipient(card: str) -> str:
    """The age recipient in a key card (the line starting with age1)."""
    for line in card.splitlines():
        for word in line.replace('"', " ").split():
            if word.startswith("age1"):
                return word
    return card.strip()


def run_init(args: argparse.Namespace, paths: DataPaths, out: Callable[[str], None]) -> int:
    from station_desktop.app import open_application
    from station_desktop.services.accounts import protect_store

    recovery = _recipient(_read_key_file(args.recovery_key)) if args.recovery_key else None
    if recovery is not None:
        from station_desktop.store.cipher import check_recipient

        check_recipient(recovery)
    password = read_new_password(
        _translate(MSG_NEW_PASSWORD_PROMPT, name=args.admin), _translate(MSG_AGAIN_PROMPT)
    )
    from station_desktop.store.cipher import check_password

    check_password(password)
    from station_desktop.store.opening import check_data_folder

    check_data_folder(paths, create=True)
    person = protect_store(paths, args.admin, password, recovery=recovery)
    with open_application(paths, key=person.data_key) as app:
        if args.station:
            station = app.stations.use_station(args.station)
            out(f"station: {station.code} {station.name_zh} {station.name_bo}".rstrip())
        app.accounts.begin(person)
    out(f"{paths.root}: encrypted; {args.admin} can sign in")
    return 0


def run_workers(app: Any, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    accounts = app.accounts
    command = args.workers_command
    if command == "list":
        for worker in accounts.workers():
            out(f"{worker.name}\t{worker.role}")
    elif command == "add":
        password = read_new_password(
            _translate(MSG_NEW_PASSWORD_PROMPT, name=args.name), _translate(MSG_AGAIN_PROMPT)
        )
        accounts.add_worker(args.name, args.role, password)
        out(f"added {args.name}")
    elif command == "remove":
        accounts.remove_worker(args.name)
        out(f"removed {args.name}; the data is under a new key")
    elif command == "role":
        changed = accounts.change_role(args.name, args.role)
        out(f"{args.name}: {args.role}" + ("" if changed else " (already)"))
    elif command == "recovery-key":
        accounts.set_recovery(_recipient(_read_key_file(args.card)))
        out("the bureau's recovery key can now reset passwords here")
    else:
        password = read_new_password(
            _translate(MSG_NEW_PASSWORD_PROMPT, name=args.name), _translate(MSG_AGAIN_PROMPT)
        )
        accounts.reset_password(args.name, password)
        out(f"new password for {args.name}")
    return 0


def run_password(app: Any, args: argparse.Namespace, out: Callable[[str], None]) -> int:
    name = app.accounts.signed_in.name
    new = read_new_password(
        _translate(MSG_NEW_PASSWORD_PROMPT, name=name), _translate(MSG_AGAIN_PROMPT)
    )
    app.accounts.change_password(args.signed_in_password, new)
    out(f"new password for {name}")
    return 0


def run_recover(args: argparse.Namespace, paths: DataPaths, out: Callable[[str], None]) -> int:
    from station_desktop.services.accounts import recover_password

    identity = _read_key_file(args.recovery_identity)
    password = read_new_password(
        _translate(MSG_NEW_PASSWORD_PROMPT, name=args.name), _translate(MSG_AGAIN_PROMPT)
    )
    recover_password(paths, identity, args.name, password)
    out(f"new password for {args.name}")
    return 0
