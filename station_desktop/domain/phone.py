"""Mainland China phone numbers: mobiles and landlines with an area code.

Normalised forms are what the database stores and what search compares: 11 digits for a mobile
("13812345678", no +86) and "area-local" for a landline ("0891-6321234"). `check_phone` never
raises.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["PhoneCheck", "PhoneError", "check_phone"]


class PhoneError(StrEnum):
    """Message codes; the UI translates them."""

    BAD_CHARACTERS = "bad_characters"
    BAD_LENGTH = "bad_length"
    BAD_PREFIX = "bad_prefix"


@dataclass(frozen=True)
class PhoneCheck:
    ok: bool
    normalized: str | None
    error: PhoneError | None


_DIGITS: Final = frozenset("0123456789")
# After NFKC (full-width forms are ASCII by then): hyphen, Unicode dashes, minus, brackets
# around an area code, and dots some people use between groups.
_SEPARATORS: Final = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212().")
_MAX_INPUT_LENGTH: Final = 64
_MOBILE_LENGTH: Final = 11
_LOCAL_LENGTHS: Final = range(7, 9)


def _failure(error: PhoneError) -> PhoneCheck:
    return PhoneCheck(False, None, error)


def _clean(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)  # full-width digits, ＋ and － become ASCII
    return "".join(
        ch
        for ch in text
        if not (ch.isspace() or ch in _SEPARATORS or unicodedata.category(ch) == "Cf")
    )


def _area_code_length(digits: str) -> int:
    # 010 and 02x are the only three-digit area codes; every other one has four digits.
    return 3 if digits[1] in "12" else 4


def _check_landline(digits: str) -> PhoneCheck:
    if len(digits) < 4:
        return _failure(PhoneError.BAD_LENGTH)
    area_length = _area_code_length(digits)
    area, local = digits[:area_length], digits[area_length:]
    if area[1] == "1" and area != "010":
        return _failure(PhoneError.BAD_PREFIX)
    if area[1] == "0":  # 00… is an international call prefix, and only 0086 is handled
        return _failure(PhoneError.BAD_PREFIX)
    if len(local) not in _LOCAL_LENGTHS:
        return _failure(PhoneError.BAD_LENGTH)
    if local[0] in "01":  # local numbers never start with 0 or 1
        return _failure(PhoneError.BAD_PREFIX)
    return PhoneCheck(True, f"{area}-{local}", None)


def _check_mobile(digits: str) -> PhoneCheck:
    if len(digits) != _MOBILE_LENGTH:
        return _failure(PhoneError.BAD_LENGTH)
    if digits[1] not in "3456789":
        return _failure(PhoneError.BAD_PREFIX)
    return PhoneCheck(True, digits, None)


def check_phone(value: str) -> PhoneCheck:
    """Validate and normalise a mainland mobile or landline number; never raises."""
    if not isinstance(value, str) or len(value) > _MAX_INPUT_LENGTH:
        return _failure(PhoneError.BAD_LENGTH)
    number = _clean(value)
    plus = number.startswith("+")
    digits = number[1:] if plus else number
    if any(ch not in _DIGITS for ch in digits):
        return _failure(PhoneError.BAD_CHARACTERS)
    if not digits:
        return _failure(PhoneError.BAD_LENGTH)

    country_code = True
    if plus:
        if not digits.startswith("86"):
            return _failure(PhoneError.BAD_PREFIX)  # a foreign number
        digits = digits[2:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]  # "86 138…" written without the plus
    else:
        country_code = False
    if not digits:
        return _failure(PhoneError.BAD_LENGTH)
    if digits[0] == "1":
        return _check_mobile(digits)
    if digits[0] == "0":
        return _check_landline(digits)
    if country_code:
        # The trunk 0 of the area code is dropped after +86: "+86 891 6321234".
        return _check_landline("0" + digits)
    return _failure(PhoneError.BAD_PREFIX)  # a local number without its area code
