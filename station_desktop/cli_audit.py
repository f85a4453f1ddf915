"""The audit trail from the command line. Never imports Qt.

    station-desktop audit verify [--quick] [--json]   is the trail whole? (exit 0, else 1)
    station-desktop audit list [--action CODE] [--limit N] [--json]   who did what, newest first

`verify` answers in one line: the trail is whole, or where it first breaks (exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from station_desktop.cli_args import text_argument
from station_desktop.i18n import N_, Translator

if TYPE_CHECKING:
    from station_desktop.app import Application

MSG_WHOLE = N_("The audit trail is whole: {links} entries, and every record matches its log.")
MSG_WHOLE_QUICK = N_("The audit trail is whole: {links} entries (records not compared).")
MSG_MORE = N_("({count} problems in all; the first is shown.)")

EXIT_OK = 0
EXIT_BROKEN = 1


def add_audit_commands(commands: Any) -> None:
    trail = commands.add_parser("audit", help="the audit trail: is it whole, who did what")
    trail_commands = trail.add_subparsers(dest="audit_command", required=True)
    check = trail_commands.add_parser(
        "verify", help="check the audit trail, the change log and the records (exit 1 if broken)"
    )
    check.add_argument("--quick", action="store_true", help="do not compare every record")
    check.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")
    listing = trail_commands.add_parser("list", help="who did what, newest first")
    listing.add_argument("--action", type=text_argument, default="", metavar="CODE")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")


def run_audit(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    if args.audit_command == "verify":
        return _verify(app, args, translator)
    return _list(app, args, translator)


def _verify(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    result = app.audit.verify(records=not args.quick)
    first = result.first
    if args.json:
        data = {
            "whole": result.whole,
            "entries": result.links,
            "head": result.head.to_json(),
            "problems": [
                {"entry": p.seq or None, "message": p.english(), "params": _plain(p.params)}
                for p in sorted(result.problems, key=lambda p: (p.seq == 0, p.seq))
            ],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK if first is None else EXIT_BROKEN
    if first is None:
        message = MSG_WHOLE_QUICK if args.quick else MSG_WHOLE
        sys.stdout.write(translator.gettext(message, links=result.links) + "\n")
        return EXIT_OK
    line = translator.gettext(first.message, **first.params)
    sys.stdout.write(f"station-desktop: {line}\n")
    if len(result.problems) > 1:
        sys.stdout.write(translator.gettext(MSG_MORE, count=len(result.problems)) + "\n")
    return EXIT_BROKEN


def _list(app: Application, args: argparse.Namespace, translator: Translator) -> int:
    from station_desktop.services.audit import (  # noqa: PLC0415
        ACTION_LABELS,
        MSG_SYSTEM,
        AuditFilter,
    )

    rows = app.audit.events(AuditFilter(action=args.action, limit=max(1, min(args.limit, 5000))))
    if args.json:
        data = [
            {
                "entry": row.seq,
                "at": row.at.isoformat(),
                "actor_id": str(row.actor_id) if row.actor_id else None,
                "action": row.action,
                "entity": row.entity,
                "entity_id": row.entity_id,
                "fields": row.fields,
                "device": row.device_tag or None,
            }
            for row in rows
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    for row in rows:
        action = ACTION_LABELS.get(row.action)
        what = translator.gettext(action) if action else row.action
        who = row.actor or translator.gettext(MSG_SYSTEM)
        target = " ".join(p for p in (row.entity, row.entity_id[-8:], ",".join(row.fields)) if p)
        sys.stdout.write(
            f"{row.seq:>7}  {row.at:%Y-%m-%d %H:%M}  {who}  {what}  {target}".rstrip() + "\n"
        )
    return EXIT_OK


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, str)) else str(v) for k, v in params.items()}
