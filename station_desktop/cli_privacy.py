"""Privacy duties from the command line (PIPL). Never imports Qt.

station-desktop privacy schedule                  how long each kind of record is kept
station-desktop privacy purge [--dry-run] [--yes] [--json]
                                                  empty what has outlived its period
station-desktop privacy erase-id RESIDENT_ID [--yes]
                                                  a withdrawn resident's ID card number
station-desktop privacy report RESIDENT_ID [-o FILE.pdf]
                                                  what this laptop holds about a person
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station_desktop.cli_args import path_argument, text_argument
from station_desktop.errors import UsageError
from station_desktop.i18n import N_, Translator

if TYPE_CHECKING:
    from station_desktop.app import Application
    from station_desktop.services.privacy import PurgeItem

__all__ = ["READING_COMMANDS", "add_privacy_commands", "run_privacy"]

READING_COMMANDS = frozenset({"schedule", "report"})

MSG_SCHEDULE_LINE = N_("{kind}: kept {years} years after {counted_from}")
MSG_NOTHING_DUE = N_("Nothing is due: no record has outlived its retention period.")
MSG_PURGE_LIST = N_(
    "{count} records have outlived their retention period. Their personal values will be "
    "emptied here, in the change log too, and on the other laptops with the next bundles:"
)
MSG_PURGE_LINE = N_("  {kind}: {reference} (since {since}): {fields}")
MSG_PURGE_QUESTION = N_("Empty these values for good? [y/N] ")
MSG_PURGE_CONFIRM = N_("A purge cannot be undone: add {option} to confirm.")
MSG_PURGED = N_("{records} records emptied, and {entries} change-log entries with them.")
MSG_ERASE_QUESTION = N_(
    "Erase the ID card number of {name} for good, from the record and the change log? [y/N] "
)
MSG_ERASE_CONFIRM = N_("Erasing an ID card number cannot be undone: add {option} to confirm.")
MSG_ERASED = N_("ID card number erased; {entries} change-log entries emptied.")
MSG_NOTHING_CHANGED = N_("Nothing was changed.")
MSG_REPORT_WRITTEN = N_("{path}: what this laptop holds about {name} ({pages} pages).")
MSG_NOT_AN_ID = N_("Not a record id: {value}")


def add_privacy_commands(commands: Any) -> None:
    privacy = commands.add_parser(
        "privacy", help="retention purge, erasing ID numbers, what is held about a person"
    )
    sub = privacy.add_subparsers(dest="privacy_command", required=True)
    sub.add_parser("schedule", help="how long each kind of record is kept")
    purge = sub.add_parser(
        "purge", help="empty the personal values of records past their retention period"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what is due")
    purge.add_argument("--yes", action="store_true", help="the list was read: purge")
    purge.add_argument("--json", action="store_true", help="print JSON")
    erase = sub.add_parser("erase-id", help="erase a withdrawn resident's ID card number")
    erase.add_argument("resident", type=text_argument, metavar="RESIDENT_ID")
    erase.add_argument("--yes", action="store_true", help="confirmed")
    report = sub.add_parser(
        "report", help="what this laptop holds about a person, as a bilingual PDF"
    )
    report.add_argument("resident", type=text_argument, metavar="RESIDENT_ID")
    report.add_argument("-o", "--output", type=path_argument, metavar="FILE.pdf")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _record_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise UsageError(MSG_NOT_AN_ID, value=value) from None


def _confirmed(args: argparse.Namespace, question: str, refusal: str) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(refusal, option="--yes")
    return input(question).strip().lower() in {"y", "yes", "是", "ལགས"}


def _field_labels() -> dict[str, dict[str, str]]:
    from station_desktop.sync.entries import FORMS_OF_TABLES  # noqa: PLC0415

    labels: dict[str, dict[str, str]] = {}
    for table, forms in FORMS_OF_TABLES.items():
        for form in forms:
            for spec in form.fields():
                labels.setdefault(table, {}).setdefault(spec.key, spec.label)
    return labels


def _item_json(item: PurgeItem) -> dict[str, Any]:
    return {
        "entity": item.entity,
        "id": str(item.record_id),
        "since": item.since.isoformat(),
        "fields": list(item.fields),
    }


def run_privacy(app: Application, args: argparse.Namespace, t: Translator) -> int:
    command = args.privacy_command
    if command == "schedule":
        from station_desktop.domain.retention import SCHEDULE  # noqa: PLC0415

        for rule in SCHEDULE:
            _out(
                t.gettext(
                    MSG_SCHEDULE_LINE,
                    kind=t.gettext(rule.kind),
                    years=rule.years,
                    counted_from=t.gettext(rule.counted_from),
                )
            )
        return 0
    if command == "purge":
        return _purge(app, args, t)
    resident_id = _record_id(args.resident)
    if command == "erase-id":
        names = app.privacy.names_of(resident_id)
        name = "  ".join(n for n in names if n) or str(resident_id)
        question = t.gettext(MSG_ERASE_QUESTION, name=name)
        if not _confirmed(args, question, MSG_ERASE_CONFIRM):
            _out(t.gettext(MSG_NOTHING_CHANGED))
            return 0
        entries = app.privacy.erase_id_number(resident_id)
        _out(t.gettext(MSG_ERASED, entries=entries))
        return 0
    assert command == "report"
    report = app.access_report.report(resident_id)
    output: Path = args.output or Path(f"access-{resident_id}.pdf")
    pdf = app.printing.render(report.forms)
    from station_desktop.services.paper import write_pdf  # noqa: PLC0415

    write_pdf(pdf.data, output)
    subject = report.forms[0].header.subject
    _out(t.gettext(MSG_REPORT_WRITTEN, path=str(output), name="  ".join(subject), pages=pdf.pages))
    return 0


def _purge(app: Application, args: argparse.Namespace, t: Translator) -> int:
    due = app.privacy.due_for_purge()
    if args.json and (args.dry_run or not due):
        _out(json.dumps({"due": [_item_json(i) for i in due]}, ensure_ascii=False, indent=2))
        return 0
    if not due:
        _out(t.gettext(MSG_NOTHING_DUE))
        return 0
    if not args.json:
        labels = _field_labels()
        _out(t.gettext(MSG_PURGE_LIST, count=len(due)))
        for item in due:
            names = labels.get(item.entity, {})
            fields = ", ".join(t.gettext(names[f]) if f in names else f for f in item.fields)
            _out(
                t.gettext(
                    MSG_PURGE_LINE,
                    kind=t.gettext(item.kind),
                    reference=item.reference or str(item.record_id),
                    since=item.since.isoformat(),
                    fields=fields,
                )
            )
    if args.dry_run:
        return 0
    if not _confirmed(args, t.gettext(MSG_PURGE_QUESTION), MSG_PURGE_CONFIRM):
        _out(t.gettext(MSG_NOTHING_CHANGED))
        return 0
    summary = app.privacy.purge(due)
    if args.json:
        data = {"purged": [_item_json(i) for i in due], "log_entries": summary.log_entries}
        _out(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _out(t.gettext(MSG_PURGED, records=summary.records, entries=summary.log_entries))
    return 0
