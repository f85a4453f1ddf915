"""`station-desktop scan`: piles of scanned feedback sheets and sign-in lists read back into
the records (services/scanning.py). Never imports Qt.

    station-desktop scan FILE... [--service-area CODE] [--service-type CODE]
                                 [--service-date DATE] [--collected-on DATE]
                                 [--dry-run] [--json]

FILE: PDFs as scanners write them, JPEG, PNG or TIFF photos or scans. Every page is read
and sorted: *ready* pages are entered (unless `--dry-run`), pages for *review* wait for a
person (read the same files in the window: File → Read scanned sheets…; the ready ones are
not entered twice), *refused* pages say why. The JSON is a stable interface
(docs/cli-json.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from station_desktop.cli_args import path_argument, text_argument
from station_desktop.i18n import N_, Translator

if TYPE_CHECKING:
    from station_desktop.app import Application
    from station_desktop.services.scanning import SavedPile, ScannedSheet, ScanPile

__all__ = ["add_scan_commands", "run_scan"]

MSG_PAGE_READY = N_("{source}: {form} {sheet} ready")
MSG_PAGE_ENTERED = N_("{source}: {form} {sheet} entered")
MSG_PAGE_REVIEW = N_("{source}: {form} {sheet} to check: {needs}")
MSG_PAGE_REFUSED = N_("{source}: kept aside: {reason}")
MSG_SUMMARY = N_("{pages} pages: {ready} ready, {review} to check, {refused} kept aside.")
MSG_SAVED = N_(
    "Entered: {sheets} feedback sheets, {backs} comment pages, {lists} sign-in list pages "
    "({attendees} people signed in)."
)
MSG_DRY_RUN = N_("Nothing was entered (--dry-run).")
MSG_REVIEW_IN_WINDOW = N_(
    "To check the others, read the same files in the window (File → Read scanned "
    "sheets…): what was entered is not entered twice."
)
MSG_GIVE_SERVICE_DATE = N_("Give the date of the service with {option}.")


def add_scan_commands(commands: Any) -> None:
    scan = commands.add_parser(
        "scan", help="read scanned feedback sheets and sign-in lists back into the records"
    )
    scan.add_argument("files", type=path_argument, nargs="+", metavar="FILE")
    scan.add_argument(
        "--service-area",
        metavar="CODE",
        type=text_argument,
        help="the pile's service area (a sheet's own tick wins)",
    )
    scan.add_argument(
        "--service-type", metavar="CODE", type=text_argument, help="the pile's service"
    )
    scan.add_argument(
        "--service-date", metavar="DATE", type=text_argument, help="the date of the service"
    )
    scan.add_argument("--collected-on", metavar="DATE", type=text_argument, help="default: today")
    scan.add_argument("--dry-run", action="store_true", help="read and sort; enter nothing")
    scan.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")


def run_scan(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    service = app.scanning
    values = service.pile_values(
        {
            "service_area": args.service_area,
            "service_type": args.service_type,
            "service_date": args.service_date,
            "collected_on": args.collected_on,
        }
    )
    pile = service.read(args.files, values)
    saved = None if args.dry_run else service.save(pile)
    if args.json:
        sys.stdout.write(json.dumps(pile_json(pile, saved), ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_text(pile, saved, translator, dry_run=args.dry_run)
    return 0


def _print_text(
    pile: ScanPile, saved: SavedPile | None, translator: Translator, *, dry_run: bool
) -> None:
    from station_desktop.services.scanning import (  # noqa: PLC0415
        NEEDS,
        REFUSALS,
        Needs,
        SheetStatus,
    )

    def out(text: str) -> None:
        sys.stdout.write(text + "\n")

    for sheet in pile.sheets:
        form = sheet.code.form if sheet.code else ""
        if sheet.status is SheetStatus.REFUSED:
            reason = translator.gettext(REFUSALS[sheet.refusal.value]) if sheet.refusal else ""
            out(translator.gettext(MSG_PAGE_REFUSED, source=sheet.source, reason=reason))
        elif sheet.status is SheetStatus.REVIEW:
            needs = " ".join(translator.gettext(NEEDS[n.value]) for n in sheet.needs)
            out(
                translator.gettext(
                    MSG_PAGE_REVIEW,
                    source=sheet.source,
                    form=form,
                    sheet=_sheet(sheet),
                    needs=needs,
                )
            )
        else:
            message = MSG_PAGE_READY if sheet.saved_id is None else MSG_PAGE_ENTERED
            out(translator.gettext(message, source=sheet.source, form=form, sheet=_sheet(sheet)))
    counts = {status.value: len(pile.with_status(status)) for status in SheetStatus}
    out(translator.gettext(MSG_SUMMARY, pages=len(pile.sheets), **counts))
    if saved is not None:
        out(translator.gettext(MSG_SAVED, **saved.__dict__))
    elif dry_run:
        out(translator.gettext(MSG_DRY_RUN))
    if any(Needs.SERVICE_DATE in s.needs for s in pile.sheets):
        out(translator.gettext(MSG_GIVE_SERVICE_DATE, option="--service-date DATE"))
    if counts["review"]:
        out(translator.gettext(MSG_REVIEW_IN_WINDOW))


def _sheet(sheet: ScannedSheet) -> str:
    code = sheet.code
    if code is None:
        return ""
    if code.kind == "sheet":
        return f"#{sheet.sheet}" + (f" ({code.page}/2)" if code.page > 1 else "")
    return f"p. {code.page}"


def pile_json(pile: ScanPile, saved: SavedPile | None) -> dict[str, Any]:
    """The pile as docs/cli-json.md describes it."""
    from station_desktop.services.scanning import SheetStatus  # noqa: PLC0415

    pages = []
    for sheet in pile.sheets:
        code = sheet.code
        reading = sheet.reading
        pages.append(
            {
                "source": sheet.source,
                "form": code.form if code else None,
                "version": code.version if code else None,
                "page": code.page if code else None,
                "sheet": sheet.sheet or None,
                "status": sheet.status.value,
                "reason": sheet.refusal.value if sheet.refusal else None,
                "needs": [n.value for n in sheet.needs],
                "answers": {
                    q.key: list(answer) if (answer := sheet.answer(q.key)) is not None else None
                    for q in reading.questions
                },
                "boxes": [b.to_json() for q in reading.questions for b in q.boxes],
                "handwriting": sorted(reading.writing),
                "saved": str(sheet.saved_id) if sheet.saved_id else None,
            }
        )
    return {
        "pages": pages,
        **{status.value: len(pile.with_status(status)) for status in SheetStatus},
        "entered": saved.__dict__ if saved is not None else None,
    }
