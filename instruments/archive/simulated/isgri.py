"""SIMULATED ISGRI science windows: Poisson counts of sources through the mask plus a non-uniform background.

Per pointing, every truth source in the field of view throws its mask shadow (the exact PIF, off-axis
transmission included) with counts per energy channel from its spectrum folded through the instrument model;
the background follows the model's templates scaled by a slow drift the analysis does not know.  Dead pixels
and module gaps record nothing, noisy pixels far too much.  Counts are drawn per time slice of
``SLICE_SECONDS`` so light curves can be extracted; the file stores the full channel cube (the sum of the
slices) and, per slice, the counts of the two imaging bands.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.archive.base import ChunkInfo
from instruments.archive.seeding import chunk_rng
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.isgri.mask import (
    DETECTOR_PIXELS,
    ELEMENT_MM,
    MASK_ELEMENTS,
    MASK_HEIGHT_MM,
    PITCH_MM,
)
from instruments.integral.isgri.model import IsgriModel, offaxis_response
from instruments.integral.isgri.pif import pif
from instruments.integral.time import IJD_MJDREF, mjd_utc_to_ijd

__all__ = ["SLICE_BANDS", "SLICE_SECONDS", "write_scw"]

F64 = NDArray[np.float64]

SLICE_SECONDS = 100.0
#: Bands (keV) stored per time slice.
SLICE_BANDS = ((20.0, 40.0), (40.0, 100.0))
#: Noisy pixels count this many times the background.
NOISY_FACTOR = 30.0
_LIMIT = (MASK_ELEMENTS * ELEMENT_MM + DETECTOR_PIXELS * PITCH_MM) / 2.0 / MASK_HEIGHT_MM


def _slices(exposure: float) -> F64:
    n = max(1, int(np.ceil(exposure / SLICE_SECONDS - 1e-9)))
    return np.asarray(np.minimum(np.arange(n + 1) * SLICE_SECONDS, exposure), dtype=np.float64)


def _background_drift(info: ChunkInfo, rng: np.random.Generator) -> float:
    """Hidden normalisation of the background: a slow orbital-scale wave and a few per cent of scatter."""
    return float(1.0 + 0.05 * np.sin(2.0 * np.pi * info.t_start / 37.0) + rng.normal(0.0, 0.02))


def _expected(
    info: ChunkInfo, truth: Sequence[TruthSource], model: IsgriModel, edges: F64, drift: float
) -> F64:
    """Expected counts [slice, channel, y, z]."""
    frame = InstrumentFrame(info.ra, info.dec, info.posangle)
    seconds = np.diff(edges)
    day = 86400.0
    shadows, rates, factors = [], [], []
    for source in truth:
        u, v = frame.to_instrument(source.ra, source.dec)
        if not (np.isfinite(u) and abs(u) < _LIMIT and abs(v) < _LIMIT):
            continue
        samples = info.t_start + (edges[:-1, None] + seconds[:, None] * (np.arange(4) + 0.5) / 4.0) / day
        factor = source.lightcurve.factor(samples).mean(axis=1)
        if not np.any(factor > 0.0):
            continue
        theta = np.degrees(np.arctan(np.hypot(u, v)))
        shadow = pif(float(u), float(v)) * offaxis_response(theta)
        if not shadow.any():
            continue
        shadows.append(shadow.ravel())
        rates.append(model.channel_rates(source.spectrum))
        factors.append(factor)
    n_pix = DETECTOR_PIXELS**2
    background = drift * model.background_rate[:, None] * model.background.reshape(model.n_channels, n_pix)
    background = background * np.where(model.noisy.ravel(), NOISY_FACTOR, 1.0)[None, :]
    rate = np.broadcast_to(background, (seconds.size, model.n_channels, n_pix)).copy()
    if shadows:
        per_source = np.asarray(factors).T[:, :, None] * np.asarray(rates)[None, :, :]
        rate += np.einsum("tsc,sp->tcp", per_source, np.asarray(shadows))
    expected = rate * seconds[:, None, None] * model.pixel_efficiency.ravel()[None, None, :]
    return expected.reshape(seconds.size, model.n_channels, DETECTOR_PIXELS, DETECTOR_PIXELS)


def _split(total: NDArray[np.int32], expected: F64, rng: np.random.Generator) -> NDArray[np.int64]:
    """Share each pixel's counts among the time slices in proportion to their expectations.

    Drawing the total once and splitting it by a chain of binomials gives the same joint law as independent
    Poisson draws per slice, for a fraction of the random numbers.
    """
    remaining = total.astype(np.int64)
    left = expected[::-1].cumsum(axis=0)[::-1]
    parts = np.empty(expected.shape, dtype=np.int64)
    for k in range(expected.shape[0] - 1):
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(left[k] > 0.0, expected[k] / left[k], 0.0)
        parts[k] = rng.binomial(remaining, np.clip(p, 0.0, 1.0))
        remaining -= parts[k]
    parts[-1] = remaining
    return parts


def write_scw(
    path: Path,
    info: ChunkInfo,
    *,
    truth: Sequence[TruthSource],
    model: IsgriModel,
    sim_version: str,
) -> None:
    """Simulate one science window and write it as FITS to ``path`` (byte-identical for the same inputs)."""
    rng = chunk_rng("isgri", info.chunk_id, sim_version)
    drift = _background_drift(info, rng)
    edges = _slices(info.exposure)
    expected = _expected(info, truth, model, edges, drift)
    channel_cube = rng.poisson(expected.sum(axis=0)).astype(np.int32)
    band_slices = [model.band_channels(lo, hi) for lo, hi in SLICE_BANDS]
    slice_cube = np.stack(
        [_split(channel_cube[band].sum(axis=0), expected[:, band].sum(axis=1), rng) for band in band_slices],
        axis=1,
    )
    slice_dtype = np.int16 if slice_cube.max(initial=0) < np.iinfo(np.int16).max else np.int32
    t_start, t_stop = (float(t) for t in mjd_utc_to_ijd([info.t_start, info.t_stop]))

    primary = fits.PrimaryHDU()
    header = primary.header
    header["TELESCOP"] = "INTEGRAL"
    header["INSTRUME"] = "IBIS"
    header["DETNAM"] = "ISGRI"
    header["ORIGIN"] = ("MMVO", "SIMULATED archive, not real data")
    header["SIMULATD"] = (True, "counts drawn from a simulated sky")
    header["SIMVERS"] = (sim_version, "simulation version")
    header["SWID"] = (info.chunk_id, "science window id")
    header["REVOL"] = (int(info.chunk_id[:4]) if info.chunk_id[:4].isdigit() else 0, "revolution")
    header["TIMESYS"] = "TT"
    header["TIMEUNIT"] = "d"
    header["MJDREF"] = (IJD_MJDREF, "IJD = MJD(TT) - MJDREF")
    header["TSTART"] = (t_start, "[d] IJD start")
    header["TSTOP"] = (t_stop, "[d] IJD stop")
    header["EXPOSURE"] = (info.exposure, "[s] good ISGRI time")
    header["RA_SCX"] = (info.ra, "[deg] pointing axis")
    header["DEC_SCX"] = (info.dec, "[deg] pointing axis")
    header["POSANGLE"] = (info.posangle, "[deg] position angle of the Y axis")
    header["CALEPOCH"] = (model.epoch, "instrument model epoch")

    shd = fits.ImageHDU(channel_cube, name="ISGR-DETE-SHD")
    shd.header["BUNIT"] = "count"
    ebounds = fits.BinTableHDU.from_columns(
        [
            fits.Column("CHANNEL", "J", array=np.arange(model.n_channels, dtype=np.int32)),
            fits.Column("E_MIN", "E", unit="keV", array=model.channel_edges[:-1]),
            fits.Column("E_MAX", "E", unit="keV", array=model.channel_edges[1:]),
        ],
        name="EBOUNDS",
    )
    slices = fits.ImageHDU(slice_cube.astype(slice_dtype), name="ISGR-SLIC-SHD")
    slices.header["BUNIT"] = "count"
    for i, (lo, hi) in enumerate(SLICE_BANDS, start=1):
        slices.header[f"E_MIN{i}"] = (lo, "[keV] band lower edge")
        slices.header[f"E_MAX{i}"] = (hi, "[keV] band upper edge")
    times = fits.BinTableHDU.from_columns(
        [
            fits.Column("START", "D", unit="d", array=t_start + edges[:-1] / 86400.0),
            fits.Column("STOP", "D", unit="d", array=t_start + edges[1:] / 86400.0),
        ],
        name="ISGR-SLIC-TIM",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # No CHECKSUM cards: astropy stamps them with the time of writing, which would break byte identity.
    # A private temporary name: two workers asked for the same chunk at once must not write into one file.
    partial = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.part")
    fits.HDUList([primary, shd, ebounds, slices, times]).writeto(partial, overwrite=True)
    partial.replace(path)
