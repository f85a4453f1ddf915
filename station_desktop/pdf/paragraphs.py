"""Mixed Tibetan / Chinese / Latin text as a ReportLab flowable.

Why not ReportLab's `Paragraph`: it breaks lines only at white space (a Tibetan phrase is one
"word" and gets cut mid-syllable), it has no font fallback, its shaper turns Han glyphs back
into Kangxi radicals and stacked Tibetan glyphs into private-use characters (copy and search
fail), and spaces added as break hints would show up in the extracted text. `TextBlock` does
its own line breaking on the runs of `textruns`, shapes Tibetan with HarfBuzz, draws Chinese
and Latin from the cmap (unshaped), and writes the glyphs itself through ReportLab's font
subsetting (`fonts.PdfFont`), with exact ToUnicode text and an /ActualText span per Tibetan
stretch. What ReportLab still gives: font embedding and subsetting, the canvas, and the
flowable protocol (frames, tables, page splitting).
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final, Literal

import uharfbuzz as hb
from reportlab.platypus.flowables import Flowable

from station_desktop.domain.text import is_han_char, is_tibetan_char
from station_desktop.fonts import TIBETAN_LINE_HEIGHT, in_fallback_range
from station_desktop.pdf.fonts import PdfFont, pdf_font
from station_desktop.pdf.textruns import (
    FontRole,
    RunKind,
    TextRun,
    hard_lines,
    is_stack_continuation,
    split_runs,
)

__all__ = [
    "TextBlock",
    "TextStyle",
    "line_texts",
    "missing_characters",
    "text_block",
    "text_width",
]

Align = Literal["left", "center", "right"]

# Where the baseline sits in a line box: the box is centred on Tibetan ink, which runs from
# about -0.70 em (deep stacks) to +1.0 em (vowel signs), i.e. centre 0.15 em above the baseline;
# never less than 0.9 em below the top, so that Chinese (ink up to 0.88 em) stays inside with a
# tight leading. The same for every block of a style, so side-by-side cells share baselines.
_INK_CENTRE: Final = 0.15
_MIN_DROP: Final = 0.9
# A pen move to the right of this much (1/1000 em) reads as a space to text extractors
# (pypdf uses the width of a space), so glyph widths are chosen to keep moves below it.
_MAX_GAP: Final = 100.0
_EPSILON: Final = 1e-6


@dataclass(frozen=True, slots=True)
class TextStyle:
    size: float = 10.0
    bold: bool = False
    leading: float | None = None  # line height in points; None: TIBETAN_LINE_HEIGHT × size
    align: Align = "left"
    color: tuple[float, float, float] = (0.0, 0.0, 0.0)  # RGB, 0..1
    shaping: bool = True  # False prints Tibetan unshaped (only to compare, in tests)
    # Tibetan is set this much larger than `size` (Chinese and Latin): at one point size
    # Tibetan letters are visibly smaller than Han characters.
    tibetan_scale: float = 1.0
    # Keep runs of Han characters together (break at spaces, punctuation and between
    # scripts): short labels and headers of narrow columns are words ("非常满意"), which
    # must not be cut as a sentence may be. A run wider than the line is still cut.
    han_words: bool = False

    @property
    def tibetan_size(self) -> float:
        return self.size * self.tibetan_scale

    @property
    def line_height(self) -> float:
        if self.leading is not None:
            return self.leading
        return TIBETAN_LINE_HEIGHT * self.tibetan_size


DEFAULT_STYLE: Final = TextStyle()


class _Break(IntEnum):
    NONE = 0  # inside a stack or a glued unit
    EMERGENCY = 1  # only if a syllable or word alone is wider than the line
    NORMAL = 2  # an allowed line break


@dataclass(frozen=True, slots=True)
class _Glyph:
    code: int  # code point (real or private) in the font, see PdfFont
    dx: float  # HarfBuzz offsets and advance, 1/1000 em
    dy: float
    advance: float
    width: float  # the code's entry in the PDF Widths array, 1/1000 em


@dataclass(frozen=True, slots=True)
class _Cluster:
    """The smallest unit the line breaker moves: one HarfBuzz cluster or one character."""

    font: PdfFont
    glyphs: tuple[_Glyph, ...]  # offsets and advances in the block's units (see `advance`)
    text: str
    # 1/1000 of the style's size: a Tibetan cluster's metrics already carry tibetan_scale,
    # so lines of mixed scripts are measured in one unit.
    advance: float
    # Advance when the line ends here: HarfBuzz kerns a tsheg against the next syllable, which
    # does not apply when that syllable starts the next line.
    end_advance: float
    brk: _Break  # may a line end after this cluster?
    space: bool
    shaped: bool
    scale: float = 1.0  # the font size relative to the style's (tibetan_scale for Tibetan)


@dataclass(frozen=True, slots=True)
class _Line:
    clusters: tuple[_Cluster, ...]  # without the spaces at its ends
    width: float  # points
    start: int  # cluster range [start, end) in the hard line, spaces included
    end: int

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.clusters)


# ---------------------------------------------------------------- fonts per character


@functools.lru_cache(maxsize=8192)
def _font_role(ch: str) -> FontRole:
    """The font that has the glyph: no font fallback in ReportLab, so we choose per character
    (a rare ideograph of a name from the fallback font, opened only then)."""
    if is_tibetan_char(ch):
        return "tibetan"
    if ch.isspace() or pdf_font("chinese").has_glyph(ch):
        return "chinese"
    if pdf_font("tibetan").has_glyph(ch):
        return "tibetan"
    if in_fallback_range(ch) and pdf_font("fallback").has_glyph(ch):
        return "fallback"
    return "chinese"  # in none: a box, see missing_characters()


def missing_characters(text: str) -> str:
    """Characters of `text` that no bundled font can print (they would print as boxes)."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch.isspace() or ch in seen:
            continue
        if not pdf_font(_font_role(ch)).has_glyph(ch) and not _invisible(ch):
            seen[ch] = None
    return "".join(seen)


def _invisible(ch: str) -> bool:
    """Format and control characters (zero-width space, joiners, soft hyphen, C0/C1)."""
    return unicodedata.category(ch) in ("Cf", "Cc")


# ---------------------------------------------------------------- shaping


def _unshaped(font: PdfFont, run: TextRun) -> list[_Cluster]:
    """One cluster per character, from the font's cmap (Chinese, Latin, unshaped Tibetan)."""
    clusters: list[_Cluster] = []
    space = run.kind is RunKind.SPACE
    for ch in run.text:
        if _invisible(ch):
            # Print nothing: not a box, and not the visible hyphen some fonts give U+00AD.
            clusters.append(_Cluster(font, (), ch, 0.0, 0.0, _Break.NONE, space, shaped=False))
            continue
        width = font.char_width(ch) if font.has_glyph(ch) else float(font.face.defaultWidth)
        glyph = _Glyph(font.code_for_char(ch), 0.0, 0.0, width, width)
        clusters.append(
            _Cluster(font, (glyph,), ch, width, width, _Break.NONE, space, shaped=False)
        )
    return clusters


def _shaped(font: PdfFont, runs: Sequence[TextRun]) -> list[_Cluster]:
    """Shape consecutive Tibetan runs together (kerning across syllables) with HarfBuzz."""
    text = "".join(r.text for r in runs)

    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    # One cluster per character where the font allows it: finer ToUnicode entries.
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb_font = font.hb_font
    hb.shape(hb_font, buf, {})
    scale = font.hb_scale
    infos = buf.glyph_infos
    positions = buf.glyph_positions

    # Group glyphs by HarfBuzz cluster (character index of the cluster's start).
    groups: list[tuple[int, list[tuple[int, Any]]]] = []
    for info, pos in zip(infos, positions, strict=True):
        if groups and groups[-1][0] == info.cluster:
            groups[-1][1].append((info.codepoint, pos))
        else:
            groups.append((info.cluster, [(info.codepoint, pos)]))

    flat = [(gid, pos) for _, members in groups for gid, pos in members]
    clusters: list[_Cluster] = []
    index = 0
    for g, (start, members) in enumerate(groups):
        end = groups[g + 1][0] if g + 1 < len(groups) else len(text)
        cluster_text = text[start:end]
        glyphs: list[_Glyph] = []
        for k, (gid, pos) in enumerate(members):
            # Glyph k copies as character k; the last glyph takes the rest of the cluster.
            piece = cluster_text[k : k + 1] if k < len(members) - 1 else cluster_text[k:]
            dx = pos.x_offset * scale
            advance = pos.x_advance * scale
            natural = hb_font.get_glyph_h_advance(gid) * scale
            next_dx = flat[index + 1][1].x_offset * scale if index + 1 < len(flat) else 0.0
            # Width in the PDF: the glyph's own advance, unless the pen would then have to jump
            # right (after a mark drawn to the left of its pen): extractors read jumps as spaces.
            width = natural
            if advance - dx + next_dx - natural > _MAX_GAP:
                width = advance - dx + next_dx
            code = font.code_for_glyph(gid, piece, width)
            glyphs.append(_Glyph(code, dx, pos.y_offset * scale, advance, width))
            index += 1
        advance = sum(gl.advance for gl in glyphs)
        last = glyphs[-1]
        # `natural` is still the last glyph's own advance: nothing follows it at a line end.
        end_advance = advance - last.advance + natural if not last.dx and not last.dy else advance
        space = cluster_text.isspace()
        clusters.append(
            _Cluster(
                font,
                tuple(glyphs),
                cluster_text,
                advance,
                end_advance,
                _Break.NONE,
                space,
                shaped=True,
            )
        )
    return clusters


def _scaled(cluster: _Cluster, scale: float) -> _Cluster:
    """A cluster set `scale` times larger than the style's size (Tibetan beside Chinese)."""
    if scale == 1.0:
        return cluster
    glyphs = tuple(
        dataclasses.replace(g, dx=g.dx * scale, dy=g.dy * scale, advance=g.advance * scale)
        for g in cluster.glyphs
    )
    return dataclasses.replace(
        cluster,
        glyphs=glyphs,
        advance=cluster.advance * scale,
        end_advance=cluster.end_advance * scale,
        scale=scale,
    )


@functools.lru_cache(maxsize=4096)
def _shape_line(
    line: str, bold: bool, shaping: bool, tibetan_scale: float = 1.0, han_words: bool = False
) -> tuple[_Cluster, ...]:
    """Runs of one hard line turned into clusters. Cached: forms repeat their labels."""
    runs = split_runs(line, _font_role)
    clusters: list[_Cluster] = []
    i = 0
    while i < len(runs):
        run = runs[i]
        font = pdf_font(run.font, bold)
        if run.font == "tibetan" and shaping and run.kind is RunKind.TIBETAN:
            j = i
            while j < len(runs) and runs[j].font == "tibetan" and runs[j].kind is RunKind.TIBETAN:
                j += 1
            clusters += (_scaled(c, tibetan_scale) for c in _shaped(font, runs[i:j]))
            i = j
        else:
            scale = tibetan_scale if run.font == "tibetan" else 1.0
            clusters += (_scaled(c, scale) for c in _unshaped(font, run))
            i += 1
    # Break classes: where textruns allows a break, and (for emergencies only) before any
    # character that does not continue the stack or letter before it.
    allowed: set[int] = set()
    position = 0
    for index, run in enumerate(runs):
        position += len(run.text)
        inside_word = (
            han_words
            and run.kind is RunKind.HAN
            and index + 1 < len(runs)
            and runs[index + 1].kind is RunKind.HAN
            and is_han_char(run.text[-1])
            and is_han_char(runs[index + 1].text[0])
        )
        if run.break_after and not inside_word:
            allowed.add(position)
    result: list[_Cluster] = []
    position = 0
    for cluster in clusters:
        position += len(cluster.text)
        if position in allowed:
            brk = _Break.NORMAL
        elif position < len(line) and not is_stack_continuation(line[position]):
            brk = _Break.EMERGENCY
        else:
            brk = _Break.NONE
        result.append(dataclasses.replace(cluster, brk=brk))
    return tuple(result)


# ---------------------------------------------------------------- line breaking


def _width(clusters: Sequence[_Cluster], size: float) -> float:
    """Width of a line: full advances, but the last cluster's as at the end of a line."""
    if not clusters:
        return 0.0
    total = sum(c.advance for c in clusters[:-1]) + clusters[-1].end_advance
    return total * size / 1000


def _trim(clusters: Sequence[_Cluster], leading_too: bool) -> tuple[_Cluster, ...]:
    start, end = 0, len(clusters)
    while end > start and clusters[end - 1].space:
        end -= 1
    if leading_too:
        while start < end and clusters[start].space:
            start += 1
    return tuple(clusters[start:end])


def _break_lines(clusters: Sequence[_Cluster], width: float, size: float) -> list[_Line]:
    """Greedy first fit: the longest line that fits, broken at the last allowed opportunity;
    a syllable or word wider than the line is cut between stacks (emergency breaks)."""
    n = len(clusters)
    if not n:
        return [_Line((), 0.0, 0, 0)]
    scale = size / 1000
    lines: list[_Line] = []
    start = 0
    while start < n:
        pen = 0.0
        end = n  # first cluster of the next line
        normal = emergency = -1
        for i in range(start, n):
            cluster = clusters[i]
            advance = cluster.advance * scale
            if (
                not cluster.space
                and i > start
                and pen + cluster.end_advance * scale > width + _EPSILON
            ):
                end = normal if normal > start else emergency if emergency > start else i
                break
            pen += advance
            if cluster.brk is _Break.NORMAL:
                normal = i + 1
            elif cluster.brk is _Break.EMERGENCY:
                emergency = i + 1
        # Spaces at a break hang at the end of the line and are not drawn.
        next_start = end
        while next_start < n and clusters[next_start].space:
            next_start += 1
        piece = _trim(clusters[start:end], leading_too=bool(lines))
        lines.append(_Line(piece, _width(piece, size), start, next_start))
        start = next_start
    return lines


# ---------------------------------------------------------------- the flowable


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class _TextOps:
    """Builds the operators of one BT/ET text object."""

    doc: Any
    size: float  # the style's size
    ops: list[str] = field(default_factory=list)
    tj: list[str | bytearray] = field(default_factory=list)  # pen moves and runs of codes
    font_key: tuple[str, int, float] | None = None
    font_size: float = 0.0  # of the font set last (Tibetan may be larger than `size`)

    def flush(self) -> None:
        if self.tj:
            items = (f"<{i.hex()}>" if isinstance(i, bytearray) else i for i in self.tj)
            self.ops.append("[" + " ".join(items) + "] TJ")
            self.tj = []

    def op(self, text: str) -> None:
        self.flush()
        self.ops.append(text)

    def font(self, font: PdfFont, subset: int, size: float) -> None:
        key = (font.fontName, subset, size)
        if key != self.font_key:
            self.op(f"{font.getSubsetInternalName(subset, self.doc)} {_num(size)} Tf")
            self.font_key = key
            self.font_size = size

    def glyph(self, byte: int, adjust: float) -> None:
        """Draw one code after moving the pen by `adjust` points."""
        move = -adjust * 1000 / self.font_size  # TJ numbers move left, in 1/1000 of the size
        if abs(move) > 0.0005:
            self.tj.append(_num(move))
        if not self.tj or not isinstance(self.tj[-1], bytearray):
            self.tj.append(bytearray())
        run = self.tj[-1]
        assert isinstance(run, bytearray)
        run.append(byte)


def _line_ops(line: _Line, ops: _TextOps, x: float, y: float) -> None:
    """Glyph positions follow HarfBuzz exactly: the PDF pen (moved by the Widths array) is
    tracked and every difference to HarfBuzz's pen is written as a TJ adjustment."""
    size = ops.size
    scale = size / 1000
    ops.op(f"1 0 0 1 {_num(x)} {_num(y)} Tm")
    ideal = 0.0  # HarfBuzz pen, points from the line start
    pdf_pen = 0.0  # where the PDF viewer's pen is
    in_span = False
    clusters = line.clusters
    for index, cluster in enumerate(clusters):
        if cluster.shaped and not in_span:
            stretch = []
            for later in clusters[index:]:
                if not later.shaped:
                    break
                stretch.append(later.text)
            actual = "".join(stretch).encode("utf-16-be", "surrogatepass").hex().upper()
            ops.op(f"/Span <</ActualText <FEFF{actual}>>> BDC")
            in_span = True
        elif not cluster.shaped and in_span:
            ops.op("EMC")
            in_span = False
        codes = "".join(chr(g.code) for g in cluster.glyphs)
        glyphs = iter(cluster.glyphs)
        font_size = size * cluster.scale
        for subset, data in cluster.font.splitString(codes, ops.doc):
            ops.font(cluster.font, subset, font_size)
            for byte in data:
                glyph = next(glyphs)
                target = ideal + glyph.dx * scale
                if glyph.dy:
                    ops.op(f"{_num(glyph.dy * scale)} Ts")
                ops.glyph(byte, target - pdf_pen)
                if glyph.dy:
                    ops.op("0 Ts")
                pdf_pen = target + glyph.width * font_size / 1000  # the PDF's Widths entry
                ideal += glyph.advance * scale
    if in_span:
        ops.op("EMC")
    ops.flush()


class TextBlock(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """A block of mixed-script text: wraps to the frame width and splits across pages."""

    def __init__(self, text: str, style: TextStyle = DEFAULT_STYLE) -> None:
        super().__init__()
        self.style = style
        # One tuple of clusters per hard line (line breaks typed in the text).
        self._hard: list[Sequence[_Cluster]] = [
            _shape_line(line, style.bold, style.shaping, style.tibetan_scale, style.han_words)
            for line in hard_lines(text)
        ]
        self._lines: list[_Line] = []
        self._wrapped_for: float | None = None
        self.width = 0.0
        self.height = 0.0

    @classmethod
    def _from_hard_lines(cls, hard: list[Sequence[_Cluster]], style: TextStyle) -> TextBlock:
        block = cls("", style)
        block._hard = hard
        return block

    def __repr__(self) -> str:
        text = "/".join("".join(c.text for c in clusters) for clusters in self._hard)
        return f"TextBlock({text[:40]!r}, size={self.style.size})"

    # ------------------------------------------------------------ layout

    def _layout(self, width: float) -> list[_Line]:
        if self._wrapped_for != width:
            self._lines = [
                line
                for clusters in self._hard
                for line in _break_lines(clusters, width, self.style.size)
            ]
            self._wrapped_for = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.line_height
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802 - ReportLab's name
        """The widest unit that cannot be broken (used by tables sizing their columns)."""
        widest = 0.0
        for clusters in self._hard:
            piece = 0.0
            for cluster in clusters:
                if not cluster.space:
                    piece += cluster.advance
                if cluster.brk is _Break.NORMAL:
                    widest, piece = max(widest, piece), 0.0
            widest = max(widest, piece)
        return widest * self.style.size / 1000

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self._layout(availWidth)
        fit = int((availHeight + _EPSILON) // self.style.line_height)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        head: list[Sequence[_Cluster]] = []
        tail: list[Sequence[_Cluster]] = []
        count = 0
        for clusters in self._hard:
            broken = _break_lines(clusters, availWidth, self.style.size)
            if count + len(broken) <= fit:
                head.append(clusters)
            elif count >= fit:
                tail.append(clusters)
            else:
                # Cut the hard line between two printed lines; both halves re-wrap alike.
                keep = broken[fit - count - 1].end
                head.append(clusters[:keep])
                tail.append(clusters[keep:])
            count += len(broken)
        return [
            TextBlock._from_hard_lines(head, self.style),
            TextBlock._from_hard_lines(tail, self.style),
        ]

    @property
    def line_texts(self) -> list[str]:
        """The text of each printed line (after `wrap`)."""
        return [line.text for line in self._lines]

    # ------------------------------------------------------------ drawing

    def draw(self) -> None:
        style = self.style
        leading = style.line_height
        drop = max(leading / 2 + _INK_CENTRE * style.tibetan_size, _MIN_DROP * style.size)
        canv = self.canv
        canv.setFillColorRGB(*style.color)
        # The document object is needed for font subsets, as in ReportLab's own text objects.
        ops = _TextOps(canv._doc, style.size)
        ops.op("BT")
        for number, line in enumerate(self._lines):
            if not line.clusters:
                continue
            if style.align == "center":
                x = (self.width - line.width) / 2
            elif style.align == "right":
                x = self.width - line.width
            else:
                x = 0.0
            _line_ops(line, ops, x, self.height - number * leading - drop)
        ops.op("ET")
        canv.addLiteral("\n".join(ops.ops))


def text_block(text: str, style: TextStyle = DEFAULT_STYLE) -> TextBlock:
    """Turn a (possibly multi-line, mixed-script) string into a flowable."""
    return TextBlock(text, style)


def line_texts(text: str, width: float, style: TextStyle = DEFAULT_STYLE) -> list[str]:
    """How `text` breaks into printed lines at `width` points (spaces at breaks dropped)."""
    block = TextBlock(text, style)
    block.wrap(width, 1e9)
    return block.line_texts


def text_width(text: str, style: TextStyle = DEFAULT_STYLE) -> float:
    """Width in points of the widest hard line of `text`, unwrapped."""
    widths = [
        _width(
            _shape_line(line, style.bold, style.shaping, style.tibetan_scale, style.han_words),
            style.size,
        )
        for line in hard_lines(text)
    ]
    return max(widths, default=0.0)
