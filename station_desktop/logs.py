"""The application log: rotating files in the data folder, with no personal data.

The code logs events, ids and field names, never values; as a safety net a filter masks
what looks like personal data (ID-card and phone numbers, names in Tibetan or Chinese
script) before anything is written, including exception messages and tracebacks.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

LOG_FILE = "station-desktop.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_HANDLER_NAME = "station-desktop-file"
STRICT_VALUE_LENGTH = 80

# ID-card, phone and similar numbers, also written in groups (137-6214-2223, 137 6214 2223)
_NUMBER = re.compile(r"\+?\d(?:[ \-\u2010-\u2014.()（）]{0,2}\d){6,}[Xx]?")
_SCRIPT = re.compile(r"[\u0f00-\u0fff\u3400-\u9fff\U00020000-\U0003134f]+")  # names, notes
# Record ids are kept whole (they name no one, and they are what a log reader needs).
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# A quoted value in an exception message ('zhaxi'); paths and identifiers stay readable.
_QUOTED = re.compile(r"(?P<q>['\"])(?P<text>[^'\"\n]{1,200})(?P=q)")
_TECHNICAL = re.compile(r"[\w.:/\\-]*[_./\\:][\w.:/\\-]*")
# Names in Latin letters: pinyin (zhaxi ciren) and Wylie (bkra shis, 'phrin las).
_PINYIN_ONLY = re.compile(r"zh|x|q|c(?![hk])|uo|iu|ui")  # rare in English words
_WYLIE_SYLLABLE = re.compile(
    r"[gdbm']?[rls]?(?:tsh|dz|ts|zh|sh|kh|ng|ch|ny|th|ph|k|g|c|j|t|d|n|p|b|m|w|z|y|r|l|s|h"
    r"|')[yrlw]?[aeiou](?:ng|g|d|n|b|m|'|r|l|s)?[sd]?"
)
_WYLIE_WORD = re.compile(f"(?:{_WYLIE_SYLLABLE.pattern})+")
# Clusters a Tibetan syllable starts with that English and pinyin words do not.
_WYLIE_ONLY = re.compile(
    r"'[a-z]|^(?:bk|bg|bs|bz|bc|bt|bd|br[gjdtn]|dk|dg|dm|dp|db|gt|gd|gn|gs|gz|mkh|mg|mch|mj"
    r"|mth|mdz|mny|mng|ng|rk|rg|rj|rn|rt|rd|rb|rm|rts|rdz|lc|lj|lt|ld|lh|lk|lg|sg|sng|sny|sd"
    r"|sb|tsh|dz|zl|khr|phr)"
)
_LATIN_RUN = re.compile(r"[A-Za-z']+(?:[ \-·.][A-Za-z']+)*")
_WORD_SPLIT = re.compile(r"([ \-·.])")


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    """Every pinyin syllable without tone marks (ü as v), from pypinyin's dictionary:
    loaded the first time a log line holds Latin words, never at start-up."""
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415 - large, rarely needed

    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading)
            plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("ü", "v")
            if plain.isascii() and plain.isalpha():
                syllables.add(plain)
    # Interjections and lone vowels (嗯 n, 呣 m, 哦 o) are never parts of names, and would
    # let most English words split into "syllables".
    return frozenset(syllables - {"n", "m", "ng", "hm", "hng", "a", "o", "e", "ei", "ai"})


def _pinyin_count(word: str) -> int:
    """How many pinyin syllables `word` splits into (0: it does not)."""
    syllables = _pinyin_syllables()
    best = [0] + [-1] * len(word)  # best[i]: fewest syllables covering word[:i]
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] >= 0 and word[start:end] in syllables:
                count = best[start] + 1
                if best[end] < 0 or count < best[end]:
                    best[end] = count
    return max(best[-1], 0)


@dataclass(frozen=True)
class _Word:
    pinyin: bool  # could be (part of) a name in pinyin
    wylie: bool  # one Wylie syllable
    sure: bool  # certainly a name: Tibetan clusters, or pinyin that English lacks
    titled: bool  # capitalised, and pinyin or Wylie (Basang Dawa, Tashi Dolma)


def _word(text: str) -> _Word:
    if not (text.islower() or text.istitle()):
        return _Word(False, False, False, False)  # ValueError, HTTP: code, not names
    folded = text.lower()
    syllables = _pinyin_count(folded)
    wylie = _WYLIE_SYLLABLE.fullmatch(folded) is not None
    sure = bool(
        (wylie and _WYLIE_ONLY.search(folded)) or (syllables >= 2 and _PINYIN_ONLY.search(folded))
    )
    titled = text.istitle() and (syllables >= 1 or _WYLIE_WORD.fullmatch(folded) is not None)
    return _Word(syllables >= 1, wylie, sure, titled)


def _mask_latin_names(match: re.Match[str]) -> str:
    """Within a run of Latin words: a sure name and the words of the same script next to
    it, and two capitalised name-like words together (Basang Dawa), become `…`."""
    parts = _WORD_SPLIT.split(match.group(0))
    words = [_word(w) for w in parts[::2]]
    masked = [False] * len(words)
    for i, word in enumerate(words):
        if not word.sure:
            continue
        masked[i] = True
        for step in (-1, 1):  # the rest of the name on both sides, in the same script
            j = i + step
            while 0 <= j < len(words) and (
                (word.wylie and words[j].wylie) or (not word.wylie and words[j].pinyin)
            ):
                masked[j] = True
                j += step
    for i in range(len(words) - 1):
        if words[i].titled and words[i + 1].titled:
            masked[i] = masked[i + 1] = True
    for i, hide in enumerate(masked):
        if hide:
            parts[2 * i] = "…"
    return "".join(parts)


def _unquote(match: re.Match[str]) -> str:
    text = match.group("text")
    if _TECHNICAL.fullmatch(text) or _UUID.fullmatch(text):
        return match.group(0)
    return f"{match.group('q')}…{match.group('q')}"


def redact(text: str) -> str:
    """Mask what could be personal data: numbers of 7+ digits (also written in groups), any
    Tibetan or Chinese text, quoted values, and names in pinyin or Wylie. Record ids stay."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _UUID.sub(keep, text)
    text = _NUMBER.sub("#######", text)
    text = _SCRIPT.sub("…", text)
    text = _QUOTED.sub(_unquote, text)
    text = _LATIN_RUN.sub(_mask_latin_names, text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _redact_value(text: str) -> str:
    """A value given to a log call (`log.warning("... %s", value)`): as `redact`, and any
    word that reads as a pinyin name of two syllables or more (nima, dawa) is masked too."""

    def strict(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = word.lower()
        if (word.islower() or word.istitle()) and _pinyin_count(folded) >= 2:
            return "…"
        return word

    return re.sub(r"[A-Za-z]+", strict, redact(text))


def _redacted_argument(value: object) -> object:
    """A short value (a name, a field's text, an error message) is redacted strictly; a
    long one (a traceback handed over whole) as free text, so its code stays readable."""
    if isinstance(value, str | BaseException):
        text = str(value)
        short = len(text) <= STRICT_VALUE_LENGTH and "\n" not in text
        return _redact_value(text) if short else redact(text)
    return value


class RedactingFormatter(logging.Formatter):
    """Redacts the message and the exception text, never the time stamp (whose date would
    otherwise read as a long number). The values given to a log call are redacted more
    strictly than the code's own words."""

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers keep their record, and an exception text another handler
        # cached on it (unredacted) is made again here.
        record = logging.makeLogRecord(record.__dict__)
        record.exc_text = None
        args = record.args
        if isinstance(args, Mapping):
            record.args = {k: _redacted_argument(v) for k, v in args.items()}
        elif isinstance(args, tuple):
            record.args = tuple(_redacted_argument(v) for v in args)
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging API
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging API
        return redact(super().formatStack(stack_info))


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the application's log records to a rotating file; returns the file's path.
    Calling it again (another data folder, a test) replaces the previous file handler."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path


def stop_logging() -> None:
    """Close the log file (at exit, or when a test is done with it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
