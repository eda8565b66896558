"""One ISGRI science window as the analysis sees it, and its flat-fielded shadowgram in an energy band.

The shadowgram step follows OSA's ii_shadow_build: counts of the band's channels, divided by pixel efficiency
and exposure (so every good pixel is a nominal pixel in counts s^-1), with zero weight for dead and noisy
pixels and module gaps.  The background is not subtracted here: its template goes with the shadowgram and
the decoding and the source fit fit its level, which the analysis cannot know in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.isgri.model import IsgriModel

__all__ = ["ScienceWindow", "Shadowgram", "counts_shadowgram", "read_scw", "shadowgram"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ScienceWindow:
    """Counts of one ScW: ``counts`` [channel, y, z]; ``slices`` [slice, band, y, z] with ``slice_times``
    [slice, (start, stop)] IJD and ``slice_bands`` keV; times IJD (TT); exposure in s."""

    scw_id: str
    frame: InstrumentFrame
    t_start: float
    t_stop: float
    exposure: float
    channel_edges: F64
    counts: NDArray[np.int32]
    slices: NDArray[np.int32]
    slice_times: F64
    slice_bands: tuple[tuple[float, float], ...]


def read_scw(path: Path) -> ScienceWindow:
    """Read a ScW file of the archive; raises ``KeyError`` when an extension is missing."""
    with fits.open(path) as hdus:
        header = hdus[0].header
        bounds = hdus["EBOUNDS"].data
        edges = np.append(np.asarray(bounds["E_MIN"], dtype=np.float64), float(bounds["E_MAX"][-1]))
        slice_hdu = hdus["ISGR-SLIC-SHD"]
        n_bands = int(slice_hdu.data.shape[1])
        bands = tuple(
            (float(slice_hdu.header[f"E_MIN{i}"]), float(slice_hdu.header[f"E_MAX{i}"]))
            for i in range(1, n_bands + 1)
        )
        times = hdus["ISGR-SLIC-TIM"].data
        return ScienceWindow(
            scw_id=str(header["SWID"]),
            frame=InstrumentFrame(
                float(header["RA_SCX"]), float(header["DEC_SCX"]), float(header["POSANGLE"])
            ),
            t_start=float(header["TSTART"]),
            t_stop=float(header["TSTOP"]),
            exposure=float(header["EXPOSURE"]),
            channel_edges=edges,
            counts=np.asarray(hdus["ISGR-DETE-SHD"].data, dtype=np.int32),
            slices=np.asarray(slice_hdu.data, dtype=np.int32),
            slice_times=np.column_stack([times["START"], times["STOP"]]).astype(np.float64),
            slice_bands=bands,
        )


@dataclass(frozen=True, eq=False)
class Shadowgram:
    """Flat-fielded detector image of one band: ``rate`` and ``variance`` in counts s^-1 per nominal pixel,
    ``weight`` 1 on good pixels and 0 elsewhere, ``background`` the band's template (mean 1)."""

    scw_id: str
    frame: InstrumentFrame
    band: tuple[float, float]
    exposure: float
    rate: F64
    variance: F64
    weight: F64
    background: F64


def _flat_field(counts: NDArray[np.int64], model: IsgriModel, exposure: float) -> tuple[F64, F64, F64]:
    good = ~model.bad & (model.pixel_efficiency > 0.0)
    scale = np.where(good, 1.0 / np.where(good, model.pixel_efficiency, 1.0) / exposure, 0.0)
    rate = np.asarray(counts * scale, dtype=np.float64)
    # Zero-count pixels still carry the variance of one count, so no good pixel claims infinite precision.
    variance = np.asarray(np.maximum(counts, 1) * scale**2, dtype=np.float64)
    return rate, variance, good.astype(np.float64)


def shadowgram(scw: ScienceWindow, model: IsgriModel, band: tuple[float, float]) -> Shadowgram:
    """The shadowgram of ``band`` (keV), which must follow channel edges (``ValueError`` otherwise)."""
    channels = model.band_channels(*band)
    if not np.allclose(scw.channel_edges, model.channel_edges):
        raise ValueError(f"ScW {scw.scw_id} has channels {scw.channel_edges.tolist()}, the model another set")
    counts = scw.counts[channels].sum(axis=0, dtype=np.int64)
    return counts_shadowgram(counts, scw=scw, model=model, band=band, exposure=scw.exposure)


def counts_shadowgram(
    counts: NDArray[np.int64],
    *,
    scw: ScienceWindow,
    model: IsgriModel,
    band: tuple[float, float],
    exposure: float,
) -> Shadowgram:
    """The shadowgram of a detector image of ``counts`` in ``band`` collected in ``exposure`` seconds of
    ``scw`` (a time slice, for instance)."""
    rate, variance, weight = _flat_field(counts, model, exposure)
    template = model.band_template(model.band_channels(*band))
    return Shadowgram(scw.scw_id, scw.frame, band, exposure, rate, variance, weight, template)
