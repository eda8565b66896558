"""The IBIS coded mask and the ISGRI detector plane: geometry shared by simulation and analysis.

The mask is a Modified Uniformly Redundant Array (MURA, Gottesman & Fenimore 1989) of prime order 53, repeated
cyclically to 95 x 95 tungsten elements of 11.2 mm, 3.2 m above ISGRI: 128 x 128 CdTe pixels of 4 x 4 mm at a
4.6 mm pitch in 8 modules of 64 x 32 pixels.  The dead space between modules is modelled as one insensitive
pixel line at each module boundary, which keeps the detector a regular 128 x 128 grid.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DETECTOR_PIXELS",
    "ELEMENT_MM",
    "MASK_ELEMENTS",
    "MASK_HEIGHT_MM",
    "MURA_ORDER",
    "PITCH_MM",
    "PIXEL_AREA_CM2",
    "SKY_PIXEL_DEG",
    "ibis_mask",
    "module_gaps",
    "mura",
]

MURA_ORDER = 53
MASK_ELEMENTS = 95
ELEMENT_MM = 11.2
MASK_HEIGHT_MM = 3200.0
DETECTOR_PIXELS = 128
PITCH_MM = 4.6
#: Sensitive area of one 4 x 4 mm CdTe crystal; 16384 of them make the 2621 cm^2 of ISGRI.
PIXEL_AREA_CM2 = 0.16
#: Sky pixel of the decoded images: detector pitch over mask height (about 4.94 arcmin).
SKY_PIXEL_DEG = float(np.degrees(PITCH_MM / MASK_HEIGHT_MM))
_MODULE_SHAPE = (64, 32)


def mura(order: int) -> NDArray[np.int8]:
    """The basic MURA pattern of a prime ``order`` = 1 (mod 4): 1 open, 0 closed; ``ValueError`` otherwise."""
    if order < 5 or order % 4 != 1 or any(order % d == 0 for d in range(2, int(order**0.5) + 1)):
        raise ValueError(f"a MURA needs a prime order = 1 (mod 4), got {order}")
    residue = np.full(order, -1, dtype=np.int8)
    residue[(np.arange(1, order) ** 2) % order] = 1
    pattern = np.asarray(np.outer(residue, residue) == 1, dtype=np.int8)
    pattern[0, :] = 0
    pattern[1:, 0] = 1
    return pattern


@cache
def ibis_mask() -> NDArray[np.int8]:
    """The 95 x 95 mask, indexed [y, z]: the basic pattern centred and extended cyclically by 21 elements."""
    basic = mura(MURA_ORDER)
    shift = (MASK_ELEMENTS - MURA_ORDER) // 2
    index = (np.arange(MASK_ELEMENTS) - shift) % MURA_ORDER
    mask = np.asarray(basic[np.ix_(index, index)], dtype=np.int8)
    mask.setflags(write=False)
    return mask


@cache
def module_gaps() -> NDArray[np.bool_]:
    """Pixels lost to the gaps between the 8 modules (True = insensitive), indexed [y, z]."""
    gaps = np.zeros((DETECTOR_PIXELS, DETECTOR_PIXELS), dtype=bool)
    gaps[_MODULE_SHAPE[0] : DETECTOR_PIXELS : _MODULE_SHAPE[0], :] = True
    gaps[:, _MODULE_SHAPE[1] : DETECTOR_PIXELS : _MODULE_SHAPE[1]] = True
    gaps.setflags(write=False)
    return gaps
