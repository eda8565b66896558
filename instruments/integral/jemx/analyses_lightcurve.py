"""``jemx/lightcurve``: the target's light curve from one JEM-X unit's science windows, as an OGIP RATE table.

In every chosen ScW the target and the reference sources the unit sees are fitted over the whole ScW, then
the target alone in every ``time_bin`` with the others held at their ScW means (``lightcurve``).  The band is
the run of the archive's time-sliced bands (3-10, 10-20, 20-35 keV) nearest to E1_keV-E2_keV, and
``time_bin`` a whole number of its 100 s slices.  Bins whose centres fall outside T1-T2 are left out (unless
the science windows are an explicit ``scw_list``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from astropy.io import fits
from pydantic import BaseModel

from instruments.archive.backends import jemx_archive
from instruments.archive.base import ChunkInfo
from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.errors import InstrumentUsageError
from instruments.integral.describe import lightcurve_description
from instruments.integral.isgri.analyses.common import bins_outside
from instruments.integral.isgri.lightcurve import LightCurve
from instruments.integral.isgri.products import write_lightcurve
from instruments.integral.jemx.analyses import (
    LightcurveParameters,
    chosen_pointings,
    field_targets,
    science_windows,
)
from instruments.integral.jemx.lightcurve import extract_lightcurve
from instruments.integral.jemx.scw import SLICE_BANDS, SLICE_SECONDS
from instruments.integral.previews import lightcurve_preview
from instruments.integral.time import mjd_utc_to_ijd

__all__ = ["Lightcurve", "sliced_band"]


def sliced_band(e1: float, e2: float) -> tuple[float, float]:
    """The run of time-sliced bands nearest to [e1, e2] keV; ``InstrumentUsageError`` naming E1_keV and
    E2_keV when it is empty."""
    edges = np.array(sorted({e for band in SLICE_BANDS for e in band}))
    lo, hi = (float(edges[int(np.argmin(np.abs(edges - e)))]) for e in (e1, e2))
    if hi <= lo:
        raise InstrumentUsageError(
            f"parameters E1_keV and E2_keV: the band {e1:g}-{e2:g} keV holds no time-sliced JEM-X band; "
            f"light curves use bands bounded by {', '.join(f'{e:g}' for e in edges)} keV"
        )
    return lo, hi


class Lightcurve(AnalysisBase):
    """JEM-X light curve of the target (see the module docstring)."""

    title = "JEM-X light curve"
    description = (
        "Light curve of the target (src_name at RA, DEC) from the chosen science windows of JEM-X unit "
        "jemx_num in time_bin bins (a multiple of 100 s), in the time-sliced band nearest to E1_keV-E2_keV, "
        "fitted with the reference sources in the field: OGIP RATE table (TIME IJD, RATE, ERROR, FRACEXP) and a "
        "PNG preview"
    )
    Parameters: ClassVar[type[BaseModel]] = LightcurveParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, LightcurveParameters)
        steps = params.time_bin / SLICE_SECONDS
        if steps < 1.0 - 1e-9 or abs(steps - round(steps)) > 1e-9:
            raise InstrumentUsageError(
                f"parameter time_bin: {params.time_bin:g} s is not a whole number of the archive's "
                f"{SLICE_SECONDS:g} s time slices"
            )
        band = sliced_band(params.E1_keV, params.E2_keV)
        pointings = chosen_pointings(params, ctx.archive_dir)
        backend = jemx_archive(ctx.archive_dir, pointings, unit=params.jemx_num)
        model = backend.instrument_model(pointings[0].t_start)
        target, *others = field_targets(params, pointings)
        parts: list[LightCurve] = []
        used: list[ChunkInfo] = []
        for info, scw in zip(pointings, science_windows(ctx, backend, pointings), strict=True):
            curve = extract_lightcurve(
                [scw], model, target, others=others, band=band, time_bin=params.time_bin
            )
            if curve.rate.size:
                parts.append(curve)
                used.append(info)
        if not parts:
            raise InstrumentUsageError(
                f"the target (RA={params.RA:g}, DEC={params.DEC:g}) is in the field of none of the "
                f"{len(pointings)} JEM-X{params.jemx_num} science windows chosen: change RA and DEC, radius "
                "or scw_list"
            )
        columns = [
            np.concatenate([getattr(p, name) for p in parts])
            for name in ("time", "timedel", "rate", "error", "fracexp")
        ]
        curve = LightCurve(target.name, band, *columns)
        if not params.scw_list:
            curve = curve.within(*(float(t) for t in mjd_utc_to_ijd(params.mjd_range)))
            if not curve.time.size:
                raise bins_outside(params)
        times = (
            float(curve.time[0] - curve.timedel[0] / 2.0),
            float(curve.time[-1] + curve.timedel[-1] / 2.0),
        )
        ctx.progress(0.9, "writing the products")
        path = write_lightcurve(curve, ctx.workdir / "jemx_lightcurve.fits", params=params, times=times)
        with fits.open(path, mode="update") as hdus:
            header = hdus["RATE"].header
            header["INSTRUME"] = f"JMX{params.jemx_num}"
            header["DETNAM"] = "JEM-X"
            header["ORIGIN"] = ("MMVO", "from a SIMULATED archive")
        instrument = f"JEM-X{params.jemx_num}"
        preview = lightcurve_preview(ctx.workdir / "jemx_lightcurve.png", curve, instrument=instrument)
        what = f"{target.name}, {instrument}, {band[0]:g}-{band[1]:g} keV, {params.time_bin:g} s bins"
        described = lightcurve_description(
            path,
            instrument=instrument,
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
