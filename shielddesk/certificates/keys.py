"""Signing keys: a self-signed signing certificate for authorities without a CA, or a PKCS#12 issued by the
authority's CA. The key file is a passphrase-protected PKCS#12; the passphrase never touches the disk."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shielddesk.domain.errors import InvalidInput


@dataclass(frozen=True)
class KeyMaterial:
    pkcs12: bytes
    passphrase: str
    certificate_pem: str
    fingerprint: str
    subject: str
    not_after: datetime
    self_signed: bool


def _describe(certificate: x509.Certificate) -> tuple[str, str, datetime]:
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    return fingerprint, certificate.subject.rfc4514_string(), certificate.not_valid_after_utc


def create_self_signed(display_name: str, authority: str, now: datetime, years: int = 3) -> KeyMaterial:
    # ECDSA P-256: as strong as RSA-3072 for this use, and opening it takes a millisecond where opening an RSA
    # key (its validation holds Python's GIL) stalled the window for a third of a second at every signing.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, display_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Shielding sign-off"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(32)
    data = pkcs12.serialize_key_and_certificates(
        b"shielddesk-signoff",
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    fingerprint, subject, not_after = _describe(certificate)
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return KeyMaterial(data, passphrase, pem, fingerprint, subject, not_after, True)


def inspect_pkcs12(data: bytes, passphrase: str, now: datetime) -> KeyMaterial:
    """Check an imported PKCS#12: it opens, holds a key and its certificate, is valid now, and may sign."""
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError:
        raise InvalidInput("The PKCS#12 file could not be opened: wrong passphrase or not a PKCS#12 file.") from None
    if key is None or certificate is None:
        raise InvalidInput("The PKCS#12 file must hold a private key and its certificate.")
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise InvalidInput("The certificate in the PKCS#12 file is not valid today.")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise InvalidInput("The certificate may not be used for signing (key usage).")
    except x509.ExtensionNotFound:
        pass
    fingerprint, subject, not_after = _describe(certificate)
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    self_signed = certificate.issuer == certificate.subject
    return KeyMaterial(data, passphrase, pem, fingerprint, subject, not_after, self_signed)
