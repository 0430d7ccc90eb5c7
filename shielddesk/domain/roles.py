"""Roles and the permission matrix of DESIGN §5. Services check these; hiding a button is not the check."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    SIGNOFF_OWNER = "signoff_owner"
    GATEKEEPER = "gatekeeper"
    PRACTITIONER = "practitioner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OPERATOR: "Shielding operator",
    Role.SUPERVISOR: "Supervisor",
    Role.SIGNOFF_OWNER: "Sign-off owner",
    Role.GATEKEEPER: "Gatekeeper (Specialist Services)",
    Role.PRACTITIONER: "Practitioner",
    Role.ADMIN: "Administrator",
}


class Permission(StrEnum):
    SEARCH = "search"
    VIEW_SHIELDED = "view_shielded"
    MANAGE_LIST = "manage_list"
    VIEW_LISTS = "view_lists"
    PROPOSE_SHIELD = "propose_shield"
    CONFIRM_SHIELD = "confirm_shield"
    VIEW_QUEUES = "view_queues"
    ISSUE_CERTIFICATE = "issue_certificate"
    VIEW_AUDIT = "view_audit"
    IMPORT_POPULATION = "import_population"
    MANAGE_USERS = "manage_users"
    BACKUP = "backup"


_O, _S, _SO, _G, _P, _A = (
    Role.OPERATOR,
    Role.SUPERVISOR,
    Role.SIGNOFF_OWNER,
    Role.GATEKEEPER,
    Role.PRACTITIONER,
    Role.ADMIN,
)

PERMISSION_MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.SEARCH: frozenset({_O, _S, _SO, _G, _P}),
    Permission.VIEW_SHIELDED: frozenset({_O}),
    Permission.MANAGE_LIST: frozenset({_G}),
    # Not a row of DESIGN §5 on its own: reading the lists is what the gatekeeper's and the queue roles'
    # rows already need.
    Permission.VIEW_LISTS: frozenset({_O, _S, _SO, _G}),
    Permission.PROPOSE_SHIELD: frozenset({_O}),
    Permission.CONFIRM_SHIELD: frozenset({_O}),
    Permission.VIEW_QUEUES: frozenset({_O, _S, _SO}),
    Permission.ISSUE_CERTIFICATE: frozenset({_SO}),
    Permission.VIEW_AUDIT: frozenset({_S, _SO, _A}),
    Permission.IMPORT_POPULATION: frozenset({_A}),
    Permission.MANAGE_USERS: frozenset({_A}),
    Permission.BACKUP: frozenset({_A}),
}


def is_allowed(roles: Iterable[Role], permission: Permission) -> bool:
    return not PERMISSION_MATRIX[permission].isdisjoint(roles)


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {text!r}; the roles are: {names}") from None
