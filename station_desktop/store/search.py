"""Resident search over the derived `resident_search` table.

Why not FTS5: its trigram tokenizer needs three code points, and Tibetan syllables (ཚེ) and
Chinese given names (扎西) are often two. The keys of a resident are one short string, and
SQL narrows the candidates with `instr` (a linear scan of ~100 bytes per resident); the
ranking (exact, whole-name prefix, syllable, inside) is done in Python on the candidates.
Whole-name and token-prefix candidates are fetched first, so a very common fragment cannot
push an exact match out of the candidate window.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.namekeys import (
    KEY_SEPARATOR,
    SOUNDALIKE_MARK,
    NameKeyBuilder,
    NameKeys,
    parse_query,
    rank,
)
from station_desktop.store.models import Resident, ResidentSearch, table_of

CANDIDATE_LIMIT = 5_000


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


def index_residents(
    session: Session, builder: NameKeyBuilder, residents: Iterable[Searchable]
) -> int:
    """(Re)build the search rows of these residents."""
    rows = []
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
    if not rows:
        return 0
    table = table_of(ResidentSearch)
    session.execute(delete(table).where(table.c.resident_id.in_([r["resident_id"] for r in rows])))
    session.execute(insert(table), rows)
    return len(rows)


def reindex_resident(session: Session, builder: NameKeyBuilder, resident_id: uuid.UUID) -> None:
    resident = session.get(Resident, resident_id, populate_existing=True)
    if resident is not None:
        index_residents(session, builder, [resident])
        session.expunge(resident)


def rebuild_index(session: Session, builder: NameKeyBuilder, batch: int = 2_000) -> int:
    """Rebuild every search row (after an import, or if the key rules change)."""
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


def _contains(session: Session, needle: str) -> ColumnElement[bool]:
    column = ResidentSearch.keys
    if session.get_bind().dialect.name == "postgresql":
        return func.strpos(column, needle) > 0
    return func.instr(column, needle) > 0


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
    hits: dict[uuid.UUID, SearchHit] = {}
    # Pass 1: a term at the start of a key (whole name or token). Pass 2: anywhere.
    for at_key_start in (True, False):
        conditions = [
            or_(*(_contains(session, _needle(form, at_key_start)) for form in t.forms))
            for t in terms
        ]
        if not include_deleted:
            conditions.append(ResidentSearch.deleted.is_(False))
        if station_ids is not None:
            conditions.append(ResidentSearch.station_id.in_(station_ids))
        stmt = (
            select(
                ResidentSearch.resident_id,
                ResidentSearch.keys,
                ResidentSearch.sort_zh,
                ResidentSearch.sort_bo,
            )
            .where(and_(*conditions))
            .limit(CANDIDATE_LIMIT)
        )
        for resident_id, keys, sort_zh, sort_bo in session.execute(stmt):
            if resident_id in hits:
                continue
            score = rank(terms, NameKeys.decode(keys))
            if score > 0:
                hits[resident_id] = SearchHit(resident_id, score, sort_zh, sort_bo)
        if len(hits) >= limit and at_key_start:
            break
    ordered = sorted(hits.values(), key=lambda h: (-h.score, h.sort_zh, h.sort_bo, h.resident_id))
    return ordered[:limit]


def _needle(form: str, at_key_start: bool) -> str:
    return KEY_SEPARATOR + form if at_key_start else form.removeprefix(SOUNDALIKE_MARK)
