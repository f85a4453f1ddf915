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
