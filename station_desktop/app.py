"""The composition root: opens the store and builds the services for the GUI or the CLI.

Nothing else in the package creates engines, services or clocks; everything is passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from station_desktop.domain.ids import Uuid7Generator
from station_desktop.domain.namekeys import NameKeyBuilder
from station_desktop.paths import DataPaths
from station_desktop.services.activities import ActivityService
from station_desktop.services.cases import CaseService
from station_desktop.services.context import ServiceContext
from station_desktop.services.feedback import FeedbackService
from station_desktop.services.listing import ListingService
from station_desktop.services.printing import PrintService
from station_desktop.services.reports import ReportService
from station_desktop.services.resident_file import ResidentFileService
from station_desktop.services.residents import ResidentService
from station_desktop.services.resources import ResourceService
from station_desktop.services.scanning import ScanService
from station_desktop.services.stations import StationService
from station_desktop.services.sync import SyncService
from station_desktop.services.visits import VisitService
from station_desktop.store.opening import OpenedStore, open_store


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Application:
    """Everything a front end needs, wired once."""

    store: OpenedStore
    ctx: ServiceContext
    stations: StationService
    residents: ResidentService
    visits: VisitService
    feedback: FeedbackService
    cases: CaseService
    activities: ActivityService
    resources: ResourceService
    listing: ListingService
    reports: ReportService
    printing: PrintService
    resident_file: ResidentFileService
    sync: SyncService
    scanning: ScanService

    @property
    def paths(self) -> DataPaths:
        return self.store.paths

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Application:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def build_application(
    store: OpenedStore,
    *,
    clock: Callable[[], datetime] = utc_now,
    new_id: Callable[[], uuid.UUID] | None = None,
) -> Application:
    ctx = ServiceContext(
        db=store.db,
        device_id=store.device_id,
        clock=clock,
        new_id=new_id or Uuid7Generator(),
        keys=NameKeyBuilder(),
    )
    feedback, activities, printing = FeedbackService(ctx), ActivityService(ctx), PrintService(ctx)
    return Application(
        store=store,
        ctx=ctx,
        stations=StationService(ctx),
        residents=ResidentService(ctx),
        visits=VisitService(ctx),
        feedback=feedback,
        cases=CaseService(ctx),
        activities=activities,
        resources=ResourceService(ctx),
        listing=ListingService(ctx),
        reports=ReportService(ctx),
        printing=printing,
        resident_file=ResidentFileService(ctx),
        sync=SyncService(ctx, store.paths.keys),
        scanning=ScanService(ctx, printing, feedback, activities),
    )


def open_application(
    paths: DataPaths,
    *,
    clock: Callable[[], datetime] = utc_now,
    read_only: bool = False,
    check_integrity: bool = True,
) -> Application:
    """Open the data directory (lock, check, back up, migrate) and wire the services."""
    ids = Uuid7Generator()
    store = open_store(
        paths, now=clock, new_id=ids, read_only=read_only, check_integrity=check_integrity
    )
    try:
        application = build_application(store, clock=clock, new_id=ids)
        if not read_only:
            application.residents.bring_search_up_to_date()
        return application
    except BaseException:
        store.close()
        raise
