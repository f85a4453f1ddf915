"""What the screens and the command line need of printing without loading the PDF
machinery (ReportLab): the kinds of printed form, the visit pack's default span, and
writing a finished PDF safely. `services.printing` makes the PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from station_desktop.i18n import N_
from station_desktop.store.files import write_atomically

PrintKind = Literal["visit", "feedback", "case", "activity", "handout"]
KINDS: Final[tuple[PrintKind, ...]] = ("visit", "feedback", "case", "activity", "handout")
DEFAULT_PACK_DAYS: Final = 14
MSG_PERIOD = N_("Give the period as {example}.")
PERIOD_EXAMPLE = "--from 2026-06-01 --to 2026-06-14"


def write_pdf(data: bytes, path: Path) -> None:
    """Write under a temporary name, then rename: a USB stick pulled out mid-write leaves
    the old file or none, never half a PDF (CannotWrite says why it could not)."""
    write_atomically(path, data)
