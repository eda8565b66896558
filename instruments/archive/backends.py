"""The archive an analysis reads, chosen in one place: analysis code asks for "the ISGRI archive of these
pointings" and never names the simulated one, so it cannot tell simulated data from real data, and a real
archive plugs in here without any change to the cores.

Today every instrument has only the simulated archive; the choice is made per call so that tests can hand a
backend of their own to the cores directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from instruments.archive.base import ArchiveBackend, ChunkInfo
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.jemx.model import JemxModel

__all__ = ["isgri_archive", "jemx_archive"]


def isgri_archive(archive_dir: Path, pointings: Iterable[ChunkInfo]) -> ArchiveBackend[IsgriModel]:
    """The ISGRI archive of ``pointings``, caching under ``archive_dir`` (``RunContext.archive_dir``)."""
    from instruments.archive.simulated.backend import SimulatedBackend

    return SimulatedBackend.in_archive(archive_dir, pointings)


def jemx_archive(
    archive_dir: Path, pointings: Iterable[ChunkInfo], *, unit: int
) -> ArchiveBackend[JemxModel]:
    """The archive of JEM-X ``unit`` (1 or 2) for ``pointings``, caching under ``archive_dir``."""
    from instruments.archive.simulated.jemx_backend import JemxBackend

    return JemxBackend(archive_dir, pointings, unit=unit)
