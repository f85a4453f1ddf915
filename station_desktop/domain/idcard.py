"""Resident identity card numbers (GB 11643-1999).

18 characters: region (6) + birth date YYYYMMDD (8) + sequence (3, odd = male) + check character.
Legacy 15-digit cards (YYMMDD, 20th-century births) are converted to the 18-character form, so
the database only ever holds one spelling of a person's number.

`check_id_number` returns a result for any input and never raises: it sits behind form fields,
CSV imports and USB bundles, none of which may crash on a bad cell.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, Literal

__all__ = ["IdCheck", "IdError", "check_character", "check_id_number", "mask_id_number"]


class IdError(StrEnum):
    """Message codes; the UI translates them."""

    EMPTY = "empty"
    BAD_LENGTH = "bad_length"
    BAD_CHARACTERS = "bad_characters"
    BAD_REGION = "bad_region"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    BAD_CHECKSUM = "bad_checksum"


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    normalized: str | None
    error: IdError | None
    birth_date: date | None
    sex: Literal["male", "female"] | None
    region_code: str | None


_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS: Final = "10X98765432"
_PROVINCES: Final[frozenset[str]] = frozenset(
    (
        *("11", "12", "13", "14", "15"),  # North
        *("21", "22", "23"),  # North-east
        *("31", "32", "33", "34", "35", "36", "37"),  # East
        *("41", "42", "43", "44", "45", "46"),  # Centre and South
        *("50", "51", "52", "53", "54"),  # South-west, 54 = Tibet
        *("61", "62", "63", "64", "65"),  # North-west
        *("71", "81", "82", "83"),  # Taiwan; HK, Macao, Taiwan residence permits
    )
)
_DIGITS: Final = frozenset("0123456789")
# Separators people type or paste between digit groups (after NFKC, so full-width forms are
# already ASCII): hyphen, Unicode dashes and the minus sign.
_SEPARATORS: Final = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Anything longer is not an ID number typed with some spaces; do not spend time normalising it.
_MAX_INPUT_LENGTH: Final = 100
_MIN_YEAR: Final = 1880


def _failure(error: IdError) -> IdCheck:
    return IdCheck(False, None, error, None, None, None)


def check_character(first17: str) -> str:
    """The GB 11643 check character for 17 ASCII digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _clean(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)  # full-width digits and Ｘ become ASCII
    return "".join(
        ch
        for ch in text
        # Cf: zero-width spaces and bidi marks that come along when a number is pasted.
        if not (ch.isspace() or ch in _SEPARATORS or unicodedata.category(ch) == "Cf")
    ).upper()


def _parse_date(yyyymmdd: str) -> date | None:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    if year < _MIN_YEAR:
        return None
    try:
        return date(year, month, day)  # rejects 29 February outside leap years
    except ValueError:
        return None


def check_id_number(value: str, *, today: date | None = None) -> IdCheck:
    """Validate and normalise an ID number; never raises."""
    if value is None:  # defensive: typed callers never pass it, a CSV reader might
        return _failure(IdError.EMPTY)
    if not isinstance(value, str):
        return _failure(IdError.BAD_CHARACTERS)
    stripped = value.strip()
    if len(stripped) > _MAX_INPUT_LENGTH:
        return _failure(IdError.BAD_LENGTH)
    number = _clean(stripped)
    if not number:
        return _failure(IdError.EMPTY)
    if any(ch not in _DIGITS and ch != "X" for ch in number):
        return _failure(IdError.BAD_CHARACTERS)
    if len(number) not in (15, 18):
        return _failure(IdError.BAD_LENGTH)
    if "X" in number[:-1] or (len(number) == 15 and "X" in number):
        return _failure(IdError.BAD_CHARACTERS)

    legacy = len(number) == 15
    first17 = number[:6] + "19" + number[6:] if legacy else number[:17]
    if first17[:2] not in _PROVINCES:
        return _failure(IdError.BAD_REGION)
    birth = _parse_date(first17[6:14])
    if birth is None:
        return _failure(IdError.BAD_DATE)
    if birth > (today if today is not None else date.today()):
        return _failure(IdError.FUTURE_DATE)
    check = check_character(first17)
    if not legacy and number[17] != check:
        return _failure(IdError.BAD_CHECKSUM)
    return IdCheck(
        ok=True,
        normalized=first17 + check,
        error=None,
        birth_date=birth,
        sex="male" if int(first17[16]) % 2 == 1 else "female",
        region_code=first17[:6],
    )


def mask_id_number(normalized: str) -> str:
    """Keep the region (first 6) and the last 4 characters for lists and printouts.

    Too short to hide anything once 10 characters are shown: mask everything instead.
    """
    if len(normalized) <= 10:
        return "*" * len(normalized)
    return normalized[:6] + "*" * (len(normalized) - 10) + normalized[-4:]
