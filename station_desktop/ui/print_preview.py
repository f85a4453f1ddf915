"""Print preview inside the application: the PDF of a form (or a batch) made in a worker
thread with a progress dialog whose Cancel stops the work, shown with QtPdf, then printed
through Qt's print dialog, saved, or opened in the system's PDF viewer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.errors import StationError
from station_desktop.i18n import _
from station_desktop.services.paper import print_folder, remove_print_folder, write_pdf
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

if TYPE_CHECKING:  # the PDF machinery (ReportLab) is loaded when a PDF is first made
    from station_desktop.pdf.page import RenderedPdf, RenderProgress


class RenderJob(QObject):
    """Makes a PDF in a worker thread; results arrive in the GUI thread (queued signals).

    `produce` is given a progress callback to call with the number of forms begun; once
    the job is cancelled that callback raises `RenderCancelled`, so a long batch stops at
    the next form instead of running to its end."""

    progressed = Signal(int)
    done = Signal(object)
    failed = Signal(object)
    stopped = Signal()

    def __init__(
        self, produce: Callable[[RenderProgress], RenderedPdf], parent: QObject | None = None
    ):
        super().__init__(parent)
        self._produce = produce
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="render-pdf", daemon=True)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, forms_begun: int) -> None:
        from station_desktop.pdf.page import RenderCancelled  # noqa: PLC0415 - see TYPE_CHECKING

        if self._cancel.is_set():
            raise RenderCancelled
        self.progressed.emit(forms_begun)

    def _run(self) -> None:
        from station_desktop.pdf.page import RenderCancelled  # noqa: PLC0415 - see TYPE_CHECKING

        try:
            pdf = self._produce(self._progress)
        except RenderCancelled:
            self.stopped.emit()
            return
        except Exception as error:
            self.failed.emit(error)
            return
        if self._cancel.is_set():
            self.stopped.emit()  # a short job that ended as it was cancelled
            return
        self.done.emit(pdf)


class PrintPreviewDialog(QDialog):
    def __init__(self, pdf: RenderedPdf, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self._file_name = file_name
        self._viewer_folders: list[Path] = []  # removed when the preview closes
        self._bytes = QByteArray(pdf.data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = QPushButton(self)
        self.save_button = QPushButton(self)
        self.open_button = QPushButton(self)
        for button in (self.print_button, self.save_button, self.open_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.open_button.clicked.connect(self.open_in_viewer)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(self.remove_viewer_files)
        application = QApplication.instance()
        if application is not None:  # the window closed with the preview still open
            application.aboutToQuit.connect(self.remove_viewer_files)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        # An A4 page at a readable width, with Print and Save in sight on a small screen.
        fit_to_screen(self, 900, 1000)
        remember_geometry(self, "print_preview")
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Print preview"))
        self.print_button.setText(_("&Print…"))
        self.save_button.setText(_("Save as PDF…"))
        self.open_button.setText(_("Open in the PDF viewer"))

    def print_document(self, printer: QPrinter | None = None) -> bool:
        """Qt's print dialog, then every page drawn at the printer's resolution."""
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if self.pdf.duplex:  # a form of two pages on the two sides of one sheet
                printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
            if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
                return False
        painter = QPainter(printer)
        try:
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                size = (
                    self.document.pagePointSize(page)
                    .toSize()
                    .scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                )
                image = self.document.render(page, QSize(size.width(), size.height()))
                painter.drawImage(QRectF(0, 0, size.width(), size.height()), image)
        finally:
            painter.end()
        return True

    def save_as(self) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save as PDF…"), self._file_name, "PDF (*.pdf)"
        )
        if not chosen:
            return None
        path = Path(chosen if chosen.lower().endswith(".pdf") else f"{chosen}.pdf")
        try:
            write_pdf(self.pdf.data, path)
        except StationError as error:
            QMessageBox.warning(self, _("Print preview"), _(error.message, **error.params))
            return None
        return path

    def open_in_viewer(self) -> Path:
        folder = print_folder()
        self._viewer_folders.append(folder)
        path = folder / self._file_name
        write_pdf(self.pdf.data, path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    def remove_viewer_files(self) -> None:
        """The filled forms given to the PDF viewer are not left in the temporary folder
        (the viewer has read its copy by the time the preview is closed)."""
        for folder in self._viewer_folders:
            remove_print_folder(folder)
        self._viewer_folders.clear()


def preview(parent: QWidget, produce: Callable[[], RenderedPdf], file_name: str) -> RenderJob:
    """Make the PDF of a form or two off the GUI thread, then show it."""
    return preview_batch(parent, lambda _progress: produce(), file_name, forms=0)


def preview_batch(
    parent: QWidget,
    produce: Callable[[RenderProgress], RenderedPdf],
    file_name: str,
    *,
    forms: int,
) -> RenderJob:
    """Make a PDF of `forms` forms off the GUI thread with a progress dialog ("form 37 of
    200") whose Cancel stops the work, then show it. `forms=0`: a busy indicator only."""
    progress = QProgressDialog(_("Preparing the pages…"), _("Cancel"), 0, forms, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)  # quick forms show no dialog at all
    progress.setAutoReset(False)
    progress.setAutoClose(False)
    job = RenderJob(produce, parent)

    def advanced(forms_begun: int) -> None:
        if forms and not job.cancelled:
            progress.setValue(min(forms_begun, forms))
            progress.setLabelText(
                _("Preparing form {number} of {total}…", number=forms_begun, total=forms)
            )

    def finished(pdf: object) -> None:
        from station_desktop.pdf.page import RenderedPdf  # noqa: PLC0415 - see TYPE_CHECKING

        progress.reset()
        assert isinstance(pdf, RenderedPdf)
        dialog = PrintPreviewDialog(pdf, file_name, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def failed(error: object) -> None:
        progress.reset()
        if isinstance(error, StationError):
            QMessageBox.warning(parent, _("Print preview"), _(error.message, **error.params))
        elif isinstance(error, BaseException):
            raise error  # a bug: the crash dialog reports it

    job.progressed.connect(advanced)
    job.done.connect(finished)
    job.failed.connect(failed)
    job.stopped.connect(progress.reset)
    progress.canceled.connect(job.cancel)
    job.start()
    return job
