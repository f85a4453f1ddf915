"""Text normalisation for Tibetan, Chinese and Latin input.

Every name, address and note goes through `normalize_text` before it is stored or searched, so
that two workers typing the same Tibetan name on different laptops (different keyboards,
different typing order, a pasted zero-width space) produce the same string. The function never
raises and never rejects: rare CJK and private-use legacy glyphs are stored as typed, and
`has_unstorable` tells the caller about text that cannot be written to the database at all.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

__all__ = [
    "Script",
    "dominant_script",
    "fold_latin",
    "has_unstorable",
    "is_han_char",
    "is_tibetan_char",
    "normalize_text",
    "tibetan_syllables",
]

Script = Literal["tibetan", "han", "latin", "other", "mixed"]
_Letters = Literal["tibetan", "han", "latin", "other"]

TSHEG: Final = "\u0f0b"

# Invisible characters, mostly pasted from Word, web pages or WeChat: they make two names that
# look the same compare unequal.
_INVISIBLE: Final[frozenset[int]] = frozenset(
    (
        *(0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF),
        *range(0x2061, 0x2065),  # invisible maths operators
        *range(0x206A, 0x2070),  # deprecated format characters
        *range(0xFFF9, 0xFFFC),  # interlinear annotation marks
    )
)
# Bidi controls can make a name display as something else (and spoof file names in exports).
_BIDI: Final[frozenset[int]] = frozenset(
    (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
# C0 and C1 controls (LF and TAB are handled per mode; CR is already turned into LF).
_CONTROLS: Final[frozenset[int]] = frozenset((*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)))

_DELETE: Final[dict[int, None]] = dict.fromkeys(
    (_INVISIBLE | _BIDI | _CONTROLS) - {0x0A, 0x09}, None
)
# Controls and separators that mean "new line": Word copies a manual line break as VT and a
# page break as FF; deleting them would glue two words together.
_LINE_BREAKS: Final[frozenset[int]] = frozenset((0x0B, 0x0C, 0x85, 0x2028, 0x2029))
_MULTILINE_TABLE: Final[dict[int, str | None]] = {
    **_DELETE,
    **dict.fromkeys(_LINE_BREAKS, "\n"),
    0x0F0C: TSHEG,  # non-breaking tsheg looks the same; search must not tell them apart
    0x0F77: "\u0fb2\u0f71\u0f80",  # deprecated; NFC keeps them, so decompose by hand
    0x0F79: "\u0fb3\u0f71\u0f80",
}
_SINGLE_LINE_TABLE: Final[dict[int, str | None]] = {
    **_MULTILINE_TABLE,
    **dict.fromkeys(_LINE_BREAKS | {0x0A, 0x09}, " "),
}

_SUBJOINED_FIRST: Final = 0x0F90
_SUBJOINED_LAST: Final = 0x0FBC
# Marks with combining class 0 that belong after the vowel; NFC cannot move them because
# class 0 stops canonical reordering.
_TRAILING_MARKS: Final[frozenset[str]] = frozenset("\u0f7e\u0f7f")

_TSHEG_RUN: Final = re.compile(TSHEG + "{2,}")
_WHITESPACE_RUN: Final = re.compile(r"\s+")  # Python's \s is exactly str.isspace
_TRAILING_SPACE: Final = re.compile(r"[^\S\n]+(?=\n|\Z)")
_MANY_BLANK_LINES: Final = re.compile(r"\n{4,}")  # three or more blank lines
_SYLLABLE_DELIMITERS: Final = re.compile(
    r"[\u0f04-\u0f14\u0f3a-\u0f3d\u0fd0-\u0fd4\s]+"  # head marks, tsheg, shad, brackets
)


def _is_stack_mark(ch: str) -> bool:
    """Tibetan marks that follow a base letter inside one stack."""
    cp = ord(ch)
    if not 0x0F00 <= cp <= 0x0FFF:
        return False
    return (
        _SUBJOINED_FIRST <= cp <= _SUBJOINED_LAST
        or ch in _TRAILING_MARKS
        or unicodedata.combining(ch) != 0
    )


def _stack_rank(ch: str) -> tuple[int, int]:
    cp = ord(ch)
    if _SUBJOINED_FIRST <= cp <= _SUBJOINED_LAST:
        return (0, 0)  # class 0: the stable sort keeps several subjoined letters in order
    if ch in _TRAILING_MARKS:
        return (2, 0)
    # Marks with a non-zero combining class sort as NFC sorts them (halanta 9, a-chung 129,
    # vowels 130/132, nyi zla 230): any other order would be undone by the next NFC and
    # normalize_text would stop being idempotent.
    return (1, unicodedata.combining(ch))


def _reorder_tibetan_stacks(text: str) -> str:
    """Put subjoined letters before a-chung and vowels, whatever order they were typed in."""
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if _is_stack_mark(ch):
            run.append(ch)
            continue
        if run:
            out.extend(sorted(run, key=_stack_rank) if len(run) > 1 else run)
            run.clear()
        out.append(ch)
    if run:
        out.extend(sorted(run, key=_stack_rank) if len(run) > 1 else run)
    return "".join(out)


def normalize_text(value: str, *, multiline: bool = False) -> str:
    """Return the canonical form of user text; never raises.

    Single-line mode (names, addresses) turns every whitespace run into one ASCII space.
    Multiline mode (notes) keeps LF and TAB, strips trailing spaces per line and keeps at most
    two blank lines in a row.
    """
    if not isinstance(value, str):  # defensive: callers are typed, Qt may still hand us None
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    # Delete invisible characters before NFC: a ZWSP between a letter and its accent would
    # otherwise hide the pair from composition and leave a non-NFC result behind.
    text = text.translate(_MULTILINE_TABLE if multiline else _SINGLE_LINE_TABLE)
    text = unicodedata.normalize("NFC", text)  # also decomposes U+0F73, U+0F75, U+0F81
    if any(0x0F00 <= ord(ch) <= 0x0FFF for ch in text):
        text = _reorder_tibetan_stacks(text)
        # Tibetan runs come out NFC-ordered; this only re-sorts a stray non-Tibetan accent
        # that the reorder brought next to a Tibetan vowel.
        text = unicodedata.normalize("NFC", text)
        text = _TSHEG_RUN.sub(TSHEG, text)
    if multiline:
        text = _TRAILING_SPACE.sub("", text)
        text = _MANY_BLANK_LINES.sub("\n\n\n", text)
        return text.strip()
    return _WHITESPACE_RUN.sub(" ", text).strip()


_UNSTORABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def has_unstorable(value: str) -> bool:
    """True if the text cannot be stored: lone surrogates (no UTF-8 form) or U+FFFE/U+FFFF."""
    # One regular-expression scan: a sync import checks every text of every entry.
    return _UNSTORABLE.search(value) is not None


def is_tibetan_char(ch: str) -> bool:
    return len(ch) == 1 and 0x0F00 <= ord(ch) <= 0x0FFF


# Ranges are written out rather than read from unicodedata: Python 3.11 ships Unicode 14, which
# does not know Ext. H and I, and a name typed with a newer IME must still count as Han.
_HAN_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x3007, 0x3007),  # 〇, used in dates and some names
    (0x3400, 0x4DBF),  # Ext. A
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x2A6DF),  # Ext. B
    (0x2A700, 0x2B73F),  # Ext. C
    (0x2B740, 0x2B81F),  # Ext. D
    (0x2B820, 0x2CEAF),  # Ext. E
    (0x2CEB0, 0x2EBEF),  # Ext. F
    (0x2EBF0, 0x2EE5F),  # Ext. I
    (0x2F800, 0x2FA1F),  # Compatibility Ideographs Supplement
    (0x30000, 0x3134F),  # Ext. G
    (0x31350, 0x323AF),  # Ext. H
)


def is_han_char(ch: str) -> bool:
    if len(ch) != 1:
        return False
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


def _script_of(ch: str) -> _Letters | None:
    """Script of a letter, or None for digits, punctuation, marks and spaces."""
    if is_han_char(ch):
        return "han"
    if not unicodedata.category(ch).startswith("L"):
        return None
    if is_tibetan_char(ch):
        return "tibetan"
    if "LATIN" in unicodedata.name(ch, ""):
        return "latin"
    return "other"


_DOMINANT_SHARE: Final = 0.8


def dominant_script(text: str) -> Script:
    """The script of the letters in `text`.

    A script is dominant when it has at least 80% of the letters (so "扎西 Tashi" is mixed, a
    Chinese note quoting one English word is han). Text without letters is "other".
    """
    counts: dict[_Letters, int] = {}
    for ch in text:
        script = _script_of(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    total = sum(counts.values())
    if total == 0:
        return "other"
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count >= _DOMINANT_SHARE * total else "mixed"


def tibetan_syllables(text: str) -> list[str]:
    """Split on tsheg, shad, head marks and whitespace; delimiters are dropped.

    Pass normalised text: the function splits, it does not clean up.
    """
    return [part for part in _SYLLABLE_DELIMITERS.split(text) if part]


# Letters that NFKD does not decompose but that have an obvious ASCII spelling.
_LATIN_FOLD: Final[dict[int, str]] = {
    ord("ø"): "o",
    ord("đ"): "d",
    ord("ð"): "d",
    ord("ł"): "l",
    ord("æ"): "ae",
    ord("œ"): "oe",
    ord("þ"): "th",
    ord("ı"): "i",
    ord("ŋ"): "ng",
}
_NOT_ASCII_ALNUM: Final = re.compile(r"[^a-z0-9]+")


def fold_latin(text: str) -> str:
    """Search key for phonetic, pinyin and Wylie text: "Tāshi Dönd'ub" → "tashidondub"."""
    folded = unicodedata.normalize("NFKD", text).casefold().translate(_LATIN_FOLD)
    # casefold can produce new combining marks (İ → i̇); the filter drops them with the rest.
    return _NOT_ASCII_ALNUM.sub("", folded)
