"""Readiness, issuing and verifying the signed completion certificate, and the sign-off owners' keys."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from shielddesk.certificates import keys as key_tools
from shielddesk.certificates.layout import CertificateContent, ExceptionLine, ListScope, render
from shielddesk.certificates.signature_report import SignatureReport
from shielddesk.domain.certificate import Readiness, assess
from shielddesk.domain.errors import InvalidInput, NotFound, ShieldDeskError
from shielddesk.domain.lists import SETTLED_STATUSES, EntryStatus
from shielddesk.domain.requests import RequestKind, RequestStatus
from shielddesk.domain.roles import Permission, Role
from shielddesk.services.audit import verify_chain_in
from shielddesk.services.base import Acting, acting
from shielddesk.services.children import leak_check
from shielddesk.services.context import (
    SETTING_AUTHORITY_NAME,
    SETTING_INSTALLATION_ID,
    SETTING_TEAM_PHONE,
    ServiceContext,
)
from shielddesk.services.reviews import ReviewKind, ReviewStatus
from shielddesk.services.session import UserSession
from shielddesk.storage.models import (
    AuditHead,
    Certificate,
    Child,
    GatekeeperList,
    ListEntry,
    ReviewItem,
    Shield,
    ShieldRequest,
    SigningKey,
    User,
)


class NotReady(ShieldDeskError):
    def __init__(self, readiness: Readiness) -> None:
        self.readiness = readiness
        reasons = "; ".join(f"{c.label.lower()}: {c.detail}" for c in readiness.blocking)
        super().__init__(f"The certificate cannot be issued yet — {reasons}.")


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    subject: str
    not_after: datetime
    self_signed: bool


@dataclass(frozen=True)
class IssuedCertificate:
    number: str
    pdf: bytes
    sha256: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    number: str
    signature: SignatureReport
    recorded: bool
    same_file_as_issued: bool
    differences: tuple[str, ...]

    def describe(self) -> str:
        lines = [("VALID" if self.ok else "NOT VALID") + (f": certificate {self.number}" if self.number else "")]
        lines += [f"  signature: {p}" for p in self.signature.problems]
        if self.signature.ok:
            lines.append(f"  signed by {self.signature.signer}; covers the whole file; pyhanko bottom line: yes")
        if not self.recorded:
            lines.append("  no certificate with this number was issued from this database")
        elif not self.same_file_as_issued:
            lines.append("  this file is not byte-for-byte the PDF that was issued under this number")
        lines += [f"  differs from the database now: {d}" for d in self.differences]
        return "\n".join(lines)


def _list_facts(session: Session, gatekeeper_list: GatekeeperList) -> dict[str, object]:
    """What the certificate asserts about one list, re-derivable from the database at any time."""
    child = aliased(Child)
    rows = session.execute(
        select(ListEntry, child.cp_id)
        .outerjoin(child, child.id == ListEntry.child_id)
        .where(ListEntry.list_id == gatekeeper_list.id)
        .order_by(ListEntry.entry_ref)
    ).all()
    canonical = [
        [
            e.entry_ref,
            e.forenames,
            e.surname,
            e.date_of_birth.isoformat() if e.date_of_birth else "",
            e.cp_id,
            e.reason,
            e.status,
            cp_id or "",
        ]
        for e, cp_id in rows
    ]
    digest = hashlib.sha256(json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    counts: dict[str, int] = {}
    for entry, _cp in rows:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return {
        "reference": gatekeeper_list.reference,
        "revision": gatekeeper_list.revision,
        "received": gatekeeper_list.received_at.strftime("%d/%m/%Y"),
        "sha256": digest,
        "entries": len(rows),
        "counts": counts,
    }


class CertificateService:
    def __init__(self, ctx: ServiceContext, keys_dir: Path) -> None:
        self._ctx = ctx
        self._keys_dir = keys_dir

    # ---- keys ------------------------------------------------------------------------------------------------
    def _secret_name(self, session: Session, fingerprint: str) -> str:
        installation = self._ctx.read_settings(session).get(SETTING_INSTALLATION_ID, "")
        return f"signing-key/{installation}/{fingerprint}"

    def _store_key(self, act: Acting, material: key_tools.KeyMaterial) -> KeyInfo:
        if act.session.scalars(select(SigningKey.id).where(SigningKey.fingerprint == material.fingerprint)).first():
            raise InvalidInput("This key is already installed.")
        self._keys_dir.mkdir(parents=True, exist_ok=True)
        file_name = f"{act.user.username}-{material.fingerprint[:16]}.p12"
        path = self._keys_dir / file_name
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(material.pkcs12)
        self._ctx.secrets.set(self._secret_name(act.session, material.fingerprint), material.passphrase)
        for older in act.session.scalars(select(SigningKey).where(SigningKey.user_id == act.user.id)):
            older.active = False
        act.session.add(
            SigningKey(
                user_id=act.user.id,
                fingerprint=material.fingerprint,
                subject=material.subject,
                certificate_pem=material.certificate_pem,
                file_name=file_name,
                self_signed=material.self_signed,
                not_after=material.not_after,
                created_at=self._ctx.now(),
                active=True,
            )
        )
        act.details.update(fingerprint=material.fingerprint, self_signed=material.self_signed)
        return KeyInfo(material.fingerprint, material.subject, material.not_after, material.self_signed)

    def create_key(self, actor: UserSession) -> KeyInfo:
        with acting(
            self._ctx, actor, Permission.ISSUE_CERTIFICATE, "keys.create", object_type="user", object_id=actor.user_id
        ) as act:
            authority = self._ctx.read_settings(act.session).get(SETTING_AUTHORITY_NAME, "")
            material = key_tools.create_self_signed(act.user.display_name, authority, self._ctx.now())
            return self._store_key(act, material)

    def import_key(self, actor: UserSession, path: Path, passphrase: str) -> KeyInfo:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"The key file cannot be read ({exc.strerror}).") from None
        with acting(
            self._ctx, actor, Permission.ISSUE_CERTIFICATE, "keys.import", object_type="user", object_id=actor.user_id
        ) as act:
            return self._store_key(act, key_tools.inspect_pkcs12(data, passphrase, self._ctx.now()))

    def my_key(self, actor: UserSession) -> KeyInfo | None:
        """The signed-in sign-off owner's active key, if any (no secret is read)."""
        with self._ctx.transaction() as session:
            key = session.scalars(
                select(SigningKey).where(SigningKey.user_id == actor.user_id, SigningKey.active.is_(True))
            ).one_or_none()
            return KeyInfo(key.fingerprint, key.subject, key.not_after, key.self_signed) if key else None

    def _active_key(self, session: Session, user_id: int) -> tuple[SigningKey, bytes, str]:
        key = session.scalars(
            select(SigningKey).where(SigningKey.user_id == user_id, SigningKey.active.is_(True))
        ).one_or_none()
        if key is None:
            raise InvalidInput(
                "You have no signing key yet: create one (shielddesk keys create) or import the "
                "one your authority's CA issued (shielddesk keys import FILE.p12)."
            )
        if key.not_after <= self._ctx.now():
            raise InvalidInput("Your signing certificate has expired: create or import a new one.")
        try:
            data = (self._keys_dir / key.file_name).read_bytes()
        except OSError:
            raise InvalidInput("Your signing key file is missing from this workstation's data folder.") from None
        passphrase = self._ctx.secrets.get(self._secret_name(session, key.fingerprint))
        if passphrase is None:
            raise InvalidInput("This workstation's keyring does not hold your signing key's passphrase.")
        return key, data, passphrase

    # ---- readiness ----------------------------------------------------------------------------------------
    def readiness(self, actor: UserSession, references: list[str]) -> Readiness:
        with acting(
            self._ctx,
            actor,
            Permission.VIEW_QUEUES,
            "certificate.readiness",
            object_type="list",
            object_id=",".join(references)[:64],
        ) as act:
            readiness = self._readiness(act.session, references)
            act.details.update(ready=readiness.ready, blocking=[c.key for c in readiness.blocking])
            return readiness

    def _lists(self, session: Session, references: list[str]) -> list[GatekeeperList]:
        if not references:
            raise InvalidInput("Name at least one list.")
        found = list(session.scalars(select(GatekeeperList).where(GatekeeperList.reference.in_(references))))
        missing = sorted(set(references) - {g.reference for g in found})
        if missing:
            raise NotFound(f"No list with the reference {', '.join(missing)}.")
        return sorted(found, key=lambda g: references.index(g.reference))

    def _readiness(self, session: Session, references: list[str]) -> Readiness:
        lists = self._lists(session, references)
        list_ids = [g.id for g in lists]
        rows = session.execute(
            select(ListEntry.entry_ref, ListEntry.status, ListEntry.child_id, GatekeeperList.reference)
            .join(GatekeeperList)
            .where(ListEntry.list_id.in_(list_ids))
            .order_by(GatekeeperList.reference, ListEntry.entry_ref)
        ).all()
        settled = {s.value for s in SETTLED_STATUSES}
        unsettled = [
            f"{r.reference}/{r.entry_ref} ({r.status.replace('_', ' ')})" for r in rows if r.status not in settled
        ]
        active = set(
            session.scalars(select(Shield.child_id).where(Shield.active.is_(True), Shield.provisional.is_(False)))
        )
        missing = [
            f"{r.reference}/{r.entry_ref}"
            for r in rows
            if r.status == EntryStatus.SHIELDED.value and r.child_id not in active
        ]
        pending = (
            session.scalar(
                select(func.count(ShieldRequest.id)).where(ShieldRequest.status == RequestStatus.PENDING.value)
            )
            or 0
        )
        duplicates = (
            session.scalar(
                select(func.count(ReviewItem.id)).where(
                    ReviewItem.kind == ReviewKind.DUPLICATE.value, ReviewItem.status == ReviewStatus.OPEN.value
                )
            )
            or 0
        )
        verdict = verify_chain_in(self._ctx, session)
        runs, leaks = leak_check(session)
        return assess(
            lists=references,
            entries=len(rows),
            unsettled=unsettled,
            shield_missing=missing,
            pending_requests=pending,
            open_duplicates=duplicates,
            audit_ok=verdict.ok,
            audit_detail=f"{verdict.events_checked} events verified" if verdict.ok else verdict.describe(),
            leaks=leaks,
            leak_searches=runs,
        )

    # ---- issuing ----------------------------------------------------------------------------------------------
    def issue(self, actor: UserSession, references: list[str]) -> IssuedCertificate:
        with acting(
            self._ctx, actor, Permission.ISSUE_CERTIFICATE, "certificate.issue", object_type="certificate"
        ) as act:
            readiness = self._readiness(act.session, references)
            if not readiness.ready:
                raise NotReady(readiness)
            key, data, passphrase = self._active_key(act.session, act.user.id)
            content, scope = self._content(act, references)
            unsigned = render(content)
            from shielddesk.certificates import signing  # pyhanko: loaded when first needed (start-up time)

            signed = signing.sign(
                unsigned,
                data,
                passphrase,
                signer_name=act.user.display_name,
                reason=f"Completion certificate {content.number}",
            )
            digest = hashlib.sha256(signed).hexdigest()
            act.session.add(
                Certificate(
                    number=content.number,
                    issued_at=content.issued_at,
                    signer_id=act.user.id,
                    signing_key_id=key.id,
                    scope=json.dumps(scope, sort_keys=True),
                    counts=json.dumps(self._counts(content), sort_keys=True),
                    exceptions=json.dumps([e.entry for e in content.exceptions]),
                    audit_head_seq=content.audit_head_seq,
                    audit_head_hash=content.audit_head_hash,
                    pdf_sha256=digest,
                )
            )
            act.object_id = content.number
            act.details.update(
                lists=references, pdf_sha256=digest, shielded=content.shielded, exceptions=len(content.exceptions)
            )
            return IssuedCertificate(content.number, signed, digest)

    @staticmethod
    def _counts(content: CertificateContent) -> dict[str, int]:
        return {
            "on_list": content.on_list,
            "shielded": content.shielded,
            "withdrawn": content.withdrawn,
            "exceptions": len(content.exceptions),
        }

    def _content(self, act: Acting, references: list[str]) -> tuple[CertificateContent, list[dict[str, object]]]:
        session, now = act.session, self._ctx.now()
        settings = self._ctx.read_settings(session)
        lists = self._lists(session, references)
        scope = [_list_facts(session, g) for g in lists]
        list_ids = [g.id for g in lists]
        maker, checker = aliased(User), aliased(User)
        decided = session.execute(
            select(
                ShieldRequest, ListEntry.entry_ref, GatekeeperList.reference, maker.display_name, checker.display_name
            )
            .join(ListEntry, ListEntry.id == ShieldRequest.entry_id)
            .join(GatekeeperList, GatekeeperList.id == ListEntry.list_id)
            .join(maker, maker.id == ShieldRequest.maker_id)
            .join(checker, checker.id == ShieldRequest.checker_id)
            .where(ListEntry.list_id.in_(list_ids), ShieldRequest.status == RequestStatus.CONFIRMED.value)
        ).all()
        current = {
            (ref, entry_ref): status
            for ref, entry_ref, status in session.execute(
                select(GatekeeperList.reference, ListEntry.entry_ref, ListEntry.status)
                .join(GatekeeperList)
                .where(ListEntry.list_id.in_(list_ids))
            )
        }
        exceptions = tuple(
            sorted(
                (
                    ExceptionLine(
                        f"{ref}/{entry_ref}",
                        "Not found in the index",
                        f"{m} / {c}, {request.checked_at.strftime('%d/%m/%Y')}",
                    )
                    for request, entry_ref, ref, m, c in decided
                    if request.kind == RequestKind.NOT_FOUND.value
                    and current.get((ref, entry_ref)) == EntryStatus.NOT_FOUND
                ),
                key=lambda e: e.entry,
            )
        )
        makers: dict[str, int] = {}
        checkers: dict[str, int] = {}
        for request, _e, _r, m, c in decided:
            if request.kind == RequestKind.APPLY.value:
                makers[m] = makers.get(m, 0) + 1
                checkers[c] = checkers.get(c, 0) + 1
        operators = tuple(f"{name} ({n} as maker)" for name, n in sorted(makers.items())) + tuple(
            f"{name} ({n} as checker)" for name, n in sorted(checkers.items())
        )
        last = max((r.checked_at for r, *_ in decided if r.checked_at), default=now)
        first = min(g.received_at for g in lists)
        head = session.get(AuditHead, 1)
        year = now.year
        issued_this_year = (
            session.scalar(select(func.count(Certificate.id)).where(Certificate.number.like(f"SD-{year}-%"))) or 0
        )
        totals = {
            status: sum(int(f["counts"].get(status, 0)) for f in scope)
            for status in ("shielded", "withdrawn", "not_found")  # type: ignore[union-attr]
        }
        content = CertificateContent(
            number=f"SD-{year}-{issued_this_year + 1:04d}",
            authority=settings.get(SETTING_AUTHORITY_NAME, ""),
            issued_at=now,
            lists=tuple(
                ListScope(
                    str(f["reference"]),
                    int(f["revision"]),
                    str(f["received"]),
                    str(f["sha256"]),  # type: ignore[arg-type]
                    int(f["entries"]),
                )
                for f in scope
            ),  # type: ignore[arg-type]
            on_list=sum(int(f["entries"]) for f in scope),  # type: ignore[arg-type]
            shielded=totals["shielded"],
            withdrawn=totals["withdrawn"],
            exceptions=exceptions,
            operators=operators,
            period=f"{first.strftime('%d/%m/%Y')} – {last.strftime('%d/%m/%Y')}",
            audit_head_seq=head.seq if head else 0,
            audit_head_hash=head.hash if head else "",
            signer_name=act.user.display_name,
            signer_role=Role.SIGNOFF_OWNER.label,
            team_phone=settings.get(SETTING_TEAM_PHONE, ""),
        )
        return content, scope

    # ---- verifying --------------------------------------------------------------------------------------------
    def verify(self, actor: UserSession, pdf: bytes, trust_pem: list[bytes] | None = None) -> Verification:
        with acting(self._ctx, actor, Permission.VIEW_AUDIT, "certificate.verify", object_type="certificate") as act:
            session = act.session
            trusted = list(trust_pem or [])
            if not trusted:
                trusted = [k.certificate_pem.encode() for k in session.scalars(select(SigningKey))]
            from shielddesk.certificates import signing

            report = signing.verify(pdf, trusted)
            record = (
                session.scalars(
                    select(Certificate).where(Certificate.number == report.certificate_number)
                ).one_or_none()
                if report.certificate_number
                else None
            )
            differences: list[str] = []
            same = False
            if record is not None:
                same = hashlib.sha256(pdf).hexdigest() == record.pdf_sha256
                differences = self._differences(session, record)
                key = session.get(SigningKey, record.signing_key_id)
                if (
                    report.ok
                    and key is not None
                    and report.signer_fingerprint
                    and (report.signer_fingerprint != key.fingerprint)
                ):
                    differences.append("the file was signed with a different key from the one recorded")
            ok = report.ok and record is not None and same and not differences
            act.object_id = report.certificate_number
            act.outcome = "ok" if ok else "failure"
            act.details.update(
                signature_ok=report.ok, recorded=record is not None, same_file=same, differences=len(differences)
            )
            return Verification(ok, report.certificate_number, report, record is not None, same, tuple(differences))

    @staticmethod
    def _differences(session: Session, record: Certificate) -> list[str]:
        differences: list[str] = []
        scope = json.loads(record.scope)
        for recorded in scope:
            gatekeeper_list = session.scalars(
                select(GatekeeperList).where(GatekeeperList.reference == recorded["reference"])
            ).one_or_none()
            if gatekeeper_list is None:
                differences.append(f"list {recorded['reference']} no longer exists")
                continue
            now = _list_facts(session, gatekeeper_list)
            if now["sha256"] != recorded["sha256"]:
                differences.append(f"list {recorded['reference']}'s content has changed since the certificate")
            for status in sorted(set(recorded["counts"]) | set(now["counts"])):  # type: ignore[arg-type]
                then_n, now_n = recorded["counts"].get(status, 0), now["counts"].get(status, 0)  # type: ignore[union-attr]
                if then_n != now_n:
                    differences.append(
                        f"list {recorded['reference']}: {then_n} {status.replace('_', ' ')} then, {now_n} now"
                    )
        shielded_then = json.loads(record.counts).get("shielded", 0)
        active = (
            session.scalar(
                select(func.count(ListEntry.id))
                .join(Shield, and_(Shield.child_id == ListEntry.child_id, Shield.active.is_(True)))
                .where(
                    ListEntry.status == EntryStatus.SHIELDED.value,
                    ListEntry.list_id.in_(
                        select(GatekeeperList.id).where(GatekeeperList.reference.in_([s["reference"] for s in scope]))
                    ),
                )
            )
            or 0
        )
        if active != shielded_then and not differences:
            differences.append(f"{shielded_then} shielded then, {active} with an active shield now")
        return differences
