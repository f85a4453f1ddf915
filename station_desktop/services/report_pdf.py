"""The statistics report as a PDF (`pdf.report`), for the Reports page and the command line.

The page already holds the report and its trend, so `render` takes them as they are;
`make` computes both first (the command line). Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select

from station_desktop.i18n import Catalogues
from station_desktop.pdf.page import LayoutLog, PaperSetup, PaperTexts, RenderedPdf
from station_desktop.pdf.report import render_report, report_station_header
from station_desktop.reports.figures import Report, ReportPeriod, Trend
from station_desktop.reports.revisions import Revision
from station_desktop.reports.tables import Names
from station_desktop.services.access import Action, Resource
from station_desktop.services.context import ServiceContext
from station_desktop.services.paper import write_pdf
from station_desktop.services.reports import ReportService
from station_desktop.store.models import Station

__all__ = ["ReportPdfService"]


class ReportPdfService:
    def __init__(self, ctx: ServiceContext, catalogues: Catalogues | None = None) -> None:
        self.ctx = ctx
        self._catalogues = catalogues
        self._texts: PaperTexts | None = None

    @property
    def texts(self) -> PaperTexts:
        if self._texts is None:  # loading the catalogues reads .po files: only when printing
            self._texts = PaperTexts(self._catalogues)
        return self._texts

    def station_names(self, codes: Sequence[str]) -> dict[str, Names]:
        """The names of the stations with these codes (tombstoned ones too: a report may
        be printed after a station closed)."""
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(Station.code, Station.name_bo, Station.name_zh).where(
                    Station.code.in_(list(codes))
                )
            )
            return {code: Names(bo or "", zh or "") for code, bo, zh in rows}

    def render(
        self,
        report: Report,
        trend: Trend,
        *,
        names: dict[str, Names] | None = None,
        submitted_on: date | None = None,
        revision: Revision | None = None,
        shaping: bool = True,
        invariant: bool = False,
        layout: LayoutLog | None = None,
    ) -> RenderedPdf:
        """The report and its trend (of the same period) as an A4 PDF, printed today.
        `submitted_on`: it is the copy kept as submitted that day; `revision`: what changed
        since the report of this period was last submitted (printed after the headline)."""
        self.ctx.require(Resource.REPORT, Action.READ)
        if names is None:
            names = self.station_names(report.stations)
        texts = self.texts
        header = report_station_header(report, names, texts)
        setup = PaperSetup(header, self.ctx.today(), texts, shaping, invariant)
        return render_report(
            report,
            trend,
            names,
            setup,
            layout=layout,
            submitted_on=submitted_on,
            revision=revision,
        )

    def make(self, period: ReportPeriod, station_codes: Sequence[str] | None = None) -> RenderedPdf:
        """Compute the report and its trend, then render them."""
        self.ctx.require(Resource.REPORT, Action.READ)
        reports = ReportService(self.ctx)
        report = reports.compute(period, station_codes)
        trend = reports.trend(period, station_codes)
        return self.render(report, trend)

    def write(self, pdf: RenderedPdf, path: Path) -> None:
        """Write under a temporary name, then rename (StationError if it cannot)."""
        write_pdf(pdf.data, path)
