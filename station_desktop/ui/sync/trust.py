"""Trusting another laptop's key card: its fingerprint is shown large, and the person is
asked to compare it with the one on that laptop's screen (read aloud) before anything is
trusted. Cancel trusts nothing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.fonts import CHINESE_FAMILY
from station_desktop.i18n import _
from station_desktop.services.sync import ROLE_STATION, KeyCard
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.sync.texts import installation_text, problem_text, role_text
from station_desktop.ui.window_state import remember_geometry

FINGERPRINT_SCALE = 2.0


def fingerprint_font(base: QFont) -> QFont:
    """Large, bold, spaced: people read it aloud to each other, character by character.
    Its letters and digits come from the Chinese font in every interface language."""
    font = QFont(base)
    font.setFamilies([CHINESE_FAMILY])
    font.setPointSizeF(max(base.pointSizeF(), 11) * FINGERPRINT_SCALE)
    font.setBold(True)
    font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
    return font


def fingerprint_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setFont(fingerprint_font(label.font()))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class TrustDialog(QDialog):
    """Asks before trusting `card`; `accepted` once it is trusted."""

    def __init__(self, app: Application, card: KeyCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.card = card
        # A laptop not set up yet, trusted by a station's laptop, is enrolled for its station.
        own = app.sync.card()
        self._enrols = (
            card.role == own.role == ROLE_STATION
            and card.station_id is None
            and own.station_id is not None
        )
        self.who_label = QLabel(self)
        self.who_label.setWordWrap(True)
        self.fingerprint = fingerprint_label(self)
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain_label = QLabel(self)
        self.explain_label.setWordWrap(True)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        paint_as_error(self.problem_label)
        self.problem_label.hide()
        self.trust_button = QPushButton(self)
        self.trust_button.clicked.connect(lambda: self.trust())  # noqa: PLW0108
        self.cancel_button = QPushButton(self)
        self.cancel_button.setDefault(True)  # Enter alone never trusts
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who_label)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._problem: StationError | None = None
        self.resize(860, 440)
        remember_geometry(self, "trust_dialog")
        self.retranslate_ui()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        card = self.card
        self.setWindowTitle(_("Trust a key card"))
        who = _(
            "Key card of {who} ({role}).", who=installation_text(card), role=role_text(card.role)
        )
        if self._enrols:
            who = " ".join(
                (who, _("It has no station yet: trusting it enrols it for this station."))
            )
        self.who_label.setText(who)
        self.fingerprint.setText(card.fingerprint)
        self.fingerprint.setAccessibleName(
            _("Fingerprint {fingerprint}", fingerprint=card.fingerprint)
        )
        self.explain_label.setText(
            _(
                "Compare this fingerprint with the one on that laptop's Sync page: one "
                "person reads it aloud, the other checks every character. Trust it only "
                "if they are the same; a card that differs may not be from that laptop."
            )
        )
        self.trust_button.setText(_("They are the same: trust this laptop"))
        self.cancel_button.setText(_("Cancel"))
        room_for_tibetan(self.trust_button, self.cancel_button)
        if self._problem is not None:
            self.problem_label.setText(problem_text(self._problem))

    def trust(self) -> bool:
        try:
            self._app.sync.trust(self.card)
        except StationError as error:  # its own card, or a laptop of another station
            self._problem = error
            self.problem_label.setText(problem_text(error))
            self.problem_label.show()
            return False
        self.accept()
        return True
