"""Where the shipped style sheet and icons are, for a source checkout and an installed package alike."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "resources",  # source checkout / editable install
    Path(__file__).resolve().parents[1] / "resources",  # bundled next to the package
)


@cache
def resources_dir() -> Path | None:
    for candidate in _CANDIDATES:
        if (candidate / "style.qss").exists():
            return candidate
    log.warning("resources folder not found; running without the style sheet and icons")
    return None


def style_sheet() -> str:
    folder = resources_dir()
    return (folder / "style.qss").read_text(encoding="utf-8") if folder else ""


def icon(name: str) -> QIcon:
    folder = resources_dir()
    path = folder / "icons" / f"{name}.svg" if folder else None
    return QIcon(str(path)) if path and path.exists() else QIcon()
