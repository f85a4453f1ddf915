"""Translation: the one module every other module imports `_`, `ngettext`, `pgettext` and
the no-op markers `N_` / `NC_` from (nothing is installed into builtins).

Message ids are English. The core (domain, forms, services) only *marks* messages (`N_`)
and never translates: the reader's language is applied where text is shown. The screen has
one interface language, activated by the composition root (`activate`); paper needs two at
once, which `Catalogues.both` gives independently of the interface language.

Catalogues are the `.po` files under `i18n/` (exposed as the package
`station_desktop.catalogues`), read with Babel when first needed: there is no compile step,
so a source checkout and an installed wheel behave the same.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SUPPORTED_LANGUAGES: tuple[str, ...] = ("bo", "zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
PAPER_LANGUAGES: tuple[str, str] = ("bo", "zh_CN")
DOMAIN = "station_desktop"
PSEUDO_LANGUAGE = "pseudo"  # lengthened English, for finding clipped layouts


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction without translating it now."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802 - gettext marker convention
    """Mark a message with a context (for short, ambiguous labels); translate it later with
    `pgettext(context, message)`."""
    del context
    return message


@dataclass(frozen=True)
class Label:
    """A message id passed as a parameter of another message ("The {kind} was not found"):
    translated with it, like the label of a code."""

    label: str

    def __str__(self) -> str:
        return self.label


def _localised(translate: Callable[[str], str], params: dict[str, Any]) -> dict[str, Any]:
    # Codes (which carry an untranslated `label`) and Labels are shown in the reader's
    # language, never as raw codes such as "intake".
    return {
        name: translate(value.label) if isinstance(getattr(value, "label", None), str) else value
        for name, value in params.items()
    }


def language_label(language: str) -> str:
    """A language's own name, as shown in the language menu (never translated)."""
    return {"bo": "བོད་ཡིག", "zh_CN": "中文", "en": "English", PSEUDO_LANGUAGE: "Pseudo"}[language]


def catalogue_dir() -> Path:
    """Where the `.po` files are: the package data folder (wheel or editable install),
    else `i18n/` beside the package (a source checkout on the path)."""
    try:
        folder = Path(str(resources.files("station_desktop.catalogues")))
        if folder.is_dir():
            return folder
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[1] / "i18n"


def po_path(language: str, folder: Path | None = None) -> Path:
    return (folder or catalogue_dir()) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(language: str, folder: Path | None = None) -> gettext.NullTranslations:
    """The language's catalogue as gettext translations (English ids when there is none)."""
    if language == PSEUDO_LANGUAGE:
        return PseudoTranslations()
    path = po_path(language, folder)
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # noqa: PLC0415 - only when a catalogue loads
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.replace("_", "-").split("-")[0])
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class PseudoTranslations(gettext.NullTranslations):
    """Every message about 40% longer and bracketed, keeping `{placeholders}` intact: a
    layout that survives this survives Tibetan, which runs long."""

    @staticmethod
    def stretch(message: str) -> str:
        if not message:
            return message
        padding = "~" * max(2, (len(message) * 2) // 5)
        return f"[{message}{padding}]"

    def gettext(self, message: str) -> str:
        return self.stretch(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.stretch(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.stretch(message)


class Translator:
    """Translates message ids into one language; falls back to the English id."""

    def __init__(self, language: str, translations: gettext.NullTranslations | None = None):
        self.language = language
        self._translations = translations or load_translations(language)

    def gettext(self, message: str, **params: Any) -> str:
        text = self._translations.gettext(message)
        return text.format(**self._params(params)) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **self._params(params))

    def pgettext(self, context: str, message: str, **params: Any) -> str:
        text = self._translations.pgettext(context, message)
        return text.format(**self._params(params)) if params else text

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return _localised(self._translations.gettext, params)

    def has(self, message: str, context: str | None = None) -> bool:
        """Whether the catalogue has a translation (not the English id) for this message."""
        found = (
            self._translations.pgettext(context, message)
            if context
            else self._translations.gettext(message)
        )
        return found != message or self.language == "en"


class Catalogues:
    """Translators per language, each loaded once."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._translators: dict[str, Translator] = {}

    def translator(self, language: str) -> Translator:
        if language not in self._translators:
            self._translators[language] = Translator(
                language, load_translations(language, self._folder)
            )
        return self._translators[language]

    def both(self, message: str, **params: Any) -> tuple[str, str]:
        """The message in Tibetan and in Chinese at once, for bilingual paper."""
        bo, zh = (self.translator(lang).gettext(message, **params) for lang in PAPER_LANGUAGES)
        return bo, zh


@dataclass
class _Active:
    """The interface language of the screen. Set by the composition root only."""

    translator: Translator


# The one piece of module state in the package: `_` must work in any widget without a
# translator being threaded through every constructor. Only presentation code calls `_`.
_active = _Active(Translator("en", gettext.NullTranslations()))


def activate(translator: Translator) -> None:
    """Make `translator` the interface language for `_` and friends."""
    _active.translator = translator


def active_language() -> str:
    return _active.translator.language


def _(message: str, **params: Any) -> str:
    """Translate into the interface language (`{name}` placeholders filled from params)."""
    return _active.translator.gettext(message, **params)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    return _active.translator.ngettext(singular, plural, n, **params)


def pgettext(context: str, message: str, **params: Any) -> str:
    return _active.translator.pgettext(context, message, **params)
