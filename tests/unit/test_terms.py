"""One Tibetan word per concept on the buttons and menus (issue 11, Wording).

The concepts below must stay apart: a reader who sees the same word on Undo and on
Withdraw…, or Cancel inside Discard, cannot tell what a button will do. Each concept has
one Tibetan form, chosen from `../shared/glossary/ui-terms-attested.tsv` (the form most
sources use; see i18n/README.md), and every catalogue entry whose English is exactly one
of its labels must use that form. How buttons of one dialog stay apart on screen is
checked in tests/gui/test_button_texts.py."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from station_desktop.i18n import po_path

# concept: (its Tibetan form, the English labels that name it in the catalogue)
CONCEPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Undo": ("མི་བྱེད", ("&Undo",)),
    "Redo": ("བསྐྱར་བཟོ", ("&Redo",)),
    # "withdraw" is the action a refusal names (services.access): the same concept.
    "Withdraw": ("ཕྱིར་འཐེན", ("Withdraw…", "withdraw")),
    "Cancel": ("འདོར་བ", ("Cancel",)),
    "Discard": ("མི་ཉར", ("Discard", "Don't Save")),
    "Save": ("ཉར་ཚགས", ("Save", "&Save")),
    "Delete": ("སུབ་པ", ("Delete",)),
    "Close": ("ཁ་རྒྱག", ("Close",)),
    "Quit": ("ཕྱིར་འཐོན", ("Quit",)),
    "Back": ("ཕྱིར་ལོག", ("Back",)),
    "Next": ("རྗེས་མ", ("Next",)),
    "OK": ("གཏན་འཁེལ", ("OK",)),
    "Yes": ("ཡིན", ("&Yes", "Yes")),
    "No": ("མིན", ("&No", "No")),
    "Open": ("ཁ་འབྱེད", ("Open", "&Open")),
    "Print": ("པར་འདེབས", ("Print", "&Print", "Print…", "&Print…")),
    "Restore": ("སླར་གསོ", ("Restore…", "Bring it back", "restore")),
    "Restore defaults": ("སོར་བཞག་སོར་ཆུད", ("Restore Defaults", "Restore the usual values")),
    "Reset": ("བསྐྱར་སྒྲིག", ("Reset",)),
    "Retry": ("ཡང་བསྐྱར་བྱེད", ("Retry",)),
    "Abort": ("དཀྱིལ་མཚམས་འཇོག", ("Abort",)),
    "Ignore": ("སྣང་མེད", ("Ignore",)),
    "Apply": ("བཟོ་བཅོས་གོ་ཆོད", ("Apply",)),
    "Help": ("རོགས་རམ", ("Help",)),
    "Details": ("ཆ་འཕྲིན་ཞིབ་ཕྲ", ("Details",)),
    "New": ("གསར་བཟོ", ("&New",)),
    "Copy": ("པར་སློག", ("&Copy",)),
    "Cut": ("དྲས་གཏུབ", ("Cu&t",)),
    "Paste": ("སྦྱར་བ", ("&Paste",)),
    "Select all": ("ཡོངས་འདེམས", ("Select All", "Select all")),
}

ACCELERATOR = re.compile(r"\(&.\)|&(?=\S)")
TSHEG, SHAD = "\u0f0b", "\u0f0d"


def label_text(text: str) -> str:
    """A label as read: without its shortcut letter, ellipsis, final tsheg or shad."""
    return ACCELERATOR.sub("", text).replace("…", "").strip().rstrip(TSHEG + SHAD + " ")


def syllables(text: str) -> list[str]:
    return [s for s in re.split(f"[{TSHEG}{SHAD}\\s]+", text) if s]


def reads_inside(shorter: str, longer: str) -> bool:
    """`shorter` is `longer` with words left off (Cancel འདོར་བ in བཟོ་བཅོས་འདོར་བ)."""
    inner, outer = syllables(shorter), syllables(longer)
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def clashes(forms: dict[str, str]) -> list[str]:
    """Pairs of concepts whose forms are alike, or one inside the other."""
    found = []
    names = sorted(forms)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = forms[first], forms[second]
            if reads_inside(a, b) or reads_inside(b, a):
                found.append(f"{first} {a} / {second} {b}")
    return found


def _tibetan() -> list[Message]:
    with po_path("bo").open("rb") as handle:
        return [m for m in read_po(handle, locale="bo") if m.id and isinstance(m.id, str)]


def _entries(messages: Iterable[Message], label: str) -> list[Message]:
    return [m for m in messages if m.id == label]


def test_no_two_concepts_share_or_contain_one_tibetan_form() -> None:
    assert clashes({name: form for name, (form, _labels) in CONCEPTS.items()}) == []


def test_the_check_sees_the_old_discard_and_cancel() -> None:
    """Negative control: the catalogue once had Discard བཟོ་བཅོས་འདོར་བ beside Cancel
    འདོར་བ, and Undo and Withdraw both ཕྱིར་འཐེན."""
    assert clashes({"Cancel": "འདོར་བ", "Discard": "བཟོ་བཅོས་འདོར་བ"}) != []
    assert clashes({"Undo": "ཕྱིར་འཐེན", "Withdraw": "ཕྱིར་འཐེན"}) != []
    assert clashes({"Cancel": "འདོར་བ", "Discard": "མི་ཉར"}) == []
    assert label_text("མི་བྱེད(&U)") == "མི་བྱེད"
    assert label_text("ཕྱིར་འཐེན…") == "ཕྱིར་འཐེན"


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_every_label_of_a_concept_uses_its_form(concept: str) -> None:
    form, labels = CONCEPTS[concept]
    messages = _tibetan()
    found = [m for label in labels for m in _entries(messages, label)]
    assert found, f"no catalogue entry is labelled {labels}: the table is out of date"
    wrong = [(m.context, m.id, m.string) for m in found if label_text(str(m.string)) != form]
    assert wrong == [], f"{concept} is {form} everywhere"


def test_no_other_label_borrows_a_concepts_form() -> None:
    """A label that reads exactly like a concept's form names that concept: listed with it
    in the table, or worded apart."""
    owners = {form: (concept, labels) for concept, (form, labels) in CONCEPTS.items()}
    borrowed = []
    for message in _tibetan():
        owner = owners.get(label_text(str(message.string)))
        if owner is not None and message.id not in owner[1]:
            borrowed.append((message.id, message.string, owner[0]))
    assert borrowed == []
