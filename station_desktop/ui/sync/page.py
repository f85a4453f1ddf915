"""The Sync page: send to and receive from USB sticks, what waits (conflicts, changes not
received yet), this laptop's key card (its fingerprint large, for reading aloud), trusting
another laptop's card, and the laptops this one trusts, with access withdrawn after a
question. File → Send to USB… and Receive from USB… are this page's actions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.i18n import N_, _, ngettext
from station_desktop.services.sync import ROLE_BUREAU, KeyCard, TrustedInfo
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.sync.receive import ReceiveDialog
from station_desktop.ui.sync.send import SendDialog
from station_desktop.ui.sync.texts import (
    ALL_FILES,
    BUNDLE_FILTER,
    CARD_FILTER,
    installation_text,
    problem_text,
    remember_folder,
    remembered_folder,
    role_text,
    station_text,
    trusted_by_text,
    when_text,
)
from station_desktop.ui.sync.trust import TrustDialog, fingerprint_label
from station_desktop.ui.table_models import filling, size_rows

PAGE_TITLE = N_("Sync")
TRUSTED_HEADERS = (
    N_("Role and station"),
    N_("Laptop name"),
    N_("Fingerprint"),
    N_("How it is trusted"),
    N_("Access withdrawn"),
)
TRUSTED_MIN_ROWS = 3


class SyncPage(QWidget):
    records_changed = Signal()  # bundles were received: lists and pages catch up
    conflicts_requested = Signal()  # the person wants the Conflicts page

    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._card: KeyCard | None = None
        self._trusted: list[TrustedInfo] = []
        self._conflicts = 0
        self._card_message: tuple[str, dict[str, str]] | None = None
        self._card_problem: StationError | None = None
        self.send_action = QAction(self)
        self.send_action.triggered.connect(lambda: self.open_send())  # noqa: PLW0108
        self.receive_action = QAction(self)
        self.receive_action.triggered.connect(lambda: self.open_receive())  # noqa: PLW0108

        # Sending and receiving, and what waits.
        self.exchange_box = QGroupBox()
        self.intro_label = QLabel()
        self.intro_label.setWordWrap(True)
        self.send_button = QPushButton()
        self.send_button.clicked.connect(lambda: self.open_send())  # noqa: PLW0108
        self.receive_button = QPushButton()
        self.receive_button.clicked.connect(lambda: self.open_receive())  # noqa: PLW0108
        self.conflicts_label = QLabel()
        self.conflicts_label.setWordWrap(True)
        self.conflicts_button = QPushButton()
        self.conflicts_button.clicked.connect(self.conflicts_requested.emit)
        # One row: the two ways data moves, then what waits for a person.
        exchange_buttons = QHBoxLayout()
        exchange_buttons.addWidget(self.send_button)
        exchange_buttons.addWidget(self.receive_button)
        exchange_buttons.addSpacing(24)
        exchange_buttons.addWidget(self.conflicts_label, 1)
        exchange_buttons.addWidget(self.conflicts_button)
        self.gaps_label = QLabel()
        self.gaps_label.setWordWrap(True)
        self.received_label = QLabel()
        self.received_label.setWordWrap(True)
        exchange = QVBoxLayout(self.exchange_box)
        exchange.addWidget(self.intro_label)
        exchange.addLayout(exchange_buttons)
        exchange.addWidget(self.gaps_label)
        exchange.addWidget(self.received_label)

        # This laptop's key card.
        self.card_box = QGroupBox()
        self.card_who = QLabel()
        self.card_who.setWordWrap(True)
        self.fingerprint = fingerprint_label(self)
        self.card_hint = QLabel()
        self.card_hint.setWordWrap(True)
        self.save_card_button = QPushButton()
        self.save_card_button.clicked.connect(lambda: self.save_card())  # noqa: PLW0108
        self.trust_button = QPushButton()
        self.trust_button.clicked.connect(lambda: self.trust_card())  # noqa: PLW0108
        # The fingerprint, and beside it what is done with key cards.
        card_row = QHBoxLayout()
        card_row.addWidget(self.fingerprint)
        card_row.addStretch(1)
        card_row.addWidget(self.save_card_button)
        card_row.addWidget(self.trust_button)
        self.card_status = QLabel()
        self.card_status.setWordWrap(True)
        self.card_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card_status.hide()
        self.card_problem = QLabel()
        self.card_problem.setWordWrap(True)
        paint_as_error(self.card_problem)
        self.card_problem.hide()
        card = QVBoxLayout(self.card_box)
        card.addWidget(self.card_who)
        card.addLayout(card_row)
        card.addWidget(self.card_hint)
        card.addWidget(self.card_status)
        card.addWidget(self.card_problem)

        # The laptops this one trusts.
        self.trusted_box = QGroupBox()
        self.trusted_table = QTableWidget(0, len(TRUSTED_HEADERS))
        self.trusted_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.trusted_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.trusted_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.trusted_table.verticalHeader().setVisible(False)
        header = self.trusted_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.trusted_table.itemSelectionChanged.connect(self._update_withdraw)
        self.no_trusted_label = QLabel()
        self.no_trusted_label.setWordWrap(True)
        self.withdraw_button = QPushButton()
        self.withdraw_button.clicked.connect(lambda: self.withdraw_selected())  # noqa: PLW0108
        withdraw_row = QHBoxLayout()
        withdraw_row.addWidget(self.withdraw_button)
        withdraw_row.addStretch(1)
        trusted = QVBoxLayout(self.trusted_box)
        trusted.addWidget(self.no_trusted_label)
        trusted.addWidget(self.trusted_table, 1)
        trusted.addLayout(withdraw_row)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.exchange_box)
        column.addWidget(self.card_box)
        column.addWidget(self.trusted_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab walks the controls themselves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._loaded = False
        self.retranslate_ui()

    # ------------------------------------------------------------ what is shown

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.refresh()  # trust and what waits change with every bundle: fresh on each look
        super().showEvent(event)

    def refresh(self) -> None:
        sync = self._app.sync
        self._card = sync.card()  # makes this installation's keys the first time
        self._trusted = sync.trusted()
        self._conflicts = sync.conflict_count()
        self._loaded = True
        self._show_card()
        self._show_trusted()
        self._show_waiting()

    def _show_card(self) -> None:
        card = self._card
        if card is None:
            return
        self.card_who.setText(
            _("This laptop: {who} ({role})", who=installation_text(card), role=role_text(card.role))
        )
        self.fingerprint.setText(card.fingerprint)
        self.fingerprint.setAccessibleName(
            _("Fingerprint {fingerprint}", fingerprint=card.fingerprint)
        )

    def _show_trusted(self) -> None:
        table = self.trusted_table
        selected = self.selected()
        with filling(table):
            table.setRowCount(len(self._trusted))
            formats = self._languages.formats
            for row, info in enumerate(self._trusted):
                card = info.card
                cells = (
                    " ".join(p for p in (role_text(card.role), card.station_code) if p),
                    card.label,
                    card.fingerprint,
                    trusted_by_text(info.trusted_by),
                    when_text(formats, info.revoked_at) if info.revoked_at else "",
                )
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, card.fingerprint)
                    table.setItem(row, column, item)
                if selected is not None and card.fingerprint == selected.card.fingerprint:
                    table.selectRow(row)
            size_rows(table)
        rows = max(len(self._trusted), TRUSTED_MIN_ROWS)
        table.setMinimumHeight(
            table.horizontalHeader().sizeHint().height()
            + rows * table.verticalHeader().defaultSectionSize()
            + 2 * table.frameWidth()
        )
        self.no_trusted_label.setVisible(not self._trusted)
        self._update_withdraw()

    def _show_waiting(self) -> None:
        count = self._conflicts
        if count:
            self.conflicts_label.setText(
                ngettext(
                    "{count} conflict waits for a decision.",
                    "{count} conflicts wait for a decision.",
                    count,
                    count=self._languages.formats.number(count),
                )
            )
        else:
            self.conflicts_label.setText(_("No conflicts wait for a decision."))
        self.conflicts_button.setVisible(count > 0)
        gaps = self._app.sync.gaps() if self._loaded else []
        number = self._languages.formats.number
        self.gaps_label.setText(
            _(
                "Changes not received yet (they come with a later bundle): {gaps}",
                gaps="; ".join(
                    _(
                        "laptop {device} ({station}), changes {first}–{last}",
                        device=gap.device_tag,
                        station=station_text(gap.station),
                        first=number(gap.first),
                        last=number(gap.last),
                    )
                    for gap in gaps
                ),
            )
        )
        self.gaps_label.setVisible(bool(gaps))
        bureau = self._card is not None and self._card.role == ROLE_BUREAU
        received = self._app.sync.received_up_to() if self._loaded and bureau else {}
        formats = self._languages.formats
        self.received_label.setText(
            _(
                "Data received up to: {stations}",
                stations="; ".join(
                    f"{code} {when_text(formats, when)}" for code, when in sorted(received.items())
                ),
            )
        )
        self.received_label.setVisible(bool(received))

    def selected(self) -> TrustedInfo | None:
        rows = self.trusted_table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self._trusted[row] if 0 <= row < len(self._trusted) else None

    def _update_withdraw(self) -> None:
        chosen = self.selected()
        self.withdraw_button.setEnabled(chosen is not None and chosen.revoked_at is None)

    # ------------------------------------------------------------ sending and receiving

    def open_send(self) -> SendDialog:
        dialog = SendDialog(self._app, self._languages, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.refresh() if self.isVisible() else None)
        dialog.open()
        return dialog

    def open_receive(self, paths: list[Path] | None = None) -> ReceiveDialog | None:
        """Receive the chosen bundle files (asks which unless `paths` are given)."""
        if paths is None:
            chosen, _filter = QFileDialog.getOpenFileNames(
                self.window(),
                _("Receive from USB"),
                remembered_folder(),
                ";;".join((_(BUNDLE_FILTER), _(ALL_FILES))),
            )
            if not chosen:
                return None
            paths = [Path(p) for p in chosen]
        remember_folder(str(paths[0].parent))
        dialog = ReceiveDialog(self._app, self._languages, paths, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.received.connect(self._received)
        dialog.conflicts_requested.connect(self.conflicts_requested.emit)
        dialog.open()
        dialog.start()
        return dialog

    def _received(self, _reports: object) -> None:
        self.records_changed.emit()
        if self.isVisible():
            self.refresh()

    # ------------------------------------------------------------ key cards and trust

    def save_card(self, path: Path | None = None) -> KeyCard | None:
        """Write this laptop's key card to a file (asks where unless `path` is given)."""
        if path is None:
            card = self._card or self._app.sync.card()
            suggested = Path(remembered_folder()) / _card_file_name(card)
            chosen, _filter = QFileDialog.getSaveFileName(
                self.window(), _("Save key card…"), str(suggested), _(CARD_FILTER)
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            written = self._app.sync.write_card(path)
        except StationError as error:
            self._show_card_problem(error)
            return None
        remember_folder(str(path.parent))
        self._show_card_message(N_("Key card written to {path}."), path=str(path))
        return written

    def trust_card(self, path: Path | None = None) -> TrustDialog | None:
        """Read a key card file and ask the person to compare its fingerprint before
        trusting it (asks for the file unless `path` is given)."""
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(
                self.window(),
                _("Trust a key card…"),
                remembered_folder(),
                ";;".join((_(CARD_FILTER), _(ALL_FILES))),
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            card = self._app.sync.read_card(path)
        except StationError as error:
            self._show_card_problem(error)
            return None
        remember_folder(str(path.parent))
        dialog = TrustDialog(self._app, card, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._trusted_now(card))
        dialog.open()
        return dialog

    def _trusted_now(self, card: KeyCard) -> None:
        self._show_card_message(N_("This laptop now trusts {who}."), who=installation_text(card))
        self.refresh()

    def withdraw_selected(self) -> bool:
        """Withdraw access from the selected laptop, after a question."""
        chosen = self.selected()
        if chosen is None or chosen.revoked_at is not None:
            return False
        who = installation_text(chosen.card)
        answer = QMessageBox.question(
            self.window(),
            _("Withdraw access…"),
            _(
                "Withdraw access from {who} (fingerprint {fingerprint})? Bundles it makes "
                "from now on are refused here, and the withdrawal travels with this "
                "laptop's bundles. Do this for a lost, stolen or replaced laptop.",
                who=who,
                fingerprint=chosen.card.fingerprint,
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self._app.sync.revoke(chosen.card.fingerprint)
        except StationError as error:
            self._show_card_problem(error)
            return False
        self._show_card_message(N_("Access withdrawn from {who}."), who=who)
        self.refresh()
        return True

    def _show_card_message(self, message: str, **params: str) -> None:
        self._card_message = (message, params)
        self._card_problem = None
        self.card_problem.hide()
        self.card_status.setText(_(message, **params))
        self.card_status.show()

    def _show_card_problem(self, error: StationError) -> None:
        self._card_problem = error
        self._card_message = None
        self.card_status.hide()
        self.card_problem.setText(problem_text(error))
        self.card_problem.show()

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.send_action.setText(_("Send to USB…"))
        self.receive_action.setText(_("Receive from USB…"))
        self.exchange_box.setTitle(_("Send and receive"))
        self.intro_label.setText(
            _(
                "Work travels between this station's laptops and the bureau on USB sticks. "
                "A bundle is signed by this laptop and locked for its recipients: a lost "
                "stick reveals nothing, and a changed file is refused."
            )
        )
        self.send_button.setText(_("Send to USB…"))
        self.receive_button.setText(_("Receive from USB…"))
        self.conflicts_button.setText(_("Open the Conflicts page"))
        self.card_box.setTitle(_("This laptop's key card"))
        self.card_hint.setText(
            _(
                "Another laptop trusts this one by its key card. When it is read there, "
                "read this fingerprint aloud to the person at that laptop."
            )
        )
        self.save_card_button.setText(_("Save key card…"))
        self.trust_button.setText(_("Trust a key card…"))
        self.trusted_box.setTitle(_("Trusted laptops"))
        self.trusted_table.setHorizontalHeaderLabels([_(h) for h in TRUSTED_HEADERS])
        self.trusted_table.setAccessibleName(_("Trusted laptops"))
        self.no_trusted_label.setText(
            _(
                "This laptop trusts no other laptop yet. Save its key card to a USB stick, "
                "trust it on the other laptop, and trust that laptop's card here."
            )
        )
        self.withdraw_button.setText(_("Withdraw access…"))
        buttons = (
            self.send_button,
            self.receive_button,
            self.conflicts_button,
            self.save_card_button,
            self.trust_button,
            self.withdraw_button,
        )
        room_for_tibetan(*buttons)
        for button in buttons:
            button.setAccessibleName(button.text())
        if self._card_message is not None:
            message, params = self._card_message
            self.card_status.setText(_(message, **params))
        if self._card_problem is not None:
            self.card_problem.setText(problem_text(self._card_problem))
        if self._loaded:
            self._show_card()
            self._show_trusted()
            self._show_waiting()


def _card_file_name(card: KeyCard) -> str:
    """key-card-CODE-K7QD.json: the station and the fingerprint's first group, so two
    laptops' cards can sit on one stick; nothing personal."""
    who = "bureau" if card.role == ROLE_BUREAU else (card.station_code or "new")
    who = "".join(c for c in who if c.isalnum() or c in "-_")
    return f"key-card-{who}-{card.fingerprint[:4]}.json"
