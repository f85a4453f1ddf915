"""Dates, numbers and money in the reader's language (Babel), for screen and paper.

Chinese dates read 2024年5月30日; Tibetan dates follow the Tibet Daily
(2024ལོའི་ཟླ་5ཚེས་30ཉིན) rather than Babel's medium pattern, which mixes Tibetan and
Latin digits. Tibetan digits (༢༠༢༤) are an option of the reader, not the default.
Money is stored in fen and shown as yuan with the ¥ sign in every language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

BABEL_LOCALES = {"bo": "bo", "zh_CN": "zh_Hans_CN", "en": "en", "pseudo": "en"}
_TIBETAN_DIGITS = str.maketrans("0123456789", "༠༡༢༣༤༥༦༧༨༩")


def tibet_daily_date(day: date) -> str:
    return f"{day.year}ལོའི་ཟླ་{day.month}ཚེས་{day.day}ཉིན"


ENGLISH_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def _date_text(day: date, language: str) -> str:
    """A date in a language's words: CLDR's long Chinese form (2024年5月30日) and medium
    English form (May 30, 2024), written here rather than asked of Babel, whose locale
    data alone took a tenth of a second at start-up (a test checks they agree)."""
    if language == "bo":
        return tibet_daily_date(day)
    if language == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"


class LocaleFormats:
    """Formats for the current reader; `language` is asked each time, so one object follows
    live language switches."""

    def __init__(
        self,
        language: Callable[[], str],
        tibetan_digits: Callable[[], bool] = lambda: False,
    ) -> None:
        self._language = language
        self._tibetan_digits = tibetan_digits

    @classmethod
    def fixed(cls, language: str) -> LocaleFormats:
        """Formats for one language that never changes (paper, spreadsheets)."""
        return cls(lambda: language)

    @property
    def language(self) -> str:
        return self._language()

    def _digits(self, text: str) -> str:
        if self.language == "bo" and self._tibetan_digits():
            return text.translate(_TIBETAN_DIGITS)
        return text

    def date(self, day: date) -> str:
        return self._digits(_date_text(day, self.language))

    def date_text(self, iso: str) -> str:
        """An ISO date string (as in listings) formatted; anything else is shown as is."""
        try:
            return self.date(date.fromisoformat(iso[:10]))
        except ValueError:
            return iso

    def number(self, value: int | float | Decimal) -> str:
        locale = BABEL_LOCALES.get(self.language, "en")
        return self._digits(format_decimal(value, locale=locale))

    def money(self, fen: int) -> str:
        yuan = Decimal(fen) / 100
        # One form in every language: ¥1,234.50 (Babel's English default is CN¥).
        text = format_currency(yuan, "CNY", format="¤#,##0.00", locale="zh_Hans_CN")
        return self._digits(text)
