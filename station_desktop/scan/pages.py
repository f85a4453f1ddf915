"""Scanned files as page images: PDFs as scanners write them (one page per sheet side),
JPEG and PNG photos or scans, TIFF (one page or many).

PDF pages are rasterised by PDFium (`pypdfium2`); images are decoded by OpenCV from the
file's bytes (a path in any script works on every system), at half or a quarter of their
size when they are large: libjpeg decodes a JPEG straight to the smaller size, much faster,
and a page at about 150–200 dpi holds all a reading needs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.scan.geometry import Gray

__all__ = [
    "IMAGE_SUFFIXES",
    "MSG_NOT_A_SCAN",
    "MSG_UNREADABLE",
    "SUFFIXES",
    "PageImage",
    "check_scan_file",
    "decode_image",
    "page_images",
]

IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff"})
SUFFIXES: Final = IMAGE_SUFFIXES | {".pdf"}
PDF_DPI: Final = 200
# An image whose longer side is at least this many pixels is decoded smaller (half, or a
# quarter), keeping at least MIN_LONG_SIDE: an A4 page at 150 dpi is 1754 pixels long.
MIN_LONG_SIDE: Final = 1700

MSG_UNREADABLE = N_("{file} cannot be read: {reason}")
MSG_NOT_A_SCAN = N_("{file} is not a scan this program reads: choose PDF, JPEG, PNG or TIFF files.")


@dataclass(frozen=True)
class PageImage:
    file: Path
    index: int  # the page of the file, from 0
    pages: int  # pages in the file
    image: Gray

    @property
    def source(self) -> str:
        """The file's name, with the page when it has several: `pile.pdf p. 3`."""
        return f"{self.file.name} p. {self.index + 1}" if self.pages > 1 else self.file.name


def _unreadable(path: Path, reason: str) -> StationError:
    return StationError(MSG_UNREADABLE, file=str(path), reason=reason)


def _pixel_size(data: bytes) -> tuple[int, int] | None:
    """The image's width and height from its header (nothing decoded); None if unknown."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - scans only

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def decode_image(data: bytes) -> Gray | None:
    """A grey image from encoded bytes (JPEG, PNG, TIFF...), decoded smaller when it is
    large (the size read from the header first: one decoding, not two); None if the bytes
    are not an image."""
    import cv2  # noqa: PLC0415 - scans only

    buffer = np.frombuffer(data, dtype=np.uint8)
    size = _pixel_size(data)
    longest = max(size) if size else 0
    if longest >= 4 * MIN_LONG_SIDE:  # a large photo: a quarter is enough
        flag = cv2.IMREAD_REDUCED_GRAYSCALE_4
    elif longest >= 2 * MIN_LONG_SIDE:
        flag = cv2.IMREAD_REDUCED_GRAYSCALE_2
    else:  # small already (or a header PIL does not know): every pixel counts
        flag = cv2.IMREAD_GRAYSCALE
    image: Any = cv2.imdecode(buffer, flag)
    return None if image is None else np.asarray(image, dtype=np.uint8)


def _tiff_pages(path: Path, data: bytes) -> list[Gray]:
    import cv2  # noqa: PLC0415 - scans only

    ok, pages = cv2.imdecodemulti(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if not ok or not pages:
        raise _unreadable(path, "not a TIFF image")
    return [np.asarray(page, dtype=np.uint8) for page in pages]


def _pdf_pages(path: Path, data: bytes) -> Iterator[tuple[int, int, Gray]]:
    import pypdfium2  # noqa: PLC0415 - scans only

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise _unreadable(path, str(error)) from None
    try:
        count = len(document)
        for index in range(count):
            page = document[index]
            try:
                bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
                image = np.array(bitmap.to_numpy(), dtype=np.uint8)
            finally:
                page.close()
            if image.ndim == 3:  # some PDFium builds give a channel axis
                image = image[:, :, 0]
            yield index, count, image
    finally:
        document.close()


def check_scan_file(path: Path) -> None:
    """StationError naming the file unless it is a scan this program reads and is there:
    asked of every file before a pile is read, so that the last of fifty files says so at
    once rather than after the forty-nine before it were read."""
    if path.suffix.lower() not in SUFFIXES:
        raise StationError(MSG_NOT_A_SCAN, file=str(path))
    try:
        path.stat()
    except OSError as error:
        raise _unreadable(path, error.strerror or str(error)) from None


def page_images(path: Path) -> Iterator[PageImage]:
    """The pages of one file, one at a time (a 200-page PDF is not held in memory)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise StationError(MSG_NOT_A_SCAN, file=str(path))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error.strerror or str(error)) from None
    if suffix == ".pdf":
        for index, count, image in _pdf_pages(path, data):
            yield PageImage(path, index, count, image)
        return
    if suffix in (".tif", ".tiff"):
        pages = _tiff_pages(path, data)
        for index, image in enumerate(pages):
            yield PageImage(path, index, len(pages), image)
        return
    decoded = decode_image(data)
    if decoded is None:
        raise _unreadable(path, "not an image")
    yield PageImage(path, 0, 1, decoded)
