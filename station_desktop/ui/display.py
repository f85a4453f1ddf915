"""Small display helpers the screens share: codes as labels, people by both names."""

from __future__ import annotations

from station_desktop.domain.codes import Code
from station_desktop.i18n import _, active_language


def code_text(codes: type[Code], value: str | None) -> str:
    """A stored code's label in the interface language; a code this version does not know
    (written by a newer one) is shown as stored rather than hidden."""
    if not value:
        return ""
    try:
        return _(codes.parse(value).label)
    except ValueError:
        return value


def names_reader_first(name_bo: str, name_zh: str, language: str | None = None) -> str:
    """Both names, the reader's script first (the interface language unless given)."""
    bo_first = (language or active_language()) == "bo"
    first, second = (name_bo, name_zh) if bo_first else (name_zh, name_bo)
    return " ".join(name for name in (first, second) if name)


def reader_name(name_bo: str, name_zh: str, language: str | None = None) -> str:
    """One name, in the reader's script when it is known (a place or person whose Tibetan
    name is not known yet is shown in Chinese)."""
    if (language or active_language()) == "bo":
        return name_bo or name_zh
    return name_zh or name_bo
