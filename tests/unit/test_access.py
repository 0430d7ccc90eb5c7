"""Access suite: the permission matrix cell by cell through the services and through the CLI, with every
denial audited and changing nothing; self-confirmation refused for every combination of roles; lockout after
five failures and one message for an unknown user, a wrong password and a locked account, through the CLI
too. (The matrix itself is written out independently in test_permission_matrix.py.)"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from shielddesk.domain.errors import PermissionDenied, ShieldDeskError
from shielddesk.domain.lists import EntryDetails, ReasonCategory, RequestingAgency
from shielddesk.domain.roles import Permission, Role, is_allowed
from shielddesk.domain.search import SearchCriteria
from shielddesk.services.session import UserSession
from shielddesk.storage.models import AuditEvent
from tests.support.authority import (
    CANARY_CP_ID,
    PASSWORD,
    Authority,
    child_row,
    list_row,
    write_children,
    write_list_rows,
)
from tests.support.figures import report
from tests.support.fingerprint import data_fingerprint

# One user per role; the operator is operator2 so that operator1's proposals are someone else's to decide.
ROLE_ACTORS = {
    Role.OPERATOR: "operator2",
    Role.SUPERVISOR: "supervisor",
    Role.SIGNOFF_OWNER: "signoff",
    Role.GATEKEEPER: "gatekeeper",
    Role.PRACTITIONER: "practitioner",
    Role.ADMIN: "admin",
}
FAMILY = [f"CP90000000{n:02d}" for n in range(7, 31)]


@dataclass
class Probes:
    """Service calls that each need one permission, with fresh objects to act on where the call changes them."""

    authority: Authority
    folder: Path
    counter: itertools.count

    def _unused_child(self) -> str:
        return FAMILY[next(self.counter)]

    def _pending_request(self) -> int:
        a = self.authority
        pending = [r for r in a.services.requests.pending(a.operator1) if r.maker in ("operator1", "Operator1")]
        if pending:
            return pending[0].request_id
        cp_id = self._unused_child()
        entry = a.entry_for(cp_id)
        return a.services.shielding.propose_shield(a.operator1, entry.entry_id, a.child_id(cp_id), PASSWORD).request_id

    def calls(self) -> list[tuple[Permission, str, Callable[[], Callable[[UserSession], object]]]]:
        """(permission, name, prepare): prepare() sets up what the call acts on and returns the call itself."""
        a, s = self.authority, self.authority.services
        canary = a.child_id(CANARY_CP_ID)
        entry_id = s.lists.entries(a.operator1, "TEST-LIST")[0].entry_id

        def ready(call: Callable[[UserSession], object]) -> Callable[[], Callable[[UserSession], object]]:
            return lambda: call

        def new_entry() -> Callable[[UserSession], object]:
            details = EntryDetails(
                entry_ref=f"A{next(self.counter)}",
                forenames="Aiden",
                surname="Walsh",
                cp_id="CP9000000002",
                reason=ReasonCategory.DOMESTIC_ABUSE,
                requesting_agency=RequestingAgency.POLICE,
            )
            return lambda u: s.lists.add_entry(u, "ACCESS-LIST", details)

        def propose() -> Callable[[UserSession], object]:
            cp_id = self._unused_child()
            entry = a.entry_for(cp_id)
            return lambda u: s.shielding.propose_shield(u, entry.entry_id, a.child_id(cp_id), PASSWORD)

        def decide(confirm: bool) -> Callable[[], Callable[[UserSession], object]]:
            def prepare() -> Callable[[UserSession], object]:
                request_id = self._pending_request()
                if confirm:
                    return lambda u: s.shielding.confirm(u, request_id, PASSWORD)
                return lambda u: s.shielding.reject(u, request_id, "Details do not agree", PASSWORD)

            return prepare

        def population() -> Callable[[UserSession], object]:
            n = next(self.counter)
            path = write_children(
                self.folder / f"one_{n}.csv", [child_row(f"CP81{n:08d}", "New", "Child", "2019-01-01")]
            )
            return lambda u: s.population.import_population(u, path)

        def backup() -> Callable[[UserSession], object]:
            path = self.folder / f"backup_{next(self.counter)}.sdbackup"
            return lambda u: s.backup.backup(u, path)

        def new_user() -> Callable[[UserSession], object]:
            name = f"new{next(self.counter)}"
            return lambda u: s.users.add_user(u, name, "New User", [Role.PRACTITIONER], PASSWORD)

        def enrol() -> Callable[[UserSession], object]:
            name = f"new{next(self.counter)}"
            s.users.add_user(a.admin, name, "New User", [Role.PRACTITIONER], PASSWORD)
            return lambda u: s.second_factor.enrol(u, name, PASSWORD)

        return [
            (
                Permission.SEARCH,
                "children.search",
                ready(lambda u: s.children.search(u, SearchCriteria(surname="Walsh"))),
            ),
            (Permission.SEARCH, "children.view", ready(lambda u: s.children.view(u, canary))),
            (
                Permission.VIEW_SHIELDED,
                "children.reveal",
                ready(lambda u: s.children.reveal(u, canary, "Checking the record")),
            ),
            (Permission.MANAGE_LIST, "lists.add_entry", new_entry),
            (Permission.VIEW_LISTS, "lists.lists", ready(lambda u: s.lists.lists(u))),
            (Permission.VIEW_LISTS, "lists.entries", ready(lambda u: s.lists.entries(u, "TEST-LIST"))),
            (Permission.PROPOSE_SHIELD, "matching.match", ready(lambda u: s.matching.match(u, entry_id))),
            (Permission.PROPOSE_SHIELD, "shielding.propose_shield", propose),
            (Permission.CONFIRM_SHIELD, "shielding.confirm", decide(confirm=True)),
            (Permission.CONFIRM_SHIELD, "shielding.reject", decide(confirm=False)),
            (Permission.VIEW_QUEUES, "requests.pending", ready(lambda u: s.requests.pending(u))),
            (Permission.VIEW_QUEUES, "queues.snapshot", ready(lambda u: s.queues.snapshot(u))),
            (
                Permission.ISSUE_CERTIFICATE,
                "certificates.issue",
                ready(lambda u: s.certificates.issue(u, ["TEST-LIST"])),
            ),
            (Permission.VIEW_AUDIT, "audit.verify", ready(lambda u: s.audit.verify(u))),
            (Permission.IMPORT_POPULATION, "population.import_population", population),
            (Permission.MANAGE_USERS, "users.list_users", ready(lambda u: s.users.list_users(u))),
            (Permission.MANAGE_USERS, "users.add_user", new_user),
            (Permission.BACKUP, "backup.backup", backup),
            (Permission.MANAGE_USERS, "second_factor.enrol", enrol),
            (
                Permission.MANAGE_USERS,
                "second_factor.pending_resets",
                ready(lambda u: s.second_factor.pending_resets(u)),
            ),
        ]


def _newest_event(authority: Authority, username: str) -> AuditEvent:
    with authority.services.ctx.transaction(read_only=True) as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.username == username).order_by(AuditEvent.seq.desc()).limit(1)
        ).one()


def test_every_cell_through_the_services(authority, tmp_path):
    authority.services.certificates.create_key(authority.signoff)
    probes = Probes(authority, tmp_path, itertools.count())
    calls = probes.calls()
    assert {permission for permission, _n, _c in calls} == set(Permission), "a permission has no probe"
    outcome = Counter()
    for permission, name, prepare in calls:
        for role, username in ROLE_ACTORS.items():
            actor = getattr(authority, username)
            allowed = is_allowed({role}, permission)
            call = prepare()
            before = data_fingerprint(authority.services)
            try:
                call(actor)
            except PermissionDenied:
                assert not allowed, f"{role} was refused {name}"
                assert data_fingerprint(authority.services) == before, f"a denied {name} changed data"
                event = _newest_event(authority, username)
                assert event.outcome == "denied", f"the denial of {name} to {role} was not audited"
                outcome["denied"] += 1
                continue
            except ShieldDeskError as refused:
                # allowed, and refused for another reason (e.g. the list is not ready to certify)
                assert allowed, f"{role} may not {permission}; {name} failed otherwise: {refused}"
            assert allowed, f"{role} may not {permission} but {name} went through"
            outcome["allowed"] += 1
    report(
        "access",
        f"{authority.services.engine.dialect.name} services: {len(calls)} calls x {len(ROLE_ACTORS)} roles = "
        f"{sum(outcome.values())} cells, "
        f"{outcome['allowed']} allowed, {outcome['denied']} denied, every denial audited and changing nothing",
    )


def _cli_cases(authority: Authority, folder: Path) -> list[tuple[Permission, list[str]]]:
    entries = write_list_rows(folder / "cli_list.csv", [list_row("CLI1")])
    children = write_children(folder / "cli_children.csv", [child_row("CP8200000001", "Cli", "Child", "2019-02-02")])
    request_id = Probes(authority, folder, itertools.count(20))._pending_request()
    return [
        (Permission.SEARCH, ["search", "--surname", "Walsh"]),
        (Permission.MANAGE_LIST, ["list", "import", str(entries), "--ref", "CLI-LIST", "--yes"]),
        (Permission.VIEW_LISTS, ["list", "show", "TEST-LIST"]),
        (Permission.PROPOSE_SHIELD, ["list", "analyse", "TEST-LIST"]),
        (Permission.CONFIRM_SHIELD, ["reject", str(request_id), "--note", "Details do not agree"]),
        (Permission.VIEW_QUEUES, ["pending"]),
        (Permission.VIEW_QUEUES, ["queues"]),
        (Permission.ISSUE_CERTIFICATE, ["certificate", "issue", "TEST-LIST", "--out", str(folder / "c.pdf")]),
        (Permission.VIEW_AUDIT, ["audit", "verify"]),
        (Permission.IMPORT_POPULATION, ["import", "children", str(children)]),
        (Permission.MANAGE_USERS, ["user", "list"]),
    ]


def test_every_cell_through_the_cli(authority, tmp_path, run_cli):
    cases = _cli_cases(authority, tmp_path)
    outcome = Counter()
    for permission, argv in cases:
        for role, username in ROLE_ACTORS.items():
            result = run_cli(authority, *argv, user=username)
            assert "Traceback" not in result.out + result.err
            denied = _newest_event(authority, username).outcome == "denied"
            if is_allowed({role}, permission):
                assert not denied, f"{role} was refused `{' '.join(argv)}`: {result.err}"
                outcome["allowed"] += 1
            else:
                assert denied and result.code == 1, f"{role} ran `{' '.join(argv)}` (exit {result.code})"
                assert result.err.startswith("shielddesk: ") and result.err.count("\n") == 1
                outcome["denied"] += 1
    report(
        "access",
        f"{authority.services.engine.dialect.name} CLI: {len(cases)} commands x {len(ROLE_ACTORS)} roles = "
        f"{sum(outcome.values())} cells, "
        f"{outcome['allowed']} allowed, {outcome['denied']} denied (exit 1, one line, audited)",
    )


OTHER_ROLES = [r for r in Role if r is not Role.OPERATOR]
COMBINATIONS = [combo for size in range(len(OTHER_ROLES) + 1) for combo in itertools.combinations(OTHER_ROLES, size)]


def test_no_combination_of_roles_lets_a_maker_decide_their_own_request(sqlite_authority):
    authority = sqlite_authority
    services = authority.services
    refused = 0
    for combo in COMBINATIONS:
        services.users.set_roles(authority.admin, "operator1", (Role.OPERATOR, *combo))
        maker = services.auth.login("operator1", PASSWORD)
        request_id = Probes(authority, authority.folder, itertools.count())._pending_request()
        with pytest.raises(PermissionDenied):
            services.shielding.confirm(maker, request_id, PASSWORD)
        with pytest.raises(PermissionDenied):
            services.shielding.reject(maker, request_id, "Rejecting my own request", PASSWORD)
        refused += 2
    report(
        "access",
        f"self-decision: {len(COMBINATIONS)} role combinations (operator plus any others), {refused} of {refused} "
        "confirmations and rejections of one's own request refused",
    )


def test_the_cli_sign_in_locks_after_five_failures_and_reads_the_same_for_every_refusal(authority, run_cli):
    unknown = run_cli(authority, "pending", user="nobody", password=PASSWORD)
    wrong = [run_cli(authority, "pending", user="operator2", password="not the password") for _ in range(5)]
    locked = run_cli(authority, "pending", user="operator2", password=PASSWORD)
    assert {unknown.err} == {w.err for w in wrong} == {locked.err}
    assert {unknown.code, locked.code, *(w.code for w in wrong)} == {1}
    with authority.services.ctx.transaction(read_only=True) as session:
        lockouts = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.lockout")).all()
    assert [e.username for e in lockouts] == ["operator2"]
    report(
        "access",
        f"{authority.services.engine.dialect.name} CLI sign-in: locked after 5 failures; "
        "unknown user, wrong password and locked read the same",
    )
