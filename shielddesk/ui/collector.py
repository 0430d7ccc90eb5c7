"""Python's cyclic garbage collector, run on the GUI thread only.

Left automatic, a collection can start in whichever thread happens to allocate — a background import, a
readiness check — and free a closed window or dialog there; deleting Qt widgets off the GUI thread crashes
the process. The collector is switched off and run from a timer on the GUI thread instead, generation by
generation with Python's own thresholds.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer


class GuiThreadCollector(QObject):
    INTERVAL_MS = 500
    FULL_COLLECTION_EVERY_S = 30.0  # a full pass walks every object; Python itself also runs it sparingly

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()
        self._last_full = time.monotonic()

    def collect_if_due(self) -> None:
        young, middle, old = gc.get_count()
        if young > self._thresholds[0]:
            gc.collect(0)
            if middle > self._thresholds[1]:
                gc.collect(1)
                if old > self._thresholds[2] and time.monotonic() - self._last_full > self.FULL_COLLECTION_EVERY_S:
                    gc.collect(2)
                    self._last_full = time.monotonic()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
