"""The JEM-X mask and detector geometry against the instrument's facts."""

from __future__ import annotations

import numpy as np

from instruments.integral.jemx.mask import (
    ELEMENT_MM,
    MASK_DIAMETER_MM,
    MASK_HEIGHT_MM,
    PIXEL_AREA_CM2,
    SKY_PIXEL_DEG,
    detector_disc,
    jemx_mask,
)
from instruments.integral.jemx.pif import SKY_PIXELS, collimator_response, lattice_mask, pif


def test_mask_is_a_quarter_open_inside_its_535_mm_disc_and_the_same_every_time() -> None:
    mask = jemx_mask()
    _, inside = lattice_mask()
    assert abs(mask.sum() / inside.sum() - 0.25) < 1e-3
    assert not mask[inside == 0].any()
    assert abs(np.sqrt(inside.sum() * ELEMENT_MM**2 * 4 / np.pi) - MASK_DIAMETER_MM) < 5.0
    jemx_mask.cache_clear()
    assert np.array_equal(jemx_mask(), mask)


def test_detector_disc_area_field_and_resolution() -> None:
    assert 470.0 < detector_disc().sum() * PIXEL_AREA_CM2 < 510.0
    assert abs(np.degrees(np.arctan(ELEMENT_MM / MASK_HEIGHT_MM)) * 60.0 - 3.3) < 0.1
    assert abs(SKY_PIXELS * SKY_PIXEL_DEG - 13.2) < 0.2  # the zero-response field


def test_collimator_and_coding_give_the_field_of_view() -> None:
    assert collimator_response(0.0) == 1.0 and collimator_response(6.6) < 1e-9
    on_axis = pif(0.0, 0.0).sum()
    assert abs(on_axis / detector_disc().sum() - 0.25) < 0.02
    for theta, low, high in ((2.0, 0.95, 1.05), (6.7, -0.01, 0.01)):
        t = np.tan(np.radians(theta))
        assert low < pif(t, 0.0).sum() / on_axis < high
    # half response at 7.5/2 deg off axis: coded fraction times collimator
    t = np.tan(np.radians(3.75))
    assert 0.45 < pif(t, 0.0).sum() / on_axis * float(collimator_response(3.75)) < 0.55
