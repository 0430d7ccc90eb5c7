"""Figures the proof suites print at the end of the run (`crash: 300 kills, 0 lost, 0 half-applied`), so that
CI's output says what was proved, not only that tests passed."""

from __future__ import annotations

FIGURES: list[str] = []


def report(suite: str, text: str) -> None:
    FIGURES.append(f"{suite}: {text}")
