"""Secrets live in the OS keyring through `keyring`. With no usable backend ShieldDesk fails closed."""

from __future__ import annotations

import contextlib
import logging

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

from shielddesk.domain.errors import SecretStoreUnavailable

log = logging.getLogger(__name__)

SERVICE_NAME = "ShieldDesk"

HOW_TO_FIX = (
    "ShieldDesk keeps its keys in the operating system's secure keyring and will not store them in "
    "plain text. No usable keyring was found. On Windows the Credential Manager is used automatically; "
    "on Linux start and unlock a Secret Service provider (GNOME Keyring or KWallet) in your desktop "
    "session — for example `dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock; shielddesk'` — "
    "then start ShieldDesk again."
)


def _usable(backend: keyring.backend.KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_usable(b) for b in backend.backends)
    try:
        return backend.priority > 0  # type: ignore[operator]
    except Exception:
        return False


class SecretStore:
    """A thin, fail-closed wrapper over one keyring backend."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()

    @property
    def backend_name(self) -> str:
        return f"{type(self._backend).__module__}.{type(self._backend).__name__}"

    def ensure_usable(self) -> None:
        if not _usable(self._backend):
            raise SecretStoreUnavailable(HOW_TO_FIX)

    def get(self, name: str) -> str | None:
        self.ensure_usable()
        try:
            return self._backend.get_password(SERVICE_NAME, name)
        except keyring.errors.KeyringError as exc:
            log.error("keyring read failed: %s", type(exc).__name__)
            raise SecretStoreUnavailable(f"The keyring could not be read ({type(exc).__name__}). {HOW_TO_FIX}") from exc

    def set(self, name: str, value: str) -> None:
        self.ensure_usable()
        try:
            self._backend.set_password(SERVICE_NAME, name, value)
        except keyring.errors.KeyringError as exc:
            log.error("keyring write failed: %s", type(exc).__name__)
            raise SecretStoreUnavailable(
                f"The keyring could not be written ({type(exc).__name__}). {HOW_TO_FIX}"
            ) from exc

    def delete(self, name: str) -> None:
        self.ensure_usable()
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._backend.delete_password(SERVICE_NAME, name)
