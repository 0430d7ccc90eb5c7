"""Size limits for imported files (configurable; defaults from DESIGN §6)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_xlsx_unpacked_bytes: int = 100 * 1024 * 1024
    max_field_chars: int = 1000
    max_notes_chars: int = 4000
