"""The bundled fonts: one place that names them, for the screen (Qt) and paper (ReportLab).

Noto Serif Tibetan and Noto Sans SC (SIL Open Font License 1.1, licences beside the files in
resources/fonts/). The application never depends on system fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

TIBETAN_FAMILY = "Noto Serif Tibetan"
CHINESE_FAMILY = "Noto Sans SC"
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
)


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
