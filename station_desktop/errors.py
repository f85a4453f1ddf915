"""The errors a user may meet, as opposed to bugs.

A `StationError` is an expected problem with the environment or the input (a bad field, a
locked data directory, a damaged database). It carries an English message id marked for
translation and its parameters, so the GUI and the CLI can show it in the reader's language.
Anything else that escapes a service is a bug and is reported as such.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station_desktop.i18n import N_


def _english_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: getattr(v, "label", v) if isinstance(getattr(v, "label", None), str) else v
        for k, v in params.items()
    }


class StationError(Exception):
    """An expected, explainable failure. `message` is an untranslated message id."""

    message: str = N_("The operation could not be completed.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params: dict[str, Any] = params
        super().__init__(self.english())

    def english(self) -> str:
        """The message in English (message ids are English), for logs and tests."""
        try:
            return self.message.format(**_english_params(self.params))
        except (KeyError, IndexError, ValueError):
            return self.message


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `message` is an untranslated message id with `{}` params."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def english(self) -> str:
        return self.message.format(**_english_params(self.params))


class ValidationError(StationError):
    """Input was refused; nothing was written. One entry per offending field."""

    message = N_("Some fields need attention.")

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__()

    def english(self) -> str:
        details = "; ".join(f"{e.field}: {e.english()}" for e in self.errors)
        return f"{self.message} {details}"

    def for_field(self, name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == name]


class NotFound(StationError):
    message = N_("The record was not found: {kind} {record_id}.")


class StationNotConfigured(StationError):
    message = N_("This laptop is not yet assigned to a station. Choose the station with {command}.")

    def __init__(self) -> None:
        super().__init__(command="station-desktop setup --station CODE")


class DataDirInUse(StationError):
    message = N_(
        "Another copy of Station Desktop is already using the data folder {path}. "
        "Close it first, or choose another data folder."
    )


class DatabaseDamaged(StationError):
    """`quick_check` failed. The database is not written to; a backup can be restored."""

    message = N_(
        "The database {path} failed its integrity check and was opened read-only. "
        "Nothing has been changed. Restore the newest good backup with {command}."
    )

    def __init__(self, path: Path, backups: Sequence[Path], details: str) -> None:
        self.path = path
        self.backups = tuple(backups)
        self.details = details
        newest = str(self.backups[0]) if self.backups else "BACKUP-FILE"
        super().__init__(path=str(path), command=f"station-desktop backups restore {newest}")


class SchemaTooNew(StationError):
    message = N_(
        "The data in {path} was written by a newer version of Station Desktop. "
        "Update this laptop first."
    )


class NeedsMigration(StationError):
    message = N_(
        "The data in {path} must be upgraded to this version of Station Desktop, "
        "which cannot be done while another copy is using it. Close the other copy first."
    )


class StaleEdit(StationError):
    message = N_(
        "This record was changed by someone else while you were editing it. "
        "Reload it to see their change, then make yours again."
    )


class BadTransition(StationError):
    message = N_("A case cannot move from stage '{from_stage}' to '{to_stage}'.")


class StorageProblem(StationError):
    """Writing to the disk failed for a reason outside the program. Nothing of the action
    was saved (the transaction rolled back), and the form that asked keeps its values."""

    message = N_(
        "The data could not be written ({reason}). Nothing was saved, and what you typed "
        "is still in the form. If this happens again, check the disk."
    )


class DiskFull(StorageProblem):
    message = N_(
        "The disk holding {folder} is full, so nothing was saved. What you typed is still "
        "in the form. Free some space (move or delete large files, empty the recycle bin), "
        "then save again."
    )


class DataBusy(StorageProblem):
    message = N_(
        "The data is busy: another program is writing to it (a backup or an import). "
        "Nothing was saved, and what you typed is still in the form. Save again in a moment."
    )


class DataReadOnly(StorageProblem):
    message = N_(
        "Station Desktop may not write to {folder} (the folder or disk is read-only, or "
        "permission is missing), so nothing was saved. What you typed is still in the form. "
        "Ask the person who looks after this laptop to give the folder back its permissions."
    )


class UsageError(StationError):
    """The command was given wrongly (exit status 2), e.g. an option out of its range."""


class NotABackup(StationError):
    """A file offered for restoring is not a whole database of this program."""

    MISSING = N_("{path} does not exist or is not a file. Nothing was changed.")
    EMPTY = N_("{path} is empty: it holds no data. Nothing was changed.")
    NOT_DATABASE = N_("{path} is not a Station Desktop database or backup. Nothing was changed.")
    FOREIGN = N_(
        "{path} is a database of another program, not a Station Desktop backup. "
        "Nothing was changed."
    )


class BackupTooNew(StationError):
    message = N_(
        "{path} was written by a newer version of Station Desktop, which this version "
        "cannot read. Nothing was changed. Update this laptop first."
    )


class BackupDamaged(StationError):
    message = N_(
        "{path} is damaged (it failed its integrity check), so it cannot be restored. "
        "Nothing was changed. Choose another backup."
    )


class OtherStationBackup(StationError):
    message = N_(
        "{path} holds the data of another station ({backup_station}), not of "
        "{current_station}, which this laptop serves. Nothing was changed. To replace this "
        "laptop's data with it all the same, add {option}."
    )


class DatabaseMissing(StationError):
    """The database file is gone but the folder shows earlier data: never start empty."""

    message = N_(
        "The database {path} is missing, but this folder holds copies of earlier data "
        "(the newest: {candidate}). No new, empty database was created. Restore it with "
        "{command}."
    )

    def __init__(self, path: Path, candidates: Sequence[Path]) -> None:
        self.path = path
        self.candidates = tuple(candidates)
        super().__init__(
            path=str(path),
            candidate=str(self.candidates[0]),
            command=f"station-desktop backups restore {self.candidates[0]}",
        )


class ForeignDatabase(StationError):
    message = N_(
        "{path} is not a Station Desktop database (another program's file is there). "
        "Nothing was changed. Move it away, or choose another data folder with {option}."
    )


class DataFolderUnusable(StationError):
    """The data folder, or a file the program keeps in it, is not what it must be."""

    NOT_A_FOLDER = N_(
        "The data folder {path} is a file, not a folder. Choose another data folder with {option}."
    )
    UNDER_A_FILE = N_(
        "The data folder {path} cannot be made: {blocker} is a file, not a folder. "
        "Choose another data folder with {option}."
    )
    NO_PERMISSION = N_(
        "Station Desktop may not use the data folder {path} (permission is missing). "
        "Ask the person who looks after this laptop, or choose another folder with {option}."
    )
    READ_ONLY = N_(
        "The data folder {path} is on a disk that cannot be written to. Nothing was "
        "changed. Choose another data folder with {option}."
    )
    NOT_A_FILE = N_(
        "{path} should be a file but is a folder. Nothing was changed. Move it away, "
        "then start Station Desktop again."
    )
    NOT_A_DIRECTORY = N_(
        "{path} should be a folder but is a file. Nothing was changed. Move it away, "
        "then start Station Desktop again."
    )


class NoDataYet(StationError):
    message = N_(
        "There is no Station Desktop data in {path}. Check the folder name, or set this "
        "laptop up first with {command}."
    )


class Notice(StationError):
    """Something the person must know at start-up; the program goes on."""


class WritesLost(Notice):
    message = N_(
        "The last changes saved on this laptop are missing from its database (changes "
        "{first} to {last}): a file beside the database ({wal}) was probably deleted or "
        "the database replaced by an older copy. Everything saved before them is intact. "
        "A backup may still hold them ({command}). New work gets new numbers, so that "
        "nothing is mixed up with what was lost."
    )


class RestoreFinished(Notice):
    message = N_(
        "A restore of {source} was interrupted (the laptop stopped). It has now been "
        "completed; the data it replaced is kept as {kept}."
    )


class CannotWrite(StationError):
    """A file the person asked for (a PDF, a report, a backup) could not be written.
    Nothing is left behind: no half file, no temporary file."""

    FOLDER_MISSING = N_("The folder {folder} does not exist, so {path} was not written.")
    IS_FOLDER = N_("{path} is a folder: give a file name inside it. Nothing was written.")
    NO_PERMISSION = N_(
        "{path} cannot be written: the disk is read-only or permission is missing. "
        "Nothing was written."
    )
    DISK_FULL = N_(
        "The disk holding {folder} is full, so {path} was not written. Free some space, "
        "then try again."
    )
    OTHER = N_("{path} could not be written ({reason}). Nothing was written.")


# ---------------------------------------------------------------- a database server (bureau)


class ServerAddressInvalid(UsageError):
    message = N_(
        "{url} is not a database server address Station Desktop can use. Give one like {example}."
    )


class PasswordInAddress(UsageError):
    """The password would show in the list of running programs and in shell histories."""

    message = N_(
        "The database address holds a password, which others on this computer could read. "
        "Nothing was opened. Give the address without it ({url}) and put the password in "
        "the PostgreSQL password file ({pgpass}) or a service file instead."
    )


class ServerUnreachable(StationError):
    message = N_(
        "Station Desktop cannot reach the database server {server} ({reason}). Nothing was "
        "changed. Check the network connection, the address and the password file, then "
        "try again."
    )


class ServerLost(StorageProblem):
    message = N_(
        "The connection to the database server {server} was lost ({reason}). Nothing was "
        "saved, and what you typed is still in the form. Save again when the network is back."
    )


class ServerProblem(StorageProblem):
    message = N_(
        "The database server {server} could not do what was asked ({reason}). Nothing was "
        "saved, and what you typed is still in the form. Tell the people who look after the "
        "server."
    )


class ServerCollation(StationError):
    message = N_(
        "The database {server} sorts text by the rules of a language ({collation}), but "
        "Station Desktop needs code-point order so that searches and lists give the same "
        "results as on the station laptops. Nothing was changed. Create the database with "
        "{command}."
    )


class ForeignServerDatabase(StationError):
    message = N_(
        "The database {server} holds another program's tables. Nothing was changed. Give "
        "Station Desktop a database of its own."
    )


class BackupsOnServer(StationError):
    message = N_(
        "The data is in the database on {server}: its backups are made on the server "
        "(pg_dump), not on this laptop. Nothing was changed."
    )


class ServerWritesLost(Notice):
    message = N_(
        "The last changes saved from this laptop (changes {first} to {last}) are missing "
        "from the database {server}: it was probably restored from an older copy. "
        "Everything saved before them is intact. New work from this laptop is numbered "
        "afresh so that nothing is mixed up with what was lost."
    )


class LoadRefused(StationError):
    message = N_(
        "A record of {source} cannot be put into the bureau's database ({table}: "
        "{reason}). The records copied before it stay; run the command again once the "
        "cause is settled, and it goes on from there."
    )


# ---------------------------------------------------------------- roles (services.access)


class NotPermitted(StationError):
    """The person's role may not do this (services.access): nothing was read or written.
    The message names the roles that may, so the person knows whom to ask."""

    NOBODY = N_("Nobody may do this ({action}: {resource}). Nothing was changed.")
    OTHER_STATION = N_(
        "This record belongs to another station: only that station's staff may do this "
        "({action}: {resource}). Nothing was changed."
    )
    ONE = N_(
        "The role {role} may not do this ({action}: {resource}). Nothing was changed. "
        "Only the role {first} may."
    )
    TWO = N_(
        "The role {role} may not do this ({action}: {resource}). Nothing was changed. "
        "Only the roles {first} and {second} may."
    )
    THREE = N_(
        "The role {role} may not do this ({action}: {resource}). Nothing was changed. "
        "Only the roles {first}, {second} and {third} may."
    )

    def __init__(
        self, role: Any, action: Any, resource: Any, may: Sequence[Any], *, scoped: bool = False
    ) -> None:
        self.role, self.action, self.resource = role, action, resource
        self.may = tuple(may)
        message = (self.NOBODY, self.ONE, self.TWO, self.THREE)[min(len(self.may), 3)]
        if not self.may and scoped:  # allowed at its own station, not at this record's
            message = self.OTHER_STATION
        named = dict(zip(("first", "second", "third"), self.may, strict=False))
        super().__init__(message, role=role, action=action, resource=resource, **named)
