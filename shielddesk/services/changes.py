"""What a service call changed, so that every open view can decide for itself whether to refresh."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    children: bool = False
    shields: bool = False
    lists: bool = False
    requests: bool = False
    reviews: bool = False


EVERYTHING = Changes(True, True, True, True, True)
