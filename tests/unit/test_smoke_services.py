from shielddesk.domain.search import SearchCriteria
from tests.support.authority import CANARY_CP_ID


def test_practitioner_sees_masked_shielded_child(authority):
    page = authority.services.children.search(authority.practitioner, SearchCriteria(surname="okafor"))
    assert page.total == 1
    row = page.rows[0]
    assert row.cp_id == CANARY_CP_ID and row.shielded and row.masked
    assert "Shielded" in row.postcode
