"""The second factor: time-based one-time codes (RFC 6238, through pyotp) and single-use recovery codes.

Secrets are kept in the database sealed under a key derived from the authority's audit key, so a copy of
the database alone (a dump, a stolen backup without its keyring) does not let anyone mint codes. Recovery
codes carry 60 random bits each; they are kept as keyed digests, which a slow password hash would add nothing
to at that strength."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "ShieldDesk"
CODE_DIGITS = 6
# One step either side of now (±30 s): a phone's clock a little off, or a code typed as it changed.
ACCEPTED_STEPS = 1
# Looked at only to explain a refusal: a genuine code this far off means a clock is wrong (never admitted).
DRIFT_STEPS = 20
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
_RECOVERY_LENGTH = 12


class SecretUnreadable(ValueError):
    """A sealed secret that this key did not seal, or that was changed."""


@dataclass(frozen=True)
class SecondFactorKeys:
    """The two keys derived from the audit key: one seals secrets, one digests recovery codes."""

    sealing: bytes
    recovery: bytes

    @classmethod
    def derive(cls, audit_key: bytes) -> SecondFactorKeys:
        def expand(label: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(audit_key)

        return cls(expand(b"shielddesk second-factor sealing"), expand(b"shielddesk second-factor recovery"))

    def seal(self, secret: str, user_id: int) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.sealing).encrypt(nonce, secret.encode("ascii"), _bound_to(user_id))
        return base64.b64encode(nonce + sealed).decode("ascii")

    def unseal(self, stored: str, user_id: int) -> str:
        """The secret; SecretUnreadable if it was sealed for another user, under another key, or changed."""
        try:
            raw = base64.b64decode(stored, validate=True)
            return AESGCM(self.sealing).decrypt(raw[:12], raw[12:], _bound_to(user_id)).decode("ascii")
        except (InvalidTag, ValueError) as exc:
            raise SecretUnreadable("the stored second-factor secret cannot be opened") from exc

    def recovery_digest(self, code: str) -> str:
        return hmac.new(self.recovery, normalise_recovery_code(code).encode("ascii"), hashlib.sha256).hexdigest()


def _bound_to(user_id: int) -> bytes:
    # A sealed secret copied onto another user's row does not open there.
    return f"second-factor:user:{user_id}".encode("ascii")


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, username: str, authority: str) -> str:
    """What the QR code carries: the otpauth URI authenticator apps read."""
    issuer = f"{ISSUER} ({authority})" if authority else ISSUER
    return pyotp.TOTP(secret, digits=CODE_DIGITS).provisioning_uri(name=username, issuer_name=issuer)


def code_at(secret: str, when: datetime) -> str:
    """The code an authenticator shows at `when` (for tests and the fake clock)."""
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    return totp.generate_otp(totp.timecode(when))


def matching_step(secret: str, code: str, when: datetime, *, steps: int = ACCEPTED_STEPS) -> int | None:
    """The time step whose code `code` is, within `steps` either side of `when`; None if it is none of them. The
    caller refuses a step at or before the last one used, so a code works once (RFC 6238, section 5.2)."""
    if not looks_like_code(code):
        return None
    typed = "".join(code.split())
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    now_step = totp.timecode(when)
    for step in range(now_step - steps, now_step + steps + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed):
            return step
    return None


def drifted_minutes(secret: str, code: str, when: datetime) -> int | None:
    """Minutes between `when` and the time `code` belongs to, if it is a genuine code from up to ten minutes off
    (a workstation's or a phone's clock is wrong); None otherwise. Only to explain a refusal."""
    step = matching_step(secret, code, when, steps=DRIFT_STEPS)
    if step is None:
        return None
    now_step = pyotp.TOTP(secret, digits=CODE_DIGITS).timecode(when)
    return max(1, round(abs(step - now_step) / 2))


def looks_like_code(text: str) -> bool:
    typed = "".join(text.split())
    return len(typed) == CODE_DIGITS and typed.isdigit()


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.casefold() if ch.isalnum())
