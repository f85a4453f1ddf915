"""Loading the bundled fonts into Qt and choosing the application font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication, QLineEdit

from station_desktop.fonts import (
    CHINESE_FAMILY,
    FALLBACK_FAMILY,
    FONT_FILES,
    TIBETAN_FAMILY,
    font_path,
)

BASE_POINT_SIZE = 11
# Tibetan letters are small for their line box: the Tibetan interface reads best larger.
TIBETAN_POINT_SIZE = 14


class FontsMissingError(RuntimeError):
    """A bundled font file is missing or unreadable: the installation is broken."""


def load_fonts() -> list[str]:
    """Register every bundled font with Qt; return the families that loaded."""
    families: list[str] = []
    for font in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(font_path(font)))
        if font_id < 0:
            raise FontsMissingError(f"cannot load {font_path(font)}")
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
    (a Chinese-only row at Tibetan height is twice as tall as it needs to be)."""
    height = text_line_height(font) if tibetan else QFontMetrics(font).height()
    return height + 6


def fit_tibetan(line_edit: QLineEdit) -> None:
    """Make a one-line editor tall enough that Tibetan typed into it is never cut."""
    line_edit.setMinimumHeight(text_line_height(line_edit.font()) + 8)
