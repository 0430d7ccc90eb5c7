"""Property test: random sequences of propose / confirm / reject / withdraw / entry edits / child changes
by random operators never break an invariant of DESIGN §4."""

from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select, update

from shielddesk.app import build_services
from shielddesk.config import Config
from shielddesk.domain.clock import FakeClock
from shielddesk.domain.errors import ShieldDeskError
from shielddesk.domain.lists import EntryStatus
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.secrets import SecretStore
from shielddesk.storage.models import Child, ListEntry, Shield, ShieldRequest
from tests.support.authority import PASSWORD, make_authority
from tests.support.memory_keyring import MemoryKeyring

OPERATORS = ("operator1", "operator2")
SEEN: Counter[str] = Counter()
CHILDREN = ("CP9000000004", "CP9000000005", "CP9000000006", "CP9000000007")


class FourEyesMachine(RuleBasedStateMachine):
    template: Path
    workdir: Path

    @initialize()
    def build(self) -> None:
        folder = Path(self.workdir) / f"run{id(self)}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, folder / "shielddesk.db")
        config = Config.load(database_url=f"sqlite:///{folder / 'shielddesk.db'}", data_dir=folder, environ={})
        self.services = build_services(
            config,
            secrets=SecretStore(MemoryKeyring()),
            clock=FakeClock(),
            hashing=fast_hasher_for_tests(),
            auto_upgrade=False,
        )
        self.authority = make_authority(self.services, folder)
        self.entries = {cp: self.authority.entry_for(cp, entry_ref=f"S-{cp}") for cp in CHILDREN}
        self.requests: list[int] = []
        self.decided: dict[int, str] = {}

    def teardown(self) -> None:
        if hasattr(self, "services"):
            with self.services.ctx.transaction() as session:
                for status, n in session.execute(
                    select(ShieldRequest.status, func.count()).group_by(ShieldRequest.status)
                ):
                    SEEN[status] += n
            self.services.close()

    def _try(self, action) -> None:
        with contextlib.suppress(ShieldDeskError):  # refusals are fine; the invariants judge what happened
            action()

    @rule(who=st.sampled_from(OPERATORS), cp=st.sampled_from(CHILDREN))
    def propose(self, who: str, cp: str) -> None:
        def go() -> None:
            entry = self.entries[cp]
            view = self.services.shielding.propose_shield(
                getattr(self.authority, who), entry.entry_id, self.authority.child_id(cp), PASSWORD
            )
            self.requests.append(view.request_id)

        self._try(go)

    @rule(who=st.sampled_from(OPERATORS), cp=st.sampled_from(CHILDREN))
    def propose_removal(self, who: str, cp: str) -> None:
        def go() -> None:
            view = self.services.shielding.propose_removal(
                getattr(self.authority, who), self.authority.child_id(cp), "gatekeeper review ended", PASSWORD
            )
            self.requests.append(view.request_id)

        self._try(go)

    @precondition(lambda self: self.requests)
    @rule(
        who=st.sampled_from(OPERATORS),
        pick=st.integers(min_value=0),
        decision=st.sampled_from(["confirm", "reject", "withdraw"]),
    )
    def decide(self, who: str, pick: int, decision: str) -> None:
        request_id = self.requests[pick % len(self.requests)]
        actor = getattr(self.authority, who)
        shielding = self.services.shielding
        actions = {
            "confirm": lambda: shielding.confirm(actor, request_id, PASSWORD),
            "reject": lambda: shielding.reject(actor, request_id, "does not match the entry", PASSWORD),
            "withdraw": lambda: shielding.withdraw(actor, request_id, PASSWORD),
        }
        self._try(actions[decision])

    @rule(cp=st.sampled_from(CHILDREN))
    def gatekeeper_edits_entry(self, cp: str) -> None:
        def go() -> None:
            current = self.services.lists.entry(self.authority.gatekeeper, f"TEST-LIST/S-{cp}")
            self.services.lists.edit_entry(
                self.authority.gatekeeper,
                current.entry_id,
                replace(current.details, notes=f"edited {current.version}"),
                expected_version=current.version,
            )

        self._try(go)

    @rule(cp=st.sampled_from(CHILDREN))
    def child_record_changes(self, cp: str) -> None:
        with self.services.ctx.transaction() as session:
            session.execute(update(Child).where(Child.cp_id == cp).values(version=Child.version + 1))

    @invariant()
    def maker_is_never_the_checker(self) -> None:
        with self.services.ctx.transaction() as session:
            assert not session.scalars(
                select(ShieldRequest.id).where(ShieldRequest.maker_id == ShieldRequest.checker_id)
            ).all()

    @invariant()
    def one_pending_request_per_child_kind_and_entry(self) -> None:
        with self.services.ctx.transaction() as session:
            pending = ShieldRequest.status == "pending"
            per_child = session.execute(
                select(ShieldRequest.child_id, ShieldRequest.kind, func.count())
                .where(pending)
                .group_by(ShieldRequest.child_id, ShieldRequest.kind)
            ).all()
            assert all(n == 1 for _c, _k, n in per_child)
            per_entry = session.execute(
                select(ShieldRequest.entry_id, func.count())
                .where(pending, ShieldRequest.entry_id.is_not(None))
                .group_by(ShieldRequest.entry_id)
            ).all()
            assert all(n == 1 for _e, n in per_entry)

    @invariant()
    def decisions_are_final(self) -> None:
        with self.services.ctx.transaction() as session:
            for request in session.scalars(select(ShieldRequest).where(ShieldRequest.status != "pending")):
                assert self.decided.setdefault(request.id, request.status) == request.status
                if request.status in ("confirmed", "rejected"):
                    assert request.checker_id is not None and request.checked_at is not None

    @invariant()
    def entry_status_agrees_with_shields_and_requests(self) -> None:
        with self.services.ctx.transaction() as session:
            for entry in session.scalars(select(ListEntry).where(ListEntry.entry_ref.like("S-%"))):
                pending = session.scalars(
                    select(ShieldRequest.id).where(
                        ShieldRequest.entry_id == entry.id, ShieldRequest.status == "pending"
                    )
                ).all()
                assert (entry.status == EntryStatus.PENDING) == bool(pending), entry.entry_ref
                if entry.status == EntryStatus.SHIELDED:
                    assert (
                        session.scalars(
                            select(Shield.id).where(Shield.child_id == entry.child_id, Shield.active.is_(True))
                        ).first()
                        is not None
                    )

    @invariant()
    def at_most_one_active_shield_per_child(self) -> None:
        with self.services.ctx.transaction() as session:
            counts = session.execute(
                select(Shield.child_id, func.count()).where(Shield.active.is_(True)).group_by(Shield.child_id)
            ).all()
            assert all(n == 1 for _c, n in counts)

    @invariant()
    def audit_chain_verifies(self) -> None:
        assert self.services.audit.verify(self.authority.supervisor).ok


def test_four_eyes_state_machine(sqlite_template, tmp_path):
    FourEyesMachine.template = sqlite_template
    FourEyesMachine.workdir = tmp_path
    FourEyesMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    FourEyesMachine.TestCase().runTest()
    # The machine must really have been through every kind of decision, not refused its way through.
    assert SEEN["confirmed"] and SEEN["rejected"] + SEEN["withdrawn"] and SEEN["pending"], SEEN
