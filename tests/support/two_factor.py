"""An authority whose every user has an authenticator, enrolled through the real services, and a phone for each
user that shows the code for the fake clock's time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shielddesk.domain.credentials import Credentials
from shielddesk.security.second_factor import code_at
from shielddesk.services.session import UserSession
from tests.support.authority import PASSWORD, ROLE_USERS, Authority

STEP = timedelta(seconds=30)


@dataclass
class Phones:
    """Each user's authenticator (their secret) and recovery codes, as the enrolment showed them."""

    authority: Authority
    secrets: dict[str, str] = field(default_factory=dict)
    recovery_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def clock(self):
        return self.authority.services.ctx.clock

    def code(self, username: str) -> str:
        return code_at(self.secrets[username], self.clock.now())

    def fresh(self, username: str) -> Credentials:
        """Wait for the authenticator's next code (each code works once), then the password and that code."""
        self.clock.advance(STEP)
        return Credentials(PASSWORD, self.code(username))

    def sign_in(self, username: str) -> UserSession:
        self.clock.advance(STEP)
        session = self.authority.services.auth.login(username, PASSWORD, self.code(username))
        self.authority.sessions[username] = session
        return session


def enrol_everyone(authority: Authority) -> Phones:
    """The administrator enrols themself and every user, then requires a second factor of everyone."""
    services = authority.services
    phones = Phones(authority)
    admin = authority.admin
    first = services.second_factor.enrol(admin, "admin", PASSWORD)
    phones.secrets["admin"], phones.recovery_codes["admin"] = first.secret, first.recovery_codes
    admin = phones.sign_in("admin")
    for username in ROLE_USERS:
        enrolment = services.second_factor.enrol(admin, username, phones.fresh("admin"))
        phones.secrets[username], phones.recovery_codes[username] = enrolment.secret, enrolment.recovery_codes
    services.second_factor.require_for_everyone(admin, phones.fresh("admin"))
    for username in ROLE_USERS:
        phones.sign_in(username)
    return phones
