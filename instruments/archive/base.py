"""The interface between analysis cores and an archive, so a core never knows whether its data are simulated.

A chunk is the unit an archive serves and caches: for INTEGRAL a science window (ScW).  Times are MJD (UTC),
as in the ScW index of the service, so a selection made there can be passed here unchanged; files inside a
chunk keep the instrument's own time system (IJD, TT, for INTEGRAL).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

__all__ = ["ArchiveBackend", "ChunkInfo", "Cone", "TimeRange", "angular_distance"]

ModelT_co = TypeVar("ModelT_co", covariant=True)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A closed interval of MJD (UTC); raises ``ValueError`` when ``stop < start``."""

    start: float
    stop: float

    def __post_init__(self) -> None:
        if self.stop < self.start:
            raise ValueError(f"time range ends ({self.stop}) before it starts ({self.start})")

    def overlaps(self, start: float, stop: float) -> bool:
        return start <= self.stop and stop >= self.start


@dataclass(frozen=True, slots=True)
class Cone:
    """A circle on the sky, ICRS degrees; raises ``ValueError`` for a radius outside [0, 180]."""

    ra: float
    dec: float
    radius: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.radius <= 180.0:
            raise ValueError(f"cone radius must lie in [0, 180] deg, got {self.radius}")


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """What an archive says about one chunk before it is opened: for INTEGRAL one pointing.

        ``ra``/``dec`` are the pointing axis (ICRS deg), ``posangle`` the position angle of the instrument Y axis
        east of north (deg), ``t_start``/``t_stop`` MJD (UTC), ``exposure`` the good time (s), ``data_version`` the
    archive's processing state of the chunk (INTEGRAL: ``NRT`` near-real-time or ``CONS`` consolidated) if known.
    """

    instrument: str
    chunk_id: str
    ra: float
    dec: float
    posangle: float
    t_start: float
    t_stop: float
    exposure: float
    data_version: str | None = None


class ArchiveBackend(Protocol[ModelT_co]):
    """Read-only access to one instrument's archive.

    ``list_chunks`` selects by time overlap and by the distance of the pointing axis from the region centre;
    ``open_chunk`` returns the path of the chunk's file (made on first request by a simulated archive) and
    raises ``KeyError`` for an unknown id; ``instrument_model`` gives the calibration valid at an MJD (UTC).
    """

    def list_chunks(self, time: TimeRange | None = None, region: Cone | None = None) -> list[ChunkInfo]: ...

    def open_chunk(self, chunk_id: str) -> Path: ...

    def instrument_model(self, time: float) -> ModelT_co: ...


def angular_distance(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Great-circle distance in degrees (haversine form, accurate at small separations)."""
    p1, p2 = math.radians(dec1), math.radians(dec2)
    dp, dl = p2 - p1, math.radians(ra2 - ra1)
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return math.degrees(2.0 * math.asin(min(1.0, math.sqrt(h))))
