"""Sorting names as readers expect: Tibetan in dictionary order (root letter first, not
code points), Chinese in pinyin order. QCollator uses ICU's rules for both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QCollator, QLocale

RowT = TypeVar("RowT")


def collator(language: str) -> QCollator:
    # ICU: bo orders by root letter (བཀྲ་ཤིས under ཀ); zh_CN's default collation is pinyin.
    return QCollator(QLocale("bo_CN" if language == "bo" else "zh_CN"))


class NameSorter:
    """Sorts people by the name in the reader's script first, the other one next."""

    def __init__(self, language: Callable[[], str]) -> None:
        self._language = language

    def sort_names(self, names: Sequence[str], language: str) -> list[str]:
        return sorted(names, key=collator(language).sortKey)

    def sort_people(
        self, rows: Sequence[RowT], name_bo: str = "name_bo", name_zh: str = "name_zh"
    ) -> list[RowT]:
        bo_key = collator("bo").sortKey
        zh_key = collator("zh_CN").sortKey
        tibetan_first = self._language() == "bo"

        def key(row: RowT) -> tuple[bool, object, bool, object]:
            bo = str(row[name_bo] or "")  # type: ignore[index]
            zh = str(row[name_zh] or "")  # type: ignore[index]
            if tibetan_first:
                return (not bo, bo_key(bo), not zh, zh_key(zh))
            return (not zh, zh_key(zh), not bo, bo_key(bo))

        return sorted(rows, key=key)
