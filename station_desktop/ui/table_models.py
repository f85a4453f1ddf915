"""Table models over plain record dictionaries.

`PagedRecordModel` holds only the rows fetched so far: the view asks for more
(`canFetchMore`/`fetchMore`) as the user scrolls, one page of 200 at a time, so a list of
100,000 residents opens at once and never holds them all in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHeaderView, QTableWidget

from station_desktop.i18n import _
from station_desktop.ui.fonts import has_tibetan, row_height, tibetan_first

Row = dict[str, Any]
# Fetches the page after `key` (None: the first); returns its rows and the next key (None
# when there are no more).
PageFetcher = Callable[[Any], tuple[list[Row], Any]]
CellText = Callable[[str, Any], str]

AnyIndex = QModelIndex | QPersistentModelIndex


@contextmanager
def filling(table: QTableWidget) -> Iterator[None]:
    """Change many cells of a shown table at once. A column sized to its contents is
    measured again over every row whenever a cell changes, which made filling a shown
    table of a few hundred rows take minutes; such columns keep their width while the
    cells change and are measured once at the end."""
    columns = table.horizontalHeader()
    held = [
        column
        for column in range(columns.count())
        if columns.sectionResizeMode(column) == QHeaderView.ResizeMode.ResizeToContents
    ]
    for column in held:
        columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
    try:
        yield
    finally:
        for column in held:
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)


def size_rows(table: QTableWidget) -> None:
    """Give each row of a filled table the height its text needs, and Tibetan cells the
    Tibetan-first font (see `fonts.tibetan_first`)."""
    font = table.font()
    tibetan_font = tibetan_first(font)
    header = table.verticalHeader()
    header.setMinimumSectionSize(row_height(font, tibetan=False))  # Qt's own is taller
    with filling(table):
        for row in range(table.rowCount()):
            tibetan = False
            for column in range(table.columnCount()):
                item = table.item(row, column)
                if item is not None and has_tibetan(item.text()):
                    item.setFont(tibetan_font)
                    tibetan = True
            header.resizeSection(row, row_height(font, tibetan=tibetan))


class PagedRecordModel(QAbstractTableModel):
    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        cell_text: CellText,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)  # (key, header message id)
        self._cell_text = cell_text
        self._rows: list[Row] = []
        self._fetch: PageFetcher | None = None
        self._next_key: Any = None
        self._more = False

    # ------------------------------------------------------------ what is shown

    def show_pages(self, fetch: PageFetcher) -> None:
        """Show a paged query: the first page now, more as the view scrolls."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows, self._next_key = fetch(None)
        self._more = self._next_key is not None
        self.endResetModel()

    def show_rows(self, rows: list[Row]) -> None:
        """Show a fixed list (search results, already ranked)."""
        self.beginResetModel()
        self._fetch, self._rows, self._next_key, self._more = None, list(rows), None, False
        self.endResetModel()

    def row(self, number: int) -> Row:
        return self._rows[number]

    def retranslate(self) -> None:
        """Headers and code labels follow the interface language."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    # ------------------------------------------------------------ Qt model interface

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            key = self._columns[index.column()][0]
            return self._cell_text(key, self._rows[index.row()].get(key))
        if role == Qt.ItemDataRole.FontRole:
            key = self._columns[index.column()][0]
            if has_tibetan(self._cell_text(key, self._rows[index.row()].get(key))):
                return tibetan_first(QGuiApplication.font())
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return _(self._columns[section][1])
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._more

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or not self._more or self._fetch is None:
            return
        rows, self._next_key = self._fetch(self._next_key)
        self._more = self._next_key is not None
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
