"""Listening for other workstations' changes on PostgreSQL (LISTEN), on a thread of its own with its own
connection: `on_change` is called (on that thread) soon after another workstation commits a change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from shielddesk.services.change_signal import CHANNEL

log = logging.getLogger(__name__)


class ChangeListener:
    def __init__(self, engine: Engine, on_change: Callable[[], None]) -> None:
        url = engine.url
        self._conninfo = psycopg.conninfo.make_conninfo(
            "",
            host=url.host or "",
            port=str(url.port or ""),
            dbname=url.database or "",
            user=url.username or "",
            password=url.password or "",
            **{k: str(v) for k, v in url.query.items()},
        )
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shielddesk-listen", daemon=True)
        self.listening = threading.Event()

    @staticmethod
    def available(engine: Engine) -> bool:
        return engine.dialect.name == "postgresql"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    delay = 1.0
                    while not self._stop.is_set():
                        if any(True for _ in connection.notifies(timeout=0.5, stop_after=50)):
                            self._on_change()
            except psycopg.Error as exc:
                # The periodic poll covers the gap; try again a little later.
                self.listening.clear()
                log.warning("change listener disconnected: %s", type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)
