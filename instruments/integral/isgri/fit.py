"""The shadowgram model shared by source search, spectra and light curves: background plus PIF x flux.

Rates of the good pixels are fitted by linear least squares against a flat level, the background template's
departure from its mean, and one shadow (PIF times off-axis transmission) per source.  Uniform weights keep
the fluxes unbiased (weights taken from the observed counts would favour downward fluctuations); the errors
come from the actual pixel variances (sandwich estimate).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.model import offaxis_response
from instruments.integral.isgri.pif import pif
from instruments.integral.isgri.scw import Shadowgram

__all__ = ["BASE_TERMS", "ShadowgramFit", "on_axis_open", "source_shadow"]

F64 = NDArray[np.float64]

#: Number of background coefficients ahead of the source fluxes in a solution.
BASE_TERMS = 2


def source_shadow(u: float, v: float) -> F64:
    """Expected rate per pixel of a unit source at (u, v) sky pixels from the axis: PIF x transmission."""
    scale = np.radians(SKY_PIXEL_DEG)
    theta = np.degrees(np.arctan(np.hypot(u, v) * scale))
    return np.asarray(pif(u * scale, v * scale) * offaxis_response(theta), dtype=np.float64)


def on_axis_open(weight: F64) -> float:
    """Open good pixels seen on axis: multiplies a fitted unit flux into on-axis equivalent counts s^-1."""
    return float((pif(0.0, 0.0) * weight).sum())


class ShadowgramFit:
    """Least squares of one shadowgram against background terms and source shadows."""

    def __init__(self, shadow: Shadowgram) -> None:
        self.good = shadow.weight > 0.0
        template = shadow.background[self.good]
        self.base = np.column_stack([np.ones(template.size), template - template.mean()])
        self.data = shadow.rate[self.good]
        self.variance = shadow.variance[self.good]

    def solve(self, shadows: Sequence[F64]) -> tuple[F64, F64, F64]:
        """(coefficients, their errors, model on good pixels); background terms first, then one flux per
        shadow.  Raises ``numpy.linalg.LinAlgError`` for degenerate shadows (two sources on one spot)."""
        design = np.column_stack([self.base, *(s[self.good] for s in shadows)])
        normal_inv = np.linalg.inv(design.T @ design)
        coef = normal_inv @ (design.T @ self.data)
        covariance = normal_inv @ (design.T @ (design * self.variance[:, None])) @ normal_inv
        return coef, np.sqrt(np.diag(covariance)), design @ coef
