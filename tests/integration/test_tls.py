"""TLS to the shared database server: with the authority's CA (`sslmode=verify-full&sslrootcert=...`)
ShieldDesk connects; a server whose certificate another CA signed, or whose name does not match, is refused
with a message that says so."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, text

from shielddesk.app import build_services
from shielddesk.config import Config
from shielddesk.domain.errors import StorageUnavailable
from shielddesk.security.passwords import fast_hasher_for_tests
from tests.support.figures import report
from tests.support.postgres import PostgresServer


def _certificate(subject: str, key, issuer_name: str, issuer_key, *, ca: bool, names=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(item) -> bytes:
    if isinstance(item, x509.Certificate):
        return item.public_bytes(serialization.Encoding.PEM)
    return item.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _ca(folder: Path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(name, key, name, key, ca=True)
    (folder / f"{name}.pem").write_bytes(_pem(certificate))
    return key, certificate


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[PostgresServer, Path, Path]]:
    ca_key, _ca_cert = _ca(tmp_path, "authority-ca")
    _ca(tmp_path, "another-ca")
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost")]  # so that 127.0.0.1, the same server, is a name the certificate lacks
    server_cert = _certificate("localhost", server_key, "authority-ca", ca_key, ca=False, names=names)
    server = PostgresServer.start(tls=(_pem(server_cert), _pem(server_key)))
    try:
        yield server, tmp_path / "authority-ca.pem", tmp_path / "another-ca.pem"
    finally:
        server.stop()


def _url(server: PostgresServer, host: str, root: Path) -> str:
    return f"postgresql://postgres@{host}:{server.port}/shielddesk?sslmode=verify-full&sslrootcert={root}"


def test_verify_full_with_the_authoritys_ca_connects_and_anything_else_is_refused(tls_server, tmp_path, secrets):
    server, authority_ca, another_ca = tls_server
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE shielddesk"))
    admin.dispose()

    def open_services(url: str):
        config = Config.load(database_url=url, data_dir=tmp_path / "data", environ={})
        return build_services(config, secrets=secrets, hashing=fast_hasher_for_tests(), auto_upgrade=True)

    services = open_services(_url(server, "localhost", authority_ca))
    with services.engine.connect() as connection:
        assert connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar() is True
    services.close()
    refusals = []
    for url in (_url(server, "localhost", another_ca), _url(server, "127.0.0.1", authority_ca)):
        with pytest.raises(StorageUnavailable) as refused:
            open_services(url)
        refusals.append(str(refused.value))
    assert all("certificate" in message for message in refusals), refusals
    report(
        "deployment",
        "TLS: verify-full with the authority's CA connects (pg_stat_ssl); another CA and a wrong "
        "host name are refused with a certificate message",
    )
