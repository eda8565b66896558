"""Light curves: an injected flare comes back at the right time with the right amplitude; a steady source
stays constant; OGIP output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from instruments.archive.simulated.truth import LightCurve, TruthSource
from instruments.integral.isgri.lightcurve import extract_lightcurve, write_ogip_lightcurve
from instruments.integral.isgri.spectrum import Target
from instruments.integral.spectra import CRAB
from instruments.integral.time import ijd_to_mjd_utc, mjd_utc_to_ijd
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, MJD, SimulateScws

FLARING = (CRAB_POSITION[0] + 2.0, CRAB_POSITION[1] + 1.0)
FLARE_PEAK = MJD + 0.05 + 1000.0 / 86400.0  # the middle of the second ScW
FLARE = LightCurve("flare", epoch=FLARE_PEAK, width=300.0 / 86400.0, amplitude=3.0)


def test_flare_time_and_amplitude_and_steady_neighbour(simulate_scws: SimulateScws, tmp_path: Path) -> None:
    truth = [TruthSource("F", *FLARING, CRAB.scaled(0.3), FLARE), TruthSource("Crab", *CRAB_POSITION, CRAB)]
    axis = (CRAB_POSITION[0] + 1.0, CRAB_POSITION[1] + 0.5)
    scws, model = simulate_scws(truth, [axis] * 3)
    targets = [Target("F", *FLARING), Target("Crab", *CRAB_POSITION)]
    curve = extract_lightcurve(scws, model, targets[0], others=targets, time_bin=200.0)
    assert curve.time.size == 30 and np.all(np.diff(curve.time) > 0)

    # What the truth gives in each bin, relative to the quiescent level.
    offsets = np.linspace(-0.5, 0.5, 41)[:, None] * curve.timedel[None, :]
    truth_factor = FLARE.factor(ijd_to_mjd_utc(curve.time[None, :] + offsets)).mean(axis=0)
    quiet = truth_factor < 1.01
    baseline = float(np.average(curve.rate[quiet], weights=curve.error[quiet] ** -2))
    peak = int(np.argmax(curve.rate))
    assert abs(curve.time[peak] - float(mjd_utc_to_ijd(FLARE_PEAK))) * 86400.0 < 200.0
    measured = curve.rate[peak] / baseline - 1.0
    print(
        f"flare: peak {(curve.time[peak] - float(mjd_utc_to_ijd(FLARE_PEAK))) * 86400.0:+.0f} s from the "
        f"injected one, amplitude {measured:.3f} vs {truth_factor[peak] - 1.0:.3f} injected"
    )
    assert measured == pytest.approx(truth_factor[peak] - 1.0, rel=0.1)
    pulls = (curve.rate - baseline * truth_factor) / curve.error
    assert abs(pulls.mean()) < 0.5 and 0.6 < pulls.std() < 1.5

    steady = extract_lightcurve(scws, model, targets[1], others=targets, time_bin=400.0)
    mean = float(np.average(steady.rate, weights=steady.error**-2))
    chi2 = float((((steady.rate - mean) / steady.error) ** 2).sum())
    print(f"steady neighbour: chi2 {chi2:.1f}/14")
    # p > 0.01 for 14 degrees of freedom
    assert chi2 < 29.1

    path = write_ogip_lightcurve(curve, tmp_path / "f_lc.fits")
    with fits.open(path) as hdus:
        assert hdus["RATE"].header["TIMESYS"] == "TT"
        np.testing.assert_allclose(hdus["RATE"].data["TIME"], curve.time)
    with pytest.raises(ValueError, match="multiple"):
        extract_lightcurve(scws, model, targets[0], time_bin=150.0)
    with pytest.raises(ValueError, match="time-sliced"):
        extract_lightcurve(scws, model, targets[0], band=(20.0, 100.0))
