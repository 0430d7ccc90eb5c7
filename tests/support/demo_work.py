"""Work the demo authority's gatekeeper list to the end, as its two operators would."""

from __future__ import annotations

from shielddesk.app import Services
from shielddesk.domain.lists import EntryStatus
from shielddesk.services.demo import DEMO_LIST_REF, DemoResult


def finish_demo_list(services: Services, demo: DemoResult) -> None:
    passwords = {a.username: a.password for a in demo.accounts}
    maker = services.auth.login("demo.operator1", passwords["demo.operator1"])
    checker = services.auth.login("demo.operator2", passwords["demo.operator2"])
    for request in services.requests.pending(checker):
        services.shielding.confirm(checker, request.request_id, passwords["demo.operator2"])
    for entry in services.lists.entries(maker, DEMO_LIST_REF):
        if entry.status not in (EntryStatus.UNMATCHED, EntryStatus.AMBIGUOUS, EntryStatus.MATCHED):
            continue
        report = services.matching.match(maker, entry.entry_id)
        if report.candidates and report.candidates[0].score >= 50:
            request = services.shielding.propose_shield(
                maker, entry.entry_id, report.candidates[0].child_id, passwords["demo.operator1"]
            )
        else:
            request = services.shielding.propose_not_found(
                maker, entry.entry_id, "Searched name, sound, DOB and postcode: no record", passwords["demo.operator1"]
            )
        services.shielding.confirm(checker, request.request_id, passwords["demo.operator2"])
