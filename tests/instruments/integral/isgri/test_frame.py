"""The instrument frame and the WCS of decoded images agree."""

from __future__ import annotations

import numpy as np

from instruments.integral.isgri.frame import InstrumentFrame
from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.pif import SKY_CENTRE


def test_round_trip_and_wcs_agree() -> None:
    frame = InstrumentFrame(266.4, -29.0, 123.0)
    ra, dec = np.array([266.0, 270.0, 262.5]), np.array([-28.0, -30.5, -33.0])
    u, v = frame.to_instrument(ra, dec)
    back = frame.to_sky(u, v)
    np.testing.assert_allclose(back, (ra, dec), atol=1e-9)
    rows = u / np.radians(SKY_PIXEL_DEG) + SKY_CENTRE
    cols = v / np.radians(SKY_PIXEL_DEG) + SKY_CENTRE
    np.testing.assert_allclose(frame.sky_wcs().pixel_to_world_values(cols, rows), (ra, dec), atol=1e-9)


def test_y_axis_points_at_the_position_angle() -> None:
    frame = InstrumentFrame(10.0, 0.0, 90.0)  # Y axis towards the east
    u, v = frame.to_instrument(11.0, 0.0)
    assert u > 0.0 and abs(v) < 1e-12
    assert np.isnan(frame.to_instrument(190.0, 0.0)[0])
