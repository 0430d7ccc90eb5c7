"""A checksum of everything a database holds apart from its audit log: a refused or denied action may add
audit events, and nothing else."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from shielddesk.app import Services
from shielddesk.storage.models import Base

AUDIT_TABLES = {"audit_event", "audit_head"}


def data_fingerprint(services: Services, *, ignore: frozenset[str] = frozenset()) -> str:
    """`ignore`: further tables to leave out (e.g. app_user, whose sign-in bookkeeping every CLI run updates)."""
    digest = hashlib.sha256()
    with services.ctx.transaction(read_only=True) as session:
        for table in Base.metadata.sorted_tables:
            if table.name in AUDIT_TABLES or table.name in ignore:
                continue
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(table.name.encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
