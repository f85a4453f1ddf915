"""Bringing back a copy of the data when the database is missing or damaged.

Shown at start-up instead of the window (the program never starts empty over earlier
data), and from the window when the integrity check fails. The person picks a copy; it
is checked and described (station, records) before the question is asked; the restore
runs in a worker thread, crash-safe at every step (services.backups, store.restore).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.errors import DatabaseDamaged, DatabaseMissing, StationError
from station_desktop.i18n import N_, _
from station_desktop.services.backups import (
    COPY_KINDS,
    BackupService,
    CopyInfo,
    RestorePlan,
    RestoreResult,
    describe_copy,
)
from station_desktop.ui.fonts import text_line_height

TITLE = N_("Restore a copy of the data")
MSG_CHOOSE = N_(
    "Choose the copy to bring back (the newest first). It is checked, and what it holds is "
    "shown, before anything is replaced."
)
MSG_RESTORE = N_("Restore…")
MSG_QUIT = N_("Quit")
MSG_COPY_ITEM = N_("{time} · {kind} · {size}")
MSG_MISSING = N_(
    "The data of this laptop ({path}) is missing, but copies of it are in its folder. "
    "Choose one to bring the data back; nothing is started empty."
)
MSG_DAMAGED = N_(
    "The data of this laptop ({path}) is damaged: it failed its integrity check. Choose a "
    "backup to bring the data back; the damaged file is kept in the backups folder."
)
MSG_QUESTION = N_(
    "This copy holds: station {station}; {residents} residents, {visits} visits, "
    "{feedback} feedback sheets, {cases} cases, {activities} activities, {resources} "
    "resources; its newest change is from {newest}.\n\nReplace the data on this laptop "
    "with it? What is there now is kept in the backups folder."
)
MSG_OTHER_STATION = N_(
    "This copy belongs to another station ({backup_station}) than the data on this laptop "
    "({current_station}). Replace it all the same?"
)
MSG_RESTORING = N_("Restoring the copy…")
MSG_RESTORED = N_("The copy has been restored. Station Desktop now opens it.")
MSG_NO_STATION = N_("(not set)")


def _item_text(copy: CopyInfo) -> str:
    moment = copy.made_at.astimezone().strftime("%Y-%m-%d %H:%M") if copy.made_at else "?"
    return _(
        MSG_COPY_ITEM,
        time=moment,
        kind=_(COPY_KINDS[copy.kind]),
        size=f"{copy.size / 1_000_000:.1f} MB",
    )


def _explanation(problem: StationError) -> str:
    """What went wrong, in the window's terms (the command-line way out is not needed
    here: the way out is below)."""
    path = str(getattr(problem, "path", ""))
    if isinstance(problem, DatabaseMissing):
        return _(MSG_MISSING, path=path)
    if isinstance(problem, DatabaseDamaged):
        return _(MSG_DAMAGED, path=path)
    return _(problem.message, **problem.params)


class RestoreJob(QObject):
    """The restore in a worker thread; the outcome comes back queued in the GUI thread."""

    finished = Signal(object)  # RestoreResult, or the StationError that stopped it

    def __init__(
        self,
        service: BackupService,
        plan: RestorePlan,
        allow_other_station: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service, self._plan, self._allow = service, plan, allow_other_station
        self._thread = threading.Thread(target=self._run, name="restore", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            result: RestoreResult | StationError = self._service.restore(
                self._plan, allow_other_station=self._allow
            )
        except StationError as error:
            result = error
        self.finished.emit(result)

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


class RestoreDialog(QDialog):
    """Explains what is wrong and offers the copies that can be brought back."""

    def __init__(
        self,
        service: BackupService,
        problem: StationError,
        copies: Sequence[Path],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.restored: RestoreResult | None = None
        self.job: RestoreJob | None = None
        self._progress: QProgressDialog | None = None
        self.setWindowTitle(_(TITLE))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        self.problem = QLabel(_explanation(problem))
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.problem)
        self.hint = QLabel(_(MSG_CHOOSE))
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.copies = QListWidget()
        self.copies.setAccessibleName(_(TITLE))
        for path in copies:
            item = QListWidgetItem(_item_text(describe_copy(path)))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.copies.addItem(item)
        self.copies.setCurrentRow(0)
        self.copies.setMinimumHeight(text_line_height(self.copies.font()) * 4)
        self.copies.itemActivated.connect(lambda _item: self.restore_selected())
        layout.addWidget(self.copies)
        buttons = QDialogButtonBox()
        self.restore_button = QPushButton(_(MSG_RESTORE))
        self.restore_button.setDefault(True)
        self.quit_button = QPushButton(_(MSG_QUIT))
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.restore_selected)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.restore_button.setEnabled(self.copies.count() > 0)

    def selected(self) -> Path | None:
        item = self.copies.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def restore_selected(self) -> None:
        path = self.selected()
        if path is None or self.job is not None:
            return
        try:
            plan = self.service.plan(path)
        except StationError as error:
            QMessageBox.warning(self, _(TITLE), _(error.message, **error.params))
            return
        if not self._confirmed(plan):
            return
        self.restore_button.setEnabled(False)
        self._progress = QProgressDialog(_(MSG_RESTORING), "", 0, 0, self)
        self._progress.setCancelButton(None)  # a restore is short and must not stop halfway
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.show()
        self.job = RestoreJob(self.service, plan, plan.other_station, self)
        self.job.finished.connect(self._done)

    def _confirmed(self, plan: RestorePlan) -> bool:
        backup = plan.backup
        station = " ".join(p for p in (backup.station_code, backup.station_name) if p)
        newest = backup.newest_change.date().isoformat() if backup.newest_change else "-"
        question = _(
            MSG_QUESTION, station=station or _(MSG_NO_STATION), newest=newest, **backup.counts
        )
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        if QMessageBox.question(self, _(TITLE), question, yes | no, no) != yes:
            return False
        if plan.other_station:
            other = _(
                MSG_OTHER_STATION,
                backup_station=backup.station_code or _(MSG_NO_STATION),
                current_station=plan.current.station_code if plan.current else "",
            )
            return QMessageBox.question(self, _(TITLE), other, yes | no, no) == yes
        return True

    def _done(self, result: object) -> None:
        if self._progress is not None:
            self._progress.close()
        self.job = None
        if isinstance(result, StationError):
            self.restore_button.setEnabled(True)
            QMessageBox.warning(self, _(TITLE), _(result.message, **result.params))
            return
        assert isinstance(result, RestoreResult)
        self.restored = result
        QMessageBox.information(self, _(TITLE), _(MSG_RESTORED))
        self.accept()
