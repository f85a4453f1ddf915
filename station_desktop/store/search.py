"""Resident search over two derived tables.

`resident_search_key` holds each search key of a resident (whole-name forms and tokens such
as syllables), indexed: an exact or prefix match of any key is a B-tree range scan, and its
rank (exact, whole-name prefix, token, token prefix) follows from the key row alone.
Keys include every tail of a name from a syllable or character on, so any part of a name is
found this way. Only when nothing is found does a linear `instr` scan of
`resident_search.keys` look for the query inside a syllable (about 30 ms per 100,000); on
the bureau's PostgreSQL a trigram index answers that `LIKE` instead (migration 0008).

Why not FTS5: its trigram tokenizer needs three code points, and Tibetan syllables (ཚེ) and
Chinese given names (扎西) are often two.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.namekeys import (
    SOUNDALIKE_MARK,
    MatchRank,
    NameKeyBuilder,
    NameKeys,
    QueryTerm,
    parse_query,
    rank,
    split_scripts,
)
from station_desktop.store.bulk import insert_columns, insert_plain_rows
from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.models import Resident, ResidentSearch, ResidentSearchKey, table_of

# Candidate windows: enough to rank well, small enough to stay fast at 100,000 residents.
PREFIX_CANDIDATES = 1_000
INSIDE_CANDIDATES = 5_000
KEY_LIMIT = 200  # the key column's length
_HIGHEST = "\U0010ffff"  # sorts after every character: [form, form + this) is a prefix range


class Searchable(Protocol):
    """What indexing needs of a resident (an ORM row or a plain record in bulk loads)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def station_id(self) -> uuid.UUID: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def name_bo(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def id_number(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...


@dataclass(frozen=True)
class SearchHit:
    resident_id: uuid.UUID
    score: int
    sort_zh: str
    sort_bo: str


def search_rows(
    builder: NameKeyBuilder, residents: Iterable[Searchable]
) -> tuple[list[dict[str, object]], dict[str, list[Any]]]:
    """The `resident_search` row of each resident, and their `resident_search_key` rows
    column by column (an import makes about 33 a resident: no dict each)."""
    rows: list[dict[str, object]] = []
    key_ids: list[uuid.UUID] = []
    key_texts: list[str] = []
    key_whole: list[bool] = []
    # Per pair of names, its key rows (whole-name or not) before the numbers' keys.
    named: dict[tuple[str, str], dict[str, bool]] = {}
    for r in residents:
        keys = builder.resident_keys(r.name_bo, r.name_zh, r.id_number, r.phone)
        sort_bo, sort_zh = builder.sort_keys(r.name_bo, r.name_zh)
        rows.append(
            {
                "resident_id": r.id,
                "station_id": r.station_id,
                "deleted": r.deleted,
                "keys": keys.encode(),
                "sort_bo": sort_bo,
                "sort_zh": sort_zh,
            }
        )
        # Tails and tokens, then whole keys (a key that is both counts as whole), each
        # once; the names' rows made once per pair of names, the numbers' added to a copy.
        merged = named.get((r.name_bo, r.name_zh))
        names = builder.name_keys(r.name_bo, r.name_zh)
        if merged is None:
            parts = {key[:KEY_LIMIT]: False for key in (*names.tails, *names.tokens)}
            whole = {key[:KEY_LIMIT]: True for key in names.full}
            merged = named[r.name_bo, r.name_zh] = parts | whole
        if keys is not names:
            merged = merged | {key[:KEY_LIMIT]: True for key in keys.full[len(names.full) :]}
        key_ids += [r.id] * len(merged)
        key_texts += merged
        key_whole += merged.values()
    return rows, {"resident_id": key_ids, "key": key_texts, "whole_name": key_whole}


def index_residents(
    session: Session,
    builder: NameKeyBuilder,
    residents: Iterable[Searchable],
    *,
    new: bool = False,
) -> int:
    """(Re)build the search rows of these residents (`new`: just inserted, so there are
    no rows to replace)."""
    rows, key_columns = search_rows(builder, residents)
    if not rows:
        return 0
    ids = [row["resident_id"] for row in rows]
    keys_table, search_table = table_of(ResidentSearchKey), table_of(ResidentSearch)
    if not new:
        session.execute(delete(keys_table).where(keys_table.c.resident_id.in_(ids)))
        session.execute(delete(search_table).where(search_table.c.resident_id.in_(ids)))
    insert_plain_rows(session, search_table, rows)
    insert_columns(session, keys_table, key_columns)
    return len(rows)


def reindex_resident(session: Session, builder: NameKeyBuilder, resident_id: uuid.UUID) -> None:
    resident = session.get(Resident, resident_id, populate_existing=True)
    if resident is not None:
        index_residents(session, builder, [resident])
        session.expunge(resident)


def rebuild_index(session: Session, builder: NameKeyBuilder, batch: int = 2_000) -> int:
    """Rebuild every search row (after an import, or if the key rules change)."""
    session.execute(delete(table_of(ResidentSearchKey)))
    session.execute(delete(table_of(ResidentSearch)))
    count = 0
    offset_id: uuid.UUID | None = None
    while True:
        stmt = select(Resident).order_by(Resident.id).limit(batch)
        if offset_id is not None:
            stmt = stmt.where(Resident.id > offset_id)
        chunk = list(session.scalars(stmt))
        if not chunk:
            return count
        count += index_residents(session, builder, chunk)
        offset_id = chunk[-1].id
        session.expunge_all()


# Raised when the key rules change in a way that leaves some stored keys behind.
# 2: each script's part of a mixed-script name field is indexed in that script's keys.
SEARCH_KEYS_VERSION = 2
_KEYS_VERSION_STATE = "search_keys_version"


def bring_keys_up_to_date(session: Session, builder: NameKeyBuilder) -> int:
    """Re-index the residents whose keys an older version of the rules built differently
    (names that mix scripts in one field), once per version; the number re-indexed."""
    if get_local_state(session, _KEYS_VERSION_STATE) == str(SEARCH_KEYS_VERSION):
        return 0
    rows = session.execute(select(Resident.id, Resident.name_bo, Resident.name_zh))
    mixed = [r for r, bo, zh in rows if split_scripts(bo)[1] or split_scripts(zh)[0]]
    count = 0
    for start in range(0, len(mixed), 500):
        chosen = mixed[start : start + 500]
        chunk = list(session.scalars(select(Resident).where(Resident.id.in_(chosen))))
        count += index_residents(session, builder, chunk)
    set_local_state(session, _KEYS_VERSION_STATE, str(SEARCH_KEYS_VERSION))
    return count


def _trigram_ready(needle: str) -> bool:
    """Whether the server's trigram index can narrow a search for `needle`: three or more
    ASCII letters and digits (romanised names, ID and phone numbers). The bureau's database
    uses the C locale, where pg_trgm sees no words in Tibetan or Chinese; and a shorter
    needle makes it read the whole index, slower than the scan."""
    return len(needle) >= 3 and needle.isascii() and needle.isalnum()


def _contains(session: Session, needle: str) -> ColumnElement[bool]:
    column = ResidentSearch.keys
    if session.get_bind().dialect.name == "postgresql":
        if _trigram_ready(needle):  # LIKE: the trigram index (migration 0008) serves it
            escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
            return column.like(f"%{escaped}%", escape="/")
        return func.strpos(column, needle) > 0
    return func.instr(column, needle) > 0


def _found_by_prefix_alone(terms: list[QueryTerm]) -> bool:
    """Chinese names are keyed from every character on, so a query in Chinese characters
    alone that no key starts with is inside nobody's name either: no scan."""
    return all(t.script == "han" and not t.alternatives for t in terms)


def _filters(
    station_ids: list[uuid.UUID] | None, include_deleted: bool
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not include_deleted:
        conditions.append(ResidentSearch.deleted.is_(False))
    if station_ids is not None:
        conditions.append(ResidentSearch.station_id.in_(station_ids))
    return conditions


def _key_rank(form: str, key: str, whole_name: bool) -> MatchRank:
    if whole_name:
        return MatchRank.EXACT if key == form else MatchRank.PREFIX
    return MatchRank.TOKEN if key == form else MatchRank.TOKEN_PREFIX


def _prefix_hits(
    session: Session, terms: list[QueryTerm], filters: list[ColumnElement[bool]]
) -> dict[uuid.UUID, SearchHit]:
    """Residents with, for every term, a key that starts with the term (index range scans)."""
    best: dict[uuid.UUID, list[int]] = {}
    sort_keys: dict[uuid.UUID, tuple[str, str]] = {}
    for index, term in enumerate(terms):
        for form in term.forms:
            stmt = (
                select(
                    ResidentSearchKey.resident_id,
                    ResidentSearchKey.key,
                    ResidentSearchKey.whole_name,
                    ResidentSearch.sort_zh,
                    ResidentSearch.sort_bo,
                )
                .join(ResidentSearch, ResidentSearch.resident_id == ResidentSearchKey.resident_id)
                .where(
                    ResidentSearchKey.key >= form,
                    ResidentSearchKey.key < form + _HIGHEST,
                    *filters,
                )
                .limit(PREFIX_CANDIDATES)
            )
            for resident_id, key, whole_name, sort_zh, sort_bo in session.execute(stmt):
                ranks = best.setdefault(resident_id, [0] * len(terms))
                ranks[index] = max(ranks[index], int(_key_rank(form, key, whole_name)))
                sort_keys[resident_id] = (sort_zh, sort_bo)
    return {
        resident_id: SearchHit(resident_id, min(ranks), *sort_keys[resident_id])
        for resident_id, ranks in best.items()
        if min(ranks) > 0  # every term matched
    }


def _inside_hits(
    session: Session,
    terms: list[QueryTerm],
    filters: list[ColumnElement[bool]],
) -> dict[uuid.UUID, SearchHit]:
    """Residents whose keys contain every term somewhere (one linear scan)."""
    conditions = [
        or_(*(_contains(session, form.removeprefix(SOUNDALIKE_MARK)) for form in t.forms))
        for t in terms
    ]
    stmt = (
        select(
            ResidentSearch.resident_id,
            ResidentSearch.keys,
            ResidentSearch.sort_zh,
            ResidentSearch.sort_bo,
        )
        .where(and_(*conditions, *filters))
        .limit(INSIDE_CANDIDATES)
    )
    hits: dict[uuid.UUID, SearchHit] = {}
    for resident_id, keys, sort_zh, sort_bo in session.execute(stmt):
        score = rank(terms, NameKeys.decode(keys))
        if score > 0:
            hits[resident_id] = SearchHit(resident_id, score, sort_zh, sort_bo)
    return hits


def search_residents(
    session: Session,
    query: str,
    *,
    limit: int = 50,
    station_ids: list[uuid.UUID] | None = None,
    include_deleted: bool = False,
) -> list[SearchHit]:
    """Residents matching every term of `query`, best first."""
    terms = parse_query(query)
    if not terms:
        return []
    filters = _filters(station_ids, include_deleted)
    hits = _prefix_hits(session, terms, filters)
    if not hits and not _found_by_prefix_alone(terms):
        # Nothing starts a name or a syllable/character tail with the query: look inside.
        hits = _inside_hits(session, terms, filters)
    ordered = sorted(hits.values(), key=lambda h: (-h.score, h.sort_zh, h.sort_bo, h.resident_id))
    return ordered[:limit]
