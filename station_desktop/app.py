"""The composition root: opens the store and builds the services for the GUI or the CLI.

Nothing else in the package creates engines, services or clocks; everything is passed in.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

from station_desktop.domain.ids import Uuid7Generator
from station_desktop.domain.namekeys import NameKeyBuilder
from station_desktop.drafts import DraftStore
from station_desktop.paths import DataPaths
from station_desktop.services.activities import ActivityService
from station_desktop.services.backups import BackupService
from station_desktop.services.cases import CaseService
from station_desktop.services.context import ServiceContext
from station_desktop.services.feedback import FeedbackService
from station_desktop.services.listing import ListingService
from station_desktop.services.resident_file import ResidentFileService
from station_desktop.services.residents import ResidentService
from station_desktop.services.resources import ResourceService
from station_desktop.services.stations import StationService
from station_desktop.services.visits import VisitService
from station_desktop.store.opening import OpenedStore, open_store

if TYPE_CHECKING:
    from station_desktop.services.access_report import AccessReportService
    from station_desktop.services.accounts import AccountService
    from station_desktop.services.audit import AuditService
    from station_desktop.services.printing import PrintService
    from station_desktop.services.privacy import PrivacyService
    from station_desktop.services.reports import ReportService
    from station_desktop.services.scanning import ScanService
    from station_desktop.services.sync import SyncService


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
    resident_file: ResidentFileService
    backups: BackupService

    @property
    def paths(self) -> DataPaths:
        return self.store.paths

    @functools.cached_property
    def reports(self) -> ReportService:
        """Made when first used (the Reports page, the command line): not at start-up."""
        from station_desktop.services.reports import ReportService  # noqa: PLC0415

        return ReportService(self.ctx)

    @functools.cached_property
    def sync(self) -> SyncService:
        """Made when first used: its cryptography stays off the start-up."""
        from station_desktop.services.sync import SyncService  # noqa: PLC0415

        return SyncService(self.ctx, self.store.paths.keys)

    @functools.cached_property
    def printing(self) -> PrintService:
        """Made when first used: its PDF machinery (ReportLab) stays off the start-up."""
        from station_desktop.services.printing import PrintService  # noqa: PLC0415

        return PrintService(self.ctx)

    @functools.cached_property
    def scanning(self) -> ScanService:
        """Reading scanned sheets back: made when first used (OpenCV, numpy and PDFium are
        loaded only when a scan is read)."""
        from station_desktop.services.scanning import ScanService  # noqa: PLC0415

        return ScanService(self.ctx, self.printing, self.feedback, self.activities)

    @functools.cached_property
    def privacy(self) -> PrivacyService:
        """The retention purge, erasures and the access report: made when first used."""
        from station_desktop.services.privacy import PrivacyService  # noqa: PLC0415

        return PrivacyService(self.ctx)

    @functools.cached_property
    def access_report(self) -> AccessReportService:
        """What this laptop holds about one person, on paper (a PIPL access request)."""
        from station_desktop.services.access_report import (  # noqa: PLC0415
            AccessReportService,
        )

        return AccessReportService(self.printing)

    @property
    def drafts(self) -> DraftStore:
        """What was typed but not saved: sealed under a key derived from the data key when
        the store is encrypted (so drafts are as unreadable on disk as the database)."""
        return DraftStore(self.paths.drafts, key=self._drafts_key)

    def _drafts_key(self) -> bytes | None:
        """Asked at each draft saved or read: the data key changes when a worker is
        removed, and a form open meanwhile keeps the store it was given."""
        keys = self.store.keys
        return keys.derive("drafts") if keys is not None else None

    @functools.cached_property
    def accounts(self) -> AccountService:
        """Who signed in, and the station's workers and passwords (an encrypted store)."""
        from station_desktop.services.accounts import AccountService  # noqa: PLC0415

        return AccountService(self.store, self.ctx, self.stations, self.backups)

    @functools.cached_property
    def audit(self) -> AuditService:
        """The audit trail (the audit page, `audit verify`): made when first used."""
        from station_desktop.services.audit import AuditService  # noqa: PLC0415

        return AuditService(self.ctx)

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
        installation=store.installation,
    )
    stations = StationService(ctx)
    stations.restore_worker()
    return Application(
        store=store,
        ctx=ctx,
        stations=stations,
        residents=ResidentService(ctx),
        visits=VisitService(ctx),
        feedback=FeedbackService(ctx),
        cases=CaseService(ctx),
        activities=ActivityService(ctx),
        resources=ResourceService(ctx),
        listing=ListingService(ctx),
        resident_file=ResidentFileService(ctx),
        backups=BackupService(
            store.paths,
            key=store.keys.data_key if store.keys is not None else None,
            actor=lambda: ctx.actor,
        ),
    )


def open_application(
    paths: DataPaths,
    *,
    clock: Callable[[], datetime] = utc_now,
    read_only: bool = False,
    check_integrity: bool = True,
    database_url: str | None = None,
    key: bytes | None = None,
) -> Application:
    """Open the data directory (lock, check, back up, migrate) and wire the services.
    With `database_url` the data is in that server's database instead (store.server);
    the data directory then keeps this laptop's identity, drafts and logs. `key`: the
    data key of an encrypted folder (from `services.accounts.sign_in`)."""
    ids = Uuid7Generator()
    if database_url is not None:
        from station_desktop.store.server import open_server_store  # noqa: PLC0415

        store = open_server_store(paths, database_url, now=clock, new_id=ids, read_only=read_only)
    else:
        store = open_store(
            paths,
            now=clock,
            new_id=ids,
            read_only=read_only,
            check_integrity=check_integrity,
            key=key,
        )
    try:
        application = build_application(store, clock=clock, new_id=ids)
        if not read_only:
            application.residents.bring_search_up_to_date()
        return application
    except BaseException:
        store.close()
        raise
