"""First run: record the authority, create the audit key and the first administrator. No default accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from shielddesk.domain.audit_chain import key_fingerprint
from shielddesk.domain.errors import AlreadyInitialised, ConcurrentChange, InvalidInput, NotInitialised
from shielddesk.domain.roles import Role
from shielddesk.services.audit import append_event
from shielddesk.services.context import (
    SETTING_AUDIT_KEY_FINGERPRINT,
    SETTING_AUTHORITY_NAME,
    SETTING_DEMO,
    SETTING_INSTALLATION_ID,
    SETTING_SECOND_FACTOR_REQUIRED,
    SETTING_TEAM_PHONE,
    ServiceContext,
)
from shielddesk.services.second_factor import Enrolment, enrol_user
from shielddesk.services.users import create_user_row, validate_new_user
from shielddesk.storage.models import Setting


@dataclass(frozen=True)
class AuthorityInfo:
    name: str
    team_phone: str
    installation_id: str
    demo: bool
    second_factor_required: bool = True


@dataclass(frozen=True)
class Initialised:
    authority: AuthorityInfo
    admin_enrolment: Enrolment | None  # the first administrator's authenticator, to show once


class SetupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def is_initialised(self) -> bool:
        with self._ctx.transaction() as session:
            return session.get(Setting, SETTING_INSTALLATION_ID) is not None

    def authority(self) -> AuthorityInfo:
        with self._ctx.transaction() as session:
            settings = self._ctx.read_settings(session)
        if SETTING_INSTALLATION_ID not in settings:
            raise NotInitialised("ShieldDesk has not been set up on this database yet (run `shielddesk init`).")
        return AuthorityInfo(
            name=settings.get(SETTING_AUTHORITY_NAME, ""),
            team_phone=settings.get(SETTING_TEAM_PHONE, ""),
            installation_id=settings[SETTING_INSTALLATION_ID],
            demo=settings.get(SETTING_DEMO) == "yes",
            second_factor_required=settings.get(SETTING_SECOND_FACTOR_REQUIRED) != "no",
        )

    def initialise(
        self,
        *,
        authority_name: str,
        team_phone: str,
        admin_username: str,
        admin_display_name: str,
        admin_password: str,
        demo: bool = False,
        second_factor: bool = True,
    ) -> Initialised:
        """`second_factor`: every user needs an authenticator, starting with this administrator, whose enrolment
        comes back to be shown once. Off only for the demo and tests."""
        ctx = self._ctx
        authority = authority_name.strip()
        phone = team_phone.strip()
        if not authority:
            raise InvalidInput("The authority's name is required.")
        if sum(ch.isdigit() for ch in phone) < 6:
            raise InvalidInput("The shielding team's contact phone number is required (at least 6 digits).")
        ctx.secrets.ensure_usable()
        installation_id = str(uuid.uuid4())
        try:
            with ctx.transaction() as session:
                if session.scalars(select(Setting.key).where(Setting.key == SETTING_INSTALLATION_ID)).first():
                    raise AlreadyInitialised("ShieldDesk is already set up on this database.")
                name, display, roles = validate_new_user(
                    ctx, session, admin_username, admin_display_name, [Role.ADMIN], admin_password
                )
                # Validate everything before touching the keyring, so a refused set-up leaves nothing behind.
                key = ctx.new_audit_key(installation_id)
                settings = {
                    SETTING_INSTALLATION_ID: installation_id,
                    SETTING_AUTHORITY_NAME: authority,
                    SETTING_TEAM_PHONE: phone,
                    SETTING_AUDIT_KEY_FINGERPRINT: key_fingerprint(key),
                    SETTING_DEMO: "yes" if demo else "no",
                    SETTING_SECOND_FACTOR_REQUIRED: "yes" if second_factor else "no",
                }
                session.add_all(Setting(key=k, value=v) for k, v in settings.items())
                session.flush()
                admin = create_user_row(ctx, session, name, display, roles, admin_password)
                enrolment = enrol_user(ctx, session, admin, enrolled_by=None) if second_factor else None
                append_event(
                    ctx,
                    session,
                    username=name,
                    action="install.initialise",
                    object_type="installation",
                    object_id=installation_id,
                    details={"demo": demo, "second_factor_required": second_factor},
                )
                append_event(
                    ctx,
                    session,
                    username=name,
                    action="user.add",
                    object_type="user",
                    object_id=admin.id,
                    details={
                        "username": name,
                        "roles": [Role.ADMIN.value],
                        "first_admin": True,
                        "second_factor": second_factor,
                    },
                )
        except ConcurrentChange:  # another workstation set up this database a moment earlier
            ctx.forget_audit_key()
            raise AlreadyInitialised("ShieldDesk is already set up on this database.") from None
        except BaseException:
            ctx.forget_audit_key()  # the key belongs to a set-up that did not happen
            raise
        return Initialised(AuthorityInfo(authority, phone, installation_id, demo, second_factor), enrolment)
