"""Tests for station_desktop.domain.text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.domain.text import (
    dominant_script,
    fold_latin,
    has_unstorable,
    is_han_char,
    is_tibetan_char,
    normalize_text,
    tibetan_syllables,
)

TSHEG = "\u0f0b"

# Everything the spec says must never survive normalisation (LF and TAB are checked per mode).
REMOVED = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"  # zero-width and invisible format characters
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"  # bidi
    + "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A))
    + "\x7f"
    + "".join(chr(c) for c in range(0x80, 0xA0))
    + "\u0f0c\u0f73\u0f75\u0f77\u0f79\u0f81"  # Tibetan variants replaced by canonical forms
)

# ---------------------------------------------------------------- strategies

# Characters that exercise the interesting paths, mixed with arbitrary text.
_tricky_chars = st.sampled_from(
    sorted(REMOVED)
    + list(" \t\n\r\u00a0\u3000\u2028\u2029\u1680\u2003")
    + list("\u0301\u0300\u0323e\u00e9A")  # Latin composition
    + list("扎西次仁𠀋𪚥\ue000\U000f0000")
    + list("\ufffe\uffff")
)
_tibetan_chars = st.characters(min_codepoint=0x0F00, max_codepoint=0x0FFF)
_surrogates = st.characters(categories=["Cs"])
_any_char = st.characters() | _tricky_chars | _tibetan_chars | _surrogates
any_text = st.text(_any_char, max_size=60)

# Tibetan stacks: base consonant, subjoined letters, optional a-chung, vowel and mark.
# Precomposed letters (GHA = GA + subjoined HA) are left out: NFC decomposes them anyway.
_BASES = [
    chr(c)
    for c in range(0x0F40, 0x0F6D)
    if unicodedata.category(chr(c)) == "Lo" and not unicodedata.decomposition(chr(c))
]
_SUBJOINED = [
    chr(c)
    for c in range(0x0F90, 0x0FBD)
    if unicodedata.category(chr(c)) == "Mn" and not unicodedata.decomposition(chr(c))
]
_VOWELS = list("\u0f72\u0f74\u0f7a\u0f7b\u0f7c\u0f7d\u0f80")
_MARKS = list("\u0f7e\u0f7f\u0f82\u0f83")


@st.composite
def typed_stack(draw: st.DrawFn) -> tuple[str, str]:
    """(canonical spelling, the same stack with its marks typed in some other order)."""
    base = draw(st.sampled_from(_BASES))
    subjoined = draw(st.lists(st.sampled_from(_SUBJOINED), min_size=0, max_size=3))
    a_chung = ["\u0f71"] if draw(st.booleans()) else []
    vowel = draw(st.lists(st.sampled_from(_VOWELS), max_size=1))
    mark = draw(st.lists(st.sampled_from(_MARKS), max_size=1))
    canonical = [*subjoined, *a_chung, *vowel, *mark]
    shuffled = draw(st.permutations(canonical))
    # Several subjoined letters keep the order they were typed in: put them back in order.
    queue = iter(subjoined)
    typed = [next(queue) if ch in _SUBJOINED else ch for ch in shuffled]
    return base + "".join(canonical), base + "".join(typed)


# ---------------------------------------------------------------- properties


@given(any_text, st.booleans())
def test_never_raises_and_is_idempotent(value: str, multiline: bool) -> None:
    once = normalize_text(value, multiline=multiline)
    assert normalize_text(once, multiline=multiline) == once


@given(st.text(), st.booleans())
def test_idempotent_on_plain_text(value: str, multiline: bool) -> None:
    once = normalize_text(value, multiline=multiline)
    assert normalize_text(once, multiline=multiline) == once


@given(any_text, st.booleans())
def test_output_has_no_removed_characters(value: str, multiline: bool) -> None:
    result = normalize_text(value, multiline=multiline)
    assert not REMOVED & set(result)
    assert "\r" not in result


@given(any_text, st.booleans())
def test_output_never_starts_or_ends_with_whitespace(value: str, multiline: bool) -> None:
    result = normalize_text(value, multiline=multiline)
    assert result == result.strip()


@given(any_text)
def test_single_line_output_is_one_line_with_single_spaces(value: str) -> None:
    result = normalize_text(value)
    assert "\n" not in result
    assert "\t" not in result
    assert "  " not in result
    assert all(ch == " " or not ch.isspace() for ch in result)


@given(any_text)
def test_output_is_nfc(value: str) -> None:
    result = normalize_text(value, multiline=True)
    if not has_unstorable(result):
        assert unicodedata.is_normalized("NFC", result)


@given(typed_stack())
def test_typing_order_does_not_matter(stack: tuple[str, str]) -> None:
    canonical, typed = stack
    assert normalize_text(canonical) == canonical
    assert normalize_text(typed) == canonical


@given(st.lists(typed_stack(), min_size=1, max_size=4))
def test_typing_order_in_a_phrase(stacks: list[tuple[str, str]]) -> None:
    canonical = TSHEG.join(c for c, _ in stacks) + TSHEG
    typed = "\u0f0c".join(t for _, t in stacks) + TSHEG + TSHEG
    assert normalize_text(typed) == canonical


_rare = (
    st.characters(min_codepoint=0xE000, max_codepoint=0xF8FF)  # BMP private use
    | st.characters(min_codepoint=0xF0000, max_codepoint=0x10FFFD)  # planes 15 and 16
    | st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)  # Ext. B
    | st.characters(min_codepoint=0x2A700, max_codepoint=0x2EBE0)  # Ext. C-F
    | st.characters(min_codepoint=0x30000, max_codepoint=0x323AF)  # Ext. G-H
)


@given(st.text(_rare | st.sampled_from("扎西次仁"), min_size=1, max_size=20), st.booleans())
def test_private_use_and_rare_cjk_survive(value: str, multiline: bool) -> None:
    assert normalize_text(value, multiline=multiline) == value
    assert not has_unstorable(value)


# ---------------------------------------------------------------- examples


def test_line_endings_become_lf() -> None:
    assert normalize_text("a\r\nb\rc\nd", multiline=True) == "a\nb\nc\nd"
    assert normalize_text("a\r\nb\rc\nd") == "a b c d"


def test_nfc() -> None:
    assert normalize_text("Ze\u0301") == "Zé"
    # A ZWSP between letter and accent must not block composition.
    assert normalize_text("e\u200b\u0301") == "é"


def test_bom_inside_a_name() -> None:
    assert normalize_text("次\ufeff仁") == "次仁"
    assert normalize_text("\ufeffTashi") == "Tashi"


@pytest.mark.parametrize("ch", list("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))
def test_invisible_characters_removed(ch: str) -> None:
    assert normalize_text(f"扎{ch}西") == "扎西"
    assert normalize_text(f"བཀྲ{ch}་ཤིས") == "བཀྲ་ཤིས"


def test_bidi_override_removed() -> None:
    # An RLO would display "Tashi" reversed and can disguise names and file names.
    assert normalize_text("\u202eihsaT\u202c") == "ihsaT"
    for ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c":
        assert normalize_text(f"a{ch}b") == "ab"


def test_c0_and_c1_controls_removed() -> None:
    assert normalize_text("a\x00b\x07c\x1bd\x7fe") == "abcde"
    assert normalize_text("a\x9bb\x80c\x9fd") == "abcd"  # C1: CSI, PAD, APC


def test_control_line_breaks_become_breaks() -> None:
    # VT is how Word copies a manual line break; NEL is C1 "next line".
    assert normalize_text("Tashi\x0bDelek\x85Lhasa\u2028Tibet") == "Tashi Delek Lhasa Tibet"
    assert normalize_text("a\x0bb\x0cc", multiline=True) == "a\nb\nc"


def test_tabs_and_newlines() -> None:
    assert normalize_text("a\tb\nc") == "a b c"
    assert normalize_text("a\tb\nc", multiline=True) == "a\tb\nc"


def test_non_breaking_tsheg() -> None:
    assert normalize_text("བཀྲ\u0f0cཤིས\u0f0c") == "བཀྲ་ཤིས་"
    assert normalize_text("བཀྲ\u0f0cཤིས\u0f0c") == normalize_text("བཀྲ་ཤིས་")


def test_deprecated_vocalic_rr_and_ll_decomposed() -> None:
    assert normalize_text("ཀ\u0f77") == "ཀ\u0fb2\u0f71\u0f80"
    assert normalize_text("ཀ\u0f79") == "ཀ\u0fb3\u0f71\u0f80"


@pytest.mark.parametrize(
    ("composed", "decomposed"),
    [
        ("\u0f73", "\u0f71\u0f72"),
        ("\u0f75", "\u0f71\u0f74"),
        ("\u0f81", "\u0f71\u0f80"),
        ("\u0f76", "\u0fb2\u0f80"),
        ("\u0f78", "\u0fb3\u0f80"),
        ("\u0f43", "\u0f42\u0fb7"),
    ],
)
def test_composed_tibetan_decomposed(composed: str, decomposed: str) -> None:
    prefix = "" if unicodedata.category(composed) == "Lo" else "ཀ"
    assert normalize_text(prefix + composed) == prefix + decomposed


def test_vowel_typed_before_subjoined_letter() -> None:
    assert normalize_text("ཀ\u0f72\u0fb2") == "ཀྲི"  # kri
    assert normalize_text("ས\u0f74\u0f92\u0fb2") == "སྒྲུ"  # sgru
    assert normalize_text("ཀ\u0f71\u0fb2") == "ཀ\u0fb2\u0f71"  # a-chung after subjoined


def test_anusvara_after_vowel() -> None:
    assert normalize_text("ཧ\u0f7e\u0f74") == "ཧུཾ"  # hum
    assert normalize_text("ཨ\u0f7e\u0f7c") == "ཨོཾ"  # om
    assert normalize_text("ཨ\u0f82\u0f7c") == "ཨོྂ"


def test_several_subjoined_letters_keep_their_order() -> None:
    # Reordering subjoined letters among themselves would change the word.
    assert normalize_text("ས\u0fb2\u0f92") == "ས\u0fb2\u0f92"
    assert normalize_text("ས\u0f92\u0f74\u0fb2") == "ས\u0f92\u0fb2\u0f74"


def test_doubled_tsheg_collapsed_space_after_tsheg_kept() -> None:
    assert normalize_text("བཀྲ་་ཤིས་་་") == "བཀྲ་ཤིས་"
    assert normalize_text("བཀྲ་ ཤིས") == "བཀྲ་ ཤིས"
    assert normalize_text("བཀྲ་\u3000\u3000ཤིས") == "བཀྲ་ ཤིས"


def test_full_width_space_in_chinese_name() -> None:
    assert normalize_text("\u3000扎西\u3000次仁\u3000") == "扎西 次仁"
    assert normalize_text("扎西\u00a0\u00a0 次仁") == "扎西 次仁"


def test_multiline_whitespace() -> None:
    text = "  first  \n\n\n\n\n second\t \n\n\nthird \u3000\n"
    assert normalize_text(text, multiline=True) == "first\n\n\n second\n\n\nthird"
    assert normalize_text("a\n \t\n\u3000\n \nb", multiline=True) == "a\n\n\nb"
    assert normalize_text("a\n\nb", multiline=True) == "a\n\nb"


def test_private_use_rare_cjk_and_surrogates_kept() -> None:
    for value in ["\ue000", "\U000f0001", "\U00100000", "𠀋", "𪚥", "张𠀋"]:
        assert normalize_text(value) == value
    assert normalize_text(" a\ud800b ") == "a\ud800b"


def test_nothing_left() -> None:
    assert normalize_text("") == ""
    assert normalize_text(" \u200b\u3000\ufeff\n", multiline=True) == ""
    assert normalize_text(None) == ""  # type: ignore[arg-type]


def test_has_unstorable() -> None:
    assert has_unstorable("a\ud800")
    assert has_unstorable("\udfff")
    assert has_unstorable("x\ufffe")
    assert has_unstorable("\uffff")
    assert not has_unstorable("")
    assert not has_unstorable("扎西 བཀྲ་ཤིས 𠀋 \ue000 \U0010fffd")


@given(st.text())
def test_text_without_surrogates_or_noncharacters_encodes(value: str) -> None:
    if not has_unstorable(value):
        value.encode("utf-8")


def test_is_tibetan_char() -> None:
    assert all(is_tibetan_char(ch) for ch in "ཀ་།ྲ༠\u0f00\u0fff")
    assert not any(is_tibetan_char(ch) for ch in "a扎\u0eff\u1000")
    assert not is_tibetan_char("")
    assert not is_tibetan_char("ཀཀ")


def test_is_han_char() -> None:
    han = "扎西〇㐀䶿𠀋𪚥\u9fff\uf900\U0002f800\U00030000\U00031350\U0002ebf0"
    assert all(is_han_char(ch) for ch in han)
    assert not any(is_han_char(ch) for ch in "a、。ཀ\u3006\u3000\ue000")
    assert not is_han_char("")
    assert not is_han_char("扎西")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("བཀྲ་ཤིས་བདེ་ལེགས།", "tibetan"),
        ("扎西次仁", "han"),
        ("𠀋𪚥", "han"),
        ("Tashi Delek", "latin"),
        ("Tāshi Dönd'ub", "latin"),
        ("Ｔａｓｈｉ", "latin"),
        ("Ташы", "other"),
        ("", "other"),
        ("123 - 456", "other"),
        ("扎西 Tashi", "mixed"),
        ("扎西 བཀྲ་ཤིས", "mixed"),
        ("我们在拉萨城关区的社区工作站做家访A", "han"),
    ],
)
def test_dominant_script(text: str, expected: str) -> None:
    assert dominant_script(text) == expected


def test_tibetan_syllables() -> None:
    assert tibetan_syllables("བཀྲ་ཤིས་བདེ་ལེགས།") == ["བཀྲ", "ཤིས", "བདེ", "ལེགས"]
    assert tibetan_syllables("༄༅། །བཀྲ་ཤིས། ཚེ་རིང\u0f0c") == ["བཀྲ", "ཤིས", "ཚེ", "རིང"]
    assert tibetan_syllables("  ") == []
    assert tibetan_syllables("") == []


@given(st.text(_tibetan_chars | st.sampled_from(" \n")))
def test_syllables_contain_no_delimiters(value: str) -> None:
    for syllable in tibetan_syllables(value):
        assert syllable
        assert TSHEG not in syllable
        assert "།" not in syllable
        assert not any(ch.isspace() for ch in syllable)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tāshi Dönd'ub", "tashidondub"),
        ("Zhāxī Cìrén", "zhaxiciren"),
        ("ÉLÈVE ü", "eleveu"),
        ("ＴＡＳＨＩ １２", "tashi12"),
        ("bkra shis bde legs", "bkrashisbdelegs"),
        ("Øre Łhasa Straße", "orelhasastrasse"),
        ("扎西 བཀྲ་ཤིས", ""),
    ],
)
def test_fold_latin(text: str, expected: str) -> None:
    assert fold_latin(text) == expected


@given(st.text())
def test_fold_latin_alphabet_and_idempotence(value: str) -> None:
    folded = fold_latin(value)
    assert set(folded) <= set("abcdefghijklmnopqrstuvwxyz0123456789")
    assert fold_latin(folded) == folded
