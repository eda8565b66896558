"""SIMULATED JEM-X science windows: Poisson counts of the truth sky through the mask and collimator.

Per pointing and unit (JMX1, JMX2), every truth source within the 13.2 deg zero-response field throws its mask
shadow (the exact PIF on the usable detector disc) attenuated by the collimator, with counts per energy
channel from its spectrum (at its light-curve level over the ScW) folded through the unit's model; the
background follows the model's templates scaled by a hidden drift.  Counts are drawn per time slice of
``SLICE_SECONDS`` (the ScW total, split among the slices as ISGRI's are), and the file keeps the channel cube
and, per slice, the counts of the ``SLICE_BANDS``.  The sky is the same hidden truth the
ISGRI simulation draws from.  The unit's calibration (``simulated_model``) is drawn from its own stream:
channel edges, pixel efficiencies, the disc, and background templates that rise by a few per cent towards the
edge of the disc with a smooth random pattern on top.  Nominal background: 40 counts s^-1 over the disc in
3-35 keV.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.archive.base import ChunkInfo
from instruments.archive.seeding import chunk_rng
from instruments.archive.simulated.isgri import _split
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.jemx.mask import DETECTOR_PIXELS, PITCH_MM, detector_disc
from instruments.integral.jemx.model import JemxModel
from instruments.integral.jemx.pif import COLLIMATOR_ZERO_DEG, collimator_response, pif
from instruments.integral.jemx.scw import SLICE_BANDS, SLICE_SECONDS
from instruments.integral.time import IJD_MJDREF, mjd_utc_to_ijd

__all__ = [
    "BACKGROUND_RATE",
    "CHANNEL_EDGES",
    "FILE_FORMAT",
    "SLICE_BANDS",
    "SLICE_SECONDS",
    "simulated_model",
    "unit_name",
    "write_scw",
]

F64 = NDArray[np.float64]

CHANNEL_EDGES = np.array([3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 35.0])
#: Counts s^-1 over the usable disc in 3-35 keV.
BACKGROUND_RATE = 40.0
BACKGROUND_SLOPE = 0.5
NON_UNIFORMITY = 0.05
#: Revision of the files (2: time slices; 3: collimator tan^2 law; 4: detector blur); part of the cache path, so files
#: made otherwise are never read.
FILE_FORMAT = "4"


def _slices(exposure: float) -> F64:
    n = max(1, int(np.ceil(exposure / SLICE_SECONDS - 1e-9)))
    return np.asarray(np.minimum(np.arange(n + 1) * SLICE_SECONDS, exposure), dtype=np.float64)


def unit_name(unit: int) -> str:
    """``jemx1`` or ``jemx2``; ``ValueError`` for another unit number."""
    if unit not in (1, 2):
        raise ValueError(f"JEM-X has units 1 and 2, not {unit}")
    return f"jemx{unit}"


@cache
def simulated_model(unit: int, sim_version: str) -> JemxModel:
    """The simulated calibration of a unit (deterministic for (unit, sim_version))."""
    rng = chunk_rng(unit_name(unit), "calibration", sim_version)
    disc = detector_disc()
    efficiency = np.where(disc, np.clip(rng.normal(1.0, 0.03, disc.shape), 0.9, 1.1), 0.0)
    c = (np.arange(DETECTOR_PIXELS) - (DETECTOR_PIXELS - 1) / 2.0) * PITCH_MM / 125.0
    radius2 = c[:, None] ** 2 + c[None, :] ** 2
    tilt = rng.normal(size=2)
    pattern = radius2 + 0.3 * (tilt[0] * c[:, None] + tilt[1] * c[None, :])
    template = 1.0 + NON_UNIFORMITY * (pattern - pattern[disc].mean()) / np.abs(pattern[disc]).max()
    template = np.where(disc, template / template[disc].mean(), 0.0)
    centres = np.sqrt(CHANNEL_EDGES[:-1] * CHANNEL_EDGES[1:])
    per_kev = centres**-BACKGROUND_SLOPE * np.diff(CHANNEL_EDGES)
    rate = per_kev / per_kev.sum() * BACKGROUND_RATE / int(disc.sum())
    return JemxModel(
        unit=unit,
        epoch="mission",
        threshold_kev=float(CHANNEL_EDGES[0]),
        channel_edges=CHANNEL_EDGES.copy(),
        pixel_efficiency=efficiency,
        dead=~disc,
        noisy=np.zeros(disc.shape, dtype=bool),
        background=np.repeat(template[None], CHANNEL_EDGES.size - 1, axis=0),
        background_rate=np.asarray(rate, dtype=np.float64),
    )


def _expected(
    info: ChunkInfo, truth: Sequence[TruthSource], model: JemxModel, edges: F64, drift: float
) -> F64:
    """Expected counts [slice, channel, y, z]."""
    frame = InstrumentFrame(info.ra, info.dec, info.posangle)
    limit = np.tan(np.radians(COLLIMATOR_ZERO_DEG))
    seconds = np.diff(edges)
    background = drift * model.background_rate[:, None, None] * model.background
    rate = np.broadcast_to(background, (seconds.size, *background.shape)).copy()
    samples = info.t_start + (edges[:-1, None] + seconds[:, None] * (np.arange(4) + 0.5) / 4.0) / 86400.0
    for source in truth:
        u, v = frame.to_instrument(source.ra, source.dec)
        if not (np.isfinite(u) and np.hypot(u, v) < limit):
            continue
        factor = source.lightcurve.factor(samples).mean(axis=1)
        theta = float(np.degrees(np.arctan(np.hypot(u, v))))
        shadow = pif(float(u), float(v)) * collimator_response(theta)
        if not np.any(factor > 0.0) or not shadow.any():
            continue
        per_slice = factor[:, None] * model.channel_rates(source.spectrum)[None, :]
        rate += per_slice[:, :, None, None] * shadow[None, None]
    return np.asarray(rate * seconds[:, None, None, None] * model.pixel_efficiency, dtype=np.float64)


def write_scw(
    path: Path, info: ChunkInfo, *, unit: int, truth: Sequence[TruthSource], sim_version: str
) -> None:
    """Simulate one science window of ``unit`` and write it as FITS to ``path`` (byte-identical for the same
    inputs)."""
    rng = chunk_rng(unit_name(unit), info.chunk_id, sim_version)
    model = simulated_model(unit, sim_version)
    drift = float(1.0 + 0.05 * np.sin(2.0 * np.pi * info.t_start / 41.0) + rng.normal(0.0, 0.02))
    edges = _slices(info.exposure)
    expected = _expected(info, truth, model, edges, drift)
    counts = rng.poisson(expected.sum(axis=0)).astype(np.int32)
    bands = [model.band_channels(lo, hi) for lo, hi in SLICE_BANDS]
    slice_cube = np.stack(
        [_split(counts[band].sum(axis=0), expected[:, band].sum(axis=1), rng) for band in bands], axis=1
    )
    slice_dtype = np.int16 if slice_cube.max(initial=0) < np.iinfo(np.int16).max else np.int32
    t_start, t_stop = (float(t) for t in mjd_utc_to_ijd([info.t_start, info.t_stop]))

    primary = fits.PrimaryHDU()
    header = primary.header
    header["TELESCOP"] = "INTEGRAL"
    header["INSTRUME"] = f"JMX{unit}"
    header["JEMX_NUM"] = (unit, "JEM-X unit")
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
    header["EXPOSURE"] = (info.exposure, f"[s] good JMX{unit} time")
    header["RA_SCX"] = (info.ra, "[deg] pointing axis")
    header["DEC_SCX"] = (info.dec, "[deg] pointing axis")
    header["POSANGLE"] = (info.posangle, "[deg] position angle of the Y axis")

    shd = fits.ImageHDU(counts, name=f"JMX{unit}-DETE-SHD")
    shd.header["BUNIT"] = "count"
    shd.header["PIXSIZE"] = (PITCH_MM, "[mm] detector pixel")
    ebounds = fits.BinTableHDU.from_columns(
        [
            fits.Column("CHANNEL", "J", array=np.arange(model.n_channels, dtype=np.int32)),
            fits.Column("E_MIN", "E", unit="keV", array=model.channel_edges[:-1]),
            fits.Column("E_MAX", "E", unit="keV", array=model.channel_edges[1:]),
        ],
        name="EBOUNDS",
    )
    slices = fits.ImageHDU(slice_cube.astype(slice_dtype), name=f"JMX{unit}-SLIC-SHD")
    slices.header["BUNIT"] = "count"
    for i, (lo, hi) in enumerate(SLICE_BANDS, start=1):
        slices.header[f"E_MIN{i}"] = (lo, "[keV] band lower edge")
        slices.header[f"E_MAX{i}"] = (hi, "[keV] band upper edge")
    times = fits.BinTableHDU.from_columns(
        [
            fits.Column("START", "D", unit="d", array=t_start + edges[:-1] / 86400.0),
            fits.Column("STOP", "D", unit="d", array=t_start + edges[1:] / 86400.0),
        ],
        name=f"JMX{unit}-SLIC-TIM",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # No CHECKSUM cards (they carry the time of writing); a private temporary name against concurrent writers.
    partial = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.part")
    fits.HDUList([primary, shd, ebounds, slices, times]).writeto(partial, overwrite=True)
    partial.replace(path)
