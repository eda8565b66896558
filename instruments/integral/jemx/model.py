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

from instruments.integral.jemx.mask import PIXEL_AREA_CM2
from instruments.integral.spectra import PowerLaw, energy_grid

__all__ = ["JemxModel"]

F64 = NDArray[np.float64]

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
class JemxModel:
    """Calibration of one unit at one epoch: ``channel_edges`` (keV, n+1), ``pixel_efficiency`` and ``dead``
    [y, z] maps, ``background`` one template per channel (mean 1 over good pixels), ``background_rate`` the
    nominal rate (counts s^-1 per pixel) per channel."""

    unit: int
    epoch: str
    channel_edges: F64
    pixel_efficiency: F64
    dead: NDArray[np.bool_]
    background: F64
    background_rate: F64

    @property
    def bad(self) -> NDArray[np.bool_]:
        """Pixels the analysis gives no weight."""
        return self.dead

    @property
    def n_channels(self) -> int:
        return int(self.channel_edges.size - 1)

    def band_channels(self, lo: float, hi: float) -> slice:
        """The channels that make the band [lo, hi] keV; ``ValueError`` unless both are channel edges."""
        edges = self.channel_edges
        i, j = np.flatnonzero(np.isclose(edges, lo)), np.flatnonzero(np.isclose(edges, hi))
        if i.size != 1 or j.size != 1 or j[0] <= i[0]:
            raise ValueError(f"band {lo}-{hi} keV does not follow the channel edges {edges.tolist()}")
        return slice(int(i[0]), int(j[0]))

    @staticmethod
    def efficiency(energy: F64) -> F64:
        """Detection efficiency (0..1) of a photon of true energy ``energy`` keV reaching an open pixel."""
        e = np.asarray(energy, dtype=np.float64)
        return np.asarray(
            np.exp(-((WINDOW_ENERGY / e) ** 3)) * (1.0 - np.exp(-((STOPPING_ENERGY / e) ** 2.5))),
            dtype=np.float64,
        )

    @cached_property
    def true_energies(self) -> tuple[F64, F64]:
        """Centres and widths (keV) of the true-energy grid of the response."""
        return energy_grid(1.5, 60.0, 200)

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

    def channel_rates(self, spectrum: PowerLaw) -> F64:
        """Count rate per channel (counts s^-1) of a source seen on axis by one fully open nominal pixel."""
        e, width = self.true_energies
        return np.asarray(self.rmf @ (spectrum(e) * width * self.arf_pixel), dtype=np.float64)

    def band_template(self, channels: slice) -> F64:
        """Background template of a band: the channel templates weighted by their nominal rates."""
        rates = self.background_rate[channels]
        return np.asarray(
            np.tensordot(rates, self.background[channels], axes=1) / rates.sum(), dtype=np.float64
        )
