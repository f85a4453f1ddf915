"""What every command-line module shares: the reader's language, and argument types that
refuse what cannot be used (text that is not UTF-8, numbers out of range, empty folder
names) as usage errors before any work. Never imports Qt."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from station_desktop.i18n import N_, Catalogues, Translator

MSG_NOT_TEXT = N_(
    "{value} is not valid text (the terminal may not be set to UTF-8). Type it again."
)
MSG_RANGE = N_("{option} must be a whole number from {low} to {high}.")
MSG_EMPTY_FOLDER = N_("{option} needs a folder name.")


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """Messages follow STATION_DESKTOP_LANG, else the usual LANGUAGE/LC_ALL/LANG; English
    when none names Tibetan or Chinese (scripts get stable English by default)."""
    env = os.environ if environ is None else environ
    for variable in ("STATION_DESKTOP_LANG", "LANGUAGE", "LC_ALL", "LANG"):
        value = env.get(variable, "")
        if value.startswith("bo"):
            return "bo"
        if value.startswith("zh"):
            return "zh_CN"
        if value:
            return "en"
    return "en"


def cli_translator() -> Translator:
    return Catalogues().translator(cli_language())


def text_argument(value: str) -> str:
    """Text from the command line. Bytes that are not UTF-8 arrive as lone surrogates
    (Python's surrogateescape): refuse them here rather than deep in the database."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
        raise argparse.ArgumentTypeError(
            cli_translator().gettext(MSG_NOT_TEXT, value=shown)
        ) from None
    return value


def path_argument(value: str) -> Path:
    return Path(text_argument(value))


def folder_argument(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(
            cli_translator().gettext(MSG_EMPTY_FOLDER, option="--data-dir")
        )
    return text_argument(value)


def bounded(option: str, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(
                cli_translator().gettext(MSG_RANGE, option=option, low=low, high=high)
            )
        return number

    return parse
