"""A throwaway PostgreSQL server for the test session: initdb into a temporary folder, pg_ctl start on a
free loopback port, fsync off. Used unless SHIELDDESK_TEST_PG_URL names a server to use instead."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CANDIDATE_BIN_DIRS = (
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
)


def _bin(name: str) -> str:
    for folder in CANDIDATE_BIN_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} was not found: install postgresql-15 (tests/run.sh does)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    run_as: str | None
    options: str = ""

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        full = list(command)
        if self.run_as:
            full = ["runuser", "-u", self.run_as, "--", *full]
        subprocess.run(full, check=True, capture_output=True, text=True)

    @classmethod
    def start(cls, *, durable: bool = False, tls: tuple[bytes, bytes] | None = None) -> PostgresServer:
        """`durable`: fsync and synchronous commit on, as in production (for tests that stop the server: with
        them off, an immediate stop loses transactions that had already reported success). `tls`: the server's
        certificate and key (PEM): TLS on, clients choose whether to verify it."""
        run_as = "postgres" if os.geteuid() == 0 else None
        folder = Path(tempfile.mkdtemp(prefix="shielddesk-pg-"))
        if run_as:
            entry = pwd.getpwnam(run_as)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        server = cls(folder=folder, port=_free_port(), run_as=run_as)
        data = folder / "data"
        server._run(_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
            "-c max_connections=200"
            + ("" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        )
        if tls is not None:
            for name, pem in zip(("server.crt", "server.key"), tls, strict=True):
                path = data / name
                path.write_bytes(pem)
                path.chmod(0o600)
                if run_as:
                    os.chown(path, entry.pw_uid, entry.pw_gid)
            options += f" -c ssl=on -c ssl_cert_file={data / 'server.crt'} -c ssl_key_file={data / 'server.key'}"
        server.options = options
        server.resume()
        return server

    def pause(self, mode: str = "immediate") -> None:
        """Stop the server, keeping its data: a database server going away mid-session."""
        self._run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def resume(self) -> None:
        data = self.folder / "data"
        self._run(
            _bin("pg_ctl"), "-D", str(data), "-o", self.options, "-w", "-l", str(self.folder / "server.log"), "start"
        )

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
