"""Where ShieldDesk keeps things and how it connects: one place, overridable by flags and environment."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import platformdirs

from shielddesk.imports.limits import ImportLimits

APP_NAME = "ShieldDesk"
ENV_DATABASE_URL = "SHIELDDESK_DATABASE_URL"
ENV_DATA_DIR = "SHIELDDESK_DATA_DIR"
ENV_IDLE_LOCK_MINUTES = "SHIELDDESK_IDLE_LOCK_MINUTES"
ENV_WORKSTATION = "SHIELDDESK_WORKSTATION"
ENV_REVIEW_MONTHS = "SHIELDDESK_REVIEW_MONTHS"
ENV_MAX_FILE_MB = "SHIELDDESK_MAX_FILE_MB"
ENV_REFRESH_SECONDS = "SHIELDDESK_REFRESH_SECONDS"
ENV_OVERDUE_HOURS = "SHIELDDESK_OVERDUE_HOURS"
ENV_SESSION_HOURS = "SHIELDDESK_SESSION_HOURS"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    workstation: str
    idle_lock: timedelta = timedelta(minutes=5)
    # A shield's review date when the gatekeeper's entry gives none.
    review_period: timedelta = timedelta(days=182)
    # How often an open window asks whether another workstation changed something.
    refresh_every: timedelta = timedelta(seconds=5)
    # A proposal waiting longer than this for its checker is highlighted on the supervisors' queue.
    overdue_after: timedelta = timedelta(hours=48)
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    # However active, a session ends this long after sign-in (locking and unlocking do not extend it).
    session_limit: timedelta = timedelta(hours=12)

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @classmethod
    def load(
        cls,
        *,
        database_url: str | None = None,
        data_dir: str | Path | None = None,
        environ: dict[str, str] | None = None,
    ) -> Config:
        env = os.environ if environ is None else environ
        folder = Path(data_dir or env.get(ENV_DATA_DIR) or platformdirs.user_data_dir(APP_NAME, appauthor=False))
        url = database_url or env.get(ENV_DATABASE_URL) or f"sqlite:///{folder / 'shielddesk.db'}"
        minutes = env.get(ENV_IDLE_LOCK_MINUTES, "").strip()
        idle = timedelta(minutes=float(minutes)) if minutes else timedelta(minutes=5)
        if idle <= timedelta(0):
            raise ValueError(f"{ENV_IDLE_LOCK_MINUTES} must be a positive number of minutes")
        workstation = env.get(ENV_WORKSTATION) or socket.gethostname()
        months = env.get(ENV_REVIEW_MONTHS, "").strip()
        review = timedelta(days=round(float(months) * 30.44)) if months else timedelta(days=182)
        if review <= timedelta(0):
            raise ValueError(f"{ENV_REVIEW_MONTHS} must be a positive number of months")
        limits = ImportLimits()
        if max_mb := env.get(ENV_MAX_FILE_MB, "").strip():
            limits = replace(limits, max_file_bytes=int(float(max_mb) * 1_048_576))
        refresh = timedelta(seconds=float(env.get(ENV_REFRESH_SECONDS, "").strip() or 5))
        session_limit = timedelta(hours=float(env.get(ENV_SESSION_HOURS, "").strip() or 12))
        if session_limit <= timedelta(0):
            raise ValueError(f"{ENV_SESSION_HOURS} must be a positive number of hours")
        return cls(
            data_dir=folder,
            database_url=url,
            workstation=workstation,
            idle_lock=idle,
            review_period=review,
            import_limits=limits,
            refresh_every=refresh,
            overdue_after=timedelta(hours=float(env.get(ENV_OVERDUE_HOURS, "").strip() or 48)),
            session_limit=session_limit,
        )
