"""Translation entry points.

Message ids are English. Code that defines messages marks them with `N_` (no-op at run time,
found by the extractor); the reader's language is applied where text is shown, with a
`Translator` that the composition root builds and passes along. No language is global state.

The gettext catalogues, Qt integration and locale formats are completed in the bilingual
interface work; this module is the one place every other module imports them from.
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

SUPPORTED_LANGUAGES: tuple[str, ...] = ("bo", "zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
DOMAIN = "station_desktop"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it now."""
    return message


class Translator:
    """Translates message ids into one language; falls back to the English id."""

    def __init__(self, language: str, catalogue_dir: Path | None = None) -> None:
        self.language = language
        self._translations: gettext.NullTranslations
        if catalogue_dir is not None and language != "en":
            self._translations = gettext.translation(
                DOMAIN, localedir=str(catalogue_dir), languages=[language], fallback=True
            )
        else:
            self._translations = gettext.NullTranslations()

    def gettext(self, message: str, **params: Any) -> str:
        text = self._translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def pgettext(self, context: str, message: str, **params: Any) -> str:
        text = self._translations.pgettext(context, message)
        return text.format(**params) if params else text
