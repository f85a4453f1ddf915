"""`station-desktop roster import` and `station-desktop export-list`. Never imports Qt.

    station-desktop roster import FILE [--sheet NAME] [--group CODE] [--since DATE]
                                       [--column HEADING=FIELD ...] [--dry-run] [--json]
    station-desktop export-list KIND -o FILE.xlsx [--whole-id-numbers]

The import shows the columns it found (and how it read them), then what importing does:
residents to add, registered residents who gain the priority group, those already on
it, every refused row with its reasons, and the group's members who are no longer on the
list. Without --dry-run it then imports the good rows, in one transaction. Messages follow
the command line's language (STATION_DESKTOP_LANG or LANG); --json prints the stable
interface of docs/cli-json.md instead. Problems raise StationError; cli.py prints them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from station_desktop.domain.codes import PriorityGroup
from station_desktop.errors import StationError
from station_desktop.forms.validate import parse_date
from station_desktop.i18n import N_, Catalogues, Label, Translator
from station_desktop.roster.cells import group_from_option
from station_desktop.roster.columns import FIELD_LABELS, RosterField, heading_key

if TYPE_CHECKING:  # the services are imported when a command runs, not to build the parser
    from station_desktop.app import Application
    from station_desktop.services.roster_import import (
        ImportPreview,
        ImportResult,
        Person,
        RosterSource,
    )

__all__ = ["add_roster_commands", "run_export_list", "run_roster"]

EXPORT_KINDS: Final = ("residents", "visits", "cases", "feedback")

MSG_BAD_GROUP = N_("{value} is not a priority group. Choose one of: {codes}.")
MSG_BAD_SINCE = N_("Give the date as {example}.")
MSG_BAD_COLUMN = N_(
    "{value} does not say a column and what it holds, like {example}. The fields: {fields}."
)
MSG_NO_COLUMN = N_("The sheet has no column {heading}.")
MSG_COLUMNS = N_("Sheet {sheet}, column headings on row {row}:")
MSG_NOT_IMPORTED = N_("Not imported")
MSG_SUMMARY = N_(
    "{added} to add, {joining} registered who gain the group, {unchanged} already on it, "
    "{refused} rows refused."
)
MSG_GROUPS = N_("Priority group: {groups}")
MSG_NO_GROUP = N_("No priority group: the residents are registered without one.")
MSG_HOUSEHOLDS = N_("New households: {count}")
MSG_ROW = N_("Row {row}")
MSG_GONE = N_("No longer on the list ({count}), kept as they are:")
MSG_DRY_RUN = N_("Nothing was written (--dry-run).")
MSG_NOTHING = N_("Nothing to import.")
MSG_IMPORTED = N_(
    "Imported: {added} residents added, {joined} gained the group, {households} households."
)
MSG_EXPORTED = N_("{path}: {count} rows")


def add_roster_commands(commands: Any) -> None:
    """The sub-commands, added to cli.py's parser."""
    roster = commands.add_parser("roster", help="bring a station's existing lists in")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    importing = roster_commands.add_parser(
        "import",
        help="import residents and their priority group from a roster (.xlsx, .xls, .csv)",
    )
    importing.add_argument("file", type=Path)
    importing.add_argument("--sheet", metavar="NAME", help="the sheet (default: the first)")
    importing.add_argument(
        "--group",
        metavar="CODE",
        help="the priority group of everyone on the list ("
        + ", ".join(PriorityGroup.codes())
        + "); default: the file's 人员类别 column",
    )
    importing.add_argument(
        "--since", metavar="DATE", help="member since, when the file does not say (default: today)"
    )
    importing.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="HEADING=FIELD",
        help="correct the guess for one column (FIELD skip: not imported); repeatable",
    )
    importing.add_argument("--dry-run", action="store_true", help="show what would happen only")
    importing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    export = commands.add_parser(
        "export-list", help="a list as a spreadsheet, Tibetan and Chinese headings"
    )
    export.add_argument("kind", choices=EXPORT_KINDS)
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    export.add_argument(
        "--whole-id-numbers",
        action="store_true",
        help="residents: whole ID card numbers instead of masked ones (station heads and the "
        "bureau's administrators; recorded in the audit trail)",
    )


# ---------------------------------------------------------------- import


def _group(text: str | None) -> PriorityGroup | None:
    if text is None:
        return None
    group = group_from_option(text)
    if group is None:
        raise StationError(MSG_BAD_GROUP, value=text, codes=", ".join(PriorityGroup.codes()))
    return group


def _mapping(source: RosterSource, corrections: list[str]) -> dict[int, RosterField]:
    """The remembered or guessed mapping with the --column corrections applied."""
    mapping = dict(source.mapping)
    fields = {f.value: f for f in RosterField}
    for text in corrections:
        heading, _, value = text.rpartition("=")
        if not heading or value.strip() not in fields:
            raise StationError(
                MSG_BAD_COLUMN,
                value=text,
                example="--column 名字=name",
                fields=", ".join(fields),
            )
        wanted = heading_key(heading)
        column = next(
            (
                c
                for c in source.columns
                if heading_key(c.heading) == wanted or c.heading == heading.strip().upper()
            ),
            None,
        )
        if column is None:
            raise StationError(MSG_NO_COLUMN, heading=heading)
        field = fields[value.strip()]
        # A field belongs to one column: taking it here frees the column that had it.
        mapping = {i: f for i, f in mapping.items() if f is not field or field is RosterField.SKIP}
        if field is RosterField.SKIP:
            mapping.pop(column.index, None)
        else:
            mapping[column.index] = field
    return mapping


def run_roster(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    from station_desktop.services.roster_import import (  # noqa: PLC0415
        ImportChoices,
        RosterImportService,
    )

    service = RosterImportService(app.ctx)
    group = _group(args.group)
    since = None
    if args.since is not None:
        since = parse_date(args.since)
        if since is None:
            raise StationError(MSG_BAD_SINCE, example="--since 2026-01-01")
    source = service.read(args.file, args.sheet)
    choices = ImportChoices(_mapping(source, args.column), group, since)
    preview = service.preview(source, choices)
    if preview.problem is not None:
        raise StationError(preview.problem.message, **preview.problem.params)
    result = None
    if not args.dry_run and preview.writes_anything:
        result = service.commit(preview)
    if args.json:
        _write(json.dumps(preview_json(preview, result), ensure_ascii=False, indent=2))
    else:
        _show(preview, result, args.dry_run, translator)
    return 0


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")


def _person_text(person: Person) -> str:
    name = " ".join(n for n in (person.name_bo, person.name_zh) if n)
    born = person.birth_date.isoformat() if person.birth_date else ""
    return "  ".join(p for p in (name, born, person.area_code) if p)


def _show(
    preview: ImportPreview, result: ImportResult | None, dry_run: bool, t: Translator
) -> None:
    source = preview.source
    _write(t.gettext(MSG_COLUMNS, sheet=source.sheet, row=source.header_row))
    for column in source.columns:
        field = preview.choices.mapping.get(column.index)
        label = FIELD_LABELS[field] if field else MSG_NOT_IMPORTED
        _write(f"  {column.heading} → {t.gettext(label)}")
    if preview.groups:
        labels = "、".join(t.gettext(g.label) for g in preview.groups)
        _write(t.gettext(MSG_GROUPS, groups=labels))
    else:
        _write(t.gettext(MSG_NO_GROUP))
    _write(
        t.gettext(
            MSG_SUMMARY,
            added=len(preview.added),
            joining=len(preview.joining),
            unchanged=len(preview.unchanged),
            refused=len(preview.refused_rows),
        )
    )
    if preview.new_households:
        _write(t.gettext(MSG_HOUSEHOLDS, count=preview.new_households))
    for refusal in preview.refused:
        where = t.gettext(MSG_ROW, row=refusal.row)
        if refusal.column:
            where += f" ({refusal.column})"
        _write(f"  {where}: {t.gettext(refusal.message, **refusal.params)}")
    if preview.gone:
        _write(t.gettext(MSG_GONE, count=len(preview.gone)))
        for person in preview.gone:
            _write(f"  {_person_text(person)}")
    if dry_run:
        _write(t.gettext(MSG_DRY_RUN))
    elif result is None:
        _write(t.gettext(MSG_NOTHING))
    else:
        _write(
            t.gettext(
                MSG_IMPORTED,
                added=result.added,
                joined=result.joined,
                households=result.households,
            )
        )


def _person_json(person: Person) -> dict[str, Any]:
    return {
        "row": person.row,
        "resident_id": str(person.resident_id) if person.resident_id else None,
        "name_bo": person.name_bo,
        "name_zh": person.name_zh,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "area_code": person.area_code or None,
        "groups": list(person.groups),
    }


def _english(message: str, params: dict[str, Any]) -> str:
    shown = {k: v.label if isinstance(v, Label) else v for k, v in params.items()}
    try:
        return message.format(**shown)
    except (KeyError, IndexError, ValueError):
        return message


def preview_json(preview: ImportPreview, result: ImportResult | None) -> dict[str, Any]:
    """The JSON of `roster import --json` (docs/cli-json.md)."""
    source = preview.source
    return {
        "file": str(source.path),
        "sheet": source.sheet,
        "header_row": source.header_row,
        "columns": [
            {
                "index": c.index,
                "heading": c.heading,
                "field": preview.choices.mapping.get(c.index, RosterField.SKIP).value,
            }
            for c in source.columns
        ],
        "groups": [g.value for g in preview.groups],
        "added": [_person_json(p) for p in preview.added],
        "joining": [_person_json(p) for p in preview.joining],
        "unchanged": len(preview.unchanged),
        "refused": [
            {
                "row": r.row,
                "column": r.column or None,
                "reason": _english(r.message, dict(r.params)),
            }
            for r in preview.refused
        ],
        "refused_rows": list(preview.refused_rows),
        "no_longer_listed": [_person_json(p) for p in preview.gone],
        "new_households": preview.new_households,
        "skipped_rows": preview.skipped_rows,
        "written": result is not None,
    }


# ---------------------------------------------------------------- export


def run_export_list(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    from station_desktop.services.list_export import ListExportService  # noqa: PLC0415

    count = ListExportService(app.ctx, Catalogues()).write(
        args.kind, args.output, whole_id_numbers=args.whole_id_numbers
    )
    _write(translator.gettext(MSG_EXPORTED, path=str(args.output), count=count))
    return 0
