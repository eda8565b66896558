"""Pixel illumination fractions: exact shadows, partial coding, the field of view."""

from __future__ import annotations

import numpy as np
import pytest

from instruments.integral.isgri.mask import MASK_HEIGHT_MM, PITCH_MM
from instruments.integral.isgri.pif import LATTICE_OFFSET, lattice_mask, pif

PITCH = PITCH_MM / MASK_HEIGHT_MM


def test_on_axis_half_of_the_detector_is_illuminated() -> None:
    assert pif(0.0, 0.0).mean() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("shift", [(0, 0), (7, -3), (-50, 41)])
def test_whole_pitch_shifts_match_the_lattice(shift: tuple[int, int]) -> None:
    open_, _ = lattice_mask()
    su, sv = shift
    window = open_[
        LATTICE_OFFSET + su : LATTICE_OFFSET + su + 128, LATTICE_OFFSET + sv : LATTICE_OFFSET + sv + 128
    ]
    np.testing.assert_allclose(pif(su * PITCH, sv * PITCH), window, atol=1e-12)


def test_field_of_view_fully_coded_partially_coded_and_zero() -> None:
    ones = np.ones((95, 95))
    assert pif(np.tan(np.radians(4.0)), 0.0, mask=ones).min() == pytest.approx(1.0)
    half = pif(np.tan(np.radians(9.5)), 0.0, mask=ones).mean()
    assert 0.3 < half < 0.7
    assert pif(np.tan(np.radians(15.0)), 0.0, mask=ones).max() == 0.0
