"""A small chart of shielding progress over time: shielded entries so far, against the list's total and the
deadline. Painted directly; no chart library needed for one line."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

NAVY, PLUM, GRID, AMBER = QColor("#1f3a5c"), QColor("#7a1f5c"), QColor("#c4cad1"), QColor("#f0a202")


class ProgressChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: tuple[tuple[date, int], ...] = ()
        self._total = 0
        self._deadline: date | None = None
        self._today = date.today()
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Progress over time")

    def sizeHint(self) -> QSize:
        return QSize(360, 120)

    def show_progress(
        self, history: tuple[tuple[date, int], ...], total: int, deadline: date | None, today: date
    ) -> None:
        self._history, self._total, self._deadline, self._today = history, total, deadline, today
        done = history[-1][1] if history else 0
        self.setAccessibleDescription(
            f"{done} of {total} shielded" + (f", deadline {deadline:%d/%m/%Y}" if deadline else "")
        )
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(34, 8, -10, -20)
        painter.setPen(QPen(GRID, 1))
        painter.drawRect(area)
        if not self._total:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No entries yet")
            return
        start = self._history[0][0] if self._history else self._today
        end = max(filter(None, (self._deadline, self._today, start + timedelta(days=1))))
        span = max((end - start).days, 1)

        def point(day: date, value: int) -> QPointF:
            x = area.left() + area.width() * (day - start).days / span
            y = area.bottom() - area.height() * value / self._total
            return QPointF(x, y)

        painter.setPen(QPen(GRID, 1, Qt.PenStyle.DashLine))
        painter.drawLine(point(start, self._total), point(end, self._total))
        painter.setPen(QColor("#4a5563"))
        painter.drawText(QRectF(0, area.top() - 6, 30, 14), Qt.AlignmentFlag.AlignRight, str(self._total))
        painter.drawText(QRectF(0, area.bottom() - 8, 30, 14), Qt.AlignmentFlag.AlignRight, "0")
        painter.drawText(
            QRectF(area.left(), area.bottom() + 3, 90, 14), Qt.AlignmentFlag.AlignLeft, start.strftime("%d/%m")
        )
        if self._deadline:
            painter.setPen(QPen(PLUM, 1.5, Qt.PenStyle.DashLine))
            top, bottom = point(self._deadline, self._total), point(self._deadline, 0)
            painter.drawLine(top, bottom)
            painter.drawText(
                QRectF(bottom.x() - 110, area.bottom() + 3, 110, 14),
                Qt.AlignmentFlag.AlignRight,
                f"deadline {self._deadline:%d/%m}",
            )
        steps = [point(start, 0)]
        for day, value in self._history:
            steps.append(QPointF(point(day, value).x(), steps[-1].y()))
            steps.append(point(day, value))
        steps.append(QPointF(point(self._today, 0).x(), steps[-1].y()))
        painter.setPen(QPen(NAVY, 2.2))
        painter.drawPolyline(QPolygonF(steps))
        painter.setPen(QPen(AMBER, 1))
        today = point(self._today, 0)
        painter.drawLine(QPointF(today.x(), area.top()), QPointF(today.x(), area.bottom()))
