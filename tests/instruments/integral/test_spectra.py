"""The Crab standard of Roques & Jourdain (2018) and milli-Crab normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from instruments.integral.spectra import CRAB, PowerLaw, band_photon_flux, mcrab_norm

KEV_TO_ERG = 1.602176634e-9


def test_crab_20_40_kev_photon_and_energy_flux() -> None:
    assert band_photon_flux(CRAB, 20.0, 40.0) == pytest.approx(0.171, rel=0.005)
    e = np.geomspace(20.0, 40.0, 4000)
    assert float(np.trapezoid(CRAB(e) * e, e)) * KEV_TO_ERG == pytest.approx(7.6e-9, rel=0.01)


def test_crab_is_continuous_at_its_break() -> None:
    e_break = (2.33 - 1.98) * 500.0
    below, above = CRAB(np.array([e_break * (1 - 1e-9), e_break * (1 + 1e-9)]))
    assert below == pytest.approx(above, rel=1e-6)


def test_mcrab_norm_matches_the_band_flux() -> None:
    soft = PowerLaw(mcrab_norm(100.0, 2.7), 2.7)
    assert band_photon_flux(soft, 20.0, 40.0) == pytest.approx(
        0.1 * band_photon_flux(CRAB, 20.0, 40.0), rel=1e-6
    )
