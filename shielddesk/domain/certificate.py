"""When a completion certificate may be issued: every blocking reason, plainly, so the sign-off owner
sees what is left rather than a bare 'no'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadinessCheck:
    key: str
    label: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    lists: tuple[str, ...]
    checks: tuple[ReadinessCheck, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def blocking(self) -> tuple[ReadinessCheck, ...]:
        return tuple(check for check in self.checks if not check.ok)


def _refs(refs: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(refs[:limit])
    return shown + (f" and {len(refs) - limit} more" if len(refs) > limit else "")


def assess(
    *,
    lists: Sequence[str],
    entries: int,
    unsettled: Sequence[str],
    shield_missing: Sequence[str],
    pending_requests: int,
    open_duplicates: int,
    audit_ok: bool,
    audit_detail: str,
    leaks: int,
    leak_searches: int = 0,
) -> Readiness:
    checks = (
        ReadinessCheck(
            "entries",
            "Every entry is shielded, withdrawn by the gatekeeper, or a documented not-found",
            entries > 0 and not unsettled,
            "the list has no entries"
            if entries == 0
            else f"{len(unsettled)} entr{'y' if len(unsettled) == 1 else 'ies'} still open: {_refs(unsettled)}"
            if unsettled
            else f"all {entries} entries settled",
        ),
        ReadinessCheck(
            "shields",
            "Every shielded entry's child has an active shield",
            not shield_missing,
            f"no active shield for: {_refs(shield_missing)}" if shield_missing else "",
        ),
        ReadinessCheck(
            "pending",
            "No request is waiting for a checker",
            pending_requests == 0,
            f"{pending_requests} request(s) pending" if pending_requests else "",
        ),
        ReadinessCheck(
            "duplicates",
            "No provisional duplicate shield is undecided",
            open_duplicates == 0,
            f"{open_duplicates} possible duplicate(s) to keep or release" if open_duplicates else "",
        ),
        ReadinessCheck("audit", "The audit chain verifies", audit_ok, audit_detail),
        ReadinessCheck(
            "leaks",
            "Leak check: no hidden value finds a shielded child for a practitioner",
            leaks == 0,
            f"{leaks} of {leak_searches} searches found a shielded child"
            if leaks
            else f"{leak_searches} searches on hidden values found no shielded child",
        ),
    )
    return Readiness(tuple(lists), checks)
