"""Pixel illumination fraction (PIF) of the JEM-X detector, and the collimator response.

As for ISGRI, mask and detector are parallel planes, so a source at tangent-plane offsets (u, v) throws the
mask's shadow shifted by (H u, H v), and with square cells the open area seen by a pixel is the product of
one-dimensional overlaps: ``PIF = O_y(u) . M . O_z(v)^T``.  The detector pitch equals the mask element, and
pixel edges fall on element edges on axis, so the decoding lattice is the mask itself: a source whose shadow
shift is a whole number of pitches illuminates pixel k exactly as mask cell ``k + s + LATTICE_OFFSET``.

The collimator in front of the detector passes 1 - (tan theta / tan 6.6 deg)^2 of the flux: nothing at
6.6 deg, the edge of the 13.2 deg zero-response field, and 0.71 at 3.75 deg, where the mask's shadow still
covers 70 % of the detector, so that the response is half its on-axis value there (the 7.5 deg
half-response field); a law linear in the tangent would put the half response near 3 deg.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from instruments.integral.jemx.mask import (
    DETECTOR_PIXELS,
    ELEMENT_MM,
    MASK_DIAMETER_MM,
    MASK_ELEMENTS,
    MASK_HEIGHT_MM,
    PITCH_MM,
    SKY_PIXEL_DEG,
    detector_disc,
    jemx_mask,
)

__all__ = [
    "COLLIMATOR_ZERO_DEG",
    "LATTICE_OFFSET",
    "SKY_CENTRE",
    "SKY_PIXELS",
    "collimator_response",
    "lattice_mask",
    "pif",
    "source_shadow",
]

F64 = NDArray[np.float64]

#: Off-axis angle (deg) where the collimator stops all flux.
COLLIMATOR_ZERO_DEG = 6.6
#: Mask cell seen by detector pixel 0 on axis.
LATTICE_OFFSET = MASK_ELEMENTS // 2 - DETECTOR_PIXELS // 2
#: Sky image size: every relative shift at which detector and mask overlap.
SKY_PIXELS = MASK_ELEMENTS + DETECTOR_PIXELS - 1
#: Sky pixel of the pointing axis (0-based).
SKY_CENTRE = DETECTOR_PIXELS - 1 + LATTICE_OFFSET

_ELEMENT_EDGES = (np.arange(MASK_ELEMENTS + 1) - MASK_ELEMENTS / 2.0) * ELEMENT_MM


def collimator_response(theta_deg: ArrayLike) -> F64:
    """Collimator transmission (0..1) at off-axis angle ``theta_deg``."""
    tan = np.tan(np.radians(np.asarray(theta_deg, dtype=np.float64)))
    ratio = tan / np.tan(np.radians(COLLIMATOR_ZERO_DEG))
    return np.asarray(np.clip(1.0 - ratio**2, 0.0, 1.0), dtype=np.float64)


def _pixel_overlap(tan_offset: float) -> F64:
    """Fraction of each detector pixel's strip covered by each mask element's shadow: (pixels, elements)."""
    lo = (np.arange(DETECTOR_PIXELS) - DETECTOR_PIXELS / 2.0) * PITCH_MM + MASK_HEIGHT_MM * tan_offset
    start = np.maximum(lo[:, None], _ELEMENT_EDGES[None, :-1])
    stop = np.minimum(lo[:, None] + PITCH_MM, _ELEMENT_EDGES[None, 1:])
    return np.asarray(np.clip(stop - start, 0.0, None) / PITCH_MM, dtype=np.float64)


@cache
def _float_mask() -> F64:
    return np.asarray(jemx_mask(), dtype=np.float64)


def pif(u: float, v: float) -> F64:
    """PIF (0..1) of every pixel [y, z] for a source at tangent-plane offsets (u, v) radians; zero off the
    detector disc."""
    shadow = _pixel_overlap(u) @ _float_mask() @ _pixel_overlap(v).T
    return np.asarray(np.where(detector_disc(), shadow, 0.0), dtype=np.float64)


def source_shadow(u: float, v: float) -> F64:
    """Expected rate per pixel of a unit source at (u, v) sky pixels from the axis: PIF x collimator."""
    scale = np.radians(SKY_PIXEL_DEG)
    theta = np.degrees(np.arctan(np.hypot(u, v) * scale))
    return np.asarray(pif(u * scale, v * scale) * collimator_response(theta), dtype=np.float64)


@cache
def lattice_mask() -> tuple[F64, F64]:
    """(open, inside) per mask cell [y, z]: the pattern, and the cells inside the mask disc."""
    c = (np.arange(MASK_ELEMENTS) - (MASK_ELEMENTS - 1) / 2.0) * ELEMENT_MM
    inside = np.asarray(np.hypot(c[:, None], c[None, :]) <= MASK_DIAMETER_MM / 2.0, dtype=np.float64)
    open_ = _float_mask().copy()
    for array in (open_, inside):
        array.setflags(write=False)
    return open_, inside
