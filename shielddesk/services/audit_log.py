"""Reading and verifying the audit log (supervisors, sign-off owners, administrators)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from shielddesk.domain.audit_chain import ChainVerdict
from shielddesk.domain.roles import Permission
from shielddesk.services.audit import OUTCOME_FAILURE, OUTCOME_OK, verify_chain_in
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.session import UserSession
from shielddesk.storage.models import AuditEvent


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    occurred_at: str
    username: str
    workstation: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    reason: str
    details: str


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def verify(self, actor: UserSession) -> ChainVerdict:
        with acting(self._ctx, actor, Permission.VIEW_AUDIT, "audit.verify") as act:
            verdict = verify_chain_in(self._ctx, act.session)
            act.outcome = OUTCOME_OK if verdict.ok else OUTCOME_FAILURE
            act.details.update(events=verdict.events_checked, first_bad_seq=verdict.first_bad_seq)
        return verdict

    def recent(self, actor: UserSession, limit: int = 200) -> list[AuditEntry]:
        with acting(self._ctx, actor, Permission.VIEW_AUDIT, "audit.view") as act:
            rows = act.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)).all()
            return [
                AuditEntry(
                    r.seq,
                    r.occurred_at,
                    r.username,
                    r.workstation,
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.outcome,
                    r.reason,
                    r.details,
                )
                for r in rows
            ]
