"""The JEM-X instrument model: what the analysis knows about one unit's detector.

It plays the part of the OSA calibration files: energy channels in 3-35 keV, the detection efficiency (the
beryllium window's transmission at low energy times the absorption in the xenon at high energy), a Gaussian
redistribution of 17 % FWHM at 6 keV scaling as E^-1/2 in relative terms, per-pixel efficiency, the pixels
to ignore (outside the usable disc), background templates per channel.  The archive backend builds it; this
module only says how to use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.model import IsgriModel
from instruments.integral.jemx.mask import PIXEL_AREA_CM2
from instruments.integral.spectra import energy_grid

__all__ = ["TRUE_ENERGY_GRID", "JemxModel"]

F64 = NDArray[np.float64]

#: True-energy grid of the response: logarithmic bins (lower keV, upper keV, number of bins).
TRUE_ENERGY_GRID = (1.5, 60.0, 200)
#: Relative resolution (FWHM / E) at 6 keV.
RESOLUTION_6KEV = 0.17
#: Energy (keV) below which the window absorbs most photons.
WINDOW_ENERGY = 2.8
#: Energy (keV) above which photons cross the xenon mostly unseen.
STOPPING_ENERGY = 22.0
_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _erf(x: F64) -> F64:
    return np.asarray(_erf_ufunc(x), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class JemxModel(IsgriModel):
    """Calibration of one JEM-X unit: ISGRI's model of a pixelated coded-mask detector (channel edges, pixel
    efficiency, dead pixels, background templates and rates; ``band_channels``, ``band_template``,
    ``channel_rates``) with the xenon detector's efficiency and resolution.  ``threshold_kev`` is the lower
    end of the band, ``noisy`` empty, ``dead`` the pixels off the usable disc."""

    unit: int = 1

    def efficiency(self, energy: F64) -> F64:
        """Detection efficiency (0..1) of a photon of true energy ``energy`` keV reaching an open pixel."""
        e = np.asarray(energy, dtype=np.float64)
        window = np.exp(-((WINDOW_ENERGY / e) ** 3))
        return np.asarray(window * (1.0 - np.exp(-((STOPPING_ENERGY / e) ** 2.5))), dtype=np.float64)

    @cached_property
    def true_energies(self) -> tuple[F64, F64]:
        """Centres and widths (keV) of the true-energy grid of the response."""
        return energy_grid(*TRUE_ENERGY_GRID)

    @cached_property
    def rmf(self) -> F64:
        """Redistribution matrix [channel, true-energy bin]."""
        e = self.true_energies[0]
        sigma = RESOLUTION_6KEV * np.sqrt(6.0 * e) / (2.0 * math.sqrt(2.0 * math.log(2.0)))
        z = (self.channel_edges[:, None] - e[None, :]) / (math.sqrt(2.0) * sigma[None, :])
        return np.asarray(np.diff(0.5 * (1.0 + _erf(z)), axis=0), dtype=np.float64)

    @cached_property
    def arf_pixel(self) -> F64:
        """Effective area (cm^2) of one fully open nominal pixel per true-energy bin."""
        return PIXEL_AREA_CM2 * self.efficiency(self.true_energies[0])
