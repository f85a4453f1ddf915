"""Loading the bundled fonts into Qt and choosing the application font."""

from __future__ import annotations

import struct
from typing import Final

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from station_desktop.fonts import (
    CHINESE_FAMILY,
    FALLBACK_FAMILY,
    FONT_FILES,
    SCREEN_ASCENT_EM,
    SCREEN_DESCENT_EM,
    TIBETAN_FAMILY,
    font_path,
    with_line_box,
)

BASE_POINT_SIZE = 11
# Tibetan letters are small for their line box: the Tibetan interface reads best larger.
TIBETAN_POINT_SIZE = 14


class FontsMissingError(RuntimeError):
    """A bundled font file is missing or unreadable: the installation is broken."""


def load_fonts() -> list[str]:
    """Register every bundled font with Qt; return the families that loaded. The Tibetan
    font gets the line box its text needs (see `fonts.SCREEN_ASCENT_EM`)."""
    families: list[str] = []
    for font in FONT_FILES:
        path = font_path(font)
        if font.family == TIBETAN_FAMILY:
            try:
                data = with_line_box(path.read_bytes(), SCREEN_ASCENT_EM, SCREEN_DESCENT_EM)
            except (OSError, KeyError, struct.error) as error:
                raise FontsMissingError(f"cannot load {path}: {error}") from error
            font_id = QFontDatabase.addApplicationFontFromData(QByteArray(data))
        else:
            font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise FontsMissingError(f"cannot load {path}")
        families += QFontDatabase.applicationFontFamilies(font_id)
    return sorted(set(families))


def interface_font(language: str) -> QFont:
    """Chinese and Latin from Noto Sans SC, Tibetan from Noto Serif Tibetan, the rare
    ideographs of names (𠮷) from HanaMinB (Qt falls back through the family list per
    character). With a Tibetan interface the Tibetan font comes first, so its taller line
    metrics size every widget."""
    order = (
        [TIBETAN_FAMILY, CHINESE_FAMILY] if language == "bo" else [CHINESE_FAMILY, TIBETAN_FAMILY]
    )
    order.append(FALLBACK_FAMILY)
    font = QFont()
    font.setFamilies(order)
    font.setPointSize(TIBETAN_POINT_SIZE if language == "bo" else BASE_POINT_SIZE)
    return font


def apply_interface_font(app: QApplication, language: str) -> None:
    app.setFont(interface_font(language))


def text_line_height(font: QFont) -> int:
    """The height a line of typed text needs: Tibetan stacks reach far above and below the
    Chinese font's line box (42 px against 21 px at 11 pt), whichever font comes first."""
    tibetan = QFont(TIBETAN_FAMILY)
    tibetan.setPointSizeF(font.pointSizeF())
    return max(QFontMetrics(font).height(), QFontMetrics(tibetan).height())


def has_tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


def tibetan_first(font: QFont) -> QFont:
    """`font` with the Tibetan family first. A cell showing Tibetan in the Chinese or
    English interface gets it, so that Qt centres the line by the Tibetan metrics; with the
    Chinese font first the stacks hang from the Chinese line and the text sits high."""
    if font.families()[:1] == [TIBETAN_FAMILY]:
        return font
    tibetan = QFont(font)
    tibetan.setFamilies([TIBETAN_FAMILY, CHINESE_FAMILY, FALLBACK_FAMILY])
    return tibetan


def row_height(font: QFont, *, tibetan: bool) -> int:
    """A table row's height: room for Tibetan stacks only where the row shows Tibetan
    (a Chinese-only row at Tibetan height is half empty). The Tibetan line box already
    has the air around the writing (see `fonts.SCREEN_ASCENT_EM`): no padding on top."""
    if tibetan or font.families()[:1] == [TIBETAN_FAMILY]:
        return text_line_height(font)
    return QFontMetrics(font).height() + 6


# Above and below a line of text in a button or a one-line editor, in pixels.
LINE_PADDING: Final = 8


def padded_line_height(widget: QWidget) -> int:
    """A row tall enough for a line of Tibetan in `widget`'s font, with its padding."""
    return text_line_height(widget.font()) + LINE_PADDING


def room_for_tibetan(*widgets: QWidget) -> None:
    """Make buttons (or any one-line widgets) tall enough for a line of Tibetan: Qt sizes
    them for Latin text, and Tibetan stacks would be cut."""
    for widget in widgets:
        widget.setMinimumHeight(padded_line_height(widget))


def fit_tibetan(line_edit: QLineEdit) -> None:
    """Make a one-line editor tall enough that Tibetan typed into it is never cut."""
    room_for_tibetan(line_edit)
