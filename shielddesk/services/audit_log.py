"""Verifying the audit log (supervisors, sign-off owners, administrators)."""

from __future__ import annotations

from shielddesk.domain.audit_chain import ChainVerdict
from shielddesk.domain.roles import Permission
from shielddesk.services.audit import OUTCOME_FAILURE, OUTCOME_OK, verify_chain_in
from shielddesk.services.base import acting
from shielddesk.services.context import ServiceContext
from shielddesk.services.session import UserSession


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def verify(self, actor: UserSession, *, copy: bool = False) -> ChainVerdict:
        """`copy`: the database is a copy (a restored dump being checked), older than what this workstation
        has seen: its checkpoint is neither compared nor moved."""
        with acting(self._ctx, actor, Permission.VIEW_AUDIT, "audit.verify") as act:
            verdict = verify_chain_in(self._ctx, act.session, use_checkpoint=not copy)
            act.outcome = OUTCOME_OK if verdict.ok else OUTCOME_FAILURE
            act.details.update(events=verdict.events_checked, first_bad_seq=verdict.first_bad_seq)
        return verdict
