"""Render the application icon (resources/icons/station-desktop.svg) into the PNG sizes a
Linux desktop's icon theme wants and the .ico a Windows executable carries.

Usage: python packaging/icons.py OUT_DIR   (run by the PyInstaller spec)
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SOURCE = Path(__file__).resolve().parents[1] / "resources" / "icons" / "station-desktop.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main(out_dir: Path) -> None:
    app = QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    for size in PNG_SIZES:
        folder = out_dir / f"{size}x{size}"
        folder.mkdir(parents=True, exist_ok=True)
        if not render(renderer, size).save(str(folder / "station-desktop.png")):
            raise SystemExit(f"cannot write the {size}px icon")
    # Qt's ico writer stores one image: the largest, which Windows scales down.
    if not render(renderer, 256).save(str(out_dir / "station-desktop.ico"), "ICO"):
        raise SystemExit("cannot write station-desktop.ico")
    del app


if __name__ == "__main__":
    main(Path(sys.argv[1]))
