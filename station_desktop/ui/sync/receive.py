"""File → Receive from USB…: one or several bundles, each checked completely and then
taken in one step (or refused, changing nothing), in a worker thread with progress.
Afterwards a report per file in the interface language: refused and why, already
received, or what came in from which station and laptop; then what waits on this laptop
(conflicts, records waiting for what they refer to, changes not received yet)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.i18n import _, ngettext
from station_desktop.services.sync import STATUS_ALREADY, STATUS_IMPORTED, ReceiveReport
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sync.job import Report, SyncJob, raise_unexpected
from station_desktop.ui.sync.texts import WARNING_COLOUR, problem_text, station_text
from station_desktop.ui.window_state import remember_geometry

WAIT_ON_QUIT_S = 120


@dataclass(frozen=True)
class Step:
    """How far receiving is: file `index` of `files`, `done` of its `total` changes."""

    name: str
    index: int
    files: int
    done: int = 0
    total: int = 0


class ReceiveDialog(QDialog):
    received = Signal(object)  # list[ReceiveReport], once every file is done
    conflicts_requested = Signal()

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        paths: list[Path],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.paths = list(paths)
        self.reports: list[ReceiveReport] = []
        self.job: SyncJob | None = None
        self._step: Step | None = None
        self.steps: list[Step] = []  # every step shown, in order
        self._problem: StationError | None = None

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.report_view = QTextBrowser(self)
        self.report_view.setOpenLinks(False)
        self.conflicts_button = QPushButton(self)
        self.conflicts_button.hide()
        self.conflicts_button.clicked.connect(self._open_conflicts)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.conflicts_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.report_view, 1)
        layout.addLayout(buttons)
        self.resize(820, 640)
        remember_geometry(self, "receive_dialog")
        qt_app = QCoreApplication.instance()
        if qt_app is not None:  # never leave a worker writing into a store that is closing
            qt_app.aboutToQuit.connect(self._wait_for_job)
        self.retranslate_ui()

    # ------------------------------------------------------------ receiving

    def start(self) -> SyncJob:
        sync = self._app.sync
        paths = self.paths

        def work(report: Report) -> list[ReceiveReport]:
            # All the files in one receive (one transaction); each file's changes counted
            # as its turn comes.
            turn = [0]

            def starting(index: int) -> None:
                turn[0] = index
                report(Step(paths[index].name, index, len(paths)))

            def entries(_path: str, done: int, total: int) -> None:
                index = turn[0]
                report(Step(paths[index].name, index, len(paths), done, total))

            return sync.import_bundles(paths, progress=entries, starting=starting)

        job = SyncJob(work, "sync-receive")
        job.progressed.connect(self._progressed)
        job.done.connect(self._received)
        job.failed.connect(self._failed)
        self.job = job
        self.progress.setRange(0, 0)
        self.close_button.setEnabled(False)
        job.start()
        return job

    def _progressed(self, step: object) -> None:
        if not isinstance(step, Step):
            return
        self._step = step
        self.steps.append(step)
        if step.total:
            # The whole run on one bar: each file an equal share, its changes within it.
            share = 1000
            self.progress.setRange(0, share * step.files)
            self.progress.setValue(share * step.index + share * step.done // step.total)
        else:
            self.progress.setRange(0, 0)  # checking the file: busy
        self._show_step()

    def _show_step(self) -> None:
        step = self._step
        if step is None:
            return
        if step.total:
            text = _(
                "File {number} of {files}, {name}: receiving, {done} of {total} changes…",
                number=step.index + 1,
                files=step.files,
                name=step.name,
                done=self._languages.formats.number(step.done),
                total=self._languages.formats.number(step.total),
            )
        else:
            text = _(
                "File {number} of {files}, {name}: checking it completely…",
                number=step.index + 1,
                files=step.files,
                name=step.name,
            )
        self.status_label.setText(text)

    def _received(self, reports: object) -> None:
        assert isinstance(reports, list)
        self.job = None
        self.reports = reports
        self.progress.hide()
        self.status_label.hide()
        self.close_button.setEnabled(True)
        self._show_reports()
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.received.emit(reports)

    def _failed(self, error: object) -> None:
        self.job = None
        self.progress.hide()
        self.close_button.setEnabled(True)
        if not isinstance(error, StationError):
            raise_unexpected(error)
            return
        self._problem = error
        self._show_reports()

    # ------------------------------------------------------------ the report

    def waiting_conflicts(self) -> int:
        taken = [r for r in self.reports if r.status == STATUS_IMPORTED]
        return taken[-1].conflicts if taken else 0

    def report_text(self) -> str:
        return self.report_view.toPlainText()

    def _show_reports(self) -> None:
        reports = self.reports
        taken = [r for r in reports if r.status == STATUS_IMPORTED]
        already = [r for r in reports if r.status == STATUS_ALREADY]
        refused = [r for r in reports if r.refusal is not None]
        self.heading.setText(
            _(
                "Files: {files}. Received: {taken}; already here before: {already}; "
                "refused: {refused}.",
                files=len(reports),
                taken=len(taken),
                already=len(already),
                refused=len(refused),
            )
        )
        parts = [self._file_html(report) for report in reports]
        if self._problem is not None:
            parts.append(_warning(problem_text(self._problem)))
        if taken:
            parts.append(self._now_html(taken[-1]))
        self.report_view.setHtml("".join(parts))
        conflicts = self.waiting_conflicts()
        self.conflicts_button.setVisible(conflicts > 0)

    def _file_html(self, report: ReceiveReport) -> str:
        formats = self._languages.formats
        number = formats.number
        name = html.escape(report.path.name)
        out = [f"<h3>{name}</h3>"]
        if report.refusal is not None:
            out.append(_warning(_("Refused: {reason}", reason=problem_text(report.refusal))))
            return "".join(out)
        if report.status != STATUS_IMPORTED:
            out.append(_para(_("Received before; nothing changed.")))
            return "".join(out)
        out.append(
            _para(
                ngettext(
                    "From {signer}: {new} new of {entries} change.",
                    "From {signer}: {new} new of {entries} changes.",
                    report.entries,
                    signer=report.signer,
                    new=number(report.new_entries),
                    entries=number(report.entries),
                )
            )
        )
        origins = [
            _(
                "Station {station}, laptop {device}: {new} new, {known} already here",
                station=station_text(origin.station),
                device=origin.device_tag,
                new=number(origin.new),
                known=number(origin.known),
            )
            for origin in report.origins
        ]
        out.append(_list(origins))
        out.append(
            _para(
                _(
                    "Records: {new} new, {updated} updated.",
                    new=number(report.new_records),
                    updated=number(report.updated_records),
                )
            )
        )
        for warning in report.clock_warnings:
            out.append(
                _warning(
                    _(
                        "Laptop {device} of station {station}: its changes are dated "
                        "{date}, more than a day ahead of this laptop's date. One of the "
                        "two clocks is wrong: check the date on both laptops.",
                        device=warning.device_tag,
                        station=station_text(warning.station),
                        date=formats.date(warning.newest.astimezone().date()),
                    )
                )
            )
        return "".join(out)

    def _now_html(self, last: ReceiveReport) -> str:
        number = self._languages.formats.number
        heading = _("Now on this laptop")
        out = [f"<h3>{html.escape(heading)}</h3>"]
        lines: list[str] = []
        if last.conflicts:
            lines.append(
                ngettext(
                    "{count} conflict waits for a decision on the Conflicts page.",
                    "{count} conflicts wait for a decision on the Conflicts page.",
                    last.conflicts,
                    count=number(last.conflicts),
                )
            )
        if last.pending:
            lines.append(
                ngettext(
                    "{count} record waits for what it refers to (not received yet); it "
                    "appears when that arrives.",
                    "{count} records wait for what they refer to (not received yet); they "
                    "appear when that arrives.",
                    last.pending,
                    count=number(last.pending),
                )
            )
        if not last.conflicts and not last.pending:
            lines.append(_("No conflicts, and no record waits for another."))
        out.append(_list(lines))
        if last.gaps:
            out.append(_para(_("Changes not received yet (they come with a later bundle):")))
            out.append(
                _list(
                    [
                        _(
                            "laptop {device} ({station}), changes {first}–{last}",
                            device=gap.device_tag,
                            station=station_text(gap.station),
                            first=number(gap.first),
                            last=number(gap.last),
                        )
                        for gap in last.gaps
                    ]
                )
            )
        return "".join(out)

    def _open_conflicts(self) -> None:
        self.conflicts_requested.emit()
        self.accept()

    # ------------------------------------------------------------ language, closing

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Receive from USB"))
        self.report_view.setAccessibleName(_("What came in"))
        self.conflicts_button.setText(_("Open the Conflicts page"))
        self.close_button.setText(_("Close"))
        room_for_tibetan(self.conflicts_button, self.close_button)
        if self.job is not None or not (self.reports or self._problem):
            self.heading.setText(
                ngettext(
                    "Receiving {count} file. Each is checked completely before anything "
                    "is written; a refused file changes nothing.",
                    "Receiving {count} files. Each is checked completely before anything "
                    "is written; a refused file changes nothing.",
                    len(self.paths),
                    count=len(self.paths),
                )
            )
            self._show_step()
        else:
            self._show_reports()

    def reject(self) -> None:
        if self.job is not None:
            return  # a bundle is being taken in one step: it finishes or changes nothing
        super().reject()

    def _wait_for_job(self) -> None:
        if self.job is not None:
            self.job.wait(WAIT_ON_QUIT_S)


def _para(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _warning(text: str) -> str:
    return f'<p style="color:{WARNING_COLOUR.name()}">{html.escape(text)}</p>'


def _list(lines: list[str]) -> str:
    if not lines:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
