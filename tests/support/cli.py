"""Running CLI commands in-process, with the test's keyring, clock and database."""

from __future__ import annotations

import io
from dataclasses import dataclass

from shielddesk.cli import Cli
from tests.support.authority import PASSWORD, Authority


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli_as(
    authority: Authority, *args: str, user: str | None = None, stdin: str = "", password: str = PASSWORD
) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    environ = {"SHIELDDESK_PASSWORD": password} if user else {}
    services = authority.services
    cli = Cli(
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
        environ=environ,
        secrets=services.ctx.secrets,
        services_factory=lambda _config: _Shared(services),
    )
    argv = list(args) + (["--user", user] if user else [])
    code = cli.run(argv)
    return CliResult(code, out.getvalue(), err.getvalue())


class _Shared:
    """The test's Services, with close() made harmless so that the fixture can keep using them."""

    def __init__(self, services):
        self._services = services

    def __getattr__(self, name):
        return getattr(self._services, name)

    def close(self) -> None:
        pass
