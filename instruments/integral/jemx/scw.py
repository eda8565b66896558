"""One JEM-X science window of one unit as the analysis sees it, and its flat-fielded shadowgram in a band.

Counts of the band's channels are divided by pixel efficiency and exposure, pixels off the usable disc get
zero weight, and the band's background template goes with the shadowgram for the decoding and the source
fit to fit its level.  The shadowgram is ISGRI's ``Shadowgram`` type, so the instrument-independent pieces
(shadowgram fit, background fit, source location, mosaics) serve both instruments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.isgri.scw import Shadowgram
from instruments.integral.jemx.model import JemxModel

__all__ = ["SLICE_BANDS", "SLICE_SECONDS", "JemxScienceWindow", "counts_shadowgram", "read_scw", "shadowgram"]

#: The archive's JEM-X file layout: counts are also kept per time slice of this length (s) ...
SLICE_SECONDS = 100.0
#: ... in these bands (keV), each a run of whole channels.
SLICE_BANDS = ((3.0, 10.0), (10.0, 20.0), (20.0, 35.0))

F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class JemxScienceWindow:
    """Counts of one ScW and unit: ``counts`` [channel, y, z]; ``slices`` [slice, band, y, z] with
    ``slice_times`` [slice, (start, stop)] IJD and ``slice_bands`` keV; times IJD (TT); exposure in s."""

    scw_id: str
    unit: int
    frame: InstrumentFrame
    t_start: float
    t_stop: float
    exposure: float
    channel_edges: F64
    counts: NDArray[np.int32]
    slices: NDArray[np.int32]
    slice_times: F64
    slice_bands: tuple[tuple[float, float], ...]


def read_scw(path: Path) -> JemxScienceWindow:
    """Read a JEM-X ScW file of the archive; raises ``KeyError`` when an extension is missing."""
    with fits.open(path) as hdus:
        header = hdus[0].header
        unit = int(header["JEMX_NUM"])
        bounds = hdus["EBOUNDS"].data
        edges = np.append(np.asarray(bounds["E_MIN"], dtype=np.float64), float(bounds["E_MAX"][-1]))
        slice_hdu = hdus[f"JMX{unit}-SLIC-SHD"]
        bands = tuple(
            (float(slice_hdu.header[f"E_MIN{i}"]), float(slice_hdu.header[f"E_MAX{i}"]))
            for i in range(1, int(slice_hdu.data.shape[1]) + 1)
        )
        times = hdus[f"JMX{unit}-SLIC-TIM"].data
        return JemxScienceWindow(
            scw_id=str(header["SWID"]),
            unit=unit,
            frame=InstrumentFrame(
                float(header["RA_SCX"]), float(header["DEC_SCX"]), float(header["POSANGLE"])
            ),
            t_start=float(header["TSTART"]),
            t_stop=float(header["TSTOP"]),
            exposure=float(header["EXPOSURE"]),
            channel_edges=edges,
            counts=np.asarray(hdus[f"JMX{unit}-DETE-SHD"].data, dtype=np.int32),
            slices=np.asarray(slice_hdu.data, dtype=np.int32),
            slice_times=np.column_stack([times["START"], times["STOP"]]).astype(np.float64),
            slice_bands=bands,
        )


def shadowgram(scw: JemxScienceWindow, model: JemxModel, band: tuple[float, float]) -> Shadowgram:
    """The shadowgram of ``band`` (keV), which must follow channel edges (``ValueError`` otherwise)."""
    if not np.allclose(scw.channel_edges, model.channel_edges):
        raise ValueError(f"ScW {scw.scw_id} has channels {scw.channel_edges.tolist()}, the model another set")
    channels = model.band_channels(*band)
    counts = scw.counts[channels].sum(axis=0, dtype=np.int64)
    return counts_shadowgram(counts, scw=scw, model=model, band=band, exposure=scw.exposure)


def counts_shadowgram(
    counts: NDArray[np.int64],
    *,
    scw: JemxScienceWindow,
    model: JemxModel,
    band: tuple[float, float],
    exposure: float,
) -> Shadowgram:
    """The shadowgram of a detector image of ``counts`` in ``band`` collected in ``exposure`` s of ``scw``."""
    good = ~model.bad & (model.pixel_efficiency > 0.0)
    scale = np.where(good, 1.0 / np.where(good, model.pixel_efficiency, 1.0) / exposure, 0.0)
    rate = np.asarray(counts * scale, dtype=np.float64)
    # A zero-count pixel still carries the variance of one count, so no good pixel claims infinite precision.
    variance = np.asarray(np.maximum(counts, 1) * scale**2, dtype=np.float64)
    template = model.band_template(model.band_channels(*band))
    weight = good.astype(np.float64)
    return Shadowgram(scw.scw_id, scw.frame, band, exposure, rate, variance, weight, template)
