"""`station-desktop print`: paper forms as PDF files. Never imports Qt.

    station-desktop print KIND (--id UUID | --blank [--count N]) [-o FILE.pdf]
    station-desktop print visit-pack --village CODE [--from DATE --to DATE] [-o FILE.pdf]
    station-desktop print sign-in --id ACTIVITY --village CODE [--group CODE] [-o FILE.pdf]

`sign-in` prints a list to tick for an activity: the residents of a village or community
(of one priority group, with --group), one line each with a box to tick; scanned, the
ticks sign them in (`station-desktop scan`).

KIND is visit, feedback, case, activity or handout. Without -o the file goes to the current
folder under a name that holds no personal data (`visit-1a2b3c4d.pdf`, `feedback-blank.pdf`,
`visit-pack-CG-BK-01-2026-06-01.pdf`). Problems (an unknown id, a path that cannot be
written) raise StationError with a message for the reader; cli.py prints it and exits 1.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from station_desktop.errors import StationError
from station_desktop.forms.validate import parse_date
from station_desktop.i18n import N_
from station_desktop.services.paper import KINDS, MSG_PERIOD, PERIOD_EXAMPLE, PrintKind

if TYPE_CHECKING:
    from station_desktop.app import Application

__all__ = ["PRINT_KINDS", "default_output", "run_print"]

VISIT_PACK: Final = "visit-pack"
SIGN_IN: Final = "sign-in"
PRINT_KINDS: Final[tuple[str, ...]] = (*KINDS, VISIT_PACK, SIGN_IN)
# Where a reader finds record ids (`station-desktop list KIND`).
_LIST_KINDS: Final[dict[str, str]] = {
    "visit": "visits",
    "feedback": "feedback",
    "case": "cases",
    "activity": "activities",
    "handout": "resources",
}

MSG_ID_OR_BLANK = N_(
    "Choose the record to print with {option}, or print a blank form with {blank}."
)
MSG_BAD_ID = N_("{value} is not a record id. The ids are listed by {command}.")
MSG_NEED_VILLAGE = N_("Choose the village or community with {option}.")
MSG_NEED_ACTIVITY = N_(
    "Choose the activity with {option} (listed by station-desktop list activities)."
)


def _record_id(text: str, kind: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise StationError(
            MSG_BAD_ID, value=text, command=f"station-desktop list {_LIST_KINDS[kind]}"
        ) from None


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        raise StationError(MSG_PERIOD, example=PERIOD_EXAMPLE)
    return day


def default_output(
    kind: str,
    *,
    record_id: uuid.UUID | None = None,
    first: int = 1,
    count: int = 1,
    village: str = "",
    start: date | None = None,
) -> Path:
    """A file name in the current folder that says what is in it, without personal data."""
    if kind == VISIT_PACK:
        return Path(f"{VISIT_PACK}-{village}-{start.isoformat() if start else ''}.pdf")
    if kind == SIGN_IN and record_id is not None:
        return Path(f"{SIGN_IN}-{village}-{record_id.hex[-8:]}.pdf")
    if record_id is not None:
        return Path(f"{kind}-{record_id.hex[-8:]}.pdf")  # the random end of the id
    if count == 1:
        return Path(f"{kind}-blank.pdf")
    return Path(f"{kind}-blank-{first:04d}-{first + count - 1:04d}.pdf")


def run_print(app: Application, args: argparse.Namespace) -> int:
    """Write the PDF the arguments ask for; report its path, pages and size on stdout."""
    service = app.printing
    kind: str = args.kind
    output: Path | None = args.output
    if kind == VISIT_PACK:
        if not args.village:
            raise StationError(MSG_NEED_VILLAGE, option="--village CODE")
        start, end = service.pack_period(_day(args.start), _day(args.end), app.ctx.today())
        forms = service.visit_pack(args.village, start, end)
        default = default_output(kind, village=args.village.strip().upper(), start=start)
    elif kind == SIGN_IN:
        if not args.village:
            raise StationError(MSG_NEED_VILLAGE, option="--village CODE")
        if args.record_id is None:
            raise StationError(MSG_NEED_ACTIVITY, option="--id UUID")
        activity_id = _record_id(args.record_id, "activity")
        names = service.expected_at(args.village, getattr(args, "group", None))
        list_id = app.activities.prepare_sign_in_list(activity_id, names)
        forms = [service.sign_in_sheet(list_id)]
        default = default_output(kind, record_id=activity_id, village=args.village.upper())
    elif kind in KINDS:
        print_kind: PrintKind = next(k for k in KINDS if k == kind)
        if args.blank == (args.record_id is not None):
            raise StationError(MSG_ID_OR_BLANK, option="--id UUID", blank="--blank")
        if args.blank:
            count: int = args.count
            first: int = getattr(args, "first", None) or 1  # a --first option, if wired
            forms = service.blank_sheets(print_kind, count, first=first)
            default = default_output(kind, first=first, count=count)
        else:
            record_id = _record_id(args.record_id, kind)
            forms = [service.record_form(print_kind, record_id)]
            default = default_output(kind, record_id=record_id)
    else:
        raise ValueError(f"unknown print kind {kind!r}; choose from {', '.join(PRINT_KINDS)}")
    path = output if output is not None else default
    pdf = service.write(forms, path)
    plural = "page" if pdf.pages == 1 else "pages"
    sys.stdout.write(f"{path}: {pdf.pages} {plural}, {len(pdf.data) / 1024:.0f} kB\n")
    return 0
