"""Tests for station_desktop.domain.idcard (GB 11643-1999)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_desktop.domain.idcard import (
    IdCheck,
    IdError,
    check_character,
    check_id_number,
    mask_id_number,
)

TODAY = date(2025, 6, 1)
VECTOR = "11010519491231002X"
PROVINCE_GROUPS = (
    range(11, 16),
    range(21, 24),
    range(31, 38),
    range(41, 47),
    range(50, 55),
    range(61, 66),
    (71, 81, 82, 83),
)
PROVINCES = [str(code) for group in PROVINCE_GROUPS for code in group]


def build(region: str, birth: date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def to_full_width(value: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in value)


def check(value: str) -> IdCheck:
    return check_id_number(value, today=TODAY)


# ---------------------------------------------------------------- examples


def test_reference_vector() -> None:
    result = check(VECTOR)
    assert result == IdCheck(
        ok=True,
        normalized=VECTOR,
        error=None,
        birth_date=date(1949, 12, 31),
        sex="female",
        region_code="110105",
    )


def test_default_today_is_used() -> None:
    assert check_id_number(VECTOR).ok


def test_check_character_weights() -> None:
    assert check_character(VECTOR[:17]) == "X"
    # The weights are 2^(17-i) mod 11.
    first17 = "54010219900101123"
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    assert check_character(first17) == "10X98765432"[total % 11]


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105-19491231-002x",
        "110105\u200b19491231002X",  # pasted with a zero-width space
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５　１９４９１２３１　００２ｘ",  # ideographic spaces, full-width x
        "110105－19491231－002X",
    ],
)
def test_accepted_spellings(typed: str) -> None:
    result = check(typed)
    assert result.ok
    assert result.normalized == VECTOR


def test_tibet_male() -> None:
    number = build("540102", date(1985, 7, 14), 13)
    result = check(number)
    assert result.ok
    assert result.sex == "male"
    assert result.region_code == "540102"
    assert result.birth_date == date(1985, 7, 14)


def test_legacy_15_digits() -> None:
    result = check("110105491231002")
    assert result.ok
    assert result.normalized == VECTOR
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "female"
    legacy_male = check("540102850714013")
    assert legacy_male.normalized == build("540102", date(1985, 7, 14), 13)
    assert legacy_male.sex == "male"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", IdError.EMPTY),
        ("   ", IdError.EMPTY),
        ("\u3000", IdError.EMPTY),
        (" - - ", IdError.EMPTY),
        ("12345", IdError.BAD_LENGTH),
        ("1101051949123100", IdError.BAD_LENGTH),
        ("110105194912310021X", IdError.BAD_LENGTH),
        ("11010519491231002Y", IdError.BAD_CHARACTERS),
        ("1101051949123100X2", IdError.BAD_CHARACTERS),
        ("11010549123100X", IdError.BAD_CHARACTERS),
        ("११०१०५१९४९१२३१००२X", IdError.BAD_CHARACTERS),  # Devanagari digits are not NFKC'd
        ("99010519491231002X", IdError.BAD_REGION),
        ("00010519491231002X", IdError.BAD_REGION),
        ("11010519491331002X", IdError.BAD_DATE),  # month 13
        ("11010519490230002X", IdError.BAD_DATE),  # 30 February
        ("11010518791231002X", IdError.BAD_DATE),  # before 1880
        ("11010519491200002X", IdError.BAD_DATE),  # day 0
        ("110105491331002", IdError.BAD_DATE),
        ("11010519491231002 1", IdError.BAD_CHECKSUM),
        ("110105194912310020", IdError.BAD_CHECKSUM),
    ],
)
def test_errors(value: str, error: IdError) -> None:
    result = check(value)
    assert result == IdCheck(False, None, error, None, None, None)


def test_29_february() -> None:
    assert check(build("540102", date(2000, 2, 29), 1)).ok  # divisible by 400
    assert check(build("540102", date(1996, 2, 29), 1)).ok
    not_leap = "540102" + "19000229" + "001"
    assert check(not_leap + check_character(not_leap)).error is IdError.BAD_DATE
    not_leap = "540102" + "20230229" + "001"
    assert check(not_leap + check_character(not_leap)).error is IdError.BAD_DATE


def test_future_birth_date() -> None:
    assert check(build("540102", TODAY, 1)).ok
    tomorrow = build("540102", TODAY + timedelta(days=1), 1)
    assert check(tomorrow).error is IdError.FUTURE_DATE
    assert check_id_number(tomorrow, today=TODAY + timedelta(days=1)).ok


def test_error_codes_are_snake_case_strings() -> None:
    assert str(IdError.BAD_CHECKSUM) == "bad_checksum"
    assert f"{IdError.FUTURE_DATE}" == "future_date"
    for error in IdError:
        assert error.value == error.name.lower()


@pytest.mark.parametrize(
    "value",
    [
        None,
        12345,
        "\ud800" * 18,
        "1101051949123\udfff002X",
        "\x00" * 18,
        "\ufdfa" * 18,  # NFKC expands it to 18 characters each
        "1101051949+1231002X",
        "+∞",
    ],
)
def test_never_raises_on_odd_input(value: str) -> None:
    result = check(value)
    assert not result.ok
    assert result.error is not None


def test_huge_input_is_rejected_quickly() -> None:
    assert check("1" * 10_000_000).error is IdError.BAD_LENGTH
    assert check(VECTOR + "1" * 10_000_000).error is IdError.BAD_LENGTH
    assert check(" " * 1_000_000 + VECTOR + "\n" * 1_000_000).normalized == VECTOR


def test_mask() -> None:
    assert mask_id_number(VECTOR) == "110105********002X"
    assert mask_id_number("1234567890") == "**********"
    assert mask_id_number("") == ""
    assert mask_id_number("12345678901") == "123456*8901"


# ---------------------------------------------------------------- properties

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(PROVINCES),
    st.text("0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1880, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_generated_numbers_validate(region: str, birth: date, sequence: int) -> None:
    number = build(region, birth, sequence)
    result = check(number)
    assert result.ok
    assert result.normalized == number
    assert result.birth_date == birth
    assert result.region_code == region
    assert result.sex == ("male" if sequence % 2 else "female")
    assert mask_id_number(number)[:6] == region


@settings(deadline=None)
@given(regions, births, sequences)
def test_every_single_character_change_fails(region: str, birth: date, sequence: int) -> None:
    number = build(region, birth, sequence)
    for position in range(17):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            result = check(changed)
            assert not result.ok, changed
            assert result.normalized is None
    for check_char in "0123456789X":
        if check_char != number[17]:
            assert check(number[:17] + check_char).error is IdError.BAD_CHECKSUM


@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_legacy_form_converts(region: str, birth: date, sequence: int) -> None:
    legacy = f"{region}{birth:%y%m%d}{sequence:03d}"
    result = check(legacy)
    assert result.ok
    assert result.normalized == build(region, birth, sequence)


@given(regions, births, sequences, st.booleans())
def test_full_width_form_validates_to_same_value(
    region: str, birth: date, sequence: int, lower: bool
) -> None:
    number = build(region, birth, sequence)
    typed = to_full_width(number.lower() if lower else number)
    assert check(typed).normalized == number


@given(regions, births, sequences, st.data())
def test_separators_are_ignored(
    region: str, birth: date, sequence: int, data: st.DataObject
) -> None:
    number = build(region, birth, sequence)
    pieces = [ch + data.draw(st.sampled_from(["", "", " ", "-", "\u3000", "\t"])) for ch in number]
    assert check("".join(pieces)).normalized == number


@given(st.text())
def test_never_raises_on_arbitrary_text(value: str) -> None:
    result = check_id_number(value, today=TODAY)
    assert result.ok == (result.error is None)
    assert result.ok == (result.normalized is not None)


_digit_soup = st.characters(categories=["Cs", "Nd", "Zs", "Lu"]) | st.sampled_from("0123456789xX")


@given(st.text(_digit_soup))
def test_never_raises_with_surrogates_and_digits(value: str) -> None:
    result = check_id_number(value)
    if result.ok:
        assert result.normalized is not None
        assert check_id_number(result.normalized) == result
