"""JEM-X light curves: the shadowgram fit repeated in every time bin, the target free and its neighbours fixed.

The method and the product are ISGRI's (``instruments.integral.isgri.lightcurve``: ``LightCurve``, OGIP RATE
table): within a science window the other sources are held at their fitted ScW means, and each bin fits only
the target's flux and the background.  Bins are whole numbers of the archive's time slices, and the band a run
of the sliced bands; rates are on-axis equivalent counts s^-1, times IJD (TT).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.fit import BASE_TERMS, ShadowgramFit
from instruments.integral.isgri.lightcurve import LightCurve
from instruments.integral.isgri.spectrum import Target
from instruments.integral.jemx.model import JemxModel
from instruments.integral.jemx.pif import source_shadow
from instruments.integral.jemx.scw import JemxScienceWindow, counts_shadowgram, shadowgram
from instruments.integral.jemx.search import on_axis_open
from instruments.integral.jemx.spectrum import in_field

__all__ = ["extract_lightcurve", "sliced_bands"]

F64 = NDArray[np.float64]


def sliced_bands(scw: JemxScienceWindow, band: tuple[float, float]) -> list[int]:
    """Indices of the sliced bands that make ``band``; ``ValueError`` when they do not make it exactly."""
    chosen = [
        i for i, (lo, hi) in enumerate(scw.slice_bands) if lo >= band[0] - 1e-6 and hi <= band[1] + 1e-6
    ]
    if not chosen or scw.slice_bands[chosen[0]][0] != band[0] or scw.slice_bands[chosen[-1]][1] != band[1]:
        edges = sorted({e for b in scw.slice_bands for e in b})
        raise ValueError(f"band {band} is not made of time-sliced bands; their edges are {edges} keV")
    return chosen


def extract_lightcurve(
    scws: Sequence[JemxScienceWindow],
    model: JemxModel,
    target: Target,
    *,
    others: Sequence[Target] = (),
    band: tuple[float, float] = (3.0, 20.0),
    time_bin: float = 200.0,
) -> LightCurve:
    """The target's light curve over the ScWs where the unit sees it.

    Raises ``ValueError`` when ``band`` is not made of sliced bands or ``time_bin`` is not a whole number of
    slices."""
    rows: list[tuple[float, float, float, float, float]] = []
    for scw in scws:
        bands = sliced_bands(scw, band)
        slice_seconds = float((scw.slice_times[0, 1] - scw.slice_times[0, 0]) * 86400.0)
        per_bin = time_bin / slice_seconds
        if per_bin < 1.0 - 1e-6 or abs(per_bin - round(per_bin)) > 1e-6:
            raise ValueError(f"time_bin {time_bin} s is not a multiple of the {slice_seconds:g} s slices")
        place = in_field(scw, target)
        if place is None:
            continue
        neighbours = [p for t in others if t.name != target.name and (p := in_field(scw, t)) is not None]
        shadows = [source_shadow(*place), *(source_shadow(*p) for p in neighbours)]
        coef, _, _ = ShadowgramFit(shadowgram(scw, model, band)).solve(shadows)
        fixed = sum(
            (f * s for f, s in zip(coef[BASE_TERMS + 1 :], shadows[1:], strict=True)),
            start=np.zeros_like(shadows[0]),
        )
        good = (~model.bad & (model.pixel_efficiency > 0.0)).astype(np.float64)
        k = on_axis_open(good)
        step = round(per_bin)
        for first in range(0, scw.slice_times.shape[0], step):
            chosen = slice(first, min(first + step, scw.slice_times.shape[0]))
            start, stop = float(scw.slice_times[chosen][0, 0]), float(scw.slice_times[chosen][-1, 1])
            seconds = (stop - start) * 86400.0
            counts = scw.slices[chosen][:, bands].sum(axis=(0, 1), dtype=np.int64)
            fit = ShadowgramFit(counts_shadowgram(counts, scw=scw, model=model, band=band, exposure=seconds))
            fit.data = fit.data - fixed[fit.good]
            flux, error, _ = fit.solve(shadows[:1])
            rows.append(
                ((start + stop) / 2.0, time_bin / 86400.0, flux[-1] * k, error[-1] * k, seconds / time_bin)
            )
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    order = np.argsort(table[:, 0])
    return LightCurve(target.name, band, *(np.ascontiguousarray(table[order, i]) for i in range(5)))
