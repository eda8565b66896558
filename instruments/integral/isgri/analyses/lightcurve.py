"""``isgri/lightcurve``: the target's count rate in bins of ``time_bin`` seconds.

The archive keeps counts per time slice in a few bands only, so the curve is made in the time-sliced band
that overlaps [E1_keV, E2_keV] most (the file's E_MIN and E_MAX say which).  Per science window the target is
fitted in every bin with the reference sources in the field held at their ScW means (``lightcurve``); bins
are whole numbers of slices, so ``time_bin`` must be a multiple of the slice length.  Science windows are read
one at a time and their bins put together in time order; bins whose centres fall outside T1-T2 are left out
(unless the science windows are an explicit ``scw_list``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import BaseModel

from instruments.archive.base import ChunkInfo
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.errors import InstrumentUsageError
from instruments.integral.describe import lightcurve_description
from instruments.integral.isgri.analyses.common import (
    LightcurveParameters,
    bins_outside,
    field_sources,
    observations,
    open_archive,
    target_not_seen,
)
from instruments.integral.isgri.lightcurve import LightCurve, extract_lightcurve
from instruments.integral.isgri.products import write_lightcurve
from instruments.integral.isgri.spectrum import Target
from instruments.integral.previews import lightcurve_preview
from instruments.integral.time import mjd_utc_to_ijd

__all__ = ["Lightcurve", "choose_sliced_band"]


def choose_sliced_band(bands: tuple[tuple[float, float], ...], e1: float, e2: float) -> tuple[float, float]:
    """The time-sliced band overlapping [e1, e2] keV most.

    Raises:
        InstrumentUsageError: none overlaps, naming E1_keV and E2_keV.
    """
    overlaps = [min(hi, e2) - max(lo, e1) for lo, hi in bands]
    best = int(np.argmax(overlaps))
    if overlaps[best] <= 0.0:
        offered = ", ".join(f"{lo:g}-{hi:g}" for lo, hi in bands)
        raise InstrumentUsageError(
            f"parameters E1_keV and E2_keV: light curves are made in the bands {offered} keV, "
            f"and {e1:g}-{e2:g} keV overlaps none"
        )
    return bands[best]


class Lightcurve(AnalysisBase):
    """ISGRI light curve of the target (see the module docstring)."""

    title = "ISGRI light curve"
    description = (
        "Count rate of the target (src_name at RA, DEC) in bins of time_bin seconds from the chosen IBIS/ISGRI "
        "science windows, in the archive's time-sliced band nearest to E1_keV-E2_keV: OGIP light curve and "
        "a PNG preview"
    )
    Parameters: ClassVar[type[BaseModel]] = LightcurveParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, LightcurveParameters)
        backend, pointings = open_archive(params, ctx)
        target = Target(params.src_name, params.RA, params.DEC)
        others = field_sources(target, pointings)
        parts: list[LightCurve] = []
        band: tuple[float, float] | None = None
        times = (np.inf, -np.inf)
        used: list[ChunkInfo] = []
        for observation in observations(ctx, backend, pointings, doing="extracting", progress=(0.0, 0.9)):
            scw = observation.scw
            band = band or choose_sliced_band(scw.slice_bands, params.E1_keV, params.E2_keV)
            try:
                part = extract_lightcurve(
                    [scw], observation.model, target, others=others, band=band, time_bin=params.time_bin
                )
            except ValueError as exc:
                raise InstrumentUsageError(f"parameter time_bin: {exc}") from None
            if part.time.size:
                parts.append(part)
                used.append(observation.info)
                times = (min(times[0], scw.t_start), max(times[1], scw.t_stop))
        if not parts or band is None:
            raise target_not_seen(params, len(pointings))
        columns = [
            np.concatenate([getattr(p, n) for p in parts])
            for n in ("time", "timedel", "rate", "error", "fracexp")
        ]
        order = np.argsort(columns[0])
        curve = LightCurve(target.name, band, *(c[order] for c in columns))
        if not params.scw_list:
            start, stop = (float(t) for t in mjd_utc_to_ijd(params.mjd_range))
            curve = curve.within(start, stop)
            times = (max(times[0], start), min(times[1], stop))
            if not curve.time.size:
                raise bins_outside(params)
        ctx.progress(0.9, f"{curve.time.size} bins; writing the products")
        path = write_lightcurve(curve, ctx.workdir / "isgri_lightcurve.fits", params=params, times=times)
        preview = lightcurve_preview(ctx.workdir / "isgri_lightcurve.png", curve, instrument="ISGRI")
        what = f"{target.name}, {band[0]:g}-{band[1]:g} keV, {params.time_bin:g} s bins"
        described = lightcurve_description(
            path,
            instrument="ISGRI",
            pointings=used,
            target=(target.name, target.ra, target.dec),
            time_bin=params.time_bin,
        )
        return [
            ProductFile(
                "lightcurve", path, "application/fits", f"OGIP light curve of {what}", product=described
            ),
            ProductFile("preview", preview, "image/png", f"light curve of {what}", of="lightcurve"),
        ]
