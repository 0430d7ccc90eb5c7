"""Idle auto-lock: after a period with no keyboard or mouse input the window locks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shielddesk.domain.clock import Clock


@dataclass
class IdleTracker:
    clock: Clock
    timeout: timedelta
    _last_activity: datetime = field(init=False)

    def __post_init__(self) -> None:
        self._last_activity = self.clock.now()

    def touch(self) -> None:
        self._last_activity = self.clock.now()

    def is_due(self) -> bool:
        return self.clock.now() - self._last_activity >= self.timeout
