"""Photon spectra used for both units and fits: the Crab standard, power laws, cut-off power laws.

Fluxes are in ph cm^-2 s^-1 keV^-1.  The Crab follows Roques & Jourdain (2018):
7.417e-4 (E/100 keV)^-1.98 exp(-E/500 keV), turning into a power law of index 2.33 above (2.33 - 1.98) 500 keV
with the two pieces joined continuously; it integrates to 0.171 ph cm^-2 s^-1 in 20-40 keV, and "mCrab" in a
band means a thousandth of that integral.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["CRAB", "PowerLaw", "band_photon_flux", "energy_edges", "energy_grid", "mcrab_norm"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PowerLaw:
    """``norm (E/100 keV)^-index exp(-E/cutoff)``, broken to ``index2`` above (index2 - index) cutoff.

    ``cutoff=inf`` is a plain power law; ``index2=None`` keeps the exponential cut-off at all energies.
    """

    norm: float
    index: float
    cutoff: float = float("inf")
    index2: float | None = None

    def __call__(self, energy: ArrayLike) -> F64:
        e = np.asarray(energy, dtype=np.float64)
        low = self.norm * (e / 100.0) ** -self.index * np.exp(-e / self.cutoff)
        if self.index2 is None or not np.isfinite(self.cutoff):
            return np.asarray(low, dtype=np.float64)
        e_break = (self.index2 - self.index) * self.cutoff
        scale = self.norm * (e_break / 100.0) ** (self.index2 - self.index) * np.exp(self.index - self.index2)
        high = scale * (e / 100.0) ** -self.index2
        return np.asarray(np.where(e < e_break, low, high), dtype=np.float64)

    def scaled(self, factor: float) -> PowerLaw:
        return PowerLaw(self.norm * factor, self.index, self.cutoff, self.index2)


CRAB = PowerLaw(7.417e-4, 1.98, 500.0, 2.33)


def energy_edges(lo: float = 15.0, hi: float = 1000.0, n: int = 400) -> F64:
    """Edges (keV) of ``n`` logarithmic bins between ``lo`` and ``hi``: the true-energy grid of responses."""
    return np.geomspace(lo, hi, n + 1)


def energy_grid(lo: float = 15.0, hi: float = 1000.0, n: int = 400) -> tuple[F64, F64]:
    """Centres (geometric means) and widths (keV) of the bins of :func:`energy_edges`."""
    edges = energy_edges(lo, hi, n)
    return np.sqrt(edges[:-1] * edges[1:]), np.diff(edges)


def band_photon_flux(spectrum: PowerLaw, lo: float, hi: float, *, n: int = 2000) -> float:
    """Photon flux (ph cm^-2 s^-1) between ``lo`` and ``hi`` keV, by the trapezoid rule on a log grid."""
    e = np.geomspace(lo, hi, n)
    return float(np.trapezoid(spectrum(e), e))


def mcrab_norm(
    mcrab: float, index: float, *, cutoff: float = float("inf"), band: tuple[float, float] = (20.0, 40.0)
) -> float:
    """The ``norm`` that gives a spectrum of this shape ``mcrab`` milli-Crab of photon flux in ``band``."""
    crab = band_photon_flux(CRAB, *band)
    unit = band_photon_flux(PowerLaw(1.0, index, cutoff), *band)
    return mcrab * 1e-3 * crab / unit
