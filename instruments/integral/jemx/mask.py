"""The JEM-X coded mask and detector plane: geometry shared by simulation and analysis.

The flight mask is a hexagonal uniformly redundant array (HURA) of 22501 elements, 25 % open, 535 mm across,
with 3.3 mm elements 3.4 m above a xenon microstrip detector whose usable disc is about 250 mm wide.  Here a
pseudo-random pattern of square 3.3 mm cells, 25 % open inside the 535 mm disc, replaces the HURA: square
cells keep the illumination of a detector pixel a product of one-dimensional overlaps, and the decoding uses
this very pattern, as it must use whatever pattern made the data.  The pattern is drawn once from a fixed
SHA-256 seed, so every process builds the same mask.  The detector is binned in 76 x 76 pixels of the mask
element size; pixels whose centre lies outside the 250 mm disc record nothing.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

from instruments.archive.seeding import chunk_rng

__all__ = [
    "DETECTOR_DIAMETER_MM",
    "DETECTOR_PIXELS",
    "ELEMENT_MM",
    "MASK_DIAMETER_MM",
    "MASK_ELEMENTS",
    "MASK_HEIGHT_MM",
    "OPEN_FRACTION",
    "PITCH_MM",
    "PIXEL_AREA_CM2",
    "SKY_PIXEL_DEG",
    "detector_disc",
    "jemx_mask",
]

ELEMENT_MM = 3.3
MASK_DIAMETER_MM = 535.0
#: Mask elements across the square that holds the mask disc.
MASK_ELEMENTS = 164
MASK_HEIGHT_MM = 3400.0
OPEN_FRACTION = 0.25
DETECTOR_DIAMETER_MM = 250.0
PITCH_MM = ELEMENT_MM
DETECTOR_PIXELS = 76
PIXEL_AREA_CM2 = (PITCH_MM / 10.0) ** 2
#: Sky pixel of the decoded images: detector pitch over mask height (about 3.34 arcmin).
SKY_PIXEL_DEG = float(np.degrees(PITCH_MM / MASK_HEIGHT_MM))
_PATTERN_VERSION = "1"


def _centres(n: int, size: float) -> NDArray[np.float64]:
    return np.asarray((np.arange(n) - (n - 1) / 2.0) * size, dtype=np.float64)


@cache
def jemx_mask() -> NDArray[np.int8]:
    """The mask, indexed [y, z]: 1 open, 0 closed; cells outside the 535 mm disc are closed (the support).

    Exactly a quarter (rounded) of the cells inside the disc are open, chosen at random from a fixed seed.
    """
    c = _centres(MASK_ELEMENTS, ELEMENT_MM)
    inside = np.hypot(c[:, None], c[None, :]) <= MASK_DIAMETER_MM / 2.0
    rng = chunk_rng("jemx", "mask-pattern", _PATTERN_VERSION)
    cells = np.flatnonzero(inside)
    opened = rng.choice(cells, round(OPEN_FRACTION * cells.size), replace=False)
    mask = np.zeros(inside.shape, dtype=np.int8)
    mask.flat[opened] = 1
    mask.setflags(write=False)
    return mask


@cache
def detector_disc() -> NDArray[np.bool_]:
    """Pixels of the usable detector disc (True = sensitive), indexed [y, z]."""
    c = _centres(DETECTOR_PIXELS, PITCH_MM)
    disc = np.asarray(np.hypot(c[:, None], c[None, :]) <= DETECTOR_DIAMETER_MM / 2.0, dtype=np.bool_)
    disc.setflags(write=False)
    return disc
