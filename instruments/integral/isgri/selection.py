"""Which ISGRI science windows an analysis uses, chosen from the archive's ScW index as MMODA chooses them.

Pointings with ISGRI good time that overlap [T1, T2] and whose axis lies within ``radius`` of the target, the
nearest first (then the earliest), at most ``max_pointings``; or the pointings of an explicit ``scw_list``
(ids with or without their ``.VVV`` version), whatever their time and place.  The index is the file the
archive keeps beside its data (``instruments.integral.scw_index``), so a run needs nothing but the archive
directory.  The chosen pointings come back in time order, the order the analyses read them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from instruments.archive.base import ChunkInfo, angular_distance
from instruments.errors import InstrumentFatalError, InstrumentUsageError
from instruments.integral.scw_index import INDEX_PATH, read_index

__all__ = ["choose_pointings", "read_pointings"]

INSTRUMENT = "isgri"


def read_pointings(archive_dir: Path) -> list[ChunkInfo]:
    """Every ISGRI pointing of the archive's index.

    Raises:
        InstrumentFatalError: the archive has no index (the service writes it with ``mmvo load-demo``).
    """
    try:
        return read_index(archive_dir, INSTRUMENT)
    except FileNotFoundError:
        raise InstrumentFatalError(
            f"the archive has no science-window index ({INDEX_PATH.as_posix()}); it is written when the "
            "archive is loaded (mmvo load-demo)"
        ) from None


def _by_list(index: Sequence[ChunkInfo], scw_list: Sequence[str]) -> list[ChunkInfo]:
    by_id = {chunk.chunk_id[:12]: chunk for chunk in index}
    wanted = list(dict.fromkeys(scw.split(".", 1)[0] for scw in scw_list))
    missing = [scw for scw in wanted if scw not in by_id]
    if missing:
        listed = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InstrumentUsageError(
            f"parameter scw_list: {listed} {'is' if len(missing) == 1 else 'are'} not ISGRI pointings with "
            "good time in the archive's science-window index"
        )
    return [by_id[scw] for scw in wanted]


def choose_pointings(
    index: Sequence[ChunkInfo],
    *,
    ra: float,
    dec: float,
    mjd_range: tuple[float, float],
    radius: float,
    max_pointings: int,
    scw_list: Sequence[str] | None = None,
) -> list[ChunkInfo]:
    """The pointings of ``index`` to analyse, in time order (see the module docstring); times MJD (UTC).

    Raises:
        InstrumentUsageError: an id of ``scw_list`` is not in the index, or no pointing fits the selection;
            the message names the parameters to change.
    """
    if scw_list:
        chosen = _by_list(index, scw_list)
    else:
        start, stop = mjd_range
        candidates = [
            (angular_distance(c.ra, c.dec, ra, dec), c.t_start, c)
            for c in index
            if c.t_start <= stop and c.t_stop >= start
        ]
        near = sorted((x for x in candidates if x[0] <= radius), key=lambda x: (x[0], x[1], x[2].chunk_id))
        if not near:
            why = (
                "no ISGRI pointing between T1 and T2"
                if not candidates
                else f"none of the {len(candidates)} ISGRI pointings between T1 and T2 lies within "
                f"radius={radius:g} deg of RA={ra:g}, DEC={dec:g}"
            )
            raise InstrumentUsageError(
                f"{why}: change T1 and T2, widen radius, or give a scw_list",
                detail=None
                if not candidates
                else f"the nearest pointing axis is {min(d for d, _, _ in candidates):.2f} deg away",
            )
        chosen = [c for _, _, c in near[:max_pointings]]
    return sorted(chosen, key=lambda c: (c.t_start, c.chunk_id))
