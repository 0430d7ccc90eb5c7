"""An authority whose every user has an authenticator, enrolled through the real services, and a phone for each
user that shows the code for the fake clock's time."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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


def secret_printed(output: str) -> str:
    """The authenticator secret `init` or `user second-factor enrol` printed."""
    found = re.search(r"Secret to type into the authenticator app: ([A-Z2-7 ]+)", output)
    assert found, "no authenticator secret was printed"
    return found.group(1).replace(" ", "")


def recovery_codes_printed(output: str) -> list[str]:
    return re.findall(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b", output)


def codes_accepted_now(secret: str) -> list[str]:
    """For separate processes on the real clock: the codes of the previous, current and next 30-second steps,
    all accepted now and each usable once. Waits for a new step first if fewer than 20 s of this one remain, so
    that all three stay valid for the next 20 s."""
    left = STEP.total_seconds() - time.time() % STEP.total_seconds()
    if left < 20:
        time.sleep(left + 0.1)
    now = datetime.now(UTC)
    return [code_at(secret, now - STEP), code_at(secret, now), code_at(secret, now + STEP)]
