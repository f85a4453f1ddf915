"""The bundled fonts, registered with ReportLab on first use, and their glyph bookkeeping.

ReportLab draws a TrueType font through 256-code subsets and writes a ToUnicode map that sends
each code back to "its" character. HarfBuzz gives glyph ids instead: Tibetan stacks are glyphs
that no character maps to. `PdfFont` therefore hands out one code per (glyph, text, width):
the font's own character where that is exact, otherwise a private-use code point whose ToUnicode
entry is the real text of the shaped cluster (for example `སྒྲུ` for one stacked glyph). Copy,
search and pypdf then see the characters that were typed.
"""

from __future__ import annotations

import threading
from typing import Final

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from station_desktop.fonts import (
    CHINESE_FAMILY,
    FALLBACK_FAMILY,
    FONT_FILES,
    TIBETAN_FAMILY,
    FontFile,
    font_path,
)
from station_desktop.pdf.textruns import FontRole

__all__ = [
    "CHINESE_BOLD",
    "CHINESE_REGULAR",
    "TIBETAN_BOLD",
    "TIBETAN_REGULAR",
    "PdfFont",
    "font_name",
    "pdf_font",
    "register_fonts",
]

# Names under which the fonts are registered with ReportLab (also usable in stock Paragraphs).
TIBETAN_REGULAR: Final = "StationTibetan"
TIBETAN_BOLD: Final = "StationTibetan-Bold"
CHINESE_REGULAR: Final = "StationChinese"
CHINESE_BOLD: Final = "StationChinese-Bold"
FALLBACK: Final = "StationFallback"  # no bold face: bold text takes the regular one

_NAMES: Final[dict[tuple[FontRole, bool], str]] = {
    ("tibetan", False): TIBETAN_REGULAR,
    ("tibetan", True): TIBETAN_BOLD,
    ("chinese", False): CHINESE_REGULAR,
    ("chinese", True): CHINESE_BOLD,
    ("fallback", False): FALLBACK,
    ("fallback", True): FALLBACK,
}
_FAMILIES: Final[dict[FontRole, str]] = {
    "tibetan": TIBETAN_FAMILY,
    "chinese": CHINESE_FAMILY,
    "fallback": FALLBACK_FAMILY,
}

# Codes for glyphs that no character maps to exactly. Plane-15 private use: no font we ship
# maps anything there, so a code can never collide with a real character of the font.
_FIRST_PRIVATE: Final = 0xF0000
_LAST_PRIVATE: Final = 0xFFFFD


class PdfFont(TTFont):  # type: ignore[misc]  # ReportLab is untyped
    """A registered TrueType font that can draw any glyph id with exact ToUnicode text."""

    def __init__(self, name: str, font: FontFile, role: FontRole) -> None:
        path = font_path(font)
        # Chinese is never shaped: ReportLab's shaper maps shaped Han glyphs back to the first
        # character of the glyph (often a Kangxi radical), which breaks copy and search.
        super().__init__(name, str(path), shapable=role == "tibetan")
        self.role: FontRole = role
        self.bold = font.bold
        self._path = path
        self._lock = threading.Lock()
        self._codes: dict[tuple[int, str, float], int] = {}
        self._private_text: dict[int, str] = {}
        self._next_private = _FIRST_PRIVATE
        self._hb_font: hb.Font | None = None
        self._hb_scale = 1.0

    # ---------------------------------------------------------------- HarfBuzz

    @property
    def hb_font(self) -> hb.Font:
        """The HarfBuzz font (loaded on first use), scaled in font units."""
        if self._hb_font is None:
            with self._lock:
                if self._hb_font is None:
                    face = hb.Face(hb.Blob.from_file_path(str(self._path)))
                    self._hb_scale = 1000 / face.upem
                    self._hb_font = hb.Font(face)
        return self._hb_font

    @property
    def hb_scale(self) -> float:
        """Factor from HarfBuzz font units to PDF glyph space (1/1000 em)."""
        _ = self.hb_font
        return self._hb_scale

    # ---------------------------------------------------------------- characters and codes

    def has_glyph(self, ch: str) -> bool:
        cp = ord(ch)
        if cp in self._private_text:
            return False  # a private-use character typed by the user, not one of our codes
        glyph: int = self.face.charToGlyph.get(cp, 0)
        return glyph != 0

    def char_width(self, ch: str) -> float:
        """Advance of a character's nominal glyph, in 1/1000 em."""
        return float(self.face.getCharWidth(ord(ch)))

    def code_for_char(self, ch: str) -> int:
        """Code that draws the nominal glyph of `ch` (a .notdef box that copies as `ch` if the
        font lacks it)."""
        if self.has_glyph(ch):
            return ord(ch)
        return self.code_for_glyph(0, ch, float(self.face.defaultWidth))

    def code_for_glyph(self, gid: int, text: str, width: float) -> int:
        """Code that draws glyph `gid`, advances `width` (1/1000 em) and copies as `text`."""
        if len(text) == 1 and gid != 0:
            cp = ord(text)
            if self.face.charToGlyph.get(cp) == gid and self.face.getCharWidth(cp) == width:
                return cp
        key = (gid, text, width)
        code = self._codes.get(key)
        if code is not None:
            return code
        with self._lock:
            code = self._codes.get(key)
            if code is None:
                code = self._allocate(gid, text, width)
                self._codes[key] = code
        return code

    def _allocate(self, gid: int, text: str, width: float) -> int:
        face = self.face
        code = self._next_private
        while code in face.charToGlyph:
            code += 1
        if code > _LAST_PRIVATE:
            raise RuntimeError(f"{self.fontName}: out of private codes")
        self._next_private = code + 1
        # ReportLab's subsetter and Widths array read these two tables by code.
        face.charToGlyph[code] = gid
        face.charWidths[code] = width
        self._private_text[code] = text
        return code

    def text_of_code(self, code: int) -> str:
        return self._private_text.get(code, chr(code))

    # ---------------------------------------------------------------- PDF objects

    def addObjects(self, doc: object) -> None:  # noqa: N802 - ReportLab's name
        """Write the font subsets, then replace ReportLab's ToUnicode maps with exact ones."""
        state = self.state.get(doc)
        subsets: list[list[int]] = [list(s) for s in state.subsets] if state is not None else []
        super().addObjects(doc)
        face = self.face
        for n, subset in enumerate(subsets):
            base_font = (SUBSETN(n) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base_font)  # type: ignore[attr-defined]
            if stream is None:  # a ReportLab change: fail loudly rather than lose the text
                raise RuntimeError(f"no ToUnicode map found for {base_font}")
            stream.content = _to_unicode_cmap(base_font, [self._text_for_slot(c) for c in subset])

    def _text_for_slot(self, code: int) -> str | None:
        if code == 0:
            return None  # unused slot (ReportLab fills the gaps with 0)
        return self.text_of_code(code)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(name: str, texts: list[str | None]) -> str:
    """A ToUnicode CMap for one 256-code subset; a text may have several characters."""
    entries = [f"<{i:02X}> <{_utf16_hex(t)}>" for i, t in enumerate(texts) if t is not None]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name.replace('+', '-')}-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <FF>",
        "endcodespacerange",
    ]
    # bfchar blocks hold at most 100 entries.
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


# ---------------------------------------------------------------- registration

_registry: dict[str, PdfFont] = {}
_registry_lock = threading.Lock()


def font_name(role: FontRole, bold: bool = False) -> str:
    """The ReportLab name of a bundled font (registered or not)."""
    return _NAMES[(role, bold)]


def pdf_font(role: FontRole, bold: bool = False) -> PdfFont:
    """The font for `role`, registered with ReportLab on first use (idempotent, thread-safe)."""
    name = _NAMES[(role, bold)]
    font = _registry.get(name)
    if font is None or name not in pdfmetrics._fonts:
        with _registry_lock:
            font = _registry.get(name)
            if font is None:
                file = next(
                    f
                    for f in FONT_FILES
                    if f.family == _FAMILIES[role] and (f.bold == bold or role == "fallback")
                )
                font = _registry[name] = PdfFont(name, file, role)
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(font)
                # So that stock Paragraphs with <b> find the bold face of the same family.
                regular, bold_name = _NAMES[(role, False)], _NAMES[(role, True)]
                pdfmetrics.registerFontFamily(
                    regular, normal=regular, bold=bold_name, italic=regular, boldItalic=bold_name
                )
    return font


def register_fonts() -> tuple[PdfFont, ...]:
    """Register the four main fonts (about 0.2 s, mostly parsing the Chinese ones). The
    fallback font is registered when a text first needs it (`pdf_font("fallback")`)."""
    return tuple(pdf_font(role, bold) for (role, bold) in _NAMES if role != "fallback")
