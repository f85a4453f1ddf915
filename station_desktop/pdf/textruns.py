"""Split text into script runs and decide where a printed line may break.

Pure Python, no ReportLab: the paragraph engine (`paragraphs.py`) measures the runs and breaks
lines only after runs whose `break_after` is set.

Rules:
- Tibetan: a syllable ends after tsheg ་ or shad ། (and the other shad and tsheg-like marks);
  a line never breaks inside a syllable, and never starts with a tsheg or shad.
- Chinese: every Han character (and full-width punctuation) is its own run; simple kinsoku:
  closing punctuation such as `，。）》` never starts a line, opening brackets such as `（《`
  never end one.
- Latin and everything else: words, broken at spaces only.
- Spaces: their own runs; a line breaks after a space, never before it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from station_desktop.domain.text import is_han_char, is_tibetan_char

__all__ = [
    "NO_LINE_END",
    "NO_LINE_START",
    "FontRole",
    "RunKind",
    "TextRun",
    "break_offsets",
    "default_font_role",
    "hard_lines",
    "is_stack_continuation",
    "split_runs",
]

# The fallback font prints what the Chinese one lacks (CJK Extension B–F ideographs).
FontRole = Literal["tibetan", "chinese", "fallback"]


class RunKind(StrEnum):
    TIBETAN = "tibetan"  # one syllable (or a lone Tibetan mark)
    HAN = "han"  # one Han character or one full-width punctuation mark
    LATIN = "latin"  # one word of anything else (Latin, digits, ASCII punctuation)
    SPACE = "space"  # a run of breaking white space


@dataclass(frozen=True, slots=True)
class TextRun:
    text: str
    kind: RunKind
    font: FontRole
    break_after: bool  # a line may end after this run


# Tibetan marks after which a line may break: tsheg, shads, gter tsheg.
_TIBETAN_BREAK_AFTER: Final = frozenset("\u0f0b\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14")

# Kinsoku: never at the start of a line (closing punctuation, Tibetan shads and tsheg, closing
# brackets) ...
NO_LINE_START: Final[frozenset[str]] = frozenset(
    "，。、；：？！）》」』】〕〗〙〛〉”’％‰…‥·・ー〜～"
    ",.;:?!)]}%"
    "\u0f0b\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14\u0f3b\u0f3d"
)
# ... and never at the end of one (opening brackets and quotes, Tibetan head marks).
NO_LINE_END: Final[frozenset[str]] = frozenset(
    "（《「『【〔〖〘〚〈“‘([{\u0f04\u0f05\u0f06\u0f3a\u0f3c"
)

# Spaces that must not break a line (they still print as spaces).
_GLUE_SPACES: Final = frozenset("\u00a0\u2007\u202f\u2060")
# Characters that start a new line of text, for `hard_lines`.
_LINE_SEPARATORS: Final = ("\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")


def _is_cjk_unit(ch: str) -> bool:
    """Han characters and full-width CJK punctuation: each one is a line-breaking unit."""
    if is_han_char(ch):
        return True
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x2FDF  # radicals (often pasted instead of the real character)
        or 0x3000 <= cp <= 0x303F  # CJK symbols and punctuation (but U+3000 is a space)
        or 0x31C0 <= cp <= 0x31EF  # strokes
        or 0x3200 <= cp <= 0x33FF  # enclosed and compatibility CJK
        or 0xFE30 <= cp <= 0xFE4F  # vertical-form and compatibility punctuation
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
    )


def _is_breaking_space(ch: str) -> bool:
    return ch.isspace() and ch not in _GLUE_SPACES


def is_stack_continuation(ch: str) -> bool:
    """True for a character that belongs to the stack or letter before it.

    Subjoined Tibetan letters, vowel signs and other combining marks: an emergency break (a
    single syllable or word wider than the line) must never come right before one.
    """
    cp = ord(ch)
    if 0x0F71 <= cp <= 0x0F87 or 0x0F8D <= cp <= 0x0FBC or cp in (0x0F39, 0x0FC6):
        return True
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Mc", "Me")


def default_font_role(ch: str) -> FontRole:
    """Tibetan letters print in the Tibetan font; everything else in the Chinese one."""
    return "tibetan" if is_tibetan_char(ch) else "chinese"


def hard_lines(text: str) -> list[str]:
    """Split at explicit line breaks (LF, CR, CRLF, VT, FF, NEL, U+2028/9); TAB → space."""
    for sep in _LINE_SEPARATORS:
        text = text.replace(sep, "\n")
    return text.replace("\t", " ").split("\n")


def _kind_of(ch: str) -> RunKind:
    if _is_breaking_space(ch):
        return RunKind.SPACE
    if is_tibetan_char(ch):
        return RunKind.TIBETAN
    if _is_cjk_unit(ch):
        return RunKind.HAN
    return RunKind.LATIN


def _pieces(line: str) -> list[tuple[str, RunKind]]:
    """Cut a line into syllables, Han units, words and space runs (fonts not yet applied)."""
    pieces: list[tuple[str, RunKind]] = []
    start = 0
    kind: RunKind | None = None
    for i, ch in enumerate(line):
        ch_kind = _kind_of(ch)
        if kind is not None and (ch_kind is not kind or kind is RunKind.HAN):
            pieces.append((line[start:i], kind))
            start = i
        kind = ch_kind
        if ch_kind is RunKind.TIBETAN and ch in _TIBETAN_BREAK_AFTER:
            # The syllable ends with its tsheg or shad; the next character starts a new one.
            pieces.append((line[start : i + 1], ch_kind))
            start = i + 1
            kind = None
    if kind is not None and start < len(line):
        pieces.append((line[start:], kind))
    return pieces


def _may_break_between(left: str, left_kind: RunKind, right: str, right_kind: RunKind) -> bool:
    if right_kind is RunKind.SPACE:
        return False  # break after the spaces, so that they hang at the end of the line
    if right[0] in NO_LINE_START or left[-1] in NO_LINE_END:
        return False
    if right_kind is RunKind.TIBETAN and is_stack_continuation(right[0]):
        return False  # a stray mark after a syllable end stays with it
    if left_kind is RunKind.TIBETAN and right_kind is RunKind.TIBETAN:
        return left[-1] in _TIBETAN_BREAK_AFTER
    return True  # after spaces, between Han units, and between different scripts


def split_runs(line: str, font_for: Callable[[str], FontRole] = default_font_role) -> list[TextRun]:
    """Split one line (no line breaks) into runs, each in one font.

    `font_for` picks the font per character; where it changes inside a syllable or word, the
    word is cut into several runs with no break allowed between them.
    The texts of the runs concatenate to `line`.
    """
    if "\n" in line or "\r" in line:
        raise ValueError("split_runs takes one line; use hard_lines() first")
    pieces = _pieces(line)
    runs: list[TextRun] = []
    for index, (text, kind) in enumerate(pieces):
        if index + 1 < len(pieces):
            nxt, nxt_kind = pieces[index + 1]
            breakable = _may_break_between(text, kind, nxt, nxt_kind)
        else:
            breakable = True
        start = 0
        role = font_for(text[0])
        for i in range(1, len(text)):
            ch_role = font_for(text[i])
            if ch_role != role:
                runs.append(TextRun(text[start:i], kind, role, break_after=False))
                start, role = i, ch_role
        runs.append(TextRun(text[start:], kind, role, break_after=breakable))
    return runs


def break_offsets(line: str) -> list[int]:
    """Offsets in `line` where a new printed line may start (0 and len(line) excluded)."""
    offsets: list[int] = []
    position = 0
    for run in split_runs(line):
        position += len(run.text)
        if run.break_after and position < len(line):
            offsets.append(position)
    return offsets
