"""JEM-X light curves: a steady Crab constant and summing to the image rate, an injected flare found."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from instruments.archive.simulated.truth import LightCurve as TruthCurve
from instruments.archive.simulated.truth import TruthSource
from instruments.integral.isgri.spectrum import Target
from instruments.integral.jemx.lightcurve import extract_lightcurve
from instruments.integral.jemx.scw import shadowgram
from instruments.integral.jemx.search import search_scw
from instruments.integral.spectra import CRAB
from instruments.integral.time import mjd_utc_to_ijd
from tests.instruments.integral.isgri.conftest import pointing_for
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, MJD, scws_in

TARGET = Target("Crab", *CRAB_POSITION)


def test_steady_crab_is_constant_and_sums_to_the_image_rate(tmp_path: Path) -> None:
    truth = [TruthSource("Crab", *CRAB_POSITION, CRAB)]
    offsets = (
        (0.5, -0.8),
        (0.1, 0.2),
        (1.0, 1.0),
        (-1.0, 0.5),
        (2.0, 0.0),
        (0.0, -2.0),
        (0.3, 0.3),
        (-0.5, -0.5),
    )
    scws, model = scws_in(tmp_path, truth, [pointing_for(CRAB_POSITION, u, v) for u, v in offsets])
    chi2, dof = 0.0, 0
    for scw in scws:  # each ScW tested against its own constant: 8 x 9 degrees of freedom
        curve = extract_lightcurve([scw], model, TARGET, band=(3.0, 20.0), time_bin=200.0)
        assert curve.rate.size == 10 and np.allclose(curve.fracexp, 1.0)
        mean = float(np.sum(curve.rate / curve.error**2) / np.sum(curve.error**-2))
        chi2 += float(np.sum(((curve.rate - mean) / curve.error) ** 2))
        dof += curve.rate.size - 1
    print(f"steady Crab: chi2 {chi2:.1f}/{dof}")
    assert chi2 < 102.8  # p > 0.01 for 72 degrees of freedom
    curve = extract_lightcurve(scws[:1], model, TARGET, band=(3.0, 20.0), time_bin=200.0)
    (found,) = search_scw(shadowgram(scws[0], model, (3.0, 20.0)), catalogue=[]).detections
    counts = float(np.sum(curve.rate * curve.timedel * curve.fracexp) * 86400.0)
    assert counts == pytest.approx(found.flux * scws[0].exposure, rel=0.02)
    with pytest.raises(ValueError, match="time-sliced"):
        extract_lightcurve(scws, model, TARGET, band=(3.0, 15.0))
    with pytest.raises(ValueError, match="multiple"):
        extract_lightcurve(scws, model, TARGET, time_bin=150.0)


def test_injected_flare_amplitude_and_time(tmp_path: Path) -> None:
    epoch = MJD + 1050.0 / 86400.0  # the middle of the eleventh 100 s slice
    flare = TruthCurve("flare", epoch=epoch, width=150.0 / 86400.0, amplitude=2.0)
    truth = [TruthSource("Crab", *CRAB_POSITION, CRAB, flare)]
    scws, model = scws_in(tmp_path, truth, [pointing_for(CRAB_POSITION, 0.0, 0.0)])
    curve = extract_lightcurve(scws, model, TARGET, band=(3.0, 35.0), time_bin=100.0)
    peak = int(np.argmax(curve.rate))
    base = float(np.median(curve.rate[np.abs(curve.time - curve.time[peak]) * 86400.0 > 600.0]))
    peak_ijd = float(mjd_utc_to_ijd([epoch])[0])
    assert abs(curve.time[peak] - peak_ijd) * 86400.0 <= 100.0
    # A 100 s bin centred on the peak of a sigma = 150 s Gaussian averages it to 0.982 of its top.
    expected = 2.0 * 150.0 * math.sqrt(2.0 * math.pi) / 100.0 * math.erf(50.0 / 150.0 / math.sqrt(2.0))
    amplitude = curve.rate[peak] / base - 1.0
    print(f"flare amplitude {amplitude:.3f}, expected {expected:.3f}")
    assert abs(amplitude / expected - 1.0) < 0.05
