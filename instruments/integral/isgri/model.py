"""The ISGRI instrument model: what the analysis knows about the detector at a given epoch.

It plays the part of the OSA calibration files: energy channels, the spectral efficiency (low-energy threshold
times CdTe stopping power), a Gaussian redistribution with 8 % FWHM at 60 keV scaling as E^1/2, the
per-pixel efficiency, the pixels to ignore (dead including module gaps, noisy), background templates per channel and
the off-axis transmission.  An archive backend builds it (``instrument_model(time)``); this module only says
how to use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.mask import PIXEL_AREA_CM2
from instruments.integral.spectra import PowerLaw, energy_grid

__all__ = ["IsgriModel", "offaxis_response"]

F64 = NDArray[np.float64]

#: Relative resolution (FWHM / E) at 60 keV.
RESOLUTION_60KEV = 0.08
#: Width (keV) of the smooth turn-on of the low-energy threshold.
THRESHOLD_WIDTH = 2.0
#: Energy (keV) where 2 mm of CdTe stops about two thirds of the photons; sets the high-energy fall-off.
STOPPING_ENERGY = 160.0
#: Loss of transmission at 10 deg off axis (mask support and NOMEX honeycomb), growing as the angle squared.
OFFAXIS_LOSS_10DEG = 0.03

_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _erf(x: F64) -> F64:
    # numpy has no erf and scipy is not a dependency; the response grids are small enough for math.erf.
    return np.asarray(_erf_ufunc(x), dtype=np.float64)


def offaxis_response(theta_deg: F64 | float) -> F64:
    """Relative count rate of a fully coded source at ``theta_deg`` off axis: projected pixel area times the
    transmission of the structures between mask and detector."""
    theta = np.asarray(theta_deg, dtype=np.float64)
    return np.asarray(
        np.cos(np.radians(theta)) * (1.0 - OFFAXIS_LOSS_10DEG * (theta / 10.0) ** 2), dtype=np.float64
    )


@dataclass(frozen=True, eq=False)
class IsgriModel:
    """Calibration of one epoch.

    ``channel_edges`` (keV, n+1) bound the energy channels of the shadowgram cubes; ``pixel_efficiency``, ``dead``
    (module gaps included) and ``noisy`` are [y, z] maps; ``background`` holds one template per channel,
    mean 1 over good pixels, and ``background_rate`` the nominal rate (counts s^-1 per pixel) per channel.
    """

    epoch: str
    threshold_kev: float
    channel_edges: F64
    pixel_efficiency: F64
    dead: NDArray[np.bool_]
    noisy: NDArray[np.bool_]
    background: F64
    background_rate: F64

    @cached_property
    def bad(self) -> NDArray[np.bool_]:
        """Pixels the analysis gives no weight: dead, noisy or in a module gap."""
        return np.asarray(self.dead | self.noisy, dtype=np.bool_)

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

    def efficiency(self, energy: F64) -> F64:
        """Detection efficiency (0..1) of a photon of true energy ``energy`` keV hitting a nominal pixel."""
        e = np.asarray(energy, dtype=np.float64)
        turn_on = 0.5 * (1.0 + _erf((e - self.threshold_kev) / (math.sqrt(2.0) * THRESHOLD_WIDTH)))
        return np.asarray(turn_on * (1.0 - np.exp(-((STOPPING_ENERGY / e) ** 2))), dtype=np.float64)

    @cached_property
    def true_energies(self) -> tuple[F64, F64]:
        """Centres and widths (keV) of the true-energy grid of the response."""
        return energy_grid()

    @cached_property
    def rmf(self) -> F64:
        """Redistribution matrix [channel, true-energy bin]: probability of each channel, Gaussian resolution."""
        e = self.true_energies[0]
        sigma = RESOLUTION_60KEV * 60.0 * np.sqrt(e / 60.0) / (2.0 * math.sqrt(2.0 * math.log(2.0)))
        z = (self.channel_edges[:, None] - e[None, :]) / (math.sqrt(2.0) * sigma[None, :])
        cdf = 0.5 * (1.0 + _erf(z))
        return np.asarray(np.diff(cdf, axis=0), dtype=np.float64)

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
        template = np.tensordot(rates, self.background[channels], axes=1) / rates.sum()
        return np.asarray(template, dtype=np.float64)
