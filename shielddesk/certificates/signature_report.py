"""What verifying a certificate's signature found (kept apart from `signing`, which loads pyhanko: the
application imports that only when it signs or verifies, so that it starts quickly)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignatureReport:
    ok: bool
    bottom_line: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str
    signer_fingerprint: str
    certificate_number: str
    problems: tuple[str, ...]
