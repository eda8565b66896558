"""SIMULATED ISGRI calibration: dead and noisy pixels, efficiency map, background templates, threshold drift.

One model per calendar year, drawn from its own stream, so a detector grows dead pixels and its threshold
rises with time (from 15 keV in 2003 by 0.8 keV a year, up to 28 keV) the way the real one did, roughly.
The background templates vary by +-10 % over the detector (a smooth pattern plus brighter module edges),
which the analysis must flat-field.  Nominal background: 3000 counts s^-1 in 20-40 keV over the detector,
falling as E^-1.3 per keV above.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from instruments.archive.seeding import chunk_rng
from instruments.integral.isgri.mask import DETECTOR_PIXELS, module_gaps
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.time import IJD_MJDREF

__all__ = ["CHANNEL_EDGES", "model_for_mjd", "simulated_model"]

F64 = NDArray[np.float64]

#: Energy channels (keV) of the simulated shadowgram cubes; 20-40 and 40-100 keV are sums of channels.
CHANNEL_EDGES = np.array([20.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0, 80.0, 100.0, 130.0, 160.0, 200.0, 300.0])
BACKGROUND_20_40 = 3000.0  # counts/s on the whole detector
BACKGROUND_SLOPE = 1.3
DEAD_FRACTION_2003 = 0.005
DEAD_FRACTION_PER_YEAR = 0.001
NOISY_PIXELS = 20
NON_UNIFORMITY = 0.10


def _year(mjd: float) -> int:
    return int(2000 + (mjd - IJD_MJDREF) // 365.25)


def _smooth_pattern(rng: np.random.Generator) -> F64:
    """A smooth map of zero mean and unit peak built from a few low-order cosine modes."""
    x = (np.arange(DETECTOR_PIXELS) + 0.5) / DETECTOR_PIXELS
    pattern = np.zeros((DETECTOR_PIXELS, DETECTOR_PIXELS))
    for ky in range(3):
        for kz in range(3):
            if ky == kz == 0:
                continue
            amplitude = rng.normal() / (1.0 + ky + kz)
            pattern += amplitude * np.outer(
                np.cos(np.pi * ky * x + rng.uniform(0, np.pi)), np.cos(np.pi * kz * x)
            )
    pattern -= pattern.mean()
    return np.asarray(pattern / np.abs(pattern).max(), dtype=np.float64)


def _edge_profile(module: int) -> F64:
    """1 at a module edge, falling off over a couple of pixels inside it."""
    i = np.arange(DETECTOR_PIXELS) % module
    return np.asarray(np.exp(-np.minimum(i, module - 1 - i) / 2.0), dtype=np.float64)


def _module_edges() -> F64:
    return np.asarray(np.maximum.outer(_edge_profile(64), _edge_profile(32)), dtype=np.float64)


@cache
def simulated_model(year: int, sim_version: str) -> IsgriModel:
    """The simulated calibration of one calendar year (deterministic for (year, sim_version))."""
    rng = chunk_rng("isgri", f"calibration-{year}", sim_version)
    shape = (DETECTOR_PIXELS, DETECTOR_PIXELS)
    dead_fraction = DEAD_FRACTION_2003 + DEAD_FRACTION_PER_YEAR * max(0, year - 2003)
    dead = rng.uniform(size=shape) < dead_fraction
    noisy = np.zeros(shape, dtype=bool)
    noisy.flat[rng.choice(noisy.size, NOISY_PIXELS, replace=False)] = True
    bad = dead | noisy | module_gaps()
    efficiency = np.clip(rng.normal(1.0, 0.04, shape), 0.8, 1.2)
    efficiency[dead | module_gaps()] = 0.0
    centres = np.sqrt(CHANNEL_EDGES[:-1] * CHANNEL_EDGES[1:])
    soft, hard, edges = _smooth_pattern(rng), _smooth_pattern(rng), _module_edges()
    templates = []
    for e in centres:
        mix = np.clip((np.log(e) - np.log(20.0)) / np.log(15.0), 0.0, 1.0)
        pattern = (1.0 - mix) * soft + mix * hard + 0.5 * (edges - edges.mean())
        template = 1.0 + NON_UNIFORMITY * pattern / np.abs(pattern).max()
        templates.append(template / template[~bad].mean())
    per_kev = centres**-BACKGROUND_SLOPE * np.diff(CHANNEL_EDGES)
    low = slice(0, 4)
    rate = per_kev * BACKGROUND_20_40 / DETECTOR_PIXELS**2 / per_kev[low].sum()
    model = IsgriModel(
        epoch=str(year),
        threshold_kev=min(28.0, 15.0 + 0.8 * max(0, year - 2003)),
        channel_edges=CHANNEL_EDGES.copy(),
        pixel_efficiency=efficiency,
        dead=dead | module_gaps(),
        noisy=noisy,
        background=np.array(templates),
        background_rate=np.asarray(rate, dtype=np.float64),
    )
    return model


def model_for_mjd(mjd: float, sim_version: str) -> IsgriModel:
    """The simulated calibration valid at an MJD (UTC)."""
    return simulated_model(_year(mjd), sim_version)
