"""Source spectra: per energy channel, all active sources fitted together in every science window.

In each channel of each ScW the detector rates are fitted with the background terms and the shadows of all
the given sources at once (so a neighbour's photons are not counted twice); fluxes become on-axis equivalent
count rates and are averaged over ScWs with inverse-variance weights.  The response is the model's Gaussian
redistribution and an ARF of the on-axis open area times the spectral efficiency, so a forward-folded
spectrum predicts exactly what the images measure.  The power-law fit profiles the normalisation, which
enters linearly, over a fine grid of indices, and reads the index error where chi-square rises by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.fit import BASE_TERMS, ShadowgramFit, on_axis_open, source_shadow
from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.model import IsgriModel
from instruments.integral.isgri.pif import pif
from instruments.integral.isgri.scw import ScienceWindow, shadowgram
from instruments.integral.spectra import PowerLaw

__all__ = ["PowerLawFit", "SourceSpectrum", "Target", "extract_spectra", "fit_power_law", "in_field"]

F64 = NDArray[np.float64]

#: Smallest fraction of the good pixels that must see the mask for a source to count as in the field.
MIN_CODING = 0.05


@dataclass(frozen=True, slots=True)
class Target:
    """A source to extract: name and ICRS position (deg)."""

    name: str
    ra: float
    dec: float


@dataclass(frozen=True, eq=False)
class SourceSpectrum:
    """Count-rate spectrum (on-axis equivalent counts s^-1 per channel) with its response.

    ``arf`` (cm^2) is given per true-energy bin of ``model``; ``model.rmf`` is the redistribution."""

    name: str
    rate: F64
    error: F64
    exposure: float
    arf: F64
    model: IsgriModel

    def predicted(self, spectrum: PowerLaw) -> F64:
        """Count rates per channel that a photon spectrum would give."""
        e, width = self.model.true_energies
        return np.asarray(self.model.rmf @ (spectrum(e) * width * self.arf), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class PowerLawFit:
    """Best power law (``norm`` at 100 keV, ph cm^-2 s^-1 keV^-1) with 1-sigma errors and chi-square."""

    norm: float
    norm_err: float
    index: float
    index_err: float
    chi2: float
    dof: int


def in_field(scw: ScienceWindow, target: Target, good: F64) -> tuple[float, float] | None:
    """(u, v) sky pixels of the target in this ScW, or None when too little of the detector sees it."""
    u, v = scw.frame.to_instrument(target.ra, target.dec)
    if not (np.isfinite(u) and np.isfinite(v)):
        return None
    seen = float((pif(float(u), float(v), mask=np.ones((95, 95))) * good).sum() / good.sum())
    scale = np.radians(SKY_PIXEL_DEG)
    return (float(u) / scale, float(v) / scale) if seen >= MIN_CODING else None


def extract_spectra(
    scws: Sequence[ScienceWindow], model: IsgriModel, targets: Sequence[Target]
) -> dict[str, SourceSpectrum]:
    """One spectrum per target seen in at least one ScW; targets never in the field are left out."""
    n = model.n_channels
    sums = {t.name: np.zeros((2, n)) for t in targets}
    exposure = dict.fromkeys(sums, 0.0)
    area = dict.fromkeys(sums, 0.0)
    good = (~model.bad & (model.pixel_efficiency > 0.0)).astype(np.float64)
    for scw in scws:
        placed = [(t, p) for t in targets if (p := in_field(scw, t, good)) is not None]
        if not placed:
            continue
        shadows = [source_shadow(*p) for _, p in placed]
        k = on_axis_open(good)
        for channel in range(n):
            band = (float(model.channel_edges[channel]), float(model.channel_edges[channel + 1]))
            coef, err, _ = ShadowgramFit(shadowgram(scw, model, band)).solve(shadows)
            for (target, _), flux, sigma in zip(placed, coef[BASE_TERMS:], err[BASE_TERMS:], strict=True):
                inverse = 1.0 / (sigma * k) ** 2
                sums[target.name][0, channel] += flux * k * inverse
                sums[target.name][1, channel] += inverse
        for target, _ in placed:
            exposure[target.name] += scw.exposure
            area[target.name] += k * scw.exposure
    return {
        name: SourceSpectrum(
            name=name,
            rate=s[0] / s[1],
            error=1.0 / np.sqrt(s[1]),
            exposure=exposure[name],
            arf=area[name] / exposure[name] * model.arf_pixel,
            model=model,
        )
        for name, s in sums.items()
        if exposure[name] > 0.0
    }


def fit_power_law(
    spectrum: SourceSpectrum, *, indices: F64 | None = None, channels: slice | None = None
) -> PowerLawFit:
    """Forward-folded power-law fit over ``channels`` (default all) and a grid of ``indices``
    (default 0.5-4.5 in steps of 0.002); raises ``ValueError`` if the best index lies on the grid's edge."""
    grid = np.arange(0.5, 4.5, 0.002) if indices is None else indices
    use = slice(None) if channels is None else channels
    data, error = spectrum.rate[use], spectrum.error[use]
    chi2 = np.empty(grid.size)
    norms = np.empty(grid.size)
    for i, index in enumerate(grid):
        shape = spectrum.predicted(PowerLaw(1.0, float(index)))[use]
        norms[i] = float(np.sum(data * shape / error**2) / np.sum(shape**2 / error**2))
        chi2[i] = float(np.sum(((data - norms[i] * shape) / error) ** 2))
    best = int(np.argmin(chi2))
    if best in (0, grid.size - 1):
        raise ValueError(f"the best power-law index {grid[best]:.3f} lies on the edge of the grid")
    within = grid[chi2 <= chi2[best] + 1.0]
    shape = spectrum.predicted(PowerLaw(1.0, float(grid[best])))[use]
    norm_err = float(1.0 / np.sqrt(np.sum(shape**2 / error**2)))
    return PowerLawFit(
        norm=float(norms[best]),
        norm_err=norm_err,
        index=float(grid[best]),
        index_err=float((within.max() - within.min()) / 2.0),
        chi2=float(chi2[best]),
        dof=int(data.size - 2),
    )
