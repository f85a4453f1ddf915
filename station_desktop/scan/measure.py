"""Ink inside a box, and handwriting inside an area, measured on the straightened image.

Each box is cut out of the image a little larger than printed and found again by its own
frame (the map places it within a millimetre or two; the frame's two pairs of lines put it
to a pixel). What lies inside the frame, short of the line itself, is the box's ink,
measured as millimetres² of full black after a soft threshold (a shadow or the paper's
grain is not ink). The same measure on the blank form as printed gives the box's own ink.

Beside the amount of ink, its shape: the longest connected stroke inside the box, how thin
it is and how far it reaches in from the inside's edge. A tick is a line of the pen that
runs into the box from beyond it; a touch of the pen is a dot or a short dash, about as
wide as it is long, lying within. Where the amount of ink alone cannot tell the two apart,
the shape can (`reader.Thresholds`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from station_desktop.scan.geometry import Gray, PageGeometry
from station_desktop.scan.layout import Area

__all__ = [
    "NO_STROKE",
    "RESOLUTION",
    "BoxMeasure",
    "Stroke",
    "darkness",
    "longest_stroke",
    "measure_blank_box",
    "measure_box",
    "writing_ink",
]

RESOLUTION: Final = 8.0  # pixels per millimetre of the straightened boxes
SEARCH_MM: Final = 1.8  # how far from its predicted place a box's frame is looked for
MARGIN_MM: Final = SEARCH_MM + 0.6
INSET_MM: Final = 0.7  # inside the frame line and its blur
NOISE: Final = 0.08  # darkness below this is paper, shadow or grain, not ink
DARK: Final = 0.4  # a pixel this dark counts towards a box's cover
# A pixel this dark is part of a pen's stroke (a light pencil's grainy line is 0.1–0.4:
# its grains are joined by one pixel before the strokes are told apart).
STROKE_DARK: Final = 0.25
# ...and this dark, part of a light one: a faint pencil tick whose ink is no more than a
# stray's is still a line (an empty box's grain and noise make no line at this level).
LIGHT_STROKE_DARK: Final = 0.15

Floats = npt.NDArray[np.float32]


def paper_level(patch: Gray, share: float = 0.92) -> float:
    """The brightness below which `share` of the patch lies (its paper, when most of it is
    paper): `np.percentile` without its overhead, for the many small patches of a page."""
    values = patch.ravel()
    k = min(len(values) - 1, int(share * len(values)))
    return float(np.partition(values, k)[k])


def darkness(patch: Gray, ring: int = 0) -> Floats:
    """0 for the paper of this patch, 1 for black. The paper's own brightness is taken
    from the patch (shadows, a yellowed sheet, a phone's uneven light): with `ring`, from
    each of its four edges `ring` pixels deep, blended across the patch, so that a shadow
    falling across a box is not taken for ink."""
    if ring <= 0 or min(patch.shape) <= 2 * ring:
        white = max(paper_level(patch), 60.0)
        values = (white - patch.astype(np.float32)) / white
        return np.asarray(np.clip(values, 0.0, 1.0), dtype=np.float32)
    height, width = patch.shape
    left, right = paper_level(patch[:, :ring]), paper_level(patch[:, -ring:])
    top, bottom = paper_level(patch[:ring, :]), paper_level(patch[-ring:, :])
    u = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    v = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    paper = ((left * (1 - u) + right * u) + (top * (1 - v) + bottom * v)) / 2
    paper = np.maximum(paper, 60.0)
    values = (paper - patch.astype(np.float32)) / paper
    return np.asarray(np.clip(values, 0.0, 1.0), dtype=np.float32)


@dataclass(frozen=True)
class Stroke:
    """The longest connected stroke inside a box (mm; all 0 when there is none)."""

    length: float  # its long side (of the smallest rectangle round it)
    width: float  # its ink's area over its length: about the pen's width for a line
    depth: float  # how far in from the inside's edge it reaches
    edge: bool  # it touches the inside's edge (comes in from the frame or beyond)

    @property
    def elongation(self) -> float:
        """Length over width: about 1 for a dot, 3 and more for a line of the pen."""
        return self.length / self.width if self.width > 0 else 0.0


NO_STROKE: Final = Stroke(0.0, 0.0, 0.0, False)


def longest_stroke(inside: Floats, dark: float = STROKE_DARK) -> Stroke:
    """The longest stroke of pixels darker than `dark` in the darkness of a box's inside
    (pixels at `RESOLUTION`)."""
    mask = (inside > dark).astype(np.uint8)
    if not mask.any():
        return NO_STROKE
    joined = cv2.dilate(mask, np.ones((3, 3), dtype=np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    height, width = mask.shape
    best = NO_STROKE
    for label in range(1, count):
        # Its span before measuring it closely (the dilation added a pixel each side).
        span = math.hypot(stats[label, cv2.CC_STAT_WIDTH] - 2, stats[label, cv2.CC_STAT_HEIGHT] - 2)
        if span / RESOLUTION <= best.length:
            continue
        ys, xs = np.nonzero((labels == label) & (mask > 0))
        if len(xs) == 0:
            continue
        points = np.column_stack([xs, ys]).astype(np.float32)
        _, sides, _ = cv2.minAreaRect(points)
        length = (max(sides) + 1) / RESOLUTION
        if length <= best.length:
            continue
        area = len(xs) / RESOLUTION**2
        depth = int(
            np.minimum(np.minimum(xs, width - 1 - xs), np.minimum(ys, height - 1 - ys)).max()
        )
        edge = bool(
            xs.min() == 0 or ys.min() == 0 or xs.max() == width - 1 or ys.max() == height - 1
        )
        best = Stroke(length, area / length, depth / RESOLUTION, edge)
    return best


@dataclass(frozen=True)
class BoxMeasure:
    ink: float  # mm² of black inside the box (soft threshold)
    cover: float  # share of the inside that is dark
    frame: float  # how clearly the printed frame was found (about 0.5–1 when seen)
    shift: tuple[float, float]  # mm from where the map put it
    stroke: Stroke = NO_STROKE
    light_stroke: Stroke = NO_STROKE  # the same, counting a light pencil's pixels too

    def to_json(self) -> dict[str, float]:
        return {
            "ink": round(self.ink, 3),
            "cover": round(self.cover, 3),
            "frame": round(self.frame, 2),
            "shift_x": round(self.shift[0], 2),
            "shift_y": round(self.shift[1], 2),
            "stroke_mm": round(self.stroke.length, 2),
            "stroke_width_mm": round(self.stroke.width, 2),
            "stroke_depth_mm": round(self.stroke.depth, 2),
            "stroke_edge": int(self.stroke.edge),
            "light_stroke_mm": round(self.light_stroke.length, 2),
            "light_stroke_width_mm": round(self.light_stroke.width, 2),
            "light_stroke_depth_mm": round(self.light_stroke.depth, 2),
            "light_stroke_edge": int(self.light_stroke.edge),
        }


def _edges(profile: Floats, first: int, last: int, side: int) -> tuple[int, float]:
    """The position p in [first, last] where lines at p and p + side are strongest."""
    smooth = np.convolve(profile, np.ones(3, dtype=np.float32), mode="same")
    best, strength = first, -1.0
    for p in range(max(0, first), min(last, len(smooth) - side - 1) + 1):
        value = float(smooth[p] + smooth[p + side])
        if value > strength:
            best, strength = p, value
    return best, strength


def measure_box(
    image: Gray,
    geometry: PageGeometry,
    box: Area,
    search_mm: float = SEARCH_MM,
    shape: bool = True,
) -> BoxMeasure:
    """The ink inside one printed box of the page, its frame looked for up to `search_mm`
    from where the map puts it; without `shape`, not its strokes (a first measure, only
    to find the frames)."""
    patch = geometry.patch(image, box.grown(MARGIN_MM), RESOLUTION)
    return _measure(darkness(patch, round(MARGIN_MM * RESOLUTION)), box, search_mm, shape)


def _measure(
    patch: Floats, box: Area, search_mm: float = SEARCH_MM, shape: bool = True
) -> BoxMeasure:
    margin = round(MARGIN_MM * RESOLUTION)
    search = round(min(search_mm, SEARCH_MM) * RESOLUTION)
    width = round(box.width * RESOLUTION)
    height = round(box.height * RESOLUTION)
    left, left_strength = _edges(patch.sum(axis=0), margin - search, margin + search, width)
    top, top_strength = _edges(patch.sum(axis=1), margin - search, margin + search, height)
    # A frame line as printed is about 1.2 px of black per pixel along it (0.3 mm at 8/mm,
    # smoothed over 3): both lines found give about 2 × 3 × length × darkness.
    frame = min(
        left_strength / max(1.0, 2 * 3 * height * 0.8),
        top_strength / max(1.0, 2 * 3 * width * 0.8),
    )
    inset = round(INSET_MM * RESOLUTION)
    inside = patch[top + inset : top + height - inset, left + inset : left + width - inset]
    if inside.size == 0:
        return BoxMeasure(0.0, 0.0, 0.0, (0.0, 0.0))
    ink = float(np.clip((inside - NOISE) / (1 - NOISE), 0.0, 1.0).sum()) / RESOLUTION**2
    cover = float((inside > DARK).mean())
    shift = ((left - margin) / RESOLUTION, (top - margin) / RESOLUTION)
    if not shape:
        return BoxMeasure(ink, cover, min(frame, 2.0), shift)
    return BoxMeasure(
        ink,
        cover,
        min(frame, 2.0),
        shift,
        longest_stroke(inside),
        longest_stroke(inside, LIGHT_STROKE_DARK),
    )


def measure_blank_box(blank: Gray, resolution: float, box: Area) -> BoxMeasure:
    """The same measure on the blank form as rendered at `resolution` pixels per mm."""
    grown = box.grown(MARGIN_MM)
    x0, y0 = round(grown.x * resolution), round(grown.y * resolution)
    x1, y1 = round(grown.right * resolution), round(grown.bottom * resolution)
    patch = blank[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    size = (round(grown.width * RESOLUTION), round(grown.height * RESOLUTION))
    if patch.size == 0:
        return BoxMeasure(0.0, 0.0, 0.0, (0.0, 0.0))
    scaled = np.asarray(cv2.resize(patch, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    return _measure(darkness(scaled, round(MARGIN_MM * RESOLUTION)), box)


def writing_ink(scanned: Gray, blank: Gray | None) -> float:
    """The share of an area covered by handwriting: dark pixels of the scan that the blank
    form (its ruled lines, its date boxes) does not have nearby."""
    dark = darkness(scanned) > 0.45
    if blank is not None and blank.shape == scanned.shape:
        printed = (darkness(blank) > 0.15).astype(np.uint8)
        near_print = cv2.dilate(printed, np.ones((7, 7), dtype=np.uint8))
        dark &= near_print == 0
    return float(dark.mean())
