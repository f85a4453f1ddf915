"""Printed forms on the 60,000-resident demo data: a single filled form of each kind (once the
fonts are loaded), and a 200-page visit pack in pages per second, against the floor of the
same pages with Tibetan shaping off (the engine's cost without HarfBuzz); plus the cold start
and the size of a one-page form.

Every timed run starts with an empty line-shaping cache: the figures are those of a fresh
process whose fonts are loaded, not of a cache warmed by the previous run.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from bench.data import bench_clock, demo_data
from station_desktop.app import open_application
from station_desktop.pdf import paragraphs
from station_desktop.pdf.forms import FormContent
from station_desktop.pdf.page import RenderedPdf
from station_desktop.services.printing import KINDS, PrintKind, PrintService
from station_desktop.store.models import (
    Activity,
    Area,
    CaseNote,
    CaseRecord,
    FeedbackSheet,
    HomeVisit,
    Resident,
    ResourceHandout,
)

RESIDENTS = 60_000  # the report benchmark's data set (shared cache)
PACK_PAGES = 200
REPEAT = 9
PACK_REPEAT = 3


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time in ms, each run with an empty shaping cache."""
    samples = []
    for _ in range(repeat):
        paragraphs._shape_line.cache_clear()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def _richest(service: PrintService, kind: PrintKind, station_id: uuid.UUID) -> uuid.UUID:
    """A record with much to print (the longest texts, most notes or attendees)."""
    with service.ctx.db.read() as session:
        if kind == "case":
            query = (
                select(CaseRecord.id)
                .join(CaseNote, CaseNote.case_id == CaseRecord.id)
                .where(CaseRecord.station_id == station_id)
                .group_by(CaseRecord.id)
                .order_by(func.count().desc())
            )
        else:
            model, text = {
                "visit": (HomeVisit, HomeVisit.situation),
                "feedback": (FeedbackSheet, FeedbackSheet.comments),
                "activity": (Activity, Activity.description),
                "handout": (ResourceHandout, ResourceHandout.note),
            }[kind]
            query = (
                select(model.id)
                .where(model.station_id == station_id)
                .order_by(func.length(text).desc())
            )
        found = session.scalars(query.limit(1)).first()
    assert found is not None, f"no {kind} in the demo data"
    return found


def _pack_of(service: PrintService, due: list[uuid.UUID], pages: int) -> list[FormContent]:
    """The first forms of `due` that make at least `pages` pages."""
    count = pages // 2  # a pre-filled visit form is two pages
    while True:
        forms = service.prefilled_visit_forms(due[:count], on=service.ctx.today())
        if service.render(forms).pages >= pages or count >= len(due):
            return forms
        count += 5


def run() -> None:
    paths, built = demo_data(RESIDENTS)
    if built is not None:
        print(f"built {RESIDENTS:,} residents of demo data in {built:.1f} s")
    with open_application(paths, clock=bench_clock, read_only=True) as app:
        with app.ctx.db.read() as session:
            area_id, station_id, code = session.execute(
                select(Area.id, Area.station_id, Area.code)
                .join(Resident, Resident.area_id == Area.id)
                .group_by(Area.id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
        # The demo data has no chosen station and is opened read-only: name it here.
        ctx = dataclasses.replace(app.ctx, _station_id=station_id)
        service = PrintService(ctx)
        records = {kind: _richest(service, kind, station_id) for kind in KINDS}

        started = time.perf_counter()
        service.render([service.record_form("visit", records["visit"])])
        cold = (time.perf_counter() - started) * 1000
        print(f"first form in this process (fonts, catalogues, first page): {cold:.0f} ms")

        print(f"{'single filled form':<22}{'pages':>6}{'kB':>6}{'median ms':>11}{'worst ms':>10}")
        for kind in KINDS:
            record_id = records[kind]

            def one(kind: PrintKind = kind, record_id: uuid.UUID = record_id) -> RenderedPdf:
                return service.render([service.record_form(kind, record_id)])

            pdf = one()
            median, worst = _timed(one, REPEAT)
            size = len(pdf.data) / 1024
            print(f"{kind:<22}{pdf.pages:>6}{size:>6.0f}{median:>11.1f}{worst:>10.1f}")
        blank = service.render(service.blank_sheets("feedback"))
        print(f"blank feedback sheet: {blank.pages} page, {len(blank.data) / 1024:.0f} kB")

        today = ctx.today()
        selected = time.perf_counter()
        due = service.due_for_visit(area_id, today, today + timedelta(days=13))
        selection = (time.perf_counter() - selected) * 1000
        reasons = Counter(d.reason for d in due)
        print(
            f"visit pack {code} (largest area), two weeks from {today}: {len(due)} due "
            f"({', '.join(f'{n} {r}' for r, n in sorted(reasons.items()))}); "
            f"selection {selection:.0f} ms"
        )

        forms = _pack_of(service, [d.resident_id for d in due], PACK_PAGES)
        pages = service.render(forms).pages
        shaped, _ = _timed(lambda: service.render(forms), PACK_REPEAT)
        floor, _ = _timed(lambda: service.render(forms, shaping=False), PACK_REPEAT)
        print(f"visit pack of {len(forms)} forms, {pages} pages (median of {PACK_REPEAT}):")
        print(f"  shaped:   {shaped:7.0f} ms  {pages / (shaped / 1000):6.1f} pages/s")
        print(f"  unshaped: {floor:7.0f} ms  {pages / (floor / 1000):6.1f} pages/s (floor)")
        print(f"  ratio shaped / floor: {shaped / floor:.2f}")
