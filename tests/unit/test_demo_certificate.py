"""End to end on the demo authority: its list worked to the end, a certificate issued, and it verifies."""

import pytest

from shielddesk.services.demo import DEMO_LIST_REF
from tests.support.demo_work import finish_demo_list

pytestmark = pytest.mark.slow


def test_certificate_from_the_demo_authority_verifies(sqlite_services):
    services = sqlite_services
    demo = services.demo.create(children=3000)
    passwords = {a.username: a.password for a in demo.accounts}
    signoff = services.auth.login("demo.signoff", passwords["demo.signoff"])
    before = services.certificates.readiness(signoff, [DEMO_LIST_REF])
    assert not before.ready and {c.key for c in before.blocking} >= {"entries", "pending"}
    finish_demo_list(services, demo)
    readiness = services.certificates.readiness(signoff, [DEMO_LIST_REF])
    assert readiness.ready, readiness.blocking
    services.certificates.create_key(signoff)
    issued = services.certificates.issue(signoff, [DEMO_LIST_REF])
    supervisor = services.auth.login("demo.supervisor", passwords["demo.supervisor"])
    verification = services.certificates.verify(supervisor, issued.pdf)
    assert verification.ok, verification.describe()
