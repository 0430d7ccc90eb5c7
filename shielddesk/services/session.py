"""The signed-in user as services see it: a plain value handed back by login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shielddesk.domain.roles import Permission, Role, is_allowed


@dataclass(frozen=True)
class UserSession:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    signed_in_at: datetime
    second_factor: bool = False  # enrolled: the lock screen and every step-up ask for a code
    recovery_codes_left: int | None = None  # set when this sign-in spent a recovery code

    def may(self, permission: Permission) -> bool:
        """For showing or hiding controls only; every service checks again against the database."""
        return is_allowed(self.roles, permission)

    @property
    def roles_label(self) -> str:
        return ", ".join(role.label for role in sorted(self.roles))
