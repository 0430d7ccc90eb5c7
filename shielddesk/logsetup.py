"""One logging set-up for the process: a rotating file in the data folder, and a filter that withholds
any record that contains a location-revealing value of a shielded child."""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections.abc import Iterable
from pathlib import Path

WITHHELD = "[log record withheld: it contained a shielded value]"
MIN_VALUE_LENGTH = 4


class ShieldedValueFilter(logging.Filter):
    """Replaces (rather than drops) an offending record, so that something still shows it happened."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()

    def set_values(self, values: Iterable[str]) -> None:
        cleaned = frozenset(v.casefold() for v in values if len(v.strip()) >= MIN_VALUE_LENGTH)
        with self._lock:
            self._values = cleaned

    def holds_shielded_value(self, text: str) -> bool:
        """Also asked of the clipboard before the window locks or closes."""
        folded = text.casefold()
        return any(value in folded for value in self._values)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._values:
            return True
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if self.holds_shielded_value(text):
            record.msg = WITHHELD
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


SHIELDED_VALUE_FILTER = ShieldedValueFilter()


def configure_logging(log_dir: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_shielddesk", False):
            root.removeHandler(handler)
    # Without a handler Python prints warnings to stderr (its "last resort"): libraries such as pyhanko log
    # validation failures that way, and the CLI's output must stay its own.
    handlers: list[logging.Handler] = [logging.NullHandler()]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "shielddesk.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.addFilter(SHIELDED_VALUE_FILTER)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._shielddesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
