"""A form as the reader knows it: rendered again as it was printed, its layout log turned
into page layouts and its pages rasterised blank (the blank form's own ink)."""

from __future__ import annotations

import numpy as np

from station_desktop.forms.spec import FormSpec
from station_desktop.pdf.page import LayoutLog
from station_desktop.scan.layout import page_layouts
from station_desktop.scan.measure import measure_blank_box
from station_desktop.scan.reader import BLANK_RESOLUTION, KnownPage

__all__ = ["known_pages"]


def known_pages(pdf: bytes, log: LayoutLog, spec: FormSpec) -> dict[int, KnownPage]:
    """The pages of one form rendered alone (`pdf`, with the `log` of its rendering)."""
    import pypdfium2  # noqa: PLC0415 - scans only

    layouts = page_layouts(log, spec)
    document = pypdfium2.PdfDocument(pdf)
    known = {}
    try:
        for number, layout in layouts.items():
            page = document[number - 1]
            try:
                bitmap = page.render(scale=BLANK_RESOLUTION * 25.4 / 72, grayscale=True)
                blank = np.array(bitmap.to_numpy(), dtype=np.uint8)
            finally:
                page.close()
            if blank.ndim == 3:
                blank = blank[:, :, 0]
            inks = {
                c.tag: measure_blank_box(blank, BLANK_RESOLUTION, c.box).ink for c in layout.choices
            }
            known[number] = KnownPage(layout, blank, inks)
    finally:
        document.close()
    return known
