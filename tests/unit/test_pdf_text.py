"""The PDF text engine: Tibetan shaped like HarfBuzz, text that copies back, lines that break
only where Tibetan and Chinese allow it, embedded subset fonts, text that flows across pages.

The PDFs are read back with pypdf and decoded here independently of the engine: glyphs are
identified by their outlines in the embedded font program, positions by the content stream.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uharfbuzz as hb
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream, TextStringObject
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

from station_desktop.fonts import FONT_FILES, TIBETAN_FAMILY, font_path
from station_desktop.pdf import paragraphs
from station_desktop.pdf.fonts import (
    CHINESE_REGULAR,
    TIBETAN_REGULAR,
    font_name,
    pdf_font,
    register_fonts,
)
from station_desktop.pdf.paragraphs import (
    TextBlock,
    TextStyle,
    line_texts,
    missing_characters,
    text_block,
    text_width,
)
from station_desktop.pdf.textruns import (
    NO_LINE_END,
    NO_LINE_START,
    RunKind,
    break_offsets,
    hard_lines,
    is_stack_continuation,
    split_runs,
)

HARD_STACKS = "བསྒྲུབས་ རྒྱལ་ སྐྱིད་ ཀྲ་ ཧཱུྃ་ ཕྱྭ་"
TSHEG_SHAD = frozenset("\u0f0b\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14")
TIBETAN_PARAGRAPH = (
    "བོད་ལྗོངས་ལྷ་ས་གྲོང་ཁྱེར་གྱི་སྡོད་ཁུལ་སྤྱི་ཚོགས་ཞབས་ཞུ་ས་ཚིགས་ཀྱིས་རྒན་གཞོན་དང་"
    "དཀའ་ངལ་ཅན་གྱི་ཁྱིམ་ཚང་ལ་རོགས་རམ་བྱེད་ཀྱི་ཡོད། ཞབས་ཞུ་བའི་མིང་དང་ཁ་པར་ཨང་གྲངས་"
    "བྲིས་ནས་ལས་ཁུངས་སུ་སྤྲོད་རོགས། བསྒྲུབས་པའི་ལས་དོན་རྣམས་ཟླ་རེར་སྙན་ཞུ་བྱེད་དགོས།"
)
CHINESE_PARAGRAPH = (
    "拉萨市城关区八廓街道社会工作服务站（以下简称“服务站”）为辖区居民提供《社区服务》"
    "咨询、探访、转介等服务；请填写姓名、电话、住址：如有疑问，请致电！谢谢。"
    "「老人」『儿童』及残疾人家庭优先。"
)


# ---------------------------------------------------------------- building PDFs


def build_pdf(story: Sequence[Flowable], *, margin: float = 15 * mm) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        invariant=True,  # no time stamps: byte-stable output
    )
    doc.build(list(story))
    return out.getvalue()


FORM_FIELDS: list[tuple[str, str, str]] = [
    ("མིང་།", "姓名", "བཀྲ་ཤིས་ཚེ་རིང་ 扎西次仁"),
    ("ཕོ་མོ།", "性别", "ཕོ། 男"),
    ("མི་རིགས།", "民族", "བོད་རིགས། 藏族"),
    ("སྐྱེས་ཚེས།", "出生日期", "1958ལོའི་ཟླ་5ཚེས་30ཉིན 1958年5月30日"),
    ("ཐོབ་ཐང་ལག་ཁྱེར།", "身份证号", "540102195805301234"),
    ("ཁ་པར།", "电话", "0891-6321234 / 139 0891 2345"),
    ("སྡོད་གནས།", "住址", "ལྷ་ས་གྲོང་ཁྱེར་ཆེང་ཀོན་ཆུས་བར་སྐོར་ཁྲོམ་གཞུང་། 拉萨市城关区八廓街道"),
    ("སྡོད་ཁུལ།", "社区", "ཁྲོམ་གཟིམས་ཁང་སྡོད་ཁུལ། 冲赛康社区"),
    ("ཁྱིམ་མི།", "家庭成员", "སྒྲོལ་མ་ (卓玛), ནོར་བུ་ (罗布), 堃, 喆"),
    ("ལས་རིགས།", "职业", "ཞིང་པ། 农民"),
    ("འཚོ་བའི་གནས་ཚུལ།", "生活状况", "དཀའ་ངལ་ཅན། 困难"),
    ("འཕྲོད་བསྟེན།", "健康状况", "སྐྱིད་པོ། 良好"),
    ("རོགས་རམ།", "需要的帮助", "རྒན་གསོ་དང་སྨན་བཅོས། 养老与医疗"),
    ("ཞབས་ཞུ་བ།", "社工", "སྒྲོལ་མ་ 卓玛"),
    ("ཚེས་གྲངས།", "日期", "2026-06-01"),
    ("ཟིན་ཐོ།", "备注", "ཧཱུྃ་ ཕྱྭ་ བསྒྲུབས་ རྒྱལ་ 需每月探访一次，（电话回访）。"),
    ("ཁ་བྱང་།", "地址", "ལྷ་ས། 拉萨"),
    ("དཔྱད་ཞིབ།", "核实", "བསྒྲུབས་ཟིན། 已核实"),
    ("མིང་རྟགས།", "签名", ""),
    ("ལས་ཁུངས།", "单位", "བར་སྐོར་ཁྲོམ་གཞུང་། 八廓街道"),
]


def form_story(*, shaping: bool = True) -> list[Flowable]:
    """A one-page bilingual A4 form: a title and 40 fields (20 labels + 20 values)."""
    title = TextStyle(size=15, bold=True, align="center", shaping=shaping)
    label = TextStyle(size=8.5, bold=True, shaping=shaping)
    value = TextStyle(size=9.5, shaping=shaping)
    rows: list[list[Flowable]] = []
    for tibetan, chinese, answer in FORM_FIELDS:
        rows.append([TextBlock(f"{tibetan} {chinese}", label), TextBlock(answer, value)])
    table = Table(rows, colWidths=[45 * mm, 135 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return [
        TextBlock("སྤྱི་ཚོགས་ཞབས་ཞུའི་ཐོ་འགོད་རེའུ་མིག\n社会工作服务登记表", title),
        table,
    ]


# ---------------------------------------------------------------- reading PDFs back


@dataclass(frozen=True)
class DrawnGlyph:
    font: str  # the font's BaseFont without the subset tag
    outline: tuple[Any, ...]  # the glyph's outline in the embedded font program
    x: float
    y: float
    text: str  # what the font's ToUnicode map says the code means


class _Pen:
    def __init__(self) -> None:
        self.ops: list[tuple[Any, ...]] = []

    def moveTo(self, pt: Any) -> None:  # noqa: N802 - fontTools pen protocol
        self.ops.append(("M", pt))

    def lineTo(self, pt: Any) -> None:  # noqa: N802
        self.ops.append(("L", pt))

    def curveTo(self, *pts: Any) -> None:  # noqa: N802
        self.ops.append(("C", *pts))

    def qCurveTo(self, *pts: Any) -> None:  # noqa: N802
        self.ops.append(("Q", *pts))

    def closePath(self) -> None:  # noqa: N802
        self.ops.append(("Z",))


def outline(font: hb.Font, gid: int) -> tuple[Any, ...]:
    pen = _Pen()
    font.draw_glyph_with_pen(gid, pen)
    return (font.get_glyph_h_advance(gid), *pen.ops)


def _mac_cmap(ttf: bytes) -> dict[int, int]:
    """The (1, 0) format-6 cmap that ReportLab writes into a subset font: code → glyph."""
    (num_tables,) = struct.unpack_from(">H", ttf, 4)
    tables = {}
    for i in range(num_tables):
        tag, _, offset, _length = struct.unpack_from(">4sIII", ttf, 12 + 16 * i)
        tables[tag] = offset
    cmap = tables[b"cmap"]
    _, count = struct.unpack_from(">HH", ttf, cmap)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", ttf, cmap + 4 + 8 * i)
        if (platform, encoding) == (1, 0):
            fmt, _, _, first, entries = struct.unpack_from(">HHHHH", ttf, cmap + offset)
            assert fmt == 6
            gids = struct.unpack_from(f">{entries}H", ttf, cmap + offset + 10)
            return {first + i: g for i, g in enumerate(gids)}
    raise AssertionError("no (1, 0) cmap in the embedded font")


def _to_unicode(stream: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.DOTALL):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return mapping


@dataclass
class _PdfFontInfo:
    name: str
    widths: dict[int, float]
    code_to_gid: dict[int, int]
    hb_font: hb.Font
    to_unicode: dict[int, str]


def _font_info(font: Any) -> _PdfFontInfo:
    descriptor = font["/FontDescriptor"]
    program = descriptor["/FontFile2"].get_data()
    first = int(font["/FirstChar"])
    widths = {first + i: float(w) for i, w in enumerate(font["/Widths"])}
    return _PdfFontInfo(
        name=str(font["/BaseFont"]).split("+", 1)[1],
        widths=widths,
        code_to_gid=_mac_cmap(program),
        hb_font=hb.Font(hb.Face(hb.Blob(program))),
        to_unicode=_to_unicode(font["/ToUnicode"].get_data()),
    )


def drawn_glyphs(pdf: bytes, page: int = 0) -> list[DrawnGlyph]:
    """Every glyph a viewer draws on the page: outline, origin and ToUnicode text.

    A small content-stream interpreter for what a simple text PDF uses: q/Q/cm (translations),
    BT, Tf, Tm, Td, Ts, Tj, TJ; the pen moves by the Widths array, as in a viewer.
    """
    reader = PdfReader(io.BytesIO(pdf))
    pdf_page = reader.pages[page]
    resources: Any = pdf_page["/Resources"]
    resources = resources["/Font"]
    fonts: dict[str, _PdfFontInfo] = {}
    glyphs: list[DrawnGlyph] = []
    ctm = (0.0, 0.0)
    stack: list[tuple[float, float]] = []
    font: _PdfFontInfo | None = None
    size = 0.0
    line = [0.0, 0.0]  # start of the current text line (text space = user space here)
    pen = 0.0
    rise = 0.0
    for operands, op in ContentStream(pdf_page.get_contents(), reader).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            assert (a, b, c, d) == (1, 0, 0, 1), "only translations expected"
            ctm = (ctm[0] + e, ctm[1] + f)
        elif op == b"BT":
            line, pen, rise = [0.0, 0.0], 0.0, 0.0
        elif op == b"Tf":
            key = str(operands[0])
            font_object = resources[key].get_object()
            if "/FontDescriptor" in font_object:
                if key not in fonts:
                    fonts[key] = _font_info(font_object)
                font = fonts[key]
            else:
                font = None  # a standard font selected but never used for glyphs
            size = float(operands[1])
        elif op == b"Tm":
            assert [float(v) for v in operands[:4]] == [1, 0, 0, 1]
            line, pen = [float(operands[4]), float(operands[5])], 0.0
        elif op == b"Td":
            line, pen = [line[0] + float(operands[0]), line[1] + float(operands[1])], 0.0
        elif op == b"Ts":
            rise = float(operands[0])
        elif op in (b"Tj", b"TJ"):
            items = operands[0] if op == b"TJ" else [operands[0]]
            for item in items:
                if isinstance(item, bytes | str):
                    # pypdf may decode a string operand to text; the codes are the raw bytes.
                    data = item.original_bytes if isinstance(item, TextStringObject) else item
                    assert isinstance(data, bytes)
                    assert font is not None, "glyphs drawn in a font that is not embedded"
                    for code in data:
                        gid = font.code_to_gid[code]
                        glyphs.append(
                            DrawnGlyph(
                                font.name,
                                outline(font.hb_font, gid),
                                ctm[0] + line[0] + pen,
                                ctm[1] + line[1] + rise,
                                font.to_unicode.get(code, "\ufffd"),
                            )
                        )
                        pen += font.widths[code] * size / 1000
                else:
                    pen -= float(item) * size / 1000
    return glyphs


def words(glyphs: Sequence[DrawnGlyph], font: str) -> list[list[DrawnGlyph]]:
    """Glyphs of `font`, grouped into the stretches between glyphs of other fonts."""
    groups: list[list[DrawnGlyph]] = [[]]
    for glyph in glyphs:
        if glyph.font == font:
            groups[-1].append(glyph)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


@dataclass(frozen=True)
class Placed:
    outline: tuple[Any, ...]
    x: float
    y: float


def relative(glyphs: Sequence[DrawnGlyph]) -> list[Placed]:
    x0, y0 = glyphs[0].x, glyphs[0].y
    return [Placed(g.outline, round(g.x - x0, 2), round(g.y - y0, 2)) for g in glyphs]


def harfbuzz_reference(text: str, size: float) -> list[Placed]:
    """HarfBuzz's own shaping of `text` with the bundled Tibetan font, as placed glyphs."""
    tibetan = next(f for f in FONT_FILES if f.family == TIBETAN_FAMILY and not f.bold)
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_path(tibetan)))))
    scale = size / font.face.upem
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    placed = []
    pen = 0.0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        placed.append(
            Placed(outline(font, info.codepoint), pen + pos.x_offset * scale, pos.y_offset * scale)
        )
        pen += pos.x_advance * scale
    x0, y0 = placed[0].x, placed[0].y
    return [Placed(p.outline, round(p.x - x0, 2), round(p.y - y0, 2)) for p in placed]


def extracted_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def tibetan_pdf_font() -> str:
    name: bytes = pdf_font("tibetan").face.name
    return name.decode()


# ---------------------------------------------------------------- (a) shaping


@pytest.fixture(scope="module")
def stacks_pdfs() -> tuple[bytes, bytes]:
    shaped = build_pdf([text_block(HARD_STACKS, TextStyle(size=20))])
    unshaped = build_pdf([text_block(HARD_STACKS, TextStyle(size=20, shaping=False))])
    return shaped, unshaped


def test_tibetan_is_drawn_exactly_as_harfbuzz_shapes_it(stacks_pdfs: tuple[bytes, bytes]) -> None:
    shaped, _ = stacks_pdfs
    drawn = words(drawn_glyphs(shaped), tibetan_pdf_font())
    expected = [harfbuzz_reference(word, 20) for word in HARD_STACKS.split()]
    assert len(drawn) == len(expected) == 6
    for got, want in zip(drawn, expected, strict=True):
        assert relative(got) == want


def test_unshaped_tibetan_fails_the_same_check(stacks_pdfs: tuple[bytes, bytes]) -> None:
    """Negative control: with shaping off the glyphs differ (no stacks, marks not placed)."""
    shaped, unshaped = stacks_pdfs
    drawn = words(drawn_glyphs(unshaped), tibetan_pdf_font())
    expected = [harfbuzz_reference(word, 20) for word in HARD_STACKS.split()]
    mismatched = [
        w
        for w, (got, want) in enumerate(zip(drawn, expected, strict=True))
        if relative(got) != want
    ]
    assert mismatched == list(range(6)), "every hard stack must print differently unshaped"

    # The shaped PDF uses the font's precomposed stack glyphs, which no character maps to;
    # the unshaped one only ever draws the nominal glyph of one character.
    tibetan = pdf_font("tibetan").hb_font
    nominal_gids = {tibetan.get_nominal_glyph(cp) for cp in range(0x0F00, 0x1000)} - {None}
    nominal = {outline(tibetan, gid) for gid in nominal_gids if gid is not None}
    shaped_outlines = {g.outline for g in drawn_glyphs(shaped) if g.font == tibetan_pdf_font()}
    unshaped_outlines = {g.outline for g in drawn_glyphs(unshaped) if g.font == tibetan_pdf_font()}
    assert shaped_outlines - nominal, "no stacked glyphs in the shaped output"
    assert not unshaped_outlines - nominal


def test_shaped_output_has_no_dotted_circles_or_boxes(stacks_pdfs: tuple[bytes, bytes]) -> None:
    tibetan = pdf_font("tibetan")
    forbidden = {
        outline(tibetan.hb_font, 0),  # .notdef
        outline(tibetan.hb_font, tibetan.hb_font.get_nominal_glyph(0x25CC) or 0),
    }
    assert not {g.outline for g in drawn_glyphs(stacks_pdfs[0])} & forbidden


def test_shaping_is_on_by_default() -> None:
    assert TextStyle().shaping is True
    assert abs(TextStyle(size=10).line_height - 16.5) < 1e-9


# ---------------------------------------------------------------- (b) text extraction


def _coverage_samples() -> str:
    """Rare characters the Chinese font does have: CJK Ext. A and Ext. B (surrogate pairs)."""
    cmap = pdf_font("chinese").face.charToGlyph
    ext_a = [chr(c) for c in range(0x3400, 0x4DC0) if cmap.get(c)][:3]
    ext_b = [chr(c) for c in range(0x20000, 0x2A6E0) if cmap.get(c)][:3]
    assert ext_a and ext_b
    return "".join(ext_a + ext_b)


EXTRACTION_FIELDS = [
    "བཀྲ་ཤིས་ཚེ་རིང་",
    "སྒྲོལ་མ་",
    HARD_STACKS,
    "ཨོཾ་མ་ཎི་པདྨེ་ཧཱུྂ།",
    "བར་སྐོར་ཁྲོམ་གཞུང་།",
    "ལྷ་ས་གྲོང་ཁྱེར། ཐོབ་ཐང་ལག་ཁྱེར།",
    "扎西次仁 卓玛",
    "服务满意度反馈表",
    "堃 喆",
    "工人 人民 大学 立方 长 高",  # characters that stock shaping turns into Kangxi radicals
    "扎西 བཀྲ་ཤིས་ Tashi",
    "姓名མིང་། Name",
    "电话 ཁ་པར། 0891-6321234",
    "Tashi Delek, Lhasa 850000",
]


@pytest.fixture(scope="module")
def extraction_pdf() -> tuple[bytes, list[str]]:
    fields = [*EXTRACTION_FIELDS, _coverage_samples()]
    return build_pdf([text_block(f, TextStyle(size=12)) for f in fields]), fields


def test_pypdf_extracts_the_original_strings(extraction_pdf: tuple[bytes, list[str]]) -> None:
    pdf, fields = extraction_pdf
    assert extracted_lines(pdf) == [" ".join(f.split()) for f in fields]


def test_extraction_works_because_of_the_cluster_map(
    extraction_pdf: tuple[bytes, list[str]],
) -> None:
    """The Tibetan font draws stacked glyphs whose ToUnicode entries hold several characters:
    the extraction test above is not passing because the glyphs happen to be plain."""
    pdf, _ = extraction_pdf
    glyphs = [g for g in drawn_glyphs(pdf) if g.font == tibetan_pdf_font()]
    assert "སྒྲུ" in {g.text for g in glyphs}
    assert sum(len(g.text) > 1 for g in glyphs) >= 5
    assert all(
        g.text != "\ufffd" and not 0xE000 <= ord(g.text[:1] or " ") <= 0xF8FF for g in glyphs
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_extracts_the_original_strings(
    extraction_pdf: tuple[bytes, list[str]], tmp_path: Path
) -> None:
    """Poppler orders glyphs by position; the /ActualText spans keep Tibetan in order.

    Poppler re-derives spaces from gaps (and drops them between Han characters), so spaces
    are not compared here; pypdf keeps them (test above).
    """
    pdf, fields = extraction_pdf
    path = tmp_path / "fields.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    lines = ["".join(line.split()) for line in out.splitlines() if line.strip()]
    assert lines == ["".join(f.split()) for f in fields]


def test_a_missing_character_is_reported_and_still_copies() -> None:
    missing = "\U0001f600"  # in neither font
    assert missing_characters(f"扎西{missing}བཀྲ་") == missing
    assert missing_characters(HARD_STACKS + CHINESE_PARAGRAPH) == ""
    pdf = build_pdf([text_block(f"扎西{missing}", TextStyle(size=12))])
    assert extracted_lines(pdf) == [f"扎西{missing}"]


def test_a_rare_ideograph_of_a_name_prints_from_the_fallback_font() -> None:
    """𠮷 (U+20BB7, CJK Extension B) is not in Noto Sans SC: it prints from HanaMinB, as a
    real glyph that copies back as 𠮷, and nothing reports it missing."""
    name = "𠮷田 𬌗"
    assert not pdf_font("chinese").has_glyph("𠮷")
    assert missing_characters(name) == ""
    assert [r.font for r in split_runs("𠮷田", paragraphs._font_role)] == ["fallback", "chinese"]
    pdf = build_pdf([text_block(f"姓名 {name} བཀྲ་ཤིས", TextStyle(size=12))])
    assert extracted_lines(pdf) == [f"姓名 {name} བཀྲ་ཤིས"]
    drawn = {g.text: g.outline for g in drawn_glyphs(pdf)}
    fallback = pdf_font("fallback").hb_font
    assert drawn["𠮷"] != outline(fallback, 0)  # not the .notdef box
    # Its own outline (the advance aside: ReportLab writes widths per 1000, HanaMin has 1024).
    assert drawn["𠮷"][1:] == outline(fallback, fallback.get_nominal_glyph(0x20BB7))[1:]


# ---------------------------------------------------------------- (c) line breaking: runs


def test_runs_split_by_script_and_carry_their_font() -> None:
    runs = split_runs("扎西 བཀྲ་ཤིས་ Tashi，")
    assert [(r.text, r.kind, r.font) for r in runs] == [
        ("扎", RunKind.HAN, "chinese"),
        ("西", RunKind.HAN, "chinese"),
        (" ", RunKind.SPACE, "chinese"),
        ("བཀྲ་", RunKind.TIBETAN, "tibetan"),
        ("ཤིས་", RunKind.TIBETAN, "tibetan"),
        (" ", RunKind.SPACE, "chinese"),
        ("Tashi", RunKind.LATIN, "chinese"),
        ("，", RunKind.HAN, "chinese"),
    ]
    # Breaks: between Han characters, after spaces, after tsheg; never before "，".
    assert [r.break_after for r in runs] == [True, False, True, True, False, True, False, True]


def test_no_break_inside_a_syllable_or_before_shad() -> None:
    text = "ང་། བསྒྲུབས་ཟིན།།"
    assert break_offsets(text) == [4, 12]  # after "ང་། " and after "བསྒྲུབས་"


def test_kinsoku() -> None:
    text = "（服务站）说：“你好。”"
    starts = break_offsets(text)
    assert all(text[i] not in NO_LINE_START and text[i - 1] not in NO_LINE_END for i in starts)
    # 服|务, 务|站, 站）|说, 说：|“你 (the quote stays with 你), 你|好; never before ）：。”
    assert starts == [2, 3, 5, 7, 9]


def test_hard_lines() -> None:
    assert hard_lines("a\r\nb\rc\u2028d\te") == ["a", "b", "c", "d e"]
    with pytest.raises(ValueError, match="one line"):
        split_runs("a\nb")


_TIBETAN_LETTERS = [chr(c) for c in range(0x0F40, 0x0F6A) if c != 0x0F48]
_ALPHABET = st.sampled_from(
    [
        *_TIBETAN_LETTERS[:10],
        *"\u0f0b\u0f0d\u0fb2\u0fb1\u0f72\u0f74\u0f7c",  # tsheg, shad, subjoined, vowels
        *"扎西次仁服务，。、；：？！）》」』（《「『",
        *"Tashi-9 .,()\u00a0\u3000",
    ]
)


@settings(max_examples=300)
@given(st.text(_ALPHABET, max_size=40))
def test_break_rules_hold_for_any_text(text: str) -> None:
    runs = split_runs(text)
    assert "".join(r.text for r in runs) == text
    breaks = set(break_offsets(text))
    for i in range(1, len(text)):
        left, right = text[i - 1], text[i]
        if i not in breaks:
            continue
        assert not right.isspace() or right == "\u00a0"
        assert right not in NO_LINE_START and left not in NO_LINE_END
        assert not is_stack_continuation(right)
        if "\u0f00" <= left <= "\u0fff" and "\u0f00" <= right <= "\u0fff":
            assert left in TSHEG_SHAD
        latin = re.compile(r"[A-Za-z0-9\-.,()\u00a0]")
        assert not (latin.match(left) and latin.match(right))
    # Completeness: after a tsheg before a new Tibetan letter, and between plain Han, it breaks.
    for i in range(1, len(text)):
        left, right = text[i - 1], text[i]
        if left == "\u0f0b" and right in _TIBETAN_LETTERS:
            assert i in breaks
        if left in "扎西次仁服务" and right in "扎西次仁服务":
            assert i in breaks


# ---------------------------------------------------------------- (c) line breaking: layout


def test_long_tibetan_breaks_only_after_tsheg_or_shad() -> None:
    style = TextStyle(size=11)
    width = 110.0
    lines = line_texts(TIBETAN_PARAGRAPH, width, style)
    assert len(lines) >= 8
    for line in lines[:-1]:
        assert line[-1] in TSHEG_SHAD, line
    for line in lines:
        assert line[0] not in TSHEG_SHAD and not is_stack_continuation(line[0]), line
        assert text_width(line, style) <= width + 1e-6
    assert "".join(lines).replace(" ", "") == TIBETAN_PARAGRAPH.replace(" ", "")


def test_printed_lines_are_the_engines_lines() -> None:
    style = TextStyle(size=11)
    width = 110.0
    pdf = build_pdf([Table([[TextBlock(TIBETAN_PARAGRAPH, style)]], colWidths=[width + 12])])
    assert extracted_lines(pdf) == line_texts(TIBETAN_PARAGRAPH, width, style)


@pytest.mark.parametrize("width", [40.0 + 7 * k for k in range(12)])
def test_chinese_punctuation_never_starts_a_line(width: float) -> None:
    lines = line_texts(CHINESE_PARAGRAPH, width, TextStyle(size=10))
    assert len(lines) > 5
    for line in lines:
        assert line[0] not in NO_LINE_START, lines
        assert line[-1] not in NO_LINE_END, lines
    assert "".join(lines) == CHINESE_PARAGRAPH


def test_latin_breaks_between_words() -> None:
    text = "Lhasa social work station, Barkhor street office: monthly visit report"
    lines = line_texts(text, 90, TextStyle(size=10))
    assert len(lines) >= 4
    assert " ".join(lines) == text
    assert all(word in text.split() for line in lines for word in line.split())


def test_mixed_line_breaks_between_scripts() -> None:
    text = "扎西次仁 བཀྲ་ཤིས་ཚེ་རིང་ Tashi Tsering，拉萨市城关区"
    for width in (50.0, 70.0, 90.0):
        lines = line_texts(text, width, TextStyle(size=10))
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(line[0] != "，" for line in lines)
        assert "Tashi" in " ".join(lines).split()


def test_a_syllable_wider_than_the_column_is_cut_between_stacks() -> None:
    text = "བསྒྲུབསབསྒྲུབསབསྒྲུབསབསྒྲུབས"  # no tsheg at all: only emergency breaks
    lines = line_texts(text, 30, TextStyle(size=12))
    assert len(lines) > 1 and "".join(lines) == text
    assert all(not is_stack_continuation(line[0]) for line in lines)


def test_line_breaks_typed_by_the_user_are_kept() -> None:
    assert line_texts("扎西\n\nབཀྲ་ཤིས་", 500) == ["扎西", "", "བཀྲ་ཤིས་"]


@settings(max_examples=40)
@given(
    st.lists(st.sampled_from(["བཀྲ་", "ཤིས་", "བསྒྲུབས་", "ཧཱུྃ་", "རྒྱལ་", "ཕྱྭ་", "ཡོད། "]), max_size=40),
    st.floats(min_value=45, max_value=300),
)
def test_tibetan_lines_fit_and_end_at_syllables(syllables: list[str], width: float) -> None:
    text = "".join(syllables)
    style = TextStyle(size=10)
    lines = line_texts(text, width, style)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines[:-1]:
        assert line[-1] in TSHEG_SHAD
    assert all(text_width(line, style) <= width + 1e-6 for line in lines)


# ---------------------------------------------------------------- (d) fonts, size


def _used_fonts(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    used: set[str] = set()
    current = None
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        if op == b"Tf":
            current = str(operands[0])
        elif op in (b"Tj", b"TJ"):
            used.add(str(current))
    resources: Any = page["/Resources"]
    return {key: resources["/Font"][key].get_object() for key in used}


def test_fonts_are_embedded_subsets_and_a_form_page_is_small() -> None:
    pdf = build_pdf(form_story())
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    fonts = _used_fonts(pdf)
    families = set()
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType"
        base = str(font["/BaseFont"])
        assert re.fullmatch(r"/?[A-Z]{6}\+[A-Za-z-]+", base), base
        program = font["/FontDescriptor"]["/FontFile2"]
        assert int(program["/Length1"]) < 100_000  # a subset, not the 0.7 or 10.6 MB file
        assert "/ToUnicode" in font
        families.add(base.split("+")[1])
    assert families == {
        "NotoSerifTibetan-Regular",
        "NotoSerifTibetan-Bold",
        "NotoSansSC-Regular",
        "NotoSansSC-Bold",
    }
    assert len(pdf) < 150_000, f"{len(pdf)} bytes"


def test_the_form_copies_back() -> None:
    text = "\n".join(extracted_lines(build_pdf(form_story())))
    for tibetan, chinese, answer in FORM_FIELDS:
        assert f"{tibetan} {chinese}" in text
        assert " ".join(answer.split()) in text


def test_fonts_register_once() -> None:
    first = register_fonts()
    assert register_fonts() == first
    assert pdf_font("tibetan") is first[0]
    assert font_name("tibetan") == TIBETAN_REGULAR and font_name("chinese") == CHINESE_REGULAR
    from reportlab.pdfbase import pdfmetrics

    assert set(pdfmetrics.getRegisteredFontNames()) >= {font.fontName for font in first}


# ---------------------------------------------------------------- (e) long text


def test_long_text_flows_across_pages() -> None:
    text = "\n".join([TIBETAN_PARAGRAPH, CHINESE_PARAGRAPH, "扎西 བཀྲ་ཤིས་ Tashi"] * 12)
    pdf = build_pdf([TextBlock(text, TextStyle(size=12))], margin=40 * mm)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    extracted = "".join("".join(extracted_lines(pdf)).split())
    assert extracted == "".join(text.split())


def test_split_parts_rewrap_to_the_same_lines() -> None:
    block = TextBlock(TIBETAN_PARAGRAPH + "\n" + CHINESE_PARAGRAPH, TextStyle(size=10))
    _, height = block.wrap(120, 10_000)
    whole = block.line_texts
    parts = block.split(120, height / 2)
    assert len(parts) == 2
    pieces: list[str] = []
    for part in parts:
        part.wrap(120, 10_000)
        pieces += part.line_texts
    assert pieces == whole
    assert block.split(120, 5) == []


def test_invisible_characters_print_nothing() -> None:
    pdf = build_pdf([text_block("扎\u200b西\u00adབཀྲ་\u200bཤིས་", TextStyle(size=12))])
    drawn = drawn_glyphs(pdf)
    notdef = {outline(pdf_font(role).hb_font, 0) for role in ("tibetan", "chinese")}
    assert not {g.outline for g in drawn} & notdef
    assert extracted_lines(pdf) == ["扎西བཀྲ་ཤིས་"]


def test_private_use_input_is_not_confused_with_the_engines_codes() -> None:
    text_block(HARD_STACKS)  # allocates private codes for the stacks
    typed = "\U000f0000\U000f0001"
    assert missing_characters(typed) == typed
    pdf = build_pdf([text_block(f"扎西{typed}", TextStyle(size=12))])
    assert extracted_lines(pdf) == [f"扎西{typed}"]
