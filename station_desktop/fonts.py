"""The bundled fonts: one place that names them, for the screen (Qt) and paper (ReportLab).

Noto Serif Tibetan and Noto Sans SC (SIL Open Font License 1.1, licences beside the files in
resources/fonts/), and HanaMinB (花園明朝B, OFL) for the rare characters of names that Noto Sans
SC lacks: CJK Extensions B to F, outside the Basic Multilingual Plane (𠮷, 𬌗, 𬘬). The
application never depends on system fonts.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

TIBETAN_FAMILY = "Noto Serif Tibetan"
CHINESE_FAMILY = "Noto Sans SC"
# Used only for characters the Chinese font lacks. 31 MB: every ideograph of CJK Extensions
# B–F (60,000), which a subset could not know in advance; it is opened only when a text
# needs it. It has no bold: bold text takes its regular weight.
FALLBACK_FAMILY = "HanaMinB"
# The planes it covers (Extensions B to F); other characters never make us open it.
FALLBACK_RANGES: tuple[tuple[int, int], ...] = ((0x20000, 0x2EBEF),)
# Tibetan stacks reach far above and below Latin text: lines need about 1.65 × the size.
TIBETAN_LINE_HEIGHT = 1.65
# Noto Serif Tibetan's line box is 1.466 em above the baseline and 1.349 em below it, room
# for the deepest Sanskrit stacks. The Tibetan of the interface, the name stock and the
# place list reaches 1.162 em up (རྡོ་རྗེ) and 0.694 em down (སྒྲུབ). On screen the line
# box is what that text needs, with a little air: rows and fields are then not twice as
# tall as the writing (paper keeps the font as it is).
SCREEN_ASCENT_EM = 1.20
SCREEN_DESCENT_EM = 0.72


@dataclass(frozen=True)
class FontFile:
    family: str
    bold: bool
    file_name: str


FONT_FILES: tuple[FontFile, ...] = (
    FontFile(TIBETAN_FAMILY, False, "NotoSerifTibetan-Regular.ttf"),
    FontFile(TIBETAN_FAMILY, True, "NotoSerifTibetan-Bold.ttf"),
    FontFile(CHINESE_FAMILY, False, "NotoSansSC-Regular.ttf"),
    FontFile(CHINESE_FAMILY, True, "NotoSansSC-Bold.ttf"),
    FontFile(FALLBACK_FAMILY, False, "HanaMinB.ttf"),
)


def in_fallback_range(ch: str) -> bool:
    """A character only the fallback font may have (a CJK Extension B–F ideograph)."""
    cp = ord(ch)
    return any(low <= cp <= high for low, high in FALLBACK_RANGES)


def font_dir() -> Path:
    """resources/fonts/, installed as package data (wheel or editable) or beside the package."""
    try:
        folder = Path(str(resources.files("station_desktop.bundled"))) / "fonts"
        if folder.is_dir():
            return folder
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[1] / "resources" / "fonts"


def font_path(font: FontFile) -> Path:
    return font_dir() / font.file_name


def _table_checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF


def with_line_box(font: bytes, ascent_em: float, descent_em: float) -> bytes:
    """A TrueType font with another line box: ascent and descent in the `hhea` and `OS/2`
    tables (typographic and Windows values, line gap 0), checksums made right again.
    The outlines are untouched; a glyph reaching beyond the box is drawn all the same,
    only lines are spaced by the new box."""
    data = bytearray(font)
    tables: dict[bytes, tuple[int, int, int]] = {}  # tag: (directory entry, offset, length)
    (count,) = struct.unpack_from(">H", data, 4)
    for index in range(count):
        entry = 12 + 16 * index
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, entry)
        tables[tag] = (entry, offset, length)
    (units,) = struct.unpack_from(">H", data, tables[b"head"][1] + 18)
    ascent, descent = round(ascent_em * units), round(descent_em * units)
    struct.pack_into(">hhh", data, tables[b"hhea"][1] + 4, ascent, -descent, 0)
    struct.pack_into(">hhhHH", data, tables[b"OS/2"][1] + 68, ascent, -descent, 0, ascent, descent)
    head = tables[b"head"][1]
    struct.pack_into(">I", data, head + 8, 0)  # checkSumAdjustment, computed last
    for tag in (b"hhea", b"OS/2", b"head"):  # the only tables changed
        entry, offset, length = tables[tag]
        checksum = _table_checksum(bytes(data[offset : offset + length]))
        struct.pack_into(">I", data, entry + 4, checksum)
    # The whole font's sum is its directory's plus each table's checksum (tables are padded
    # to four bytes): no need to add up the 700 kB again at every start.
    directory = bytes(data[: 12 + 16 * count])
    total = _table_checksum(directory) + sum(
        struct.unpack_from(">I", data, entry + 4)[0] for entry, _offset, _length in tables.values()
    )
    struct.pack_into(">I", data, head + 8, (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(data)
