"""Submitted reports on the command line. Never imports Qt.

    station-desktop report --from DATE --to DATE [--station CODE …] --submit [--note TEXT]
    station-desktop submitted list [--json]
    station-desktop submitted show ID          the figures as they were submitted (JSON)
    station-desktop submitted pdf ID -o FILE   the PDF exactly as it was submitted

A report printed as JSON for a period and stations that were submitted before also carries
`since_submitted`: what changed since the latest submission and why (docs/cli-json.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station_desktop.errors import StationError
from station_desktop.i18n import N_, Catalogues
from station_desktop.reports.figures import Report, Trend
from station_desktop.reports.revisions import Revision
from station_desktop.reports.tables import Money, Msg, Names, Raw
from station_desktop.services.report_export import station_names
from station_desktop.services.submitted import SubmittedReportService, SubmittedSummary

if TYPE_CHECKING:
    from station_desktop.app import Application

__all__ = ["revision_json", "run_submitted", "submit", "summary_json"]

MSG_BAD_SUBMITTED_ID = N_(
    "{value} is not the id of a submitted report. They are listed by {command}."
)
MSG_PDF_NEEDS_FILE = N_("A PDF needs a file name: add {option}.")


def submit(app: Application, report: Report, trend: Trend, note: str) -> SubmittedSummary:
    names = station_names(app.stations.stations())
    return SubmittedReportService(app.ctx).submit(report, trend, note=note, names=names)


def summary_json(summary: SubmittedSummary) -> dict[str, Any]:
    by = summary.submitted_by
    return {
        "id": str(summary.id),
        "period": {
            "start": summary.period.start.isoformat(),
            "end": summary.period.end.isoformat(),
        },
        "stations": list(summary.stations),
        "submitted_on": summary.submitted_on.isoformat(),
        "submitted_at": summary.submitted_at.isoformat(),
        "submitted_by": None if by is None else {"name_bo": by.bo, "name_zh": by.zh},
        "note": summary.note,
        "format_version": summary.format_version,
        "pdf_sha256": summary.pdf_sha256,
        "pdf_bytes": summary.pdf_bytes,
    }


def revision_json(app: Application, report: Report) -> dict[str, Any] | None:
    """What changed since the latest submission of this report's period and stations
    (None when there is none)."""
    try:
        revision = SubmittedReportService(app.ctx).revision(report)
    except StationError as error:  # counted by older rules: the report itself still prints
        sys.stderr.write(f"station-desktop: {error.english()}\n")
        return None
    return None if revision is None else _revision(revision)


def _revision(revision: Revision) -> dict[str, Any]:
    english = Catalogues().translator("en")

    def words(part: Msg | Raw | Names) -> str:
        if isinstance(part, Msg):
            return english.gettext(part.message, **part.kwargs())
        if isinstance(part, Names):
            return part.zh or part.bo
        return part.text

    def number(value: int | Money | None) -> int | None:
        return value.fen if isinstance(value, Money) else value

    return {
        "submitted_id": str(revision.submitted_id),
        "submitted_on": revision.submitted_on.isoformat(),
        "changed": revision.changed,
        "differences": [
            {
                "table": d.table,
                "figure": [words(part) for part in d.label.parts],
                "money": isinstance(d.before, Money) or isinstance(d.after, Money),
                "submitted": number(d.before),
                "now": number(d.after),
            }
            for d in revision.differences
        ],
        "causes": [
            {
                "entity": c.entity,
                "record_id": str(c.record_id),
                "change": c.change,
                "day": None if c.day is None else c.day.isoformat(),
                "changed_at": c.changed_at.isoformat(),
            }
            for c in revision.causes
        ],
    }


def _submitted_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise StationError(
            MSG_BAD_SUBMITTED_ID, value=text, command="station-desktop submitted list"
        ) from None


def run_submitted(app: Application, args: argparse.Namespace) -> int:
    """`submitted list | show ID | pdf ID -o FILE`."""
    service = SubmittedReportService(app.ctx)
    command: str = args.submitted_command
    if command == "list":
        found = service.submitted()
        if args.json:
            sys.stdout.write(
                json.dumps([summary_json(s) for s in found], ensure_ascii=False, indent=2) + "\n"
            )
            return 0
        for s in found:
            stations = ",".join(s.stations)
            note = f"  {s.note}" if s.note else ""
            sys.stdout.write(
                f"{s.id}  {s.period.start}..{s.period.end}  {stations}  "
                f"submitted {s.submitted_on}{note}\n"
            )
        return 0
    submitted_id = _submitted_id(args.id)
    if command == "show":
        figures = service.figures(submitted_id)
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return 0
    output: Path | None = args.output
    if output is None:
        raise StationError(MSG_PDF_NEEDS_FILE, option="-o")
    data = service.write_pdf(submitted_id, output)
    sys.stdout.write(f"{output}: {len(data) / 1024:.0f} kB, as submitted\n")
    return 0
