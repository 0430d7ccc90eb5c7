"""Normalised search keys: case- and accent-insensitive, punctuation-free, and a phonetic key.

Cached: matching computes the same keys for the same common names hundreds of thousands of times."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NOT_ALNUM_SPACE = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, accents removed: 'Zoë Ó Briain' -> 'zoe o briain'."""
    if text.isascii():
        return text.lower()  # the common case, twenty times faster than decomposing
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Key for prefix search of names: letters and digits only ('O'Brien-Smith' -> 'obriensmith')."""
    return _NOT_ALNUM.sub("", fold(text))


def words_key(text: str) -> str:
    """Key for addresses and organisation names: folded words separated by single spaces."""
    if text.isascii():  # not cached: addresses are nearly all different, and this path is quick
        return " ".join(_ASCII_WORD.findall(text.lower()))
    return _words_key_folded(text)


@lru_cache(maxsize=1 << 16)
def _words_key_folded(text: str) -> str:
    return _SPACES.sub(" ", _NOT_ALNUM_SPACE.sub(" ", fold(text))).strip()


@lru_cache(maxsize=1 << 16)
def postcode_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text)).upper()


@lru_cache(maxsize=1 << 16)
def phonetic_key(text: str) -> str:
    """'Sounds like' key of a name (Metaphone of its first part, so 'Smith-Jones' sounds like 'Smith')."""
    folded = words_key(text.replace("-", " "))
    if not folded:
        return ""
    first = folded.split(" ")[0]
    return jellyfish.metaphone(first).upper()


@lru_cache(maxsize=1 << 12)
def former_surname_keys(text: str) -> tuple[str, ...]:
    """The name keys a child's former surnames are found by: each one as recorded ('Smith-Jones; Okafor' ->
    'smithjones', 'okafor') and each word of a several-word one ('smith', 'jones'), without repeats."""
    keys: dict[str, None] = {}
    for part in text.replace(";", ",").split(","):
        for candidate in (part, *part.replace("-", " ").split()):
            if key := name_key(candidate):
                keys[key] = None
    return tuple(keys)


def former_surname_index(text: str) -> tuple[tuple[str, str], ...]:
    """What is stored to find a child by a former surname: each key with its sounds-like key."""
    return tuple((key, phonetic_key(key)) for key in former_surname_keys(text))
