"""Light curves: the shadowgram fit repeated in every time bin, the target free and its neighbours fixed.

Within a science window the other sources' fluxes are held at their fitted ScW means (the simplest choice of
OSA's ii_lc_extract), so each bin fits only the target's flux and the background level and shape.  Bins are
whole numbers of the archive's time slices; rates are on-axis equivalent counts s^-1, times IJD (TT).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from numpy.typing import NDArray

from instruments.integral.isgri.fit import BASE_TERMS, ShadowgramFit, on_axis_open, source_shadow
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.scw import ScienceWindow, counts_shadowgram, shadowgram
from instruments.integral.isgri.spectrum import Target, in_field

__all__ = ["LightCurve", "extract_lightcurve", "write_ogip_lightcurve"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LightCurve:
    """Bin centres ``time`` and widths ``timedel`` (d, IJD), ``rate`` and ``error`` (counts s^-1) and the
    fraction of each bin with exposure ``fracexp``."""

    name: str
    band: tuple[float, float]
    time: F64
    timedel: F64
    rate: F64
    error: F64
    fracexp: F64

    def within(self, start: float, stop: float) -> LightCurve:
        """The bins whose centres lie in [start, stop] (IJD): what a requested time range asks for, when the
        science windows chosen for it reach beyond it."""
        keep = (self.time >= start) & (self.time <= stop)
        columns = (self.time, self.timedel, self.rate, self.error, self.fracexp)
        return LightCurve(self.name, self.band, *(np.ascontiguousarray(c[keep]) for c in columns))


def extract_lightcurve(
    scws: Sequence[ScienceWindow],
    model: IsgriModel,
    target: Target,
    *,
    others: Sequence[Target] = (),
    band: tuple[float, float] = (20.0, 40.0),
    time_bin: float = 200.0,
) -> LightCurve:
    """The target's light curve over the ScWs where it is in the field.

    Raises ``ValueError`` when ``band`` is not one of the archive's time-sliced bands or ``time_bin`` is not a
    whole number of slices."""
    rows: list[tuple[float, float, float, float, float]] = []
    for scw in scws:
        if band not in scw.slice_bands:
            raise ValueError(f"band {band} is not time-sliced in the archive; choose from {scw.slice_bands}")
        slice_seconds = float((scw.slice_times[0, 1] - scw.slice_times[0, 0]) * 86400.0)
        per_bin = time_bin / slice_seconds
        if per_bin < 1.0 - 1e-6 or abs(per_bin - round(per_bin)) > 1e-6:
            raise ValueError(f"time_bin {time_bin} s is not a multiple of the {slice_seconds:g} s slices")
        good = (~model.bad & (model.pixel_efficiency > 0.0)).astype(np.float64)
        place = in_field(scw, target, good)
        if place is None:
            continue
        neighbours = [
            p for t in others if t.name != target.name and (p := in_field(scw, t, good)) is not None
        ]
        shadows = [source_shadow(*place), *(source_shadow(*p) for p in neighbours)]
        coef, _, _ = ShadowgramFit(shadowgram(scw, model, band)).solve(shadows)
        fixed = sum(
            (f * s for f, s in zip(coef[BASE_TERMS + 1 :], shadows[1:], strict=True)),
            start=np.zeros_like(shadows[0]),
        )
        k = on_axis_open(good)
        step = round(per_bin)
        for first in range(0, scw.slice_times.shape[0], step):
            chosen = slice(first, min(first + step, scw.slice_times.shape[0]))
            start, stop = float(scw.slice_times[chosen][0, 0]), float(scw.slice_times[chosen][-1, 1])
            seconds = (stop - start) * 86400.0
            counts = scw.slices[chosen, scw.slice_bands.index(band)].sum(axis=0, dtype=np.int64)
            binned = counts_shadowgram(counts, scw=scw, model=model, band=band, exposure=seconds)
            fit = ShadowgramFit(binned)
            fit.data = fit.data - fixed[fit.good]
            flux, error, _ = fit.solve(shadows[:1])
            rows.append(
                ((start + stop) / 2.0, time_bin / 86400.0, flux[-1] * k, error[-1] * k, seconds / time_bin)
            )
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    order = np.argsort(table[:, 0])
    return LightCurve(target.name, band, *(np.ascontiguousarray(table[order, i]) for i in range(5)))


def write_ogip_lightcurve(curve: LightCurve, path: Path) -> Path:
    """An OGIP RATE table (TIME, TIMEDEL, RATE, ERROR, FRACEXP), times IJD in TT."""
    table = fits.BinTableHDU.from_columns(
        [
            fits.Column("TIME", "D", unit="d", array=curve.time),
            fits.Column("TIMEDEL", "D", unit="d", array=curve.timedel),
            fits.Column("RATE", "E", unit="count/s", array=curve.rate),
            fits.Column("ERROR", "E", unit="count/s", array=curve.error),
            fits.Column("FRACEXP", "E", array=curve.fracexp),
        ],
        name="RATE",
    )
    header = table.header
    for key, value in (
        ("TELESCOP", "INTEGRAL"),
        ("INSTRUME", "IBIS"),
        ("DETNAM", "ISGRI"),
        ("OBJECT", curve.name),
        ("HDUCLASS", "OGIP"),
        ("HDUCLAS1", "LIGHTCURVE"),
        ("HDUCLAS2", "TOTAL"),
        ("HDUCLAS3", "RATE"),
        ("TIMESYS", "TT"),
        ("TIMEUNIT", "d"),
        ("MJDREF", 51544.0),
        ("TIMEREF", "LOCAL"),
        ("E_MIN", curve.band[0]),
        ("E_MAX", curve.band[1]),
    ):
        header[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(path, overwrite=True)
    return path
