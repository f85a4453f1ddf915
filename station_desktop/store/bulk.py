"""Inserting many rows at once without SQLAlchemy's per-row parameter handling (an
import's hundreds of thousands of log entries, audit links and search keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_plain_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """An executemany of many small rows, all with the same keys, without SQLAlchemy's
    per-row parameter handling (which costs more than SQLite's insert for the hundreds of
    thousands of keys of a large import): the dialect's own statement, each column's
    bind processor looked up once and called only for the columns that have one, once
    per run of the same value (a resident's id on each of its keys)."""
    if not rows:
        return
    names = list(rows[0])
    # Column by column, each read by a C loop, so that a column without a bind processor
    # costs no Python per row; zipped back into rows at the end.
    insert_columns(session, table, {name: list(map(itemgetter(name), rows)) for name in names})


def insert_columns(session: Session, table: Table, given: Mapping[str, Sequence[Any]]) -> None:
    """`insert_plain_rows` for rows given column by column (each column's values, all
    of the same length): what a caller that makes many rows builds without a dict each."""
    connection = session.connection()
    dialect = connection.dialect
    names = list(given)
    if not names or not given[names[0]]:
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if compiled.positional:
        names = list(compiled.positiontup or ())
    columns: list[Sequence[Any]] = [given[name] for name in names]
    for position, name in enumerate(names):
        # The dialect's own form of the type (PostgreSQL's JSON differs from SQLite's).
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        last: Any = _NOTHING
        done: Any = None
        processed = []
        for value in columns[position]:
            if value is not last:
                last, done = value, process(value)
            processed.append(done)
        columns[position] = processed
    values = list(zip(*columns, strict=True))
    if compiled.positional:
        connection.exec_driver_sql(compiled.string, values)
    else:
        named = [dict(zip(names, v, strict=True)) for v in values]
        connection.exec_driver_sql(compiled.string, named)


_NOTHING = object()
