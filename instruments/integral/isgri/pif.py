"""Pixel illumination fraction (PIF): how much of each detector pixel a sky direction sees through the mask.

Mask and detector are parallel planes, so a source at tangent-plane coordinates (u, v) of the instrument frame
throws the mask's shadow shifted by (H u, H v); every mask element and every pixel is an axis-aligned square,
so the open area seen by a pixel separates into the product of one-dimensional overlaps:
``PIF = O_y(u) . M . O_z(v)^T``.  The result is exact for any direction, including the partially coded field,
where part of the detector looks past the mask edge (opaque here: the shield and the mask support).

The decoding works on the mask resampled to the detector pitch (the "lattice"): a source whose shadow shift
is a whole number of pitches illuminates pixel k exactly as lattice cell ``k + s + LATTICE_OFFSET``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.mask import (
    DETECTOR_PIXELS,
    ELEMENT_MM,
    MASK_ELEMENTS,
    MASK_HEIGHT_MM,
    PITCH_MM,
    ibis_mask,
)

__all__ = [
    "LATTICE_CELLS",
    "LATTICE_OFFSET",
    "SKY_CENTRE",
    "SKY_PIXELS",
    "lattice_mask",
    "pif",
]

F64 = NDArray[np.float64]

#: Lattice cells across the mask (it spans +-115.65 pitches around the axis).
LATTICE_CELLS = 2 * int(np.ceil(MASK_ELEMENTS * ELEMENT_MM / 2.0 / PITCH_MM))
#: Lattice cell seen by detector pixel 0 on axis.
LATTICE_OFFSET = LATTICE_CELLS // 2 - DETECTOR_PIXELS // 2
#: Sky image size: every relative shift at which detector and lattice overlap.
SKY_PIXELS = LATTICE_CELLS + DETECTOR_PIXELS - 1
#: Sky pixel of the pointing axis (0-based).
SKY_CENTRE = DETECTOR_PIXELS - 1 + LATTICE_OFFSET

_ELEMENT_EDGES = (np.arange(MASK_ELEMENTS + 1) - MASK_ELEMENTS / 2.0) * ELEMENT_MM


def _overlap(cell_lo: F64, width: float) -> F64:
    """Fraction of each cell [lo, lo + width) covered by each mask element: shape (cells, elements)."""
    lo = np.maximum(cell_lo[:, None], _ELEMENT_EDGES[None, :-1])
    hi = np.minimum(cell_lo[:, None] + width, _ELEMENT_EDGES[None, 1:])
    return np.asarray(np.clip(hi - lo, 0.0, None) / width, dtype=np.float64)


def _pixel_overlap(tan_offset: float) -> F64:
    lo = np.asarray(
        (np.arange(DETECTOR_PIXELS) - DETECTOR_PIXELS / 2.0) * PITCH_MM + MASK_HEIGHT_MM * tan_offset,
        dtype=np.float64,
    )
    return _overlap(lo, PITCH_MM)


def pif(u: float, v: float, *, mask: NDArray[np.generic] | None = None) -> F64:
    """PIF (0..1) of every pixel, indexed [y, z], for a source at tangent-plane offsets (u, v) radians.

    ``mask`` replaces the IBIS mask (an all-ones mask gives the part of each pixel that sees the mask at all).
    """
    m = _float_mask() if mask is None else np.asarray(mask, dtype=np.float64)
    return np.asarray(_pixel_overlap(u) @ m @ _pixel_overlap(v).T, dtype=np.float64)


@cache
def _float_mask() -> F64:
    # Matrix products of float64 with an int8 array miss BLAS and run a hundred times slower.
    return np.asarray(ibis_mask(), dtype=np.float64)


@cache
def lattice_mask() -> tuple[F64, F64]:
    """(open, inside): the open fraction and the mask-covered fraction of each lattice cell, [y, z]."""
    lo = np.asarray((np.arange(LATTICE_CELLS) - LATTICE_CELLS / 2.0) * PITCH_MM, dtype=np.float64)
    overlap = _overlap(lo, PITCH_MM)
    open_ = overlap @ _float_mask() @ overlap.T
    covered = overlap.sum(axis=1)
    inside = np.outer(covered, covered)
    for array in (open_, inside):
        array.setflags(write=False)
    return open_, inside
