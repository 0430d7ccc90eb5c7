"""Bad-input suite: a generated corpus of over 500 malformed population extracts and gatekeeper lists
(tests/support/bad_files.py) goes through the services and through the CLI. Every file is refused with a
specific message (one naming what is wrong, matched per file), nothing crashes, no traceback reaches the user,
and the database's data (everything but the audit log) is byte-for-byte what it was.

On PostgreSQL a sample covering every category runs (the parsing is the same; the refusal's rollback is what
differs)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from shielddesk.domain.errors import ShieldDeskError
from shielddesk.imports.limits import ImportLimits
from tests.support.bad_files import BadFile, corpus
from tests.support.figures import report
from tests.support.fingerprint import data_fingerprint


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> list[BadFile]:
    return corpus(tmp_path_factory.mktemp("bad_input"), oversized_bytes=ImportLimits().max_file_bytes)


def _chosen(files: list[BadFile], url: str) -> list[BadFile]:
    if url.startswith("sqlite"):
        return files
    first_of_each: dict[tuple[str, str], BadFile] = {}
    for bad in files:
        first_of_each.setdefault((bad.target, bad.category), bad)
    return list(first_of_each.values())


def _through_services(authority, bad: BadFile) -> str:
    services = authority.services
    if bad.target == "population":
        services.population.import_population(authority.admin, bad.path)
    else:
        preview = services.lists.preview(authority.gatekeeper, bad.path, "BAD-LIST")
        if preview.problems:
            return "\n".join(str(p) for p in preview.problems)
        services.lists.import_list(authority.gatekeeper, bad.path, "BAD-LIST", expected_sha256=preview.sha256)
    return ""


def test_the_corpus_is_large_and_varied(bad_files):
    kinds = Counter(f.category for f in bad_files)
    assert len(bad_files) >= 500 and len(kinds) >= 25
    report("bad input", f"corpus: {len(bad_files)} files in {len(kinds)} kinds: " + ", ".join(sorted(kinds)))


def test_every_malformed_file_is_refused_specifically_through_the_services(authority, bad_files, database_url):
    files = _chosen(bad_files, database_url)
    before = data_fingerprint(authority.services)
    accepted, unspecific, crashed = [], [], []
    for bad in files:
        try:
            message = _through_services(authority, bad)
        except ShieldDeskError as refused:
            message = str(refused)
        except Exception as exc:
            crashed.append(f"{bad.path.name}: {type(exc).__name__}")
            continue
        if not message:
            accepted.append(bad.path.name)
        elif not re.search(bad.expect, message, re.IGNORECASE):
            unspecific.append(f"{bad.path.name}: {message[:200]}")
    unchanged = data_fingerprint(authority.services) == before
    report(
        "bad input",
        f"{authority.services.engine.dialect.name} services: {len(files)} files, {len(files) - len(accepted)} refused, "
        f"{len(unspecific)} without a specific message, {len(crashed)} crashes, data "
        f"{'unchanged' if unchanged else 'CHANGED'}",
    )
    assert not crashed and not accepted and not unspecific, (crashed, accepted, unspecific[:10])
    assert unchanged


def test_every_malformed_file_is_refused_through_the_cli_without_a_traceback(
    authority, bad_files, database_url, run_cli
):
    files = _chosen(bad_files, database_url)
    before = data_fingerprint(authority.services, ignore=frozenset({"app_user"}))
    failures, tracebacks = [], 0
    for bad in files:
        if bad.target == "population":
            result = run_cli(authority, "import", "children", str(bad.path), user="admin")
        else:
            result = run_cli(
                authority, "list", "import", str(bad.path), "--ref", "BAD-LIST", "--yes", user="gatekeeper"
            )
        output = result.out + result.err
        tracebacks += "Traceback" in output
        if result.code != 1 or not re.search(bad.expect, output, re.IGNORECASE):
            failures.append(f"{bad.path.name}: exit {result.code}: {output[:200]}")
    unchanged = data_fingerprint(authority.services, ignore=frozenset({"app_user"})) == before
    report(
        "bad input",
        f"{authority.services.engine.dialect.name} CLI: {len(files)} files, {len(files) - len(failures)} refused with "
        f"exit 1 and a specific message, {tracebacks} tracebacks, data {'unchanged' if unchanged else 'CHANGED'}",
    )
    assert tracebacks == 0 and not failures, failures[:10]
    assert unchanged
