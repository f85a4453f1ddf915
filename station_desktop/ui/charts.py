"""Two small charts painted with QPainter (the application ships without QtCharts).

`BarChart` shows a value per period (a monthly trend); `ShareChart` shows horizontal bars
with their labels beside them (clearer than a pie for six groups with long names). Both
take texts already in the interface language; every line of text gets the height of a
Tibetan line (`text_line_height`), so stacks are never cut, whichever font comes first.
The chart's data is also its accessible description, for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from station_desktop.reports.tables import nice_step
from station_desktop.ui.fonts import text_line_height

__all__ = ["Bar", "BarChart", "ShareChart", "nice_step"]

BAR_COLOR = QColor("#3d7ab8")
PENDING_COLOR = QColor("#c8d3e0")  # a bar whose value is still being computed
MARGIN = 8
GAP = 6
MAX_BAR_WIDTH = 56
BAR_SHARE_OF_SLOT = 0.7
LABEL_SHARE_OF_WIDTH = 0.45


@dataclass(frozen=True)
class Bar:
    label: str  # shown under (BarChart) or beside (ShareChart) the bar
    value: float | None  # None: not known yet
    value_text: str = ""  # the value as shown; empty shows nothing
    group: str = ""  # BarChart: a second line under the first bar of each group (the year)


class _Chart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: tuple[Bar, ...] = ()
        self._empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def bars(self) -> tuple[Bar, ...]:
        return self._bars

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self._bars = tuple(bars)
        described = [f"{b.label}: {b.value_text}" for b in self._bars if b.value is not None]
        self.setAccessibleDescription("; ".join(described) or self._empty_text)
        self.updateGeometry()  # the number of rows sets the height
        self.update()

    def set_empty_text(self, text: str) -> None:
        """What to say when there is nothing to draw (already translated)."""
        self._empty_text = text
        if not self._bars:
            self.setAccessibleDescription(text)
        self.update()

    def line_height(self) -> int:
        """A line of the chart's texts: Tibetan stacks need the tall line, Chinese and
        Latin do not (a Chinese chart at Tibetan height would be half empty)."""
        texts = (t for b in self._bars for t in (b.label, b.value_text, b.group))
        if any("\u0f00" <= ch <= "\u0fff" for t in texts for ch in t):
            return text_line_height(self.font())
        return QFontMetrics(self.font()).height() + 4

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # a Tibetan interface font is taller
        super().changeEvent(event)

    def _paint_empty(self, painter: QPainter) -> None:
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            self._empty_text,
        )

    def _text_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)


class BarChart(_Chart):
    """Vertical bars with their values above and their labels below; a light grid with
    round numbers at the left. Bars with a `group` get a second line of labels (months
    above, their year below) and a divider where the group changes."""

    def __init__(self, number: Callable[[int], str] = str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._number = number  # axis numbers in the reader's digits

    def text_lines(self) -> int:
        """Lines of text around the plot: values above, labels (and groups) below."""
        return 3 if any(b.group for b in self._bars) else 2

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(420, self.text_lines() * self.line_height() + 160)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(200, self.text_lines() * self.line_height() + 60)

    def scale_top(self) -> tuple[float, float]:
        """The axis's top and step."""
        largest = max((b.value or 0.0 for b in self._bars), default=0.0)
        step = nice_step(largest)
        return max(step, math.ceil(largest / step) * step), step

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        del event
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if not self._bars:
                self._paint_empty(painter)
            else:
                self._paint_bars(painter)
        finally:
            painter.end()

    def _paint_bars(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        line = self.line_height()
        top, step = self.scale_top()
        ticks = [step * i for i in range(round(top / step) + 1)]
        axis_width = max(metrics.horizontalAdvance(self._number(int(t))) for t in ticks) + GAP
        plot = QRect(
            MARGIN + axis_width,
            MARGIN + line,  # room for the value over the tallest bar
            self.width() - 2 * MARGIN - axis_width,
            self.height() - 2 * MARGIN - self.text_lines() * line,
        )
        if plot.width() <= 0 or plot.height() <= 0:
            return

        def y_of(value: float) -> int:
            return plot.bottom() - round(value / top * plot.height())

        grid = QPen(self.palette().color(QPalette.ColorRole.Mid))
        grid.setStyle(Qt.PenStyle.DotLine)
        for tick in ticks:
            y = y_of(tick)
            painter.setPen(grid)
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(self._text_color())
            painter.drawText(
                QRect(MARGIN, y - line // 2, axis_width - GAP, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._number(int(tick)),
            )

        slot = plot.width() / len(self._bars)
        bar_width = max(2, min(MAX_BAR_WIDTH, round(slot * BAR_SHARE_OF_SLOT)))
        last_label_end = -GAP  # a label that would overlap the one before is left out
        for index, bar in enumerate(self._bars):
            centre = round(plot.left() + slot * (index + 0.5))
            if bar.value is None:
                painter.fillRect(
                    QRect(centre - bar_width // 2, plot.bottom() - 2, bar_width, 2), PENDING_COLOR
                )
            else:
                y = y_of(bar.value)
                painter.fillRect(
                    QRect(centre - bar_width // 2, y, bar_width, plot.bottom() - y + 1), BAR_COLOR
                )
                if bar.value_text and metrics.horizontalAdvance(bar.value_text) <= slot:
                    painter.setPen(self._text_color())
                    painter.drawText(
                        QRect(round(centre - slot / 2), y - line, round(slot), line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        bar.value_text,
                    )
            width = metrics.horizontalAdvance(bar.label) + 2
            # Centred under its bar, but kept inside the widget.
            left = min(max(0, centre - width // 2), self.width() - width)
            if bar.label and left >= last_label_end + GAP:
                painter.setPen(self._text_color())
                painter.drawText(
                    QRect(left, plot.bottom() + GAP // 2, width, line),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    bar.label,
                )
                last_label_end = left + width
        self._paint_groups(painter, plot, slot, line)

    def _paint_groups(self, painter: QPainter, plot: QRect, slot: float, line: int) -> None:
        metrics = QFontMetrics(self.font())
        divider = QPen(self.palette().color(QPalette.ColorRole.Mid))
        last_end = -GAP
        previous: str | None = None
        for index, bar in enumerate(self._bars):
            if not bar.group or bar.group == previous:
                continue
            previous = bar.group
            left = round(plot.left() + slot * index)
            if index > 0:
                painter.setPen(divider)
                painter.drawLine(left, plot.top(), left, plot.bottom() + GAP + 2 * line)
            width = metrics.horizontalAdvance(bar.group) + 2
            start = min(left + GAP // 2, self.width() - width)
            if start >= last_end + GAP:
                painter.setPen(self._text_color())
                painter.drawText(
                    QRect(start, plot.bottom() + GAP // 2 + line, width, line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                    bar.group,
                )
                last_end = start + width


class ShareChart(_Chart):
    """One row per category: its label, a bar as long as its share of the largest, and
    its value. A label too long for its column is elided; its tooltip shows it whole."""

    def row_height(self) -> int:
        return self.line_height() + GAP

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(460, self.minimumSizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        rows = max(1, len(self._bars))
        return QSize(240, rows * self.row_height() + 2 * MARGIN)

    def _columns(self) -> tuple[int, int]:
        """Widths of the label and value columns."""
        metrics = QFontMetrics(self.font())
        labels = max((metrics.horizontalAdvance(b.label) for b in self._bars), default=0)
        values = max((metrics.horizontalAdvance(b.value_text) for b in self._bars), default=0)
        label_width = min(labels + GAP, round(self.width() * LABEL_SHARE_OF_WIDTH))
        return label_width, values + GAP

    def row_at(self, point: QPoint) -> int | None:
        index = (point.y() - MARGIN) // self.row_height()
        return index if 0 <= index < len(self._bars) and point.y() >= MARGIN else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.row_at(event.pos())
            if index is None:
                QToolTip.hideText()
            else:
                bar = self._bars[index]
                QToolTip.showText(event.globalPos(), f"{bar.label}: {bar.value_text}", self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        del event
        painter = QPainter(self)
        try:
            if not self._bars:
                self._paint_empty(painter)
            else:
                self._paint_rows(painter)
        finally:
            painter.end()

    def _paint_rows(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        label_width, value_width = self._columns()
        row = self.row_height()
        bar_left = MARGIN + label_width
        room = self.width() - 2 * MARGIN - label_width - value_width
        largest = max((b.value or 0.0 for b in self._bars), default=0.0)
        bar_height = max(4, round(metrics.height() * 0.6))
        for index, bar in enumerate(self._bars):
            top = MARGIN + index * row
            painter.setPen(self._text_color())
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_width - GAP)
            painter.drawText(
                QRect(MARGIN, top, label_width - GAP, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            length = 0
            if bar.value and largest > 0 and room > 0:
                length = max(1, round(bar.value / largest * room))
                painter.fillRect(
                    QRect(bar_left, top + (row - bar_height) // 2, length, bar_height), BAR_COLOR
                )
            painter.drawText(
                QRect(bar_left + length + GAP, top, value_width, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                bar.value_text,
            )
