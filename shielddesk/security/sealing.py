"""Sealed files: a file encrypted and authenticated with AES-256-GCM in 1 MiB chunks, so that a database of any
size is sealed without holding it in memory. Each chunk's nonce carries its number and its associated data
says whether it is the last, so a chunk cut off, reordered or swapped from another sealed file is refused; the
clear header (what the file is, never what it holds) is authenticated with every chunk."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SHIELDDESK-SEALED-1\n"
CHUNK = 1 << 20
KEY_BYTES = 32


class SealBroken(ValueError):
    """The sealed file is not one, was made with another key, or was changed or cut short."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _associated(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + struct.pack(">Q?", index, last)


def seal(source: Path, target: Path, key: bytes, header: Mapping[str, object]) -> None:
    """Encrypt `source` into `target` (written whole or not at all)."""
    aead = AESGCM(key)
    header_bytes = json.dumps(dict(header), sort_keys=True).encode("utf-8")
    digest = hashlib.sha256(header_bytes).digest()
    prefix = os.urandom(4)
    partial = target.with_name(target.name + ".partial")
    with source.open("rb") as reader, partial.open("wb") as writer:
        writer.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + prefix)
        index, block = 0, reader.read(CHUNK)
        while True:
            following = reader.read(CHUNK)
            last = not following
            nonce = prefix + struct.pack(">Q", index)
            sealed = aead.encrypt(nonce, block, _associated(digest, index, last))
            writer.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                break
            index, block = index + 1, following
        writer.flush()
        os.fsync(writer.fileno())
    partial.replace(target)


def read_header(path: Path) -> dict[str, object]:
    with path.open("rb") as reader:
        return _header(reader)[0]


def _header(reader: BinaryIO) -> tuple[dict[str, object], bytes]:
    if reader.read(len(MAGIC)) != MAGIC:
        raise SealBroken("not a ShieldDesk backup")
    (length,) = struct.unpack(">I", _exactly(reader, 4))
    if length > 1 << 16:
        raise SealBroken("the backup's header is damaged")
    header_bytes = _exactly(reader, length)
    try:
        header = json.loads(header_bytes)
    except ValueError:
        raise SealBroken("the backup's header is damaged") from None
    return header, hashlib.sha256(header_bytes).digest()


def _exactly(reader: BinaryIO, size: int) -> bytes:
    data = reader.read(size)
    if len(data) != size:
        raise SealBroken("the backup is cut short")
    return data


def unseal(source: Path, target: Path, key: bytes) -> dict[str, object]:
    """Decrypt `source` into `target`; returns the header. Raises SealBroken on any change."""
    aead = AESGCM(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        header, digest = _header(reader)  # type: ignore[arg-type]
        prefix = _exactly(reader, 4)
        index = 0
        while True:
            (length,) = struct.unpack(">I", _exactly(reader, 4))
            if length > CHUNK + 16:
                raise SealBroken("the backup is damaged")
            sealed = _exactly(reader, length)
            last = not reader.peek(1)  # type: ignore[attr-defined]
            nonce = prefix + struct.pack(">Q", index)
            try:
                writer.write(aead.decrypt(nonce, sealed, _associated(digest, index, last)))
            except InvalidTag:
                raise SealBroken("the backup was changed, cut short, or sealed with another key") from None
            if last:
                return header
            index += 1
