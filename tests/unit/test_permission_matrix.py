"""The permission matrix of DESIGN §5, cell by cell, written out again here independently of the code."""

import pytest

from shielddesk.domain.roles import PERMISSION_MATRIX, Permission, Role, is_allowed

OP, S, SO, G, P, A = "operator", "supervisor", "signoff_owner", "gatekeeper", "practitioner", "admin"
DESIGN_TABLE = {
    "search": {OP, S, SO, G, P},
    "view_shielded": {OP},
    "manage_list": {G},
    "view_lists": {OP, S, SO, G},
    "propose_shield": {OP},
    "confirm_shield": {OP},
    "view_queues": {OP, S, SO},
    "issue_certificate": {SO},
    "view_audit": {S, SO, A},
    "import_population": {A},
    "manage_users": {A},
    "backup": {A},
}
CELLS = [(role, permission) for role in Role for permission in Permission]


@pytest.mark.parametrize(("role", "permission"), CELLS, ids=[f"{r.value}-{p.value}" for r, p in CELLS])
def test_cell(role, permission):
    assert is_allowed({role}, permission) == (role.value in DESIGN_TABLE[permission.value])


def test_every_permission_is_in_the_table():
    assert {p.value for p in PERMISSION_MATRIX} == set(DESIGN_TABLE)


def test_several_roles_combine():
    assert is_allowed({Role.PRACTITIONER, Role.ADMIN}, Permission.IMPORT_POPULATION)
    assert not is_allowed({Role.PRACTITIONER, Role.GATEKEEPER}, Permission.VIEW_SHIELDED)
    assert not is_allowed(set(), Permission.SEARCH)
