"""Dates, numbers and money in each language; dates typed as people type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.formats import LocaleFormats
from station_desktop.forms.validate import parse_date, parse_money_fen

DAY = date(2024, 5, 30)


def _formats(language: str, tibetan_digits: bool = False) -> LocaleFormats:
    return LocaleFormats(lambda: language, lambda: tibetan_digits)


def test_dates_in_each_language() -> None:
    assert _formats("zh_CN").date(DAY) == "2024年5月30日"
    assert _formats("bo").date(DAY) == "2024ལོའི་ཟླ་5ཚེས་30ཉིན"
    assert _formats("bo", tibetan_digits=True).date(DAY) == "༢༠༢༤ལོའི་ཟླ་༥ཚེས་༣༠ཉིན"
    assert _formats("en").date(DAY) == "May 30, 2024"


def test_money_is_yuan_with_the_yuan_sign() -> None:
    for language in ("zh_CN", "bo", "en"):
        assert _formats(language).money(123450) == "¥1,234.50"
    assert _formats("bo", tibetan_digits=True).money(1020000) == "¥༡༠,༢༠༠.༠༠"


def test_numbers() -> None:
    assert _formats("zh_CN").number(10200) == "10,200"


@pytest.mark.parametrize(
    "typed",
    [
        "2024-05-30",
        "2024/5/30",
        "2024.5.30",
        "2024年5月30日",
        "2024年5月30",
        "20240530",
        "２０２４－０５－３０",
        "2024ལོའི་ཟླ་5ཚེས་30ཉིན",
        "༢༠༢༤ལོའི་ཟླ་༥ཚེས་༣༠ཉིན",
        " 2024-5-30 ",
    ],
)
def test_dates_are_read_as_people_type_them(typed: str) -> None:
    assert parse_date(typed) == DAY


@pytest.mark.parametrize("typed", ["2023-02-29", "2024-13-01", "30/05/2024", "yesterday", ""])
def test_impossible_or_ambiguous_dates_are_refused(typed: str) -> None:
    assert parse_date(typed) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_shown_date_reads_back(day: date) -> None:
    for language, digits in (("zh_CN", False), ("bo", False), ("bo", True), ("en", False)):
        assert parse_date(_formats(language, digits).date(day)) == day


@pytest.mark.parametrize(
    ("typed", "fen"), [("12.5", 1250), ("¥1,200", 120000), ("0", 0), (25, 2500), ("3元", 300)]
)
def test_money_as_typed(typed: object, fen: int) -> None:
    assert parse_money_fen(typed) == fen


@pytest.mark.parametrize("typed", ["1.234", "-5", "abc", "NaN", True])
def test_money_refused(typed: object) -> None:
    assert parse_money_fen(typed) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_chinese_and_english_dates_are_cldrs_own_forms(day: date) -> None:
    """Written without Babel (its locale data slowed the start), the same as Babel's."""
    from babel.dates import format_date

    assert _formats("zh_CN").date(day) == format_date(day, "long", locale="zh_Hans_CN")
    assert _formats("en").date(day) == format_date(day, "medium", locale="en")
