"""Search keys for names, so a person is found whatever script the searcher types.

From a Tibetan name we derive its normalised syllables, its Wylie transliteration (pyewts)
and a common phonetic spelling (bophono's KVP scheme: བཀྲ་ཤིས་ → tashi); from a Chinese
name its characters, pinyin (pypinyin, with heteronyms) and pinyin initials. Latin keys are
folded (lower case, no diacritics, letters and digits only) and stored without spaces, so
`bkra shis`, `Bkrashis` and `bkra-shis` all match. ID and phone numbers are digit keys.

Keys are split into *full* keys (the whole name in one form) and *token* keys (syllables,
name parts), which lets ranking put exact and whole-name matches before partial ones.
"""

from __future__ import annotations

import itertools
import logging
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from types import ModuleType
from typing import Any

from station_desktop.domain.text import (
    fold_latin,
    is_han_char,
    is_tibetan_char,
    normalize_text,
    tibetan_syllables,
)
from station_desktop.domain.tibetan_order import tibetan_sort_key

_log = logging.getLogger(__name__)

TSHEG = "\u0f0b"
KEY_SEPARATOR = "\n"
SECTION_SEPARATOR = "\n\t\n"
MAX_PINYIN_READINGS = 8
SOUNDALIKE_MARK = "~"
NO_NAME_MARK = "~"
# Popular English spellings that differ from bophono's rendering by more than voicing or
# aspiration; applied to queries (Pema finds padma). Extend as users report names.
SPELLING_ALIASES = {"pema": "padma", "lobsang": "lozang", "migmar": "mimar", "dolma": "drolma"}
_SOUND_STEPS = (
    ("tsh", "ts"),
    ("dz", "z"),
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("oe", "o"),
    ("ue", "u"),
    ("ng", "N"),
    ("ny", "n"),
    ("b", "p"),
    ("d", "t"),
    ("g", "k"),
    ("z", "s"),
    ("v", "w"),
)
_AFTER_CONSONANT_H = re.compile(r"(?<=[ptkmnlrswyjN])h(?!$)")
_REPEATS = re.compile(r"(.)\1+")
_NAME_PART_SPLIT = re.compile(r"[\s·•・.\-]+")


def soundalike(folded: str) -> str:
    """A coarse sound key for Latin spellings of Tibetan names: Thubten, Tubten and Thupten
    agree, as do Samdrup/samtrub and Lhakpa/lhagpa (voicing and aspiration folded away)."""
    text = folded
    for old, new in _SOUND_STEPS:
        text = text.replace(old, new)
    text = _AFTER_CONSONANT_H.sub("", text)
    return _REPEATS.sub(r"\1", text)


def _soundalike_key(folded: str) -> str:
    return SOUNDALIKE_MARK + soundalike(folded) if folded else ""


class MatchRank(IntEnum):
    """How well a query term matched; higher is better."""

    NONE = 0
    INSIDE = 30  # somewhere inside a key
    TOKEN_PREFIX = 50  # start of a syllable or name part
    TOKEN = 70  # a whole syllable or name part
    PREFIX = 80  # start of the whole name
    EXACT = 100  # the whole name


@dataclass(frozen=True)
class NameKeys:
    full: tuple[str, ...]
    tokens: tuple[str, ...]
    # Tails of the name from a syllable or character on: indexed for prefix lookups, but
    # not encoded (each is a substring of a full key, so a scan inside names finds them).
    tails: tuple[str, ...] = ()

    def encode(self) -> str:
        """One string for the search table: full keys, a section mark, token keys."""
        return (
            KEY_SEPARATOR
            + KEY_SEPARATOR.join(self.full)
            + SECTION_SEPARATOR
            + KEY_SEPARATOR.join(self.tokens)
            + KEY_SEPARATOR
        )

    @classmethod
    def decode(cls, encoded: str) -> NameKeys:
        full, _, tokens = encoded.partition(SECTION_SEPARATOR)
        return cls(
            tuple(k for k in full.split(KEY_SEPARATOR) if k),
            tuple(k for k in tokens.split(KEY_SEPARATOR) if k),
        )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def tibetan_key(text: str) -> str:
    """Syllables joined by single tshegs, without a final tsheg or shad."""
    return TSHEG.join(tibetan_syllables(text))


def han_key(text: str) -> str:
    return "".join(ch for ch in text if is_han_char(ch))


def digit_key(text: str) -> str:
    return "".join(ch for ch in normalize_text(text).upper() if ch.isdigit() or ch == "X")


def split_scripts(name: str) -> tuple[str, str]:
    """The Tibetan part of a name field and the rest (Chinese, Latin), each with its
    pieces separated by spaces: "次仁 ཚེ་རིང" → ("ཚེ་རིང", "次仁")."""
    tibetan: list[str] = []
    other: list[str] = []
    for is_tibetan, chars in itertools.groupby(name, key=is_tibetan_char):
        piece = "".join(chars).strip()
        if piece:
            (tibetan if is_tibetan else other).append(piece)
    return " ".join(tibetan), " ".join(other)


KeyGroups = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
MEMO_LIMIT = 50_000


def _memoised(
    memo: dict[str, KeyGroups], name: str, compute: Callable[[str], KeyGroups]
) -> KeyGroups:
    found = memo.get(name)
    if found is None:
        if len(memo) >= MEMO_LIMIT:  # bounded: a long session must not grow without end
            memo.clear()
        found = memo[name] = compute(name)
    return found


def _quieten(package: ModuleType) -> None:
    """bophono reports syllables it cannot read (ཧཱུྃ, བཛྲ, ཀྵ) with `print`, onto the
    standard output that the command line's JSON goes to. Its modules' `print` is pointed
    at our debug log instead (a module global shadows the builtin, for that module only)."""
    prefix = package.__name__ + "."
    for name, module in list(sys.modules.items()):
        if name.startswith(prefix) and module is not None:
            module.print = _log_print  # type: ignore[attr-defined]


def _log_print(*values: object, **_options: object) -> None:
    _log.debug("bophono: %s", " ".join(str(v) for v in values))


class NameKeyBuilder:
    """Builds search keys; holds the transliteration tables (built once, when constructed)."""

    def __init__(self) -> None:
        # The transliteration libraries load their tables when imported: only when needed.
        import bophono  # noqa: PLC0415
        import pyewts  # noqa: PLC0415

        self._wylie: Any = pyewts.pyewts()
        self._phonetic: Any = bophono.UnicodeToApi(schema="KVP", options={})
        _quieten(bophono)
        # Names repeat a lot (扎西, ཚེ་རིང་): transliterating each only once makes indexing
        # a large import several times faster.
        self._tibetan_memo: dict[str, KeyGroups] = {}
        self._chinese_memo: dict[str, KeyGroups] = {}
        self._sort_memo: dict[tuple[str, str], tuple[str, str]] = {}
        self._names_memo: dict[tuple[str, str], NameKeys] = {}

    # ------------------------------------------------------------ per script

    def wylie(self, tibetan: str) -> str:
        return str(self._wylie.toWylie(tibetan)).strip()

    def phonetic(self, tibetan: str) -> str:
        try:
            return fold_latin(str(self._phonetic.get_api(tibetan)))
        except (IndexError, KeyError, ValueError):  # bophono can stumble on odd stacks
            return ""

    def tibetan_keys(self, name_bo: str) -> KeyGroups:
        """Whole-name keys, token keys (syllables, name parts) and tail keys."""
        return _memoised(self._tibetan_memo, name_bo, self._tibetan_keys)

    def _tibetan_keys(self, name_bo: str) -> KeyGroups:
        text = normalize_text(name_bo)
        syllables = tibetan_syllables(text)
        if not syllables:
            return (), (), ()
        full = self._tibetan_forms(TSHEG.join(syllables))
        tokens: list[str] = list(syllables)
        # Every tail of the name from a syllable on (ཚེ་རིང in བཀྲ་ཤིས་ཚེ་རིང, "tsering" in
        # "tashitsering") and every space-separated part: so a search for any part of a
        # name is an index lookup, not a scan.
        parts = [tibetan_key(p) for p in _NAME_PART_SPLIT.split(text)]
        for part in parts if len(parts) > 1 else []:
            tokens += self._tibetan_forms(part)
        tails = [TSHEG.join(syllables[i:]) for i in range(1, len(syllables))]
        tail_forms = [form for tail in tails for form in self._tibetan_forms(tail)]
        return tuple(full), tuple(tokens), tuple(tail_forms)

    def _tibetan_forms(self, syllables_key: str) -> list[str]:
        """A Tibetan key with its Wylie, phonetic and sound-alike forms."""
        phonetic = self.phonetic(syllables_key)
        return [
            syllables_key,
            fold_latin(self.wylie(syllables_key)),
            phonetic,
            _soundalike_key(phonetic),
        ]

    @staticmethod
    def pinyin_readings(han: str) -> list[list[str]]:
        from pypinyin import Style, pinyin  # noqa: PLC0415 - loads a large dictionary

        readings = pinyin(han, style=Style.NORMAL, heteronym=True, errors="ignore")
        return [[fold_latin(r) for r in options if r] for options in readings if options]

    def chinese_keys(self, name_zh: str) -> KeyGroups:
        """Whole-name keys, token keys (name parts) and tail keys."""
        return _memoised(self._chinese_memo, name_zh, self._chinese_keys)

    def _chinese_keys(self, name_zh: str) -> KeyGroups:
        text = normalize_text(name_zh)
        full_han = han_key(text)
        if not full_han:
            latin = fold_latin(text)
            return ((latin,), (), ()) if latin else ((), (), ())
        readings = self.pinyin_readings(full_han)
        combos = itertools.islice(itertools.product(*readings), MAX_PINYIN_READINGS)
        full = [full_han]
        full += ["".join(combo) for combo in combos]
        full.append("".join(options[0][0] for options in readings if options and options[0]))
        parts = [han_key(p) for p in _NAME_PART_SPLIT.split(text)]
        tokens = [p for p in parts if p and p != full_han]
        # Every tail from a character on (次仁 in 扎西次仁), in characters and in pinyin.
        main_reading = [options[0] for options in readings if options]
        tails = [full_han[i:] for i in range(1, len(full_han))]
        tails += ["".join(main_reading[i:]) for i in range(1, len(main_reading))]
        return tuple(full), tuple(tokens), tuple(tails)

    def resident_keys(
        self, name_bo: str, name_zh: str, id_number: str | None, phone: str | None
    ) -> NameKeys:
        """Keys of both name fields. Each script's part of either field is indexed in
        that script's keys: "次仁 ཚེ་རིང" typed into one field, or a Tibetan place name in
        the Chinese-name field, is found by a Tibetan and by a Chinese query alike."""
        names = self.name_keys(name_bo, name_zh)
        digits = [digit_key(v) for v in (id_number, phone) if v]
        if not digits:
            return names
        return NameKeys(_unique([*names.full, *digits]), names.tokens, names.tails)

    def name_keys(self, name_bo: str, name_zh: str) -> NameKeys:
        """The keys of the two name fields alone (`resident_keys` adds the numbers),
        made once per pair of names: many people share a name."""
        found = self._names_memo.get((name_bo, name_zh))
        if found is None:
            if len(self._names_memo) >= MEMO_LIMIT:
                self._names_memo.clear()
            groups: list[KeyGroups] = []
            for name in (name_bo, name_zh):
                tibetan, other = split_scripts(name)
                groups.append(self.tibetan_keys(tibetan))
                groups.append(self.chinese_keys(other))
            found = self._names_memo[(name_bo, name_zh)] = NameKeys(
                _unique(k for g in groups for k in g[0]),
                _unique(k for g in groups for k in g[1]),
                _unique(k for g in groups for k in g[2]),
            )
        return found

    def sort_keys(self, name_bo: str, name_zh: str) -> tuple[str, str]:
        """Sort keys for long lists: Tibetan dictionary order (root letter first, as ICU
        orders it) and pinyin. Someone without a name in one script sorts after everyone
        who has one ("~" follows every key), by the other name."""
        found = self._sort_memo.get((name_bo, name_zh))
        if found is None:
            if len(self._sort_memo) >= MEMO_LIMIT:
                self._sort_memo.clear()
            bo = tibetan_sort_key(name_bo) if name_bo else ""
            han = han_key(name_zh)
            zh = (
                " ".join(r[0] for r in self.pinyin_readings(han) if r)
                if han
                else fold_latin(name_zh)
            )
            found = self._sort_memo[(name_bo, name_zh)] = (
                (bo or f"{NO_NAME_MARK}{zh}")[:100],
                (zh or f"{NO_NAME_MARK}{bo}")[:200],
            )
        return found


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class QueryTerm:
    """One part of a query in one script, in the form the keys are stored in."""

    text: str
    script: str  # "tibetan" | "han" | "latin" | "digits"
    # Other forms that count as a match (sound-alike keys of a Latin spelling).
    alternatives: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)


def parse_query(query: str) -> list[QueryTerm]:
    """Split a query into terms by script; every term must match (AND).

    A run of Latin words is one term (`bkra shis` is one name), folded like the keys.
    A run of digits (optionally ending in X) is an ID-card or phone fragment.
    """
    text = normalize_text(query)
    terms: list[QueryTerm] = []
    for script, chars in itertools.groupby(text, key=_script_of_char):
        chunk = "".join(chars)
        if script == "tibetan":
            key = tibetan_key(chunk)
            # Keep a trailing tsheg's meaning: the syllable is complete.
            if key:
                terms.append(QueryTerm(key, "tibetan"))
        elif script == "han":
            terms.append(QueryTerm(han_key(chunk), "han"))
        elif script == "latin":
            folded = fold_latin(chunk)
            if folded.isdigit() or (
                folded[:-1].isdigit() and folded.endswith("x") and len(folded) > 1
            ):
                terms.append(QueryTerm(folded.upper(), "digits"))
            elif folded:
                terms.append(QueryTerm(folded, "latin"))
    return [_with_alternatives(t) for t in _merge_adjacent(terms)]


def _with_alternatives(term: QueryTerm) -> QueryTerm:
    if term.script != "latin":
        return term
    aliased = term.text
    for popular, rendered in SPELLING_ALIASES.items():
        aliased = aliased.replace(popular, rendered)
    forms = dict.fromkeys(_soundalike_key(v) for v in (term.text, aliased))
    return QueryTerm(term.text, term.script, tuple(f for f in forms if f))


def _script_of_char(ch: str) -> str:
    if is_tibetan_char(ch):
        return "tibetan"
    if is_han_char(ch):
        return "han"
    if ch.isspace() or ch in "·•・":
        return "space"
    return "latin"


def _merge_adjacent(terms: list[QueryTerm]) -> list[QueryTerm]:
    merged: list[QueryTerm] = []
    for term in terms:
        if merged and merged[-1].script == term.script and term.script != "digits":
            joiner = TSHEG if term.script == "tibetan" else ""
            merged[-1] = QueryTerm(merged[-1].text + joiner + term.text, term.script)
        else:
            merged.append(term)
    return merged


def rank_term(term: QueryTerm, keys: NameKeys) -> MatchRank:
    """How well one term matches a resident's keys (its best form)."""
    return max(_rank_form(term, form, keys) for form in term.forms)


def _rank_form(term: QueryTerm, q: str, keys: NameKeys) -> MatchRank:
    if q.startswith(SOUNDALIKE_MARK):  # compare sound keys with sound keys only
        keys = NameKeys(
            tuple(k[1:] for k in keys.full if k.startswith(SOUNDALIKE_MARK)),
            tuple(k[1:] for k in keys.tokens if k.startswith(SOUNDALIKE_MARK)),
        )
        q = q[1:]
    best = MatchRank.NONE
    for key in keys.full:
        if key == q:
            return MatchRank.EXACT
        if key.startswith(q):
            best = max(best, MatchRank.PREFIX)
        elif q in key:
            best = max(best, _inside_rank(term, key))
    for key in keys.tokens:
        if key == q:
            best = max(best, MatchRank.TOKEN)
        elif key.startswith(q):
            best = max(best, MatchRank.TOKEN_PREFIX)
        elif q in key:
            best = max(best, _inside_rank(term, key))
    return best


def _inside_rank(term: QueryTerm, key: str) -> MatchRank:
    # A Tibetan query that starts at a syllable boundary inside the name is as good as a
    # token prefix (ཚེ་རིང inside བཀྲ་ཤིས་ཚེ་རིང); inside a syllable (ཚེ in མཚེ) it is weak.
    if term.script == "tibetan" and (TSHEG + term.text) in key:
        return MatchRank.TOKEN_PREFIX
    return MatchRank.INSIDE


def rank(terms: list[QueryTerm], keys: NameKeys) -> int:
    """Score of a resident for a whole query: the weakest term decides (all must match)."""
    if not terms:
        return 0
    return min(int(rank_term(term, keys)) for term in terms)
