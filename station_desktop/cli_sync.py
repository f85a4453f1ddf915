"""USB sync from the command line (scripts and the bureau use it; the JSON is a stable
interface, docs/cli-json.md). Never imports Qt.

    station-desktop keys show [-o FILE] [--json]      this laptop's key card
    station-desktop keys trust FILE [--yes]           trust a card after comparing its fingerprint
    station-desktop keys list [--json]                the laptops this one trusts
    station-desktop keys revoke FINGERPRINT|DEVICE|STATION
    station-desktop export [--full] [--to WHO ...] -o FILE
    station-desktop import FILE... [--json]
    station-desktop conflicts list [--json]
    station-desktop conflicts resolve ID (--keep VALUE-ID | --value TEXT)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station_desktop.cli_args import path_argument, text_argument
from station_desktop.errors import StationError, UsageError
from station_desktop.i18n import N_, Translator

if TYPE_CHECKING:
    from station_desktop.app import Application
    from station_desktop.services.sync import ConflictView, ReceiveReport

__all__ = ["add_sync_commands", "run_conflicts", "run_export", "run_import", "run_keys"]

MSG_COMPARE = N_(
    "Key card of {who} ({role}). Compare this fingerprint with the one shown on that "
    "laptop: {fingerprint}"
)
MSG_TRUST_QUESTION = N_("Is it the same? Trust this laptop? [y/N] ")
MSG_CONFIRM_TRUST = N_("Trusting a laptop needs the fingerprint compared: add {option} to confirm.")
MSG_TRUSTED = N_("This laptop now trusts {who}.")
MSG_NOT_TRUSTED = N_("Nothing was changed.")
MSG_CARD = N_("This laptop: {who}, fingerprint {fingerprint}")
MSG_CARD_WRITTEN = N_("Key card written to {path}.")
MSG_REVOKED = N_("Access withdrawn from {who}.")
MSG_SENT = N_("{path}: {entries} changes for {recipients} ({size} kB).")
MSG_RECEIVED = N_("{path}: {new} new of {entries} changes from {signer}.")
MSG_ALREADY = N_("{path}: already received; nothing changed.")
MSG_ORIGIN = N_("  laptop {device} ({station}): {new} new, {known} already here")
MSG_AFTER = N_(
    "  records: {new} new, {updated} updated; conflicts waiting: {conflicts}; records "
    "waiting for what they refer to: {pending}"
)
MSG_GAP = N_("  laptop {device} ({station}): changes {first}–{last} not received yet")
MSG_CLOCK = N_(
    "  laptop {device}: its changes are dated {time}, more than a day ahead: its clock looks wrong"
)
MSG_NO_CONFLICTS = N_("No conflicts.")
MSG_RESOLVED = N_("Resolved. The decision travels with the next bundle.")
MSG_NO_TRUSTED = N_("This laptop trusts no other laptop yet.")


def add_sync_commands(commands: Any) -> None:
    keys = commands.add_parser("keys", help="this laptop's key card, and the laptops it trusts")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    show = keys_commands.add_parser("show", help="show (and write) this laptop's key card")
    show.add_argument("-o", "--output", type=path_argument, metavar="FILE")
    show.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")
    trust = keys_commands.add_parser(
        "trust", help="trust another laptop's key card, after comparing its fingerprint"
    )
    trust.add_argument("file", type=path_argument)
    trust.add_argument("--yes", action="store_true", help="the fingerprint was compared")
    listing = keys_commands.add_parser("list", help="the laptops this one trusts")
    listing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")
    revoke = keys_commands.add_parser(
        "revoke", help="withdraw a laptop's access (a lost or replaced laptop)"
    )
    revoke.add_argument("who", type=text_argument, metavar="FINGERPRINT|DEVICE|STATION")

    export = commands.add_parser(
        "export", help="write a bundle of changes for a USB stick (signed, encrypted)"
    )
    export.add_argument("-o", "--output", type=path_argument, metavar="FILE", required=True)
    export.add_argument(
        "--full", action="store_true", help="everything, not only what the recipients lack"
    )
    export.add_argument(
        "--to",
        action="append",
        type=text_argument,
        metavar="WHO",
        help="a fingerprint, device or station code (repeatable; default: this station's "
        "laptops and the bureau)",
    )

    importing = commands.add_parser(
        "import", help="receive bundles from a USB stick (checked completely first)"
    )
    importing.add_argument("files", type=path_argument, nargs="+", metavar="FILE")
    importing.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")

    conflicts = commands.add_parser("conflicts", help="fields two laptops changed apart")
    conflict_commands = conflicts.add_subparsers(dest="conflicts_command", required=True)
    conflicts_list = conflict_commands.add_parser("list", help="the conflicts waiting")
    conflicts_list.add_argument("--json", action="store_true", help="print JSON (docs/cli-json.md)")
    conflicts_list.add_argument(
        "--whole-id-numbers",
        action="store_true",
        help="ID card numbers whole instead of masked (roles that may reveal them; each "
        "record revealed is recorded in the audit trail)",
    )
    resolve = conflict_commands.add_parser("resolve", help="keep one value, or give another")
    resolve.add_argument("conflict", type=text_argument, metavar="ID")
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", type=text_argument, metavar="VALUE-ID")
    choice.add_argument("--value", type=text_argument, metavar="TEXT")


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _json(value: Any) -> None:
    _out(json.dumps(value, ensure_ascii=False, indent=2, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _who(card: Any) -> str:
    return " ".join(p for p in (card.station_code, card.label) if p) or card.role


def run_keys(app: Application, args: argparse.Namespace, t: Translator) -> int:
    sync = app.sync
    if args.keys_command == "show":
        card = sync.write_card(args.output) if args.output else sync.card()
        if args.json:
            _json(card.to_json())
        else:
            _out(t.gettext(MSG_CARD, who=_who(card), fingerprint=card.fingerprint))
            if args.output:
                _out(t.gettext(MSG_CARD_WRITTEN, path=str(args.output)))
        return 0
    if args.keys_command == "trust":
        card = sync.read_card(args.file)
        _out(t.gettext(MSG_COMPARE, who=_who(card), role=card.role, fingerprint=card.fingerprint))
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(MSG_CONFIRM_TRUST, option="--yes")
            if input(t.gettext(MSG_TRUST_QUESTION)).strip().lower() not in {"y", "yes", "是"}:
                _out(t.gettext(MSG_NOT_TRUSTED))
                return 1
        sync.trust(card)
        _out(t.gettext(MSG_TRUSTED, who=_who(card)))
        return 0
    if args.keys_command == "list":
        trusted = sync.trusted()
        if args.json:
            _json(
                [
                    {
                        **info.card.to_json(),
                        "trusted_by": info.trusted_by,
                        "trusted_at": info.trusted_at,
                        "revoked_at": info.revoked_at,
                    }
                    for info in trusted
                ]
            )
        elif not trusted:
            _out(t.gettext(MSG_NO_TRUSTED))
        for info in [] if args.json else trusted:
            revoked = f"  (revoked {info.revoked_at.date()})" if info.revoked_at else ""
            _out(
                f"{info.card.fingerprint}  {info.card.role:<8} {_who(info.card)}  "
                f"{info.trusted_by}{revoked}"
            )
        return 0
    for card in sync.revoke(args.who):
        _out(t.gettext(MSG_REVOKED, who=_who(card)))
    return 0


def run_export(app: Application, args: argparse.Namespace, t: Translator) -> int:
    summary = app.sync.export(args.output, full=args.full, to=args.to)
    _out(
        t.gettext(
            MSG_SENT,
            path=str(summary.path),
            entries=summary.entries,
            recipients=", ".join(summary.recipients),
            size=round(summary.bytes / 1024),
        )
    )
    return 0


def report_json(report: ReceiveReport) -> dict[str, Any]:
    return {
        "file": str(report.path),
        "status": report.status,
        "refused": report.refusal.english() if report.refusal else None,
        "from": report.signer,
        "entries": report.entries,
        "new_entries": report.new_entries,
        "origins": [vars(o) for o in report.origins],
        "new_records": report.new_records,
        "updated_records": report.updated_records,
        "conflicts": report.conflicts,
        "waiting": report.pending,
        "gaps": [vars(g) for g in report.gaps],
        "clock_warnings": [vars(c) for c in report.clock_warnings],
        "audit_warning": (
            report.audit_warning.message.format(
                **report.audit_warning.params, path=str(report.path)
            )
            if report.audit_warning
            else None
        ),
    }


def run_import(app: Application, args: argparse.Namespace, t: Translator) -> int:
    reports = app.sync.import_bundles(args.files)
    if args.json:
        _json([report_json(r) for r in reports])
    refused = [r for r in reports if r.refusal is not None]
    for report in [] if args.json else reports:
        if report.refusal is not None:
            error: StationError = report.refusal
            sys.stderr.write(f"station-desktop: {t.gettext(error.message, **error.params)}\n")
            continue
        if report.status != "imported":
            _out(t.gettext(MSG_ALREADY, path=str(report.path)))
            continue
        _out(
            t.gettext(
                MSG_RECEIVED,
                path=str(report.path),
                new=report.new_entries,
                entries=report.entries,
                signer=report.signer,
            )
        )
        for origin in report.origins:
            _out(
                t.gettext(
                    MSG_ORIGIN,
                    device=origin.device_tag,
                    station=origin.station,
                    new=origin.new,
                    known=origin.known,
                )
            )
        _out(
            t.gettext(
                MSG_AFTER,
                new=report.new_records,
                updated=report.updated_records,
                conflicts=report.conflicts,
                pending=report.pending,
            )
        )
        for gap in report.gaps:
            _out(
                t.gettext(
                    MSG_GAP,
                    device=gap.device_tag,
                    station=gap.station,
                    first=gap.first,
                    last=gap.last,
                )
            )
        for warning in report.clock_warnings:
            _out(
                t.gettext(
                    MSG_CLOCK, device=warning.device_tag, time=warning.newest.date().isoformat()
                )
            )
        if report.audit_warning is not None:
            trail = report.audit_warning
            _out(t.gettext(trail.message, **trail.params, path=str(report.path)))
    return 1 if refused else 0


def conflict_json(view: ConflictView) -> dict[str, Any]:
    def value(item: Any) -> dict[str, Any]:
        return {
            "value_id": item.change_id,
            "value": item.value,
            "by": item.actor,
            "laptop": item.device_tag,
            "station": item.station,
            "at": item.wall_time,
            "clock_suspect": item.clock_suspect,
        }

    return {
        "id": view.id,
        "table": view.entity,
        "record_id": str(view.record_id),
        "record": view.record,
        "field": view.field,
        "kind": view.kind,
        "shown": view.shown,
        "values": [value(v) for v in view.values],
        "base": view.base,
        "history": [value(v) for v in view.history],
    }


def run_conflicts(app: Application, args: argparse.Namespace, t: Translator) -> int:
    if args.conflicts_command == "list":
        views = app.sync.conflicts(reveal_id_numbers=args.whole_id_numbers)
        if args.json:
            _json([conflict_json(v) for v in views])
            return 0
        if not views:
            _out(t.gettext(MSG_NO_CONFLICTS))
        for view in views:
            _out(f"{view.id}  {view.record}  {view.field}  ({view.kind})")
            for item in view.values:
                _out(
                    f"    {item.change_id}  {item.value!r}  {item.actor} {item.device_tag} "
                    f"{item.station} {item.wall_time:%Y-%m-%d %H:%M}"
                )
        return 0
    app.sync.resolve(args.conflict, keep=args.keep, value=args.value)
    _out(t.gettext(MSG_RESOLVED))
    return 0


def sync_paths(args: argparse.Namespace) -> list[Path]:
    return list(getattr(args, "files", []) or [])
