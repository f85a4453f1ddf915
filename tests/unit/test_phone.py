"""Tests for station_desktop.domain.phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.domain.phone import PhoneCheck, PhoneError, check_phone


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        " 138\u00a01234\u30005678 ",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "0086 138 1234 5678",
        "8613812345678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
        "138\u200b1234\u200b5678",  # pasted with zero-width spaces
    ],
)
def test_mobile_spellings(typed: str) -> None:
    assert check_phone(typed) == PhoneCheck(True, "13812345678", None)


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("0891-6321234", "0891-6321234"),
        ("0891 6321234", "0891-6321234"),
        ("08916321234", "0891-6321234"),
        ("(0891) 632 1234", "0891-6321234"),
        ("（０８９１）６３２１２３４", "0891-6321234"),
        ("0891-63212345", "0891-63212345"),
        ("+86 891 6321234", "0891-6321234"),
        ("0086 891 6321234", "0891-6321234"),
        ("+86 0891 6321234", "0891-6321234"),
        ("010-62345678", "010-62345678"),
        ("020 8888 8888", "020-88888888"),
        ("0892-8821234", "0892-8821234"),  # Shigatse
    ],
)
def test_landline_spellings(typed: str, normalized: str) -> None:
    assert check_phone(typed) == PhoneCheck(True, normalized, None)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", PhoneError.BAD_LENGTH),
        ("   ", PhoneError.BAD_LENGTH),
        ("+", PhoneError.BAD_LENGTH),
        ("+86", PhoneError.BAD_LENGTH),
        ("0086", PhoneError.BAD_LENGTH),
        ("138123456", PhoneError.BAD_LENGTH),
        ("138123456789", PhoneError.BAD_LENGTH),
        ("0891-632123", PhoneError.BAD_LENGTH),
        ("0891-632123456", PhoneError.BAD_LENGTH),
        ("089", PhoneError.BAD_LENGTH),
        ("12345678901", PhoneError.BAD_PREFIX),
        ("10086", PhoneError.BAD_LENGTH),
        ("6321234", PhoneError.BAD_PREFIX),  # no area code
        ("+1 555 123 4567", PhoneError.BAD_PREFIX),
        ("001 555 123 4567", PhoneError.BAD_PREFIX),
        ("0891-0321234", PhoneError.BAD_PREFIX),
        ("011-62345678", PhoneError.BAD_PREFIX),
        ("abc", PhoneError.BAD_CHARACTERS),
        ("138 1234 567a", PhoneError.BAD_CHARACTERS),
        ("0891-6321234转123", PhoneError.BAD_CHARACTERS),
        ("138+12345678", PhoneError.BAD_CHARACTERS),
        ("١٣٨١٢٣٤٥٦٧٨", PhoneError.BAD_CHARACTERS),  # Arabic-Indic digits
        ("138\ud8001234", PhoneError.BAD_CHARACTERS),
        ("1" * 100_000, PhoneError.BAD_LENGTH),
    ],
)
def test_errors(typed: str, error: PhoneError) -> None:
    assert check_phone(typed) == PhoneCheck(False, None, error)


def test_not_a_string() -> None:
    assert not check_phone(None).ok  # type: ignore[arg-type]
    assert not check_phone(13812345678).ok  # type: ignore[arg-type]


def test_error_codes() -> None:
    assert str(PhoneError.BAD_PREFIX) == "bad_prefix"
    for error in PhoneError:
        assert error.value == error.name.lower()


mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)
separators = st.sampled_from(["", "", " ", "-", "\u3000"])


@given(mobiles, st.sampled_from(["", "+86", "+86 ", "0086", "0086-"]), st.data())
def test_generated_mobiles(number: str, prefix: str, data: st.DataObject) -> None:
    typed = prefix + "".join(ch + data.draw(separators) for ch in number)
    assert check_phone(typed) == PhoneCheck(True, number, None)


@given(
    st.sampled_from(["010", "021", "029", "0891", "0892", "0897", "0351"]),
    st.sampled_from("23456789"),
    st.text("0123456789", min_size=6, max_size=7),
    separators,
)
def test_generated_landlines(area: str, first: str, rest: str, separator: str) -> None:
    local = first + rest
    result = check_phone(area + separator + local)
    assert result == PhoneCheck(True, f"{area}-{local}", None)


@given(st.text())
def test_never_raises_and_normalized_form_is_stable(value: str) -> None:
    result = check_phone(value)
    assert result.ok == (result.error is None) == (result.normalized is not None)
    if result.normalized is not None:
        assert check_phone(result.normalized) == result


@given(st.text(st.sampled_from("0123456789+-() ８６") | st.characters(categories=["Cs", "Nd"])))
def test_never_raises_on_digit_soup(value: str) -> None:
    result = check_phone(value)
    if result.normalized is not None:
        assert check_phone(result.normalized) == result
