"""Finding the page in an image: its QR codes, its corner marks, and the projective map from
the page (millimetres) to the image (pixels).

The QR codes come first (zxing-cpp): each gives four points whose page positions are known,
in the symbol's own orientation, so a page fed upside down or sideways needs no separate
turning. Their map predicts where the corner marks are; each mark is looked for near its
prediction (nearest first, the map refitted after each), and the final map is fitted to
every point found. Rotation, skew, scale and a phone's perspective are all one homography.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from station_desktop.pdf.page import SECOND_QR_LEVEL
from station_desktop.scan.layout import Area, PageLayout

__all__ = ["FoundCode", "Gray", "PageGeometry", "find_codes", "locate_page", "refined"]

Gray = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float64]

# A mark is looked for this far from where the codes predict it: a little everywhere, more
# the farther it is from the points the map was fitted to (a phone's perspective).
SEARCH_BASE_MM: Final = 7.0
SEARCH_PER_MM: Final = 0.12
# The fitted points may stray this far from the map (a crumpled sheet, a wrong mark).
MAX_RESIDUAL_MM: Final = 2.0


@dataclass(frozen=True)
class FoundCode:
    text: str
    level: str  # error correction level: which of the page's two codes it is
    corners: Points  # 4×2: the symbol's top left, top right, bottom right, bottom left


def find_codes(image: Gray) -> list[FoundCode]:
    """Every QR code zxing-cpp can decode in the image, in any orientation."""
    import zxingcpp  # noqa: PLC0415 - a scan's library, never loaded at start-up

    found = []
    for result in zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode), try_invert=False
    ):
        if not result.valid:
            continue
        position = result.position
        corners = np.array(
            [
                (p.x, p.y)
                for p in (
                    position.top_left,
                    position.top_right,
                    position.bottom_right,
                    position.bottom_left,
                )
            ],
            dtype=np.float64,
        )
        found.append(FoundCode(result.text, result.ec_level, corners))
    return found


@dataclass(frozen=True)
class PageGeometry:
    """Where the page lies in the image."""

    to_image: npt.NDArray[np.float64]  # 3×3: page millimetres → image pixels
    marks: int  # corner marks found
    residual_mm: float  # the worst distance of a fitted point from the map
    corners: int = 4  # corners of the page that held a code or a mark
    page_points: Sequence[tuple[float, float]] = ()  # the points fitted (page mm)...
    image_points: Sequence[Points] = ()  # ...and where they are in the image

    def project(self, points: Sequence[tuple[float, float]]) -> Points:
        src = np.array(points, dtype=np.float64).reshape(-1, 1, 2)
        return np.asarray(cv2.perspectiveTransform(src, self.to_image), dtype=np.float64).reshape(
            -1, 2
        )

    def scale_at(self, x: float, y: float) -> float:
        """Image pixels per page millimetre around a point of the page."""
        return _scale_at(self.to_image, x, y)

    def patch(self, image: Gray, area: Area, resolution: float) -> Gray:
        """The image of `area`, straightened: `resolution` pixels per millimetre, white
        where the area runs off the image."""
        width = max(1, round(area.width * resolution))
        height = max(1, round(area.height * resolution))
        page_to_patch = np.array(
            [
                [resolution, 0, -area.x * resolution],
                [0, resolution, -area.y * resolution],
                [0, 0, 1],
            ],
            dtype=np.float64,
        )
        patch_to_image = self.to_image @ np.linalg.inv(page_to_patch)
        warped = cv2.warpPerspective(
            image,
            patch_to_image,
            (width, height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(255,),  # white, as a Scalar (OpenCV 4's stubs take no bare int)
        )
        return np.asarray(warped, dtype=np.uint8)


def _scale_at(homography: npt.NDArray[np.float64], x: float, y: float) -> float:
    src = np.array([[[x, y]], [[x + 1, y]], [[x, y + 1]]], dtype=np.float64)
    p = np.asarray(cv2.perspectiveTransform(src, homography), dtype=np.float64).reshape(3, 2)
    dx, dy = p[1] - p[0], p[2] - p[0]
    return float(np.sqrt(abs(dx[0] * dy[1] - dx[1] * dy[0])))


def _fit(
    page: Sequence[tuple[float, float]], image: Sequence[Points], corners: int
) -> npt.NDArray[np.float64] | None:
    """The map through the point pairs, as free as the points allow: points in one corner
    of the page (one QR code) fix a rotation, a scale and a shift; in two corners an affine
    map; a projective map (a phone's perspective) only once three corners hold points and
    there are enough of them; extrapolating a perspective from a 21 mm code throws the far
    side of the page centimetres off."""
    if len(page) < 4:
        return None
    src = np.array(page, dtype=np.float64)
    dst = np.array([np.asarray(p).reshape(2) for p in image], dtype=np.float64)
    if corners >= 3 and len(page) >= 6:
        homography, _ = cv2.findHomography(src, dst, 0)
    elif corners >= 2:
        homography = _affine(src, dst)
    else:
        partial, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
        homography = None if partial is None else np.vstack([partial, [0, 0, 1]])
    if homography is None or not np.all(np.isfinite(homography)):
        return None
    return np.asarray(homography, dtype=np.float64)


def _affine(src: Points, dst: Points) -> npt.NDArray[np.float64]:
    """Least-squares affine map (as a 3×3 matrix)."""
    design = np.hstack([src, np.ones((len(src), 1))])
    solution, *_ = np.linalg.lstsq(design, dst, rcond=None)
    return np.vstack([solution.T, [0, 0, 1]])


def _residual_mm(
    homography: npt.NDArray[np.float64],
    page: Sequence[tuple[float, float]],
    image: Sequence[Points],
) -> float:
    src = np.array(page, dtype=np.float64).reshape(-1, 1, 2)
    projected = np.asarray(cv2.perspectiveTransform(src, homography)).reshape(-1, 2)
    dst = np.array([np.asarray(p).reshape(2) for p in image], dtype=np.float64)
    worst = 0.0
    for (x, y), a, b in zip(page, projected, dst, strict=True):
        worst = max(worst, float(np.linalg.norm(a - b)) / _scale_at(homography, x, y))
    return worst


def _find_mark(
    image: Gray, centre: Points, side_px: float, radius_px: float, avoid: list[Points]
) -> Points | None:
    """The centre of the solid square nearest `centre` within `radius_px`, of about
    `side_px` a side; None if there is none. Areas in `avoid` (decoded QR codes) are
    skipped: their finder patterns are squares too."""
    height, width = image.shape
    x0, y0 = int(max(0, centre[0] - radius_px)), int(max(0, centre[1] - radius_px))
    x1 = int(min(width, centre[0] + radius_px + 1))
    y1 = int(min(height, centre[1] + radius_px + 1))
    if x1 - x0 < side_px or y1 - y0 < side_px:
        return None
    window = image[y0:y1, x0:x1]
    # Dark against the window's own paper: a shadow or a grey scanner bed does not count.
    white = float(np.percentile(window, 90))
    black = float(np.percentile(window, 1))
    if white - black < 40:
        return None
    _, dark = cv2.threshold(window, (white + black) / 2, 255, cv2.THRESH_BINARY_INV)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    expected = side_px * side_px
    best: Points | None = None
    best_distance = radius_px
    for label in range(1, count):
        w, h, area = (
            stats[label, cv2.CC_STAT_WIDTH],
            stats[label, cv2.CC_STAT_HEIGHT],
            stats[label, cv2.CC_STAT_AREA],
        )
        if not 0.6 * expected <= area <= 1.7 * expected:
            continue
        if max(w, h) > 1.75 * side_px or min(w, h) < 0.6 * side_px or area < 0.5 * w * h:
            continue
        point = np.array(centroids[label], dtype=np.float64) + np.array([x0, y0])
        if any(
            cv2.pointPolygonTest(quad.astype(np.float32), tuple(point), False) >= 0
            for quad in avoid
        ):
            continue
        distance = float(np.linalg.norm(point - centre))
        if distance < best_distance:
            best, best_distance = point, distance
    return best


def locate_page(
    image: Gray,
    layout: PageLayout,
    codes: Sequence[FoundCode],
    skip: frozenset[int] = frozenset(),
) -> PageGeometry | None:
    """The page's map from its decoded codes and corner marks; None when the page cannot
    be placed with confidence (too few points, or points that do not agree). Marks whose
    numbers are in `skip` are not used (a second try, when a blot was taken for a mark)."""
    page_points: list[tuple[float, float]] = []
    image_points: list[Points] = []
    avoid = []
    # Corners of the page that hold a point (0 top left, 1 top right, 2 bottom right,
    # 3 bottom left): the main code is top right, the second bottom left.
    corners: set[int] = set()
    for code in codes:
        second = code.level == SECOND_QR_LEVEL
        corner = 3 if second else 1
        if corner in corners or len(layout.codes) < 2:
            continue
        corners.add(corner)
        area = layout.codes[1 if second else 0]
        page_points += list(area.corners)
        image_points += list(code.corners)
        avoid.append(code.corners)
    homography = _fit(page_points, image_points, len(corners))
    if homography is None:
        return None
    known = np.array(page_points)
    marks = sorted(
        (n for n in range(len(layout.marks)) if n not in skip),
        key=lambda n: float(
            np.min(np.linalg.norm(known - np.array(layout.marks[n].centre), axis=1))
        ),
    )
    found = 0
    for number in marks:
        mark = layout.marks[number]
        distance = float(
            np.min(np.linalg.norm(np.array(page_points) - np.array(mark.centre), axis=1))
        )
        scale = _scale_at(homography, *mark.centre)
        predicted = np.asarray(
            cv2.perspectiveTransform(np.array([[mark.centre]], dtype=np.float64), homography),
            dtype=np.float64,
        ).reshape(2)
        radius = (SEARCH_BASE_MM + SEARCH_PER_MM * distance) * scale
        point = _find_mark(image, predicted, mark.width * scale, radius, avoid)
        if point is None:
            continue
        page_points.append(mark.centre)
        image_points.append(point)
        found += 1
        corners.add(number)
        refitted = _fit(page_points, image_points, len(corners))
        if refitted is not None:
            homography = refitted
    if len(corners) < 3:  # two corners leave the far side of the page to a guess
        return None
    residual = _residual_mm(homography, page_points, image_points)
    if residual > MAX_RESIDUAL_MM:
        return None
    return PageGeometry(homography, found, residual, len(corners), page_points, image_points)


def refined(
    geometry: PageGeometry,
    page: Sequence[tuple[float, float]],
    image: Sequence[Points],
) -> PageGeometry:
    """The map fitted again with more point pairs (the boxes found where they lie): a
    projective map once they spread over the page."""
    all_page = [*geometry.page_points, *page]
    all_image = [*geometry.image_points, *image]
    homography = _fit(all_page, all_image, 4 if len(page) >= 8 else geometry.corners)
    if homography is None:
        return geometry
    residual = _residual_mm(homography, geometry.page_points, geometry.image_points)
    return PageGeometry(homography, geometry.marks, residual, geometry.corners, all_page, all_image)
