"""PAdES signing and verification with pyhanko."""

from __future__ import annotations

import io

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from shielddesk.certificates.layout import KEYWORD_PREFIX
from shielddesk.certificates.signature_report import SignatureReport
from shielddesk.domain.errors import InvalidInput

FIELD_NAME = "SignOffOwner"


class _KeptKeySigner(signers.SimpleSigner):
    """pyhanko re-opens the private key for every raw signature (and `cryptography` re-validates an RSA key each
    time, holding the GIL for ~0.1 s). This signer keeps the key opened once, for the one signing it does."""

    def __init__(self, private_key: PrivateKeyTypes, certificate: x509.Certificate) -> None:
        super().__init__(
            signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            cert_registry=SimpleCertificateStore(),
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algorithm)
        return bytes(super().sign_raw(data, digest_algorithm))


def _open(pkcs12_data: bytes, passphrase: str) -> _KeptKeySigner | None:
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(pkcs12_data, passphrase.encode())
    except Exception:  # a damaged or wrongly protected file raises several kinds
        return None
    if key is None or certificate is None:
        return None
    return _KeptKeySigner(key, certificate)


def sign(pdf: bytes, pkcs12: bytes, passphrase: str, *, signer_name: str, reason: str) -> bytes:
    signer = _open(pkcs12, passphrase)
    if signer is None:
        raise InvalidInput("The signing key could not be opened (wrong passphrase or damaged key file).")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=signer_name,
        certify=True,
    )
    try:
        output = signers.sign_pdf(writer, meta, signer=signer)
    except SigningError as exc:
        raise InvalidInput(f"The certificate could not be signed ({type(exc).__name__}).") from None
    return output.getvalue()


def _certificate_number(reader: PdfFileReader) -> str:
    info = reader.trailer_view.get("/Info")
    if info is not None and hasattr(info, "get_object"):
        info = info.get_object()
    keywords = str(info.get("/Keywords", "")) if info is not None else ""
    for word in keywords.replace(",", " ").split():
        if word.startswith(KEYWORD_PREFIX):
            return word[len(KEYWORD_PREFIX) :]
    return ""


def _failed(number: str, problem: str) -> SignatureReport:
    return SignatureReport(False, False, False, False, False, "", "", number, (problem,))


def verify(pdf: bytes, trust_pem: list[bytes]) -> SignatureReport:
    """Check the signature against the given trust roots. `bottom_line` must hold, and the signature must cover
    the whole file: an incremental update appended after signing is a failure, whatever it contains."""
    problems: list[str] = []
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        number = _certificate_number(reader)  # pyhanko reads lazily: damage may surface only here
    except Exception:  # a damaged file raises many kinds of parser error
        return _failed("", "the file is not a readable PDF")
    if len(signatures) != 1:
        return _failed(number, f"expected exactly one signature, found {len(signatures)}")
    roots = [asn1_x509.Certificate.load(_pem_to_der(p)) for p in trust_pem]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as exc:  # pyhanko reports a malformed signature by raising
        return _failed(number, f"the signature could not be validated ({type(exc).__name__})")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        problems.append("the signed content has been changed")
    if not status.valid:
        problems.append("the signature is not cryptographically valid")
    if not status.trusted:
        problems.append("the signer's certificate is not trusted")
    if not whole:
        problems.append("something was added to the file after it was signed")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    fingerprint = status.signing_cert.sha256.hex() if status.signing_cert else ""
    ok = bool(status.bottom_line) and whole
    if not status.bottom_line and not problems:
        problems.append("pyhanko's overall verdict (bottom line) is negative")
    return SignatureReport(
        ok,
        bool(status.bottom_line),
        bool(status.intact),
        bool(status.trusted),
        whole,
        signer,
        fingerprint,
        number,
        tuple(problems),
    )


def _pem_to_der(pem: bytes) -> bytes:
    from asn1crypto import pem as asn1_pem

    if asn1_pem.detect(pem):
        _type, _headers, der = asn1_pem.unarmor(pem)
        return der
    return pem
