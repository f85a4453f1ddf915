"""File → Send to USB…: one bundle for the chosen laptops and the bureau, written to a
folder the person picks (the USB stick, remembered for next time) under a name that says
only which station made it and when. The work runs in a worker thread; afterwards the
dialog says how many changes went, for whom, per station."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.i18n import N_, _, ngettext
from station_desktop.services.sync import ROLE_BUREAU, SendSummary, TrustedInfo
from station_desktop.ui.fonts import fit_tibetan, padded_line_height, room_for_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sync.job import Report, SyncJob, raise_unexpected
from station_desktop.ui.sync.texts import (
    installation_text,
    problem_text,
    remember_folder,
    remembered_folder,
    station_text,
)
from station_desktop.ui.window_state import remember_geometry

BUNDLE_SUFFIX = ".sdbundle"
WAIT_ON_QUIT_S = 60
MSG_NO_FOLDER = N_("The folder {folder} is not there (is the USB stick plugged in?).")


class SendDialog(QDialog):
    sent = Signal(object)  # the SendSummary

    def __init__(
        self, app: Application, languages: LanguageSwitcher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.job: SyncJob | None = None
        self.summary: SendSummary | None = None
        self._problem: StationError | None = None
        self._card = app.sync.card()
        self._candidates = [t for t in app.sync.trusted() if t.revoked_at is None]
        self._build()
        self.resize(760, 620)
        remember_geometry(self, "send_dialog")
        qt_app = QCoreApplication.instance()
        if qt_app is not None:  # never leave a worker writing into a store that is closing
            qt_app.aboutToQuit.connect(self._wait_for_job)
        self.retranslate_ui()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.recipients_label = QLabel(self)
        self.recipients_label.setWordWrap(True)
        self.recipients = QListWidget(self)
        self.recipients_label.setBuddy(self.recipients)
        for info in self._candidates:
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setData(Qt.ItemDataRole.UserRole, info.card.fingerprint)
            usual = self._card.role != ROLE_BUREAU and (
                info.card.role == ROLE_BUREAU or info.card.station_id == self._card.station_id
            )
            item.setCheckState(Qt.CheckState.Checked if usual else Qt.CheckState.Unchecked)
            self.recipients.addItem(item)
        self.recipients.itemChanged.connect(lambda _item: self._update_buttons())
        self.nobody_label = QLabel(self)
        self.nobody_label.setWordWrap(True)
        paint_as_error(self.nobody_label)
        self.nobody_label.setVisible(not self._candidates)

        self.what_label = QLabel(self)
        self.only_lacking = QRadioButton(self)
        self.everything = QRadioButton(self)
        self.only_lacking.setChecked(True)
        self._what = QButtonGroup(self)
        self._what.addButton(self.only_lacking)
        self._what.addButton(self.everything)

        self.folder_label = QLabel(self)
        self.folder_edit = QLineEdit(remembered_folder(), self)
        self.folder_edit.setReadOnly(True)
        self.folder_label.setBuddy(self.folder_edit)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(lambda: self.choose_folder())  # noqa: PLW0108
        self.name_label = QLabel(self)
        self.name_edit = QLineEdit(self._file_name(), self)
        self.name_edit.setReadOnly(True)  # made from the station and the time: no names
        self.name_label.setBuddy(self.name_edit)
        where = QGridLayout()
        where.addWidget(self.folder_label, 0, 0)
        where.addWidget(self.folder_edit, 0, 1)
        where.addWidget(self.folder_button, 0, 2)
        where.addWidget(self.name_label, 1, 0)
        where.addWidget(self.name_edit, 1, 1, 1, 2)
        where.setColumnStretch(1, 1)

        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        paint_as_error(self.problem_label)
        self.problem_label.hide()
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.summary_label.hide()
        self.send_button = QPushButton(self)
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(lambda: self.send())  # noqa: PLW0108
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)

        what = QHBoxLayout()
        what.addWidget(self.what_label)
        what.addWidget(self.only_lacking)
        what.addWidget(self.everything)
        what.addStretch(1)
        # What is chosen, hidden once sent: then the summary takes its place.
        self.choices = QWidget(self)
        choices = QVBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(self.recipients_label)
        choices.addWidget(self.recipients, 1)
        choices.addWidget(self.nobody_label)
        choices.addLayout(what)
        choices.addLayout(where)
        layout = QVBoxLayout(self)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.summary_label, 1)
        layout.addLayout(buttons)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Send to USB"))
        if self._card.role == ROLE_BUREAU:
            self.recipients_label.setText(
                _("For whom? Choose the stations and bureau installations this bundle is for.")
            )
        else:
            self.recipients_label.setText(
                _("For whom? Usually this station's other laptops and the bureau.")
            )
        self.recipients.setAccessibleName(_("Recipients"))
        for row, info in enumerate(self._candidates):
            item = self.recipients.item(row)
            if item is not None:
                item.setText(_recipient_text(info))
        self.nobody_label.setText(
            _(
                "This laptop trusts no other laptop and no bureau yet, so there is nobody to "
                "send to. Trust their key cards first on the Sync page."
            )
        )
        self.what_label.setText(_("What to send:"))
        self.only_lacking.setText(_("Only what they do not have yet"))
        self.everything.setText(_("Everything (for a new or replaced laptop)"))
        self.folder_label.setText(_("Folder (the USB stick):"))
        self.folder_button.setText(_("Choose a folder…"))
        self.name_label.setText(_("File name:"))
        for edit in (self.folder_edit, self.name_edit):
            fit_tibetan(edit)
        self.send_button.setText(_("Send"))
        self.close_button.setText(_("Close"))
        room_for_tibetan(self.send_button, self.close_button, self.folder_button)
        # Room for three recipients at least (a bureau's list is long: it scrolls).
        row = padded_line_height(self)
        self.recipients.setMinimumHeight(3 * row + 2 * self.recipients.frameWidth())
        if self.summary is not None:
            self._show_summary(self.summary)
        if self._problem is not None:
            self._show_problem(self._problem)
        elif self.job is not None:
            self.status_label.setText(_("Writing the bundle…"))
        self._update_buttons()

    # ------------------------------------------------------------ choices

    def chosen(self) -> list[str]:
        """The fingerprints of the checked recipients."""
        found = []
        for row in range(self.recipients.count()):
            item = self.recipients.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                found.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return found

    def set_chosen(self, fingerprints: list[str]) -> None:
        for row in range(self.recipients.count()):
            item = self.recipients.item(row)
            if item is not None:
                wanted = item.data(Qt.ItemDataRole.UserRole) in fingerprints
                item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def choose_folder(self, folder: Path | None = None) -> None:
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, _("Choose a folder…"), self.folder_edit.text()
            )
            if not chosen:
                return
            folder = Path(chosen)
        self.folder_edit.setText(str(folder))
        self.name_edit.setText(self._file_name())

    def target(self) -> Path:
        return Path(self.folder_edit.text()) / self.name_edit.text()

    def _file_name(self) -> str:
        """station-CODE-YYYYMMDD-HHMM.sdbundle (bureau-… at the bureau): no personal data;
        a second bundle in the same minute gets -2, -3…"""
        now = self._app.ctx.clock().astimezone()
        if self._card.role == ROLE_BUREAU:
            stem = f"bureau-{now:%Y%m%d-%H%M}"
        else:
            code = "".join(c for c in self._card.station_code if c.isalnum() or c in "-_")
            stem = f"station-{code or 'new'}-{now:%Y%m%d-%H%M}"
        folder = Path(self.folder_edit.text())
        name, number = f"{stem}{BUNDLE_SUFFIX}", 1
        while (folder / name).exists():
            number += 1
            name = f"{stem}-{number}{BUNDLE_SUFFIX}"
        return name

    def _update_buttons(self) -> None:
        busy = self.job is not None
        self.send_button.setEnabled(not busy and self.summary is None and bool(self.chosen()))
        for widget in (self.recipients, self.only_lacking, self.everything, self.folder_button):
            widget.setEnabled(not busy and self.summary is None)
        self.close_button.setEnabled(not busy)

    # ------------------------------------------------------------ sending

    def send(self) -> SyncJob | None:
        """Write the bundle in a worker thread (None when there is nothing to start)."""
        chosen = self.chosen()
        if self.job is not None or not chosen or self.summary is not None:
            return None
        folder = Path(self.folder_edit.text())
        if not folder.is_dir():
            self._show_problem(StationError(MSG_NO_FOLDER, folder=str(folder)))
            return None
        self.name_edit.setText(self._file_name())  # the time of sending
        path = self.target()
        remember_folder(str(folder))
        full = self.everything.isChecked()
        sync = self._app.sync

        def work(report: Report) -> SendSummary:
            return sync.export(
                path, full=full, to=chosen, progress=lambda done, total: report((done, total))
            )

        job = SyncJob(work, "sync-send")
        job.progressed.connect(self._progressed)
        job.done.connect(self._sent)
        job.failed.connect(self._failed)
        self.job = job
        self._problem = None
        self.problem_label.hide()
        self.progress.setRange(0, 0)  # busy until the service says how far it is
        self.progress.show()
        self.status_label.setText(_("Writing the bundle…"))
        self._update_buttons()
        job.start()
        return job

    def _progressed(self, step: object) -> None:
        done, total = step if isinstance(step, tuple) else (0, 0)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _sent(self, summary: object) -> None:
        assert isinstance(summary, SendSummary)
        self.job = None
        self.summary = summary
        self.choices.hide()
        self.progress.hide()
        self.status_label.clear()
        self._show_summary(summary)
        self._update_buttons()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.sent.emit(summary)

    def _failed(self, error: object) -> None:
        self.job = None
        self.progress.hide()
        self._update_buttons()
        if not isinstance(error, StationError):
            raise_unexpected(error)
            return
        self._show_problem(error)

    def _show_problem(self, error: StationError) -> None:
        self._problem = error
        self.status_label.clear()
        self.problem_label.setText(problem_text(error))
        self.problem_label.show()

    def _show_summary(self, summary: SendSummary) -> None:
        formats = self._languages.formats
        names = [
            _recipient_text(i) for i in self._candidates if i.card.fingerprint in self.chosen()
        ]
        lines = [
            ngettext(
                "{count} change written for {recipients}.",
                "{count} changes written for {recipients}.",
                summary.entries,
                count=formats.number(summary.entries),
                recipients="; ".join(names),
            ),
            _(
                "File: {path} ({size} kB).",
                path=str(summary.path),
                size=formats.number(max(1, round(summary.bytes / 1024))),
            ),
        ]
        if summary.per_station:
            parts = [
                f"{station_text(code)} ({formats.number(count)})"
                for code, count in sorted(summary.per_station.items())
            ]
            lines.append(_("Per station: {counts}.", counts=" · ".join(parts)))
        if summary.entries == 0:
            lines.append(
                _(
                    "They already hold everything this laptop holds; the file only tells "
                    "them what it holds."
                )
            )
        lines.append(_("Take the USB stick to them and choose File → Receive from USB… there."))
        self.summary_label.setText("\n".join(lines))
        self.summary_label.show()

    # ------------------------------------------------------------ closing

    def reject(self) -> None:
        if self.job is not None:
            return  # the bundle is being written: it takes seconds, and is never left half
        super().reject()

    def _wait_for_job(self) -> None:
        if self.job is not None:
            self.job.wait(WAIT_ON_QUIT_S)


def _recipient_text(info: TrustedInfo) -> str:
    return f"{installation_text(info.card)} — {info.card.fingerprint}"
