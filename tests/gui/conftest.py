"""GUI fixtures: the real main window over an initialised authority (SQLite), signed in as a given role."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QPlainTextEdit, QWidget

from shielddesk.ui.collector import GuiThreadCollector
from shielddesk.ui.main_window import MainWindow
from shielddesk.ui.prompts import Prompts


@pytest.fixture(autouse=True, scope="session")
def gui_thread_collector(qapp):
    """As the application runs it: garbage collected on the GUI thread only (see ui.collector)."""
    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture
def open_window(qtbot, sqlite_authority, clock):
    def _open(role: str, prompts: Prompts | None = None) -> MainWindow:
        services = sqlite_authority.services
        window = MainWindow(
            services, getattr(sqlite_authority, role), services.setup.authority(), clock, prompts=prompts
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return _open


def visible_texts(root: QWidget) -> str:
    """Everything a widget tree could show or say: text, tooltips, accessible names, and every role of every
    cell of every item view."""
    parts: list[str] = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        parts += [
            widget.toolTip(),
            widget.statusTip(),
            widget.whatsThis(),
            widget.accessibleName(),
            widget.accessibleDescription(),
        ]
        if isinstance(widget, QLabel | QLineEdit):
            parts.append(widget.text())
        if isinstance(widget, QLineEdit):
            parts.append(widget.placeholderText())
        if isinstance(widget, QPlainTextEdit):
            parts.append(widget.toPlainText())
        if hasattr(widget, "title") and callable(widget.title):
            parts.append(str(widget.title()))
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    index = model.index(row, column)
                    for role in range(0, 14):
                        value = model.data(index, role)
                        if isinstance(value, str):
                            parts.append(value)
                    row_object = model.data(index, 257)
                    if row_object is not None:
                        parts.append(repr(row_object))
    return "\n".join(p for p in parts if p)
