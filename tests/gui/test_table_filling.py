"""Filling a shown table whose columns are sized to their contents (`table_models.filling`):
the columns are measured once at the end, so they still fit their longest text and keep
their mode."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from station_desktop.ui.table_models import filling, size_rows

pytestmark = pytest.mark.gui

TO_CONTENTS = QHeaderView.ResizeMode.ResizeToContents


def test_a_shown_table_filled_at_once_still_fits_its_text(qtbot: QtBot) -> None:
    table = QTableWidget(0, 3)
    qtbot.addWidget(table)
    header = table.horizontalHeader()
    header.setSectionResizeMode(TO_CONTENTS)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    table.resize(900, 500)
    table.show()
    qtbot.waitExposed(table)
    longest = "བཀྲ་ཤིས་བདེ་ལེགས་ཚེ་རིང་དབང་འདུས 扎西德勒次仁旺堆"
    with filling(table):
        table.setRowCount(300)
        for row in range(300):
            for column, text in enumerate((str(row), longest if row == 299 else "x", "")):
                table.setItem(row, column, QTableWidgetItem(text))
        assert header.sectionResizeMode(0) != TO_CONTENTS  # held while the cells change
        size_rows(table)
    assert [header.sectionResizeMode(c) for c in range(3)] == [
        TO_CONTENTS,
        TO_CONTENTS,
        QHeaderView.ResizeMode.Stretch,
    ]
    qtbot.wait(10)  # the layout measures the held columns once
    item = table.item(299, 1)
    assert item is not None
    assert header.sectionSize(1) >= QFontMetrics(item.font()).horizontalAdvance(longest)
