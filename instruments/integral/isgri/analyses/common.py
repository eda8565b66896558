"""What the ISGRI analyses share: their parameters, the archive they read, the science-window loop.

The archive is the ISGRI one of ``instruments.archive.backends`` (the simulated one today) over the pointings
chosen from the archive's index; the analyses never name a particular archive.  The loop reads one science window at a time, so a run
over hundreds of ScWs holds one in memory; it reports progress per ScW and stops between two ScWs once the
run should end.  ``per_scw`` is the same loop over the results of a per-ScW function that reads its own ScW
(``ScwRef.read``), which the run's context may compute in other processes (``instruments.parallel``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from instruments.archive.backends import isgri_archive
from instruments.archive.base import ArchiveBackend, ChunkInfo, angular_distance
from instruments.base import RunContext
from instruments.errors import InstrumentFatalError, InstrumentUsageError
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.scw import ScienceWindow, read_scw
from instruments.integral.isgri.selection import choose_pointings, read_pointings
from instruments.integral.isgri.spectrum import Target as SpectralTarget
from instruments.parallel import parallel_map
from instruments.parameters import (
    EnergyBand,
    OsaVersion,
    ScwSelection,
    SourceDetection,
    Target,
    TimeBinning,
    TimeWindow,
    param,
)
from instruments.reference import REFERENCE_SOURCES

__all__ = [
    "FIELD_RADIUS_DEG",
    "SAME_SOURCE_ARCMIN",
    "ImageParameters",
    "LightcurveParameters",
    "Observation",
    "ScwRef",
    "SpectrumParameters",
    "bins_outside",
    "field_sources",
    "observations",
    "open_archive",
    "per_scw",
    "target_not_seen",
]

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")

#: Half-diagonal of the 29 x 29 deg zero-response field: nothing farther from the axis is seen.
FIELD_RADIUS_DEG = 21.0
#: A reference source this close to the target is the target itself (half the 12 arcmin PSF).
SAME_SOURCE_ARCMIN = 6.0


class _IsgriBand(EnergyBand):
    """ISGRI sees 15 keV to 1 MeV; the archive's channels set the band actually used (see each analysis)."""

    E1_keV: float = param(
        28.0, description="Lower end of the energy band", unit="keV", ucd="em.energy", ge=15, lt=1000
    )
    E2_keV: float = param(
        40.0, description="Upper end of the energy band", unit="keV", ucd="em.energy", gt=15, le=1000
    )


class ImageParameters(Target, TimeWindow, _IsgriBand, ScwSelection, SourceDetection, OsaVersion):
    """Parameters of ``isgri/image``."""


class SpectrumParameters(Target, TimeWindow, ScwSelection, OsaVersion):
    """Parameters of ``isgri/spectrum`` (the spectrum covers every channel of the archive)."""


class LightcurveParameters(Target, TimeWindow, _IsgriBand, ScwSelection, TimeBinning, OsaVersion):
    """Parameters of ``isgri/lightcurve``."""


@dataclass(frozen=True, eq=False)
class Observation:
    """One science window read from the archive, with the calibration valid at its time."""

    info: ChunkInfo
    scw: ScienceWindow
    model: IsgriModel


def _read(backend: ArchiveBackend[IsgriModel], info: ChunkInfo) -> Observation:
    try:
        scw = read_scw(backend.open_chunk(info.chunk_id))
    except (OSError, KeyError, ValueError) as exc:
        raise InstrumentFatalError(f"science window {info.chunk_id} cannot be read: {exc}") from None
    return Observation(info, scw, backend.instrument_model(info.t_start))


@dataclass(frozen=True)
class ScwRef:
    """One science window of the archive under ``archive_dir`` (``RunContext.archive_dir``), small and
    picklable: what a per-ScW function needs to read it in any process that sees the archive."""

    archive_dir: Path
    info: ChunkInfo

    def read(self) -> Observation:
        """The science window and its calibration (simulated now if the archive does not hold it yet).

        Raises:
            InstrumentFatalError: it cannot be read.
        """
        return _read(isgri_archive(self.archive_dir, [self.info]), self.info)


def open_archive(
    params: ImageParameters | SpectrumParameters | LightcurveParameters, ctx: RunContext
) -> tuple[ArchiveBackend[IsgriModel], list[ChunkInfo]]:
    """The archive and the pointings chosen for ``params`` (target, time window and ScW selection).

    Raises:
        InstrumentUsageError: nothing chosen, naming the parameters to change.
        InstrumentFatalError: the archive has no index.
    """
    pointings = choose_pointings(
        read_pointings(ctx.archive_dir),
        ra=params.RA,
        dec=params.DEC,
        mjd_range=params.mjd_range,
        radius=params.radius,
        max_pointings=params.max_pointings,
        scw_list=params.scw_list,
    )
    ctx.logger.info("%d ISGRI science windows chosen", len(pointings))
    return isgri_archive(ctx.archive_dir, pointings), pointings


def observations(
    ctx: RunContext,
    backend: ArchiveBackend[IsgriModel],
    pointings: Sequence[ChunkInfo],
    *,
    doing: str,
    progress: tuple[float, float] = (0.0, 1.0),
) -> Iterator[Observation]:
    """The science windows one by one, ``doing`` (a verb) and the share of the run ``progress`` reported.

    Raises:
        InstrumentFatalError: the run was stopped (aborted, or its time is over), or a ScW cannot be read.
    """
    for info in _steps(ctx, pointings, doing=doing, progress=progress):
        yield _read(backend, info)


def _steps(
    ctx: RunContext, pointings: Sequence[ChunkInfo], *, doing: str, progress: tuple[float, float]
) -> Iterator[ChunkInfo]:
    """The pointings, each once the run is known to go on and its progress is reported."""
    first, span = progress
    for i, info in enumerate(pointings):
        if ctx.aborted():
            raise InstrumentFatalError(
                f"the run was stopped after {i} of {len(pointings)} science windows ({doing})"
            )
        ctx.progress(
            first + span * i / len(pointings), f"{doing} ScW {info.chunk_id} ({i + 1}/{len(pointings)})"
        )
        yield info


def per_scw(
    ctx: RunContext,
    function: Callable[[_Task], _Result],
    tasks: Sequence[_Task],
    pointings: Sequence[ChunkInfo],
    *,
    doing: str,
    progress: tuple[float, float] = (0.0, 1.0),
) -> Iterator[_Result]:
    """``function(task)`` for the task of each pointing (``tasks[i]`` is about ``pointings[i]``), in order,
    spread by the run's context when it can (``parallel_map``: ``function`` module-level, tasks and results
    picklable); progress and stopping as ``observations``.

    Raises:
        InstrumentFatalError: the run was stopped, or a ScW cannot be read; whatever ``function`` raises.
    """
    if len(tasks) != len(pointings):
        raise ValueError(f"{len(tasks)} tasks for {len(pointings)} science windows")
    results = parallel_map(ctx, function, tasks)
    try:
        for _ in _steps(ctx, pointings, doing=doing, progress=progress):
            yield next(results)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # cancels what the context computes ahead


def field_sources(target: SpectralTarget, pointings: Sequence[ChunkInfo]) -> list[SpectralTarget]:
    """The reference sources any pointing can see, to be fitted together with the target.

    A reference source within ``SAME_SOURCE_ARCMIN`` of the target is the target: it is left out (two shadows
    on one spot cannot be fitted apart).
    """
    return [
        SpectralTarget(ref.name, ref.ra, ref.dec)
        for ref in REFERENCE_SOURCES
        if angular_distance(ref.ra, ref.dec, target.ra, target.dec) * 60.0 > SAME_SOURCE_ARCMIN
        and any(angular_distance(ref.ra, ref.dec, p.ra, p.dec) <= FIELD_RADIUS_DEG for p in pointings)
    ]


def target_not_seen(params: Target, n_scw: int) -> InstrumentUsageError:
    """The refusal of a spectrum or light curve whose target none of the ``n_scw`` science windows sees."""
    return InstrumentUsageError(
        f"the target (RA={params.RA:g}, DEC={params.DEC:g}) is in the field of none of the {n_scw} science "
        "windows chosen: change RA and DEC, radius or scw_list"
    )


def bins_outside(params: TimeWindow) -> InstrumentUsageError:
    """The refusal of a light curve none of whose bins falls between T1 and T2 (the science windows chosen
    overlap the range, but their bins' centres lie outside it)."""
    return InstrumentUsageError(
        f"parameters T1 and T2: no light-curve bin has its centre between {params.T1} and {params.T2}; "
        "widen the range or make time_bin smaller"
    )
