"""The bundled fonts really draw Tibetan and Chinese (no boxes), with no system fonts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QRawFont, QTextLayout

from station_desktop.fonts import (
    CHINESE_FAMILY,
    FALLBACK_FAMILY,
    FONT_FILES,
    TIBETAN_FAMILY,
    font_path,
)
from station_desktop.ui.fonts import interface_font, tibetan_first

pytestmark = pytest.mark.gui

HARD_TIBETAN = "བསྒྲུབས་ རྒྱལ་ སྐྱིད་ ཀྲ་ ཧཱུྃ་ ཕྱྭ་"
CHINESE = "扎西次仁 卓玛 服务满意度反馈表 堃喆"


def test_the_fonts_ship_with_their_licences() -> None:
    for font in FONT_FILES:
        assert font_path(font).stat().st_size > 500_000
    licences = {p.name for p in font_path(FONT_FILES[0]).parent.glob("OFL-*.txt")}
    assert licences == {"OFL-NotoSerifTibetan.txt", "OFL-NotoSansSC.txt", "OFL-HanaMinB.txt"}


@pytest.mark.parametrize(
    ("family", "text"), [(TIBETAN_FAMILY, HARD_TIBETAN), (CHINESE_FAMILY, CHINESE)]
)
def test_every_character_has_a_real_glyph(bundled_fonts: list[str], family: str, text: str) -> None:
    assert family in bundled_fonts
    raw = QRawFont.fromFont(QFont(family, 20))
    assert raw.familyName() == family
    # Glyph 0 is .notdef, the box a font draws for a character it lacks.
    glyphs = raw.glyphIndexesForString(text.replace(" ", ""))
    assert glyphs and 0 not in glyphs


def test_the_glyph_check_can_fail(bundled_fonts: list[str]) -> None:
    """Negative control: the Chinese font has no Tibetan, and the check sees it."""
    raw = QRawFont.fromFont(QFont(CHINESE_FAMILY, 20))
    assert 0 in raw.glyphIndexesForString("བཀྲ")


def _render(text: str, families: list[str], merge: bool) -> QImage:
    image = QImage(900, 120, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    font = QFont()
    font.setFamilies(families)
    font.setPixelSize(48)
    if not merge:
        font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    painter.end()
    return image


def _ink(image: QImage) -> int:
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).lightness() < 128
    )


def test_tibetan_renders_differently_from_a_font_without_tibetan(bundled_fonts: list[str]) -> None:
    """Drawn with the Tibetan font the stacks differ from what a font lacking Tibetan draws
    (boxes or nothing), and they reach below the line as real stacks do."""
    text = "བསྒྲུབས་ཧཱུྃ་"
    real = _render(text, [TIBETAN_FAMILY], merge=False)
    lacking = _render(text, [CHINESE_FAMILY], merge=False)
    assert real != lacking
    assert _ink(real) > 500
    rows_with_ink = [
        y
        for y in range(real.height())
        if any(real.pixelColor(x, y).lightness() < 128 for x in range(0, 900, 2))
    ]
    assert max(rows_with_ink) - min(rows_with_ink) > 60  # stacked letters: a tall cluster


def test_mixed_line_uses_both_fonts(bundled_fonts: list[str]) -> None:
    """Each run of a mixed line is drawn by the font that has its glyphs."""
    font = QFont()
    font.setFamilies([CHINESE_FAMILY, TIBETAN_FAMILY])
    layout = QTextLayout("扎西 བཀྲ་ཤིས 次仁", font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    used = {run.rawFont().familyName(): run.glyphIndexes() for run in layout.glyphRuns()}
    assert set(used) == {CHINESE_FAMILY, TIBETAN_FAMILY}
    assert all(0 not in glyphs for glyphs in used.values())


def test_rare_ideographs_of_names_come_from_the_fallback_font(bundled_fonts: list[str]) -> None:
    """𠮷 (CJK Extension B) is not in Noto Sans SC: the interface font falls back to
    HanaMinB for it, in every language, and draws a real glyph."""
    assert FALLBACK_FAMILY in bundled_fonts
    assert 0 in QRawFont.fromFont(QFont(CHINESE_FAMILY, 20)).glyphIndexesForString("𠮷")
    for language in ("bo", "zh_CN", "en"):
        font = interface_font(language)
        assert font.families()[-1] == FALLBACK_FAMILY
        assert tibetan_first(font).families()[-1] == FALLBACK_FAMILY
        layout = QTextLayout("𠮷田 ཚེ་རིང", font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        used = {run.rawFont().familyName(): run.glyphIndexes() for run in layout.glyphRuns()}
        assert FALLBACK_FAMILY in used
        assert all(0 not in glyphs for glyphs in used.values())


def test_the_stored_tibetan_order_is_icus(bundled_fonts: list[str]) -> None:
    """The resident list's Tibetan sort key (core, no Qt) orders names exactly as ICU's bo
    collation (QCollator) does: every demo name and every pair of them."""
    import itertools

    from PySide6.QtCore import QCollator, QLocale

    from station_desktop.demo.names import TIBETAN_NAMES
    from station_desktop.domain.tibetan_order import tibetan_sort_key

    stock = [name.bo for name in TIBETAN_NAMES]
    names = sorted({a + b for a, b in itertools.product(stock, stock)} | set(stock))
    icu = QCollator(QLocale("bo_CN"))
    assert sorted(names, key=tibetan_sort_key) == sorted(names, key=icu.sortKey)


def _tibetan_texts() -> set[str]:
    """Every Tibetan text the screens show: the catalogue, the name stock, the places."""
    from station_desktop.demo import names
    from station_desktop.i18n import catalogue_dir
    from station_desktop.reference.stations import bundled_stations

    po = (catalogue_dir() / "bo" / "LC_MESSAGES" / "station_desktop.po").read_text("utf-8")
    texts = {line[8:-1] for line in po.splitlines() if line.startswith('msgstr "')}
    texts |= {n.bo for n in names.TIBETAN_NAMES} | {s.bo for s in names.STAFF_NAMES}
    for station in bundled_stations().stations:
        texts |= {station.name_bo, station.district.name_bo} | {a.name_bo for a in station.areas}
    return {t for t in texts if any("\u0f40" <= ch <= "\u0fbc" for ch in t)}


def test_the_tibetan_line_box_is_tight_but_holds_every_tibetan_text(
    bundled_fonts: list[str],
) -> None:
    """The screen's Tibetan line box is about two thirds of the font's own (rows and fields
    were twice as tall as the writing), and every Tibetan text shown still lies inside it."""
    from PySide6.QtGui import QFontMetricsF

    from station_desktop.fonts import SCREEN_ASCENT_EM, SCREEN_DESCENT_EM

    font = QFont(TIBETAN_FAMILY)
    font.setPixelSize(1000)
    metrics = QFontMetricsF(font)
    assert metrics.ascent() == pytest.approx(SCREEN_ASCENT_EM * 1000, abs=2)
    assert metrics.descent() == pytest.approx(SCREEN_DESCENT_EM * 1000, abs=2)
    assert metrics.height() < 0.7 * (1466 + 1349)  # the font file's own line box
    texts = _tibetan_texts()
    assert len(texts) > 500
    for text in texts:
        ink = metrics.tightBoundingRect(text)
        assert -ink.top() <= metrics.ascent() and ink.bottom() <= metrics.descent(), text


def test_the_line_box_change_leaves_the_outlines_and_the_file_alone() -> None:
    from station_desktop.fonts import with_line_box

    original = font_path(FONT_FILES[0]).read_bytes()
    changed = with_line_box(original, 1.2, 0.72)
    assert len(changed) == len(original)
    differing = [i for i, (a, b) in enumerate(zip(original, changed, strict=True)) if a != b]
    assert differing and len(differing) < 64  # metrics and checksums only
    assert font_path(FONT_FILES[0]).read_bytes() == original  # paper keeps the font as it is
