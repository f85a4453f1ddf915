"""What the screens and the command line need of printing without loading the PDF
machinery (ReportLab): the kinds of printed form, the visit pack's default span, and
writing a finished PDF safely. `services.printing` makes the PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.store.files import commit_temp_file, temp_path_for

PrintKind = Literal["visit", "feedback", "case", "activity", "handout"]
KINDS: Final[tuple[PrintKind, ...]] = ("visit", "feedback", "case", "activity", "handout")
DEFAULT_PACK_DAYS: Final = 14
MSG_PERIOD = N_("Give the period as {example}.")
PERIOD_EXAMPLE = "--from 2026-06-01 --to 2026-06-14"

MSG_CANNOT_WRITE = N_(
    "The file {path} could not be written. Check that the folder exists, that you may write "
    "to it and that the disk or USB stick is not full or write-protected."
)


def write_pdf(data: bytes, path: Path) -> None:
    """Write under a temporary name, then rename: a USB stick pulled out mid-write leaves
    the old file or none, never half a PDF."""
    temp = temp_path_for(path)
    try:
        temp.write_bytes(data)
        commit_temp_file(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise StationError(MSG_CANNOT_WRITE, path=str(path)) from error
