"""The progress report, as CSV or PDF. It holds list references, entry references, statuses, CP IDs and
staff usernames: never a child's location, never free-text notes (which could hold one)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from enum import StrEnum

from shielddesk.certificates.report import render_report
from shielddesk.domain.export import safe_cell
from shielddesk.domain.lists import EntryStatus
from shielddesk.services.queues import QueueService, QueueSnapshot
from shielddesk.services.session import UserSession

STATUS_COLUMNS = [s.value for s in EntryStatus]


class ReportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


def _sections(snapshot: QueueSnapshot) -> list[tuple[str, list[list[str]]]]:
    lists = [["list", "entries", *STATUS_COLUMNS, "deadline", "days_left", "progress"]]
    for progress in snapshot.lists:
        lists.append(
            [
                progress.reference,
                str(progress.total),
                *(str(progress.counts.get(s, 0)) for s in STATUS_COLUMNS),
                progress.deadline.isoformat() if progress.deadline else "",
                "" if progress.days_left is None else str(progress.days_left),
                progress.summary,
            ]
        )
    pending = [["request", "kind", "list_entry", "cp_id", "maker", "waiting_hours", "overdue"]]
    for item in snapshot.pending:
        r = item.request
        pending.append(
            [
                str(r.request_id),
                r.kind.value,
                r.entry_name,
                r.child_cp_id,
                r.maker,
                f"{item.age_hours:.1f}",
                "yes" if item.overdue else "",
            ]
        )
    stuck = [["list_entry", "status", "linked_cp_id"]]
    stuck += [[e.name, e.status.value, e.child_cp_id] for e in snapshot.stuck]
    reviews = [["cp_id", "review_due"]]
    reviews += [[s.cp_id, s.review_due.isoformat() if s.review_due else ""] for s in snapshot.reviews_due]
    operators = [["operator", "proposed", "confirmed_as_checker", "rejected_as_checker", "pending_as_maker"]]
    operators += [
        [o.username, str(o.proposed), str(o.confirmed_as_checker), str(o.rejected_as_checker), str(o.pending_as_maker)]
        for o in snapshot.operators
    ]
    return [
        ("Progress by list", lists),
        (f"Waiting for a checker (overdue after {snapshot.overdue_after_hours} h)", pending),
        ("Entries needing attention", stuck),
        ("Shields due for review within 30 days", reviews),
        ("Work per operator", operators),
    ]


class ReportService:
    def __init__(self, queues: QueueService, authority_name: Callable[[], str]) -> None:
        self._queues = queues
        self._authority_name = authority_name

    def progress(self, actor: UserSession, fmt: ReportFormat) -> bytes:
        snapshot = self._queues.snapshot(actor)
        sections = _sections(snapshot)
        if fmt == ReportFormat.CSV:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(
                ["ShieldDesk progress report", self._authority_name(), snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC")]
            )
            for heading, rows in sections:
                writer.writerow([])
                writer.writerow([heading])
                writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
            return out.getvalue().encode("utf-8-sig")
        return render_report(
            f"Shielding progress — {self._authority_name()}",
            f"Taken {snapshot.taken_at.strftime('%d %B %Y, %H:%M UTC')}. List and entry references only: this "
            "report shows no child's location.",
            sections,
        )
