"""IJD: MJD(TT) - 51544, not UTC."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time

from instruments.integral.time import ijd_to_mjd_utc, ijd_to_time, mjd_utc_to_ijd, time_to_ijd


def test_ijd_zero_is_the_last_minute_of_1999_in_utc() -> None:
    assert ijd_to_time(0.0).utc.isot == "1999-12-31T23:58:55.816"


def test_round_trips_and_leap_seconds() -> None:
    ijd = np.array([100.25, 5000.5, 9000.0])
    np.testing.assert_allclose(mjd_utc_to_ijd(ijd_to_mjd_utc(ijd)), ijd, atol=1e-9)
    # TT - UTC was 67.184 s before the leap second of 2015-06-30 and 68.184 s after it.
    before = time_to_ijd(Time("2015-06-26T00:00:00", scale="utc"))
    assert (float(before) - 5655.0) * 86400 == pytest.approx(67.184, abs=1e-4)
    assert float(mjd_utc_to_ijd(57300.0) - (57300.0 - 51544.0)) * 86400 == pytest.approx(68.184, abs=1e-4)
