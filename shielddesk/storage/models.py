"""The schema: typed SQLAlchemy 2 models of DESIGN §3 (lists and requests arrive with the next issue)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    orm,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shielddesk.storage.types import SearchKey, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEXT = 1000
NOTES = 4000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """Installation-wide facts: authority name, team phone, installation id, audit key fingerprint."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Child(Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cp_id: Mapped[str] = mapped_column(String(12), unique=True)
    forenames: Mapped[str] = mapped_column(String(TEXT))
    surname: Mapped[str] = mapped_column(String(TEXT))
    former_surnames: Mapped[str] = mapped_column(String(TEXT), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1), default="U")
    address_line1: Mapped[str] = mapped_column(String(TEXT), default="")
    address_line2: Mapped[str] = mapped_column(String(TEXT), default="")
    town: Mapped[str] = mapped_column(String(TEXT), default="")
    postcode: Mapped[str] = mapped_column(String(TEXT), default="")
    school_name: Mapped[str] = mapped_column(String(TEXT), default="")
    school_urn: Mapped[str] = mapped_column(String(TEXT), default="")
    school_postcode: Mapped[str] = mapped_column(String(TEXT), default="")
    gp_practice_name: Mapped[str] = mapped_column(String(TEXT), default="")
    gp_practice_code: Mapped[str] = mapped_column(String(TEXT), default="")
    gp_postcode: Mapped[str] = mapped_column(String(TEXT), default="")
    # Normalised search keys (see domain.text), kept beside the values so that searches use indexes.
    surname_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    forenames_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    surname_phonetic: Mapped[str] = mapped_column(SearchKey(32))
    postcode_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    address_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    school_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    gp_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    carers: Mapped[list[Carer]] = orm.relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Carer.position"
    )
    involvements: Mapped[list[Involvement]] = orm.relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Involvement.position"
    )

    __table_args__ = (
        Index("ix_child_surname_key_dob", "surname_key", "date_of_birth"),
        Index("ix_child_phonetic_surname_dob", "surname_phonetic", "surname_key", "date_of_birth"),  # sounds-like
        Index("ix_child_phonetic_dob", "surname_phonetic", "date_of_birth"),  # matching
        Index("ix_child_forenames_key", "forenames_key"),
        Index("ix_child_date_of_birth", "date_of_birth"),
        Index("ix_child_postcode_key", "postcode_key"),
        Index("ix_child_address_key", "address_key"),
        Index("ix_child_school_key", "school_key"),
        Index("ix_child_gp_key", "gp_key"),
    )


class Carer(Base):
    __tablename__ = "carer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(TEXT), default="")
    relationship: Mapped[str] = mapped_column(String(TEXT), default="")
    address: Mapped[str] = mapped_column(String(TEXT), default="")
    phone: Mapped[str] = mapped_column(String(TEXT), default="")
    name_key: Mapped[str] = mapped_column(SearchKey(TEXT), index=True)
    child: Mapped[Child] = orm.relationship(back_populates="carers")


class FormerSurname(Base):
    """A former surname's search keys (domain.text.former_surname_keys): an adopted child is found, and matched,
    by the surname a list may still know her by."""

    __tablename__ = "former_surname"
    # With the child's date of birth (rewritten with the child): matching asks "who was called this, born on one
    # of these dates" of this index alone, without visiting every child once called a common surname.
    __table_args__ = (Index("ix_former_surname_key_dob", "name_key", "date_of_birth"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    name_key: Mapped[str] = mapped_column(SearchKey(TEXT))
    phonetic: Mapped[str] = mapped_column(SearchKey(32), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)


class Involvement(Base):
    __tablename__ = "involvement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(TEXT), default="")
    practitioner: Mapped[str] = mapped_column(String(TEXT), default="")
    role: Mapped[str] = mapped_column(String(TEXT), default="")
    organisation: Mapped[str] = mapped_column(String(TEXT), default="")
    phone: Mapped[str] = mapped_column(String(TEXT), default="")
    address: Mapped[str] = mapped_column(String(TEXT), default="")
    postcode: Mapped[str] = mapped_column(String(TEXT), default="")
    child: Mapped[Child] = orm.relationship(back_populates="involvements")


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    roles: Mapped[list[UserRole]] = orm.relationship(cascade="all, delete-orphan", lazy="selectin")


class UserRole(Base):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class SecondFactor(Base):
    """A user's authenticator secret, sealed (security.second_factor); `last_step` makes every code single-use."""

    __tablename__ = "second_factor"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    sealed_secret: Mapped[str] = mapped_column(String(256))
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class RecoveryCode(Base):
    """One single-use recovery code, kept as a keyed digest."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "digest"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SecondFactorReset(Base):
    """An administrator's request to remove a user's second factor; a different administrator carries it out."""

    __tablename__ = "second_factor_reset"
    __table_args__ = (
        Index(
            "uq_second_factor_reset_pending_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(TEXT))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Shield(Base):
    """A child's shield. At most one active shield per child (partial unique index)."""

    __tablename__ = "shield"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Null maker and checker: a provisional shield put on by the duplicate guard, waiting for two operators.
    maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    shield_carers: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_maker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    removed_checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_shield_child_id", "child_id"),
        Index(
            "uq_shield_active_child",
            "child_id",
            unique=True,
            sqlite_where=text("active = 1"),
            postgresql_where=text("active"),
        ),
    )


class AuditEvent(Base):
    """Append-only, HMAC-chained record of every action. Details hold ids, never shielded values."""

    __tablename__ = "audit_event"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(NOTES), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_event_action", "action"),)


class AuditHead(Base):
    """The newest sequence number and hash; a single row locked by every append (serialises writers)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class GatekeeperList(Base):
    """One gatekeeper-approved list (one imported file, revised in place by re-importing its reference)."""

    __tablename__ = "gatekeeper_list"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(TEXT), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    entries: Mapped[list[ListEntry]] = orm.relationship(back_populates="gatekeeper_list", order_by="ListEntry.id")


class ListEntry(Base):
    __tablename__ = "list_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("gatekeeper_list.id"), index=True)
    entry_ref: Mapped[str] = mapped_column(String(64))
    cp_id: Mapped[str] = mapped_column(String(12), default="")
    forenames: Mapped[str] = mapped_column(String(TEXT))
    surname: Mapped[str] = mapped_column(String(TEXT))
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(1), default="U")
    postcode: Mapped[str] = mapped_column(String(TEXT), default="")
    address: Mapped[str] = mapped_column(String(TEXT), default="")
    reason: Mapped[str] = mapped_column(String(32))
    requesting_agency: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str] = mapped_column(String(TEXT), default="")
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    shield_carers: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(String(NOTES), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_note: Mapped[str] = mapped_column(String(NOTES), default="")
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    gatekeeper_list: Mapped[GatekeeperList] = orm.relationship(back_populates="entries")

    __table_args__ = (UniqueConstraint("list_id", "entry_ref"),)


class ShieldRequest(Base):
    """The four-eyes unit: one operator proposes, another decides, exactly once."""

    __tablename__ = "shield_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), nullable=True, index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entry.id"), nullable=True, index=True)
    maker_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(NOTES), default="")
    child_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entry_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    shield_carers: Mapped[bool] = mapped_column(Boolean, default=True)
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checker_note: Mapped[str] = mapped_column(String(NOTES), default="")

    __table_args__ = (
        # Invariant 3: one pending request per child and kind, and one per list entry.
        Index(
            "uq_shield_request_pending_child",
            "child_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'pending' AND child_id IS NOT NULL"),
            postgresql_where=text("status = 'pending' AND child_id IS NOT NULL"),
        ),
        Index(
            "uq_shield_request_pending_entry",
            "entry_id",
            unique=True,
            sqlite_where=text("status = 'pending' AND entry_id IS NOT NULL"),
            postgresql_where=text("status = 'pending' AND entry_id IS NOT NULL"),
        ),
    )


class ReviewItem(Base):
    """Something a person must decide that no list asked for: a possible unshielded duplicate of a shielded
    child, or a sibling at a newly shielded child's address."""

    __tablename__ = "review_item"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    related_child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    score: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(String(NOTES), default="")


class SigningKey(Base):
    """A sign-off owner's signing key: the PKCS#12 file lives in the data folder, its passphrase in the OS
    keyring; the database keeps the certificate so that any workstation can verify what it signed."""

    __tablename__ = "signing_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(TEXT))
    certificate_pem: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(TEXT))
    self_signed: Mapped[bool] = mapped_column(Boolean, default=True)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Certificate(Base):
    """An issued completion certificate: what it asserted, so that `verify` can re-derive and compare."""

    __tablename__ = "certificate"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    signing_key_id: Mapped[int] = mapped_column(ForeignKey("signing_key.id"))
    scope: Mapped[str] = mapped_column(Text)  # JSON: list references, revisions and content hashes
    counts: Mapped[str] = mapped_column(Text)  # JSON
    exceptions: Mapped[str] = mapped_column(Text)  # JSON: entry references and kinds, never a location
    audit_head_seq: Mapped[int] = mapped_column(Integer)
    audit_head_hash: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
