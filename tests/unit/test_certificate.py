"""Readiness, issuing and verifying the signed completion certificate."""

import io

import pypdfium2
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import text

from shielddesk.domain.errors import InvalidInput, PermissionDenied
from shielddesk.services import children as children_module
from shielddesk.services.certificates import NotReady
from tests.support.authority import CANARY_VALUES, PASSWORD, child_row, standard_children, write_children

LIST = ["TEST-LIST"]


@pytest.fixture
def signoff_key(authority):
    return authority.services.certificates.create_key(authority.signoff)


def _blocking(authority):
    return {c.key for c in authority.services.certificates.readiness(authority.signoff, LIST).blocking}


def test_the_test_list_is_ready(authority):
    readiness = authority.services.certificates.readiness(authority.signoff, LIST)
    assert readiness.ready, readiness.blocking
    assert "searches on hidden values found no shielded child" in next(
        c.detail for c in readiness.checks if c.key == "leaks"
    )


def test_an_open_entry_blocks(authority):
    authority.entry_for("CP9000000005")
    assert _blocking(authority) == {"entries"}


def test_a_pending_request_blocks(authority):
    entry = authority.entry_for("CP9000000005", list_ref="OTHER-LIST")
    authority.services.shielding.propose_shield(
        authority.operator1, entry.entry_id, authority.child_id("CP9000000005"), PASSWORD
    )
    assert _blocking(authority) == {"pending"}


def test_an_undecided_provisional_duplicate_blocks(authority, tmp_path):
    rows = [*standard_children(), child_row("CP9100000001", "Amara", "Okafor", "2016-03-14", postcode="DB5 5XY")]
    authority.services.population.import_population(authority.admin, write_children(tmp_path / "d.csv", rows))
    assert _blocking(authority) == {"duplicates"}


def test_a_broken_audit_chain_blocks(authority):
    with authority.services.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET username = 'mallory' WHERE seq = 3"))
    assert "audit" in _blocking(authority)


def test_a_shielded_entry_without_an_active_shield_blocks(authority):
    with authority.services.engine.begin() as connection:
        connection.execute(text("UPDATE shield SET active = false"))
    assert "shields" in _blocking(authority)


def test_the_leak_check_catches_a_search_that_finds_a_shielded_child(authority, monkeypatch):
    monkeypatch.setattr(
        children_module, "visible_conditions", lambda roles, criteria: children_module._filters(criteria)
    )
    assert _blocking(authority) == {"leaks"}


def test_not_ready_refuses_to_issue_with_every_reason(authority, signoff_key):
    authority.entry_for("CP9000000005")
    with pytest.raises(NotReady) as caught:
        authority.services.certificates.issue(authority.signoff, LIST)
    assert "still open" in str(caught.value)


def test_only_the_sign_off_owner_can_issue(authority):
    for who in ("operator1", "supervisor", "gatekeeper", "practitioner", "admin"):
        with pytest.raises(PermissionDenied):
            authority.services.certificates.issue(getattr(authority, who), LIST)
        with pytest.raises(PermissionDenied):
            authority.services.certificates.create_key(getattr(authority, who))


def test_issuing_needs_a_signing_key(authority):
    with pytest.raises(InvalidInput, match="no signing key"):
        authority.services.certificates.issue(authority.signoff, LIST)


def test_issued_certificate_verifies_and_names_no_location(authority, signoff_key):
    issued = authority.services.certificates.issue(authority.signoff, LIST)
    assert issued.number.startswith("SD-2026-")
    verification = authority.services.certificates.verify(authority.supervisor, issued.pdf)
    assert verification.ok, verification.describe()
    assert verification.signature.bottom_line and verification.signature.covers_whole_file
    page_text = pypdfium2.PdfDocument(issued.pdf)[0].get_textpage().get_text_range()
    assert issued.number in page_text and "TEST-LIST" in page_text
    assert not [value for value in CANARY_VALUES if value in page_text]
    assert b"Zyqx" not in issued.pdf


def test_any_changed_byte_fails_verification(authority, signoff_key):
    pdf = authority.services.certificates.issue(authority.signoff, LIST).pdf
    for position in [len(pdf) * share // 12 for share in range(12)] + [len(pdf) - 40]:  # body, xref, signature
        tampered = bytearray(pdf)
        tampered[position] ^= 0x01
        assert not authority.services.certificates.verify(authority.supervisor, bytes(tampered)).ok, position


def test_an_appended_incremental_update_fails_verification(authority, signoff_key):
    pdf = authority.services.certificates.issue(authority.signoff, LIST).pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/ShieldDeskNote"] = generic.TextStringObject("appended after signing")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    verification = authority.services.certificates.verify(authority.supervisor, out.getvalue())
    assert not verification.ok
    assert "added to the file after it was signed" in verification.describe() or not verification.signature.ok


def test_counts_that_no_longer_match_the_database_are_reported(authority, signoff_key):
    issued = authority.services.certificates.issue(authority.signoff, LIST)
    request = authority.services.shielding.propose_removal(
        authority.operator1, authority.child_id("CP9000000002"), "Review ended the shield", PASSWORD
    )
    authority.services.shielding.confirm(authority.operator2, request.request_id, PASSWORD)
    verification = authority.services.certificates.verify(authority.supervisor, issued.pdf)
    assert verification.signature.ok and not verification.ok
    assert any("shielded then" in d or "content has changed" in d for d in verification.differences)


def test_imported_ca_key_is_used_and_verifies_against_the_ca(authority, tmp_path):
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = authority.services.ctx.now()
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Borough Council CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signoff")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=300))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = tmp_path / "signoff.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signoff", key, leaf, [ca], serialization.BestAvailableEncryption(b"p12 passphrase")
        )
    )
    with pytest.raises(InvalidInput, match="wrong passphrase"):
        authority.services.certificates.import_key(authority.signoff, p12, "not it")
    info = authority.services.certificates.import_key(authority.signoff, p12, "p12 passphrase")
    assert not info.self_signed
    issued = authority.services.certificates.issue(authority.signoff, LIST)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    assert authority.services.certificates.verify(authority.supervisor, issued.pdf, [ca_pem]).ok
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(stranger.public_key())
        .serial_number(3)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(stranger, hashes.SHA256())
    )
    wrong = authority.services.certificates.verify(
        authority.supervisor, issued.pdf, [other_ca.public_bytes(serialization.Encoding.PEM)]
    )
    assert not wrong.ok
