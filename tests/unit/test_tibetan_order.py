"""Tibetan dictionary order: each syllable filed under its root letter."""

from __future__ import annotations

from station_desktop.domain.tibetan_order import root_letter, tibetan_sort_key


def test_root_letters() -> None:
    roots = {
        "བཀྲ": "ཀ",  # prefix ba, subscript ra
        "སྒྲོལ": "ག",  # superscript sa
        "བསྒྲུབས": "ག",  # prefix, superscript, subscript, suffixes
        "གཡང": "ཡ",  # prefix ga
        "དཔལ": "པ",
        "གནས": "ན",  # three letters, a prefix first
        "ལགས": "ལ",  # three letters, no prefix
        "དགའ": "ག",
        "ཚེ": "ཚ",  # the letter carrying the vowel
        "པདྨ": "པ",  # a stack later in a loanword leaves the root at the start
        "ལྷ": "ཧ",  # as ICU files it
    }
    assert {s: root_letter(s) for s in roots} == roots


def test_names_sort_by_root_not_by_code_point() -> None:
    names = ["སྒྲོལ་མ", "བཀྲ་ཤིས", "གཡང་ཅན", "ཀུན་བཟང", "ཁ་བ", "རྡོ་རྗེ", "དཔལ་ལྡན"]
    assert sorted(names, key=tibetan_sort_key) == [
        "ཀུན་བཟང",
        "བཀྲ་ཤིས",
        "ཁ་བ",
        "སྒྲོལ་མ",
        "རྡོ་རྗེ",
        "དཔལ་ལྡན",
        "གཡང་ཅན",
    ]
    # Under one root: the plain letter, suffixes before vowels, then subscribed, prefixed
    # and superscribed forms (the same order as ICU's bo collation).
    syllables = ["རྐང", "དཀར", "ཀ", "ཀྱང", "ཀི", "ཀག"]
    assert sorted(syllables, key=tibetan_sort_key) == ["ཀ", "ཀག", "ཀི", "ཀྱང", "དཀར", "རྐང"]
