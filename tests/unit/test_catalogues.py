"""The translation catalogues are complete, current and consistent (CI fails otherwise)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from station_desktop.i18n import (
    PAPER_LANGUAGES,
    Catalogues,
    PseudoTranslations,
    catalogue_dir,
    po_path,
)

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("bo", "zh_CN")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]|%[sd]")
LATIN_PUNCTUATION_IN_TIBETAN = re.compile(
    r"[\u0f00-\u0fff][.,:;?!。，：；？！]|[.,:;?!。，：；？！][\u0f00-\u0fff]"
)


def _catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language.split("_", maxsplit=1)[0])


def _messages(language: str) -> list[Message]:
    return [m for m in _catalog(language) if m.id]


def _texts(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_catalogues_are_found_where_the_package_looks() -> None:
    assert (catalogue_dir() / "station_desktop.pot").is_file()
    for language in ("bo", "zh_CN", "en"):
        assert po_path(language).is_file()


@pytest.mark.parametrize("language", TRANSLATED)
def test_nothing_is_untranslated_empty_or_fuzzy(language: str) -> None:
    problems = [
        m.id for m in _messages(language) if m.fuzzy or not all(t.strip() for t in _texts(m))
    ]
    assert problems == [], f"{len(problems)} untranslated in {language}: {problems[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_are_the_same_on_both_sides(language: str) -> None:
    wrong = []
    for message in _messages(language):
        expected = sorted(PLACEHOLDER.findall(_ids(message)[0]))
        for text in _texts(message):
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((message.id, text))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_plural_is_left_in_english(language: str) -> None:
    left = [
        m.id for m in _messages(language) if m.pluralizable and any(t in _ids(m) for t in _texts(m))
    ]
    assert left == []


def test_tibetan_keeps_tibetan_punctuation() -> None:
    bad = [
        (m.id, t)
        for m in _messages("bo")
        for t in _texts(m)
        if LATIN_PUNCTUATION_IN_TIBETAN.search(t)
    ]
    assert bad == []


# The same keywords as scripts/catalogues.sh.
KEYWORDS = {
    "N_": None,
    "NC_": ((1, "c"), 2),
    "_": None,
    "pgettext": ((1, "c"), 2),
    "ngettext": (1, 2),
}


def test_catalogues_list_every_message_of_the_sources() -> None:
    """A fresh extraction adds nothing: every message in the code is in the catalogues."""
    extracted = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / "station_desktop", method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }
    for language in ("bo", "zh_CN", "en"):
        known = {(m.context, _ids(m)[0]) for m in _messages(language)}
        missing = sorted(extracted - known, key=str)
        assert missing == [], f"run scripts/catalogues.sh update; {language} lacks {missing[:5]}"


def test_paper_gets_both_languages_in_one_call() -> None:
    bo, zh = Catalogues().both("Home visit record")
    assert zh == "入户探访记录表" or "探访" in zh
    assert any("\u0f00" <= ch <= "\u0fff" for ch in bo)
    assert PAPER_LANGUAGES == ("bo", "zh_CN")


def test_pseudo_translation_lengthens_and_keeps_placeholders() -> None:
    text = PseudoTranslations().gettext("Only {left} left of this donation.")
    assert "{left}" in text and len(text) > 1.3 * len("Only {left} left of this donation.")


def test_codes_in_messages_are_shown_as_labels_in_the_readers_language() -> None:
    from station_desktop.domain.codes import CaseStage
    from station_desktop.errors import BadTransition

    error = BadTransition(from_stage=CaseStage.INTAKE, to_stage=CaseStage.EVALUATION)
    assert error.english() == "A case cannot move from stage 'Intake' to 'Evaluation'."
    zh = Catalogues().translator("zh_CN").gettext(error.message, **error.params)
    assert "接案" in zh and "评估" in zh and "intake" not in zh
    bo = Catalogues().translator("bo").gettext(error.message, **error.params)
    assert "intake" not in bo and any("\u0f40" <= ch <= "\u0fbc" for ch in bo)
