"""Matching benchmark: entries per second for a gatekeeper list of 2,000 noisy entries against a synthetic
population (default 1,000,000 children), through the real import and the real candidate search.

    python -m tests.bench.bench_matching [--children N] [--entries N] [--db URL]

Not a test: it prints its figures (and writes them as JSON with --json FILE)."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from shielddesk.app import build_services
from shielddesk.config import Config
from shielddesk.security.passwords import fast_hasher_for_tests
from shielddesk.security.secrets import SecretStore
from shielddesk.services.matching import find_candidates
from tests.support.authority import make_authority
from tests.support.memory_keyring import MemoryKeyring
from tests.support.population import import_demo_population, noisy_subjects, true_children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shielddesk-bench-") as folder:
        # A national-scale extract is far over the 50 MB default limit for one file.
        config = Config.load(database_url=args.db, data_dir=folder, environ={"SHIELDDESK_MAX_FILE_MB": "4096"})
        services = build_services(
            config, secrets=SecretStore(MemoryKeyring()), hashing=fast_hasher_for_tests(), auto_upgrade=True
        )
        authority = make_authority(services, Path(folder), population=False)
        started = time.perf_counter()
        import_demo_population(services, authority.admin, Path(folder), args.children)
        imported = time.perf_counter() - started
        print(f"imported {args.children:,} children in {imported:.1f} s", flush=True)
        subjects = noisy_subjects(true_children(services, args.entries), services.ctx.now().date())
        right, ambiguous, misses = 0, 0, Counter()
        started = time.perf_counter()
        with services.ctx.transaction() as session:
            for subject, truth, noise in subjects:
                outcome = find_candidates(session, subject)
                right += outcome.best is not None and outcome.best.facts.child_id == truth
                ambiguous += outcome.ambiguous
                if outcome.best is None or outcome.best.facts.child_id != truth:
                    misses.update(noise or ["none"])
        elapsed = time.perf_counter() - started
        services.close()
    figures = {
        "children": args.children,
        "entries": args.entries,
        "import_seconds": round(imported, 1),
        "matching_seconds": round(elapsed, 2),
        "entries_per_second": round(args.entries / elapsed, 1),
        "top1_correct": round(right / args.entries, 4),
        "flagged_ambiguous": ambiguous,
        "noise_among_misses": misses,
    }
    for name, value in figures.items():
        print(f"{name:22} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=dict))


if __name__ == "__main__":
    main()
