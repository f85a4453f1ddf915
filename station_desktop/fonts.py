"""The bundled fonts: one place that names them, for the screen (Qt) and paper (ReportLab).

Noto Serif Tibetan and Noto Sans SC (SIL Open Font License 1.1, licences beside the files in
resources/fonts/), and HanaMinB (花園明朝B, OFL) for the rare characters of names that Noto Sans
SC lacks: CJK Extensions B to F, outside the Basic Multilingual Plane (𠮷, 𬌗, 𬘬). The
application never depends on system fonts.
"""

from __future__ import annotations

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
