"""Clean and check a form's values against its spec, field by field.

Accepts what a screen or a script hands in (strings as typed, or already typed values) and
returns typed, normalised values plus one `FieldError` per problem. It never raises on bad
input: the service decides to refuse the save and the screen shows each message beside its
field. Rules that involve several fields or the database live in the services.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from station_desktop.domain.idcard import IdError, check_id_number
from station_desktop.domain.phone import PhoneError, check_phone
from station_desktop.domain.text import has_unstorable, normalize_text
from station_desktop.errors import FieldError
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec
from station_desktop.i18n import N_

DEFAULT_TEXT_LENGTH = 200
DEFAULT_MULTILINE_LENGTH = 20_000
# Plausible dates: nobody now living was born before 1900, and no plan runs past 2100.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# Larger than any amount a station hands out or receives (ten billion yuan), and small
# enough that the fen fit a 64-bit integer.
MAX_MONEY_YUAN = Decimal(10) ** 10

MSG_REQUIRED = N_("This field is required.")
MSG_TOO_LONG = N_("Too long: at most {limit} characters, this has {length}.")
MSG_UNSTORABLE = N_("Contains characters that cannot be stored. Please retype this field.")
MSG_BAD_DATE = N_("Not a date. Type it like {example}.")
MSG_DATE_FUTURE = N_("This date is in the future.")
MSG_DATE_TOO_EARLY = N_("This date is too early: type a date from {earliest} on.")
MSG_DATE_TOO_LATE = N_("This date is too far ahead: type a date up to {latest}.")
MSG_BAD_CODE = N_("Choose one of the listed options.")
MSG_NOT_NUMBER = N_("Type a whole number.")
MSG_TOO_SMALL = N_("Must be at least {limit}.")
MSG_TOO_LARGE = N_("Must be at most {limit}.")
MSG_BAD_MONEY = N_("Type an amount in yuan, like {example}.")
MSG_BAD_REFERENCE = N_("Choose a person from the list.")

ID_MESSAGES: dict[IdError, str] = {
    IdError.EMPTY: MSG_REQUIRED,
    IdError.BAD_LENGTH: N_("An ID card number has 18 characters (or 15 on old cards)."),
    IdError.BAD_CHARACTERS: N_("An ID card number has only digits and possibly a final {letter}."),
    IdError.BAD_REGION: N_("The first digits of this ID card number are not a known region."),
    IdError.BAD_DATE: N_("The birth date inside this ID card number does not exist."),
    IdError.FUTURE_DATE: N_("The birth date inside this ID card number is in the future."),
    IdError.BAD_CHECKSUM: N_("This ID card number has a typing error (the check digit is wrong)."),
}

PHONE_MESSAGES: dict[PhoneError, str] = {
    PhoneError.BAD_CHARACTERS: N_("A phone number has only digits, spaces and hyphens."),
    PhoneError.BAD_LENGTH: N_("A mobile number has 11 digits; a landline needs its area code."),
    PhoneError.BAD_PREFIX: N_("This is not a mainland mobile or landline number."),
}

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    # Tibet Daily style: 2024ལོའི་ཟླ་5ཚེས་30ཉིན
    re.compile(r"^(\d{4})\s*ལོའི་\s*ཟླ་\s*(\d{1,2})\s*ཚེས་\s*(\d{1,2})\s*(?:ཉིན)?།?$"),
)
_TIBETAN_DIGITS = str.maketrans("༠༡༢༣༤༥༦༧༨༩", "0123456789")


def parse_date(text: str) -> date | None:
    """A date as people type it: 2024-05-30, 2024/5/30, 2024年5月30日, 20240530, or the
    Tibetan newspaper style; Tibetan and full-width digits accepted. None if not a date."""
    cleaned = unicodedata.normalize("NFKC", normalize_text(text)).translate(_TIBETAN_DIGITS)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return _english_date(cleaned)


_ENGLISH_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ENGLISH_DATE = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})$")


def _english_date(text: str) -> date | None:
    """The English form the screen shows (May 30, 2024), so a shown date can be typed back.
    Month names are matched here, not with strptime, which follows the system locale."""
    match = _ENGLISH_DATE.match(text)
    month = _ENGLISH_MONTHS.get(match.group(1).lower()) if match else None
    if match is None or month is None:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None


def parse_money_fen(value: Any) -> int | None:
    """An amount in yuan (as typed, `12.5`, `¥1,200`, or a number) to integer fen; None if
    it is not an amount. Money fields always take yuan: the fen are for storage only."""
    if isinstance(value, bool):
        return None
    text = str(value).strip().replace("¥", "").replace("￥", "").replace(",", "").replace("元", "")
    try:
        amount = Decimal(text)
        if not amount.is_finite() or amount < 0 or amount > MAX_MONEY_YUAN:
            return None
        if amount != amount.quantize(Decimal("0.01")):
            return None
    except (InvalidOperation, ValueError):  # "1e400" cannot even be rounded to fen
        return None
    return int(amount * 100)


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    def error(self, key: str, message: str, **params: Any) -> None:
        self.errors.append(FieldError(key, message, params))

    @property
    def ok(self) -> bool:
        return not self.errors


_BLANK_VALUES: dict[FieldKind, Any] = {
    FieldKind.TEXT: "",
    FieldKind.MULTILINE: "",
    FieldKind.CODES: [],
    FieldKind.STAFF_LIST: [],
}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], ())


def clean_field(spec: FieldSpec, raw: Any, out: Cleaned, *, today: date) -> None:
    key = spec.key
    if _is_blank(raw):
        if spec.required:
            out.error(key, MSG_REQUIRED)
        out.values[key] = spec.default if spec.default is not None else _BLANK_VALUES.get(spec.kind)
        return
    cleaner = _CLEANERS[spec.kind]
    cleaner(spec, raw, out, today)


def _clean_text(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    multiline = spec.kind is FieldKind.MULTILINE
    text = normalize_text(str(raw), multiline=multiline)
    limit = spec.max_length or (DEFAULT_MULTILINE_LENGTH if multiline else DEFAULT_TEXT_LENGTH)
    if has_unstorable(text):
        out.error(spec.key, MSG_UNSTORABLE)
    elif len(text) > limit:
        out.error(spec.key, MSG_TOO_LONG, limit=limit, length=len(text))
    elif not text and spec.required:
        out.error(spec.key, MSG_REQUIRED)
    out.values[spec.key] = text


def as_date(raw: Any) -> date | None:
    """A date from what a screen or a script hands in: a date, a datetime (its day) or
    text as people type it. None if it is none of these."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    return parse_date(str(raw))


def _clean_date(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    value = as_date(raw)
    if value is None:
        out.error(spec.key, MSG_BAD_DATE, example="2024-05-30")
    elif value < EARLIEST_DATE:
        out.error(spec.key, MSG_DATE_TOO_EARLY, earliest=EARLIEST_DATE.isoformat())
    elif spec.not_future and value > today:
        out.error(spec.key, MSG_DATE_FUTURE)
    elif value > LATEST_DATE:
        out.error(spec.key, MSG_DATE_TOO_LATE, latest=LATEST_DATE.isoformat())
    out.values[spec.key] = value


def _code_value(spec: FieldSpec, raw: Any) -> str | None:
    assert spec.codes is not None, f"field {spec.key} needs codes"
    text = str(raw.value if hasattr(raw, "value") else raw).strip()
    return text if text in spec.codes.codes() else None


def _clean_code(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    value = _code_value(spec, raw)
    if value is None:
        out.error(spec.key, MSG_BAD_CODE)
    out.values[spec.key] = value


def _items(raw: Any) -> list[Any]:
    """The items of a multiple choice: a list as given, anything else as one item."""
    return list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else [raw]


def _clean_codes(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    values = [_code_value(spec, item) for item in _items(raw)]
    if any(v is None for v in values):
        out.error(spec.key, MSG_BAD_CODE)
    out.values[spec.key] = list(dict.fromkeys(v for v in values if v is not None))


def _clean_integer(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    try:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else int(str(raw).strip())
    except ValueError:
        out.error(spec.key, MSG_NOT_NUMBER)
        out.values[spec.key] = None
        return
    if spec.min_value is not None and value < spec.min_value:
        out.error(spec.key, MSG_TOO_SMALL, limit=spec.min_value)
    if spec.max_value is not None and value > spec.max_value:
        out.error(spec.key, MSG_TOO_LARGE, limit=spec.max_value)
    out.values[spec.key] = value


def _clean_money(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    fen = parse_money_fen(raw)
    if fen is None:
        out.error(spec.key, MSG_BAD_MONEY, example="12.50")
    elif spec.max_value is not None and fen > spec.max_value * 100:
        out.error(spec.key, MSG_TOO_LARGE, limit=spec.max_value)
    out.values[spec.key] = fen


def _clean_boolean(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    out.values[spec.key] = (
        raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes"}
    )


def as_uuid(raw: Any) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw).strip())
    except ValueError:
        return None


def _clean_reference(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    value = as_uuid(raw)
    if value is None:
        out.error(spec.key, MSG_BAD_REFERENCE)
    out.values[spec.key] = value


def _clean_reference_list(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    values = [as_uuid(item) for item in _items(raw)]
    if any(v is None for v in values):
        out.error(spec.key, MSG_BAD_REFERENCE)
    out.values[spec.key] = list(dict.fromkeys(v for v in values if v is not None))


def _clean_rating(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    _clean_code(spec, raw, out, today)
    if out.values[spec.key] is not None:
        out.values[spec.key] = int(out.values[spec.key])


def _clean_id_number(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    result = check_id_number(str(raw), today=today)
    if not result.ok:
        assert result.error is not None
        # The only parameter an ID message has: the check letter, the same in every script.
        out.error(spec.key, ID_MESSAGES[result.error], letter="X")
        out.values[spec.key] = normalize_text(str(raw))
        return
    out.values[spec.key] = result.normalized


def _clean_phone(spec: FieldSpec, raw: Any, out: Cleaned, today: date) -> None:
    del today
    result = check_phone(str(raw))
    if not result.ok:
        assert result.error is not None
        out.error(spec.key, PHONE_MESSAGES[result.error])
        out.values[spec.key] = normalize_text(str(raw))
        return
    out.values[spec.key] = result.normalized


_CLEANERS = {
    FieldKind.TEXT: _clean_text,
    FieldKind.MULTILINE: _clean_text,
    FieldKind.DATE: _clean_date,
    FieldKind.CODE: _clean_code,
    FieldKind.CODES: _clean_codes,
    FieldKind.INTEGER: _clean_integer,
    FieldKind.MONEY: _clean_money,
    FieldKind.BOOLEAN: _clean_boolean,
    FieldKind.RESIDENT: _clean_reference,
    FieldKind.REFERENCE: _clean_reference,
    FieldKind.STAFF: _clean_reference,
    FieldKind.STAFF_LIST: _clean_reference_list,
    FieldKind.RATING: _clean_rating,
    FieldKind.ID_NUMBER: _clean_id_number,
    FieldKind.PHONE: _clean_phone,
}


def clean_form(
    spec: FormSpec, raw: Mapping[str, Any], *, today: date, only_given: bool = False
) -> Cleaned:
    """Clean every field of `spec` (or, with `only_given`, the fields present in `raw`,
    for partial updates). Keys that are not fields of the form are errors, not ignored."""
    out = Cleaned()
    for key in raw:
        if key not in spec.keys:
            out.error(key, N_("Unknown field."))
    for field_spec in spec.fields():
        if only_given and field_spec.key not in raw:
            continue
        clean_field(field_spec, raw.get(field_spec.key), out, today=today)
    return out
