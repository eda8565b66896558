"""The instrument frame of one pointing: sky <-> tangent-plane offsets (u, v), and the WCS of decoded images.

u runs along the instrument Y axis, which points at position angle ``posangle`` (east of north) on the sky,
and v along position angle ``posangle - 90``.  Because mask and detector are flat and parallel, the decoded
sky image is exactly a gnomonic (TAN) projection with a pixel of pitch / height radians, so its WCS is a
rotation and a scale: no distortion terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from astropy.wcs import WCS
from numpy.typing import ArrayLike, NDArray

from instruments.integral.isgri.mask import SKY_PIXEL_DEG
from instruments.integral.isgri.pif import SKY_CENTRE, SKY_PIXELS

__all__ = ["InstrumentFrame", "gnomonic", "gnomonic_inverse", "tan_wcs"]

F64 = NDArray[np.float64]


def gnomonic(ra: ArrayLike, dec: ArrayLike, ra0: float, dec0: float) -> tuple[F64, F64]:
    """Standard coordinates (xi east, eta north; radians of the tangent plane) around (ra0, dec0).

    Directions 90 deg or more from the centre have no projection and come back as NaN.
    """
    a, d = np.radians(np.asarray(ra, dtype=np.float64)), np.radians(np.asarray(dec, dtype=np.float64))
    a0, d0 = np.radians(ra0), np.radians(dec0)
    cos_c = np.sin(d0) * np.sin(d) + np.cos(d0) * np.cos(d) * np.cos(a - a0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(cos_c > 0.0, 1.0 / cos_c, np.nan)
        xi = np.cos(d) * np.sin(a - a0) * scale
        eta = (np.cos(d0) * np.sin(d) - np.sin(d0) * np.cos(d) * np.cos(a - a0)) * scale
    return xi, eta


def gnomonic_inverse(xi: ArrayLike, eta: ArrayLike, ra0: float, dec0: float) -> tuple[F64, F64]:
    """(ra, dec) degrees of standard coordinates around (ra0, dec0); RA in [0, 360)."""
    x, y = np.asarray(xi, dtype=np.float64), np.asarray(eta, dtype=np.float64)
    a0, d0 = np.radians(ra0), np.radians(dec0)
    denominator = np.cos(d0) - y * np.sin(d0)
    ra = a0 + np.arctan2(x, denominator)
    dec = np.arctan2(np.sin(d0) + y * np.cos(d0), np.hypot(x, denominator))
    return np.degrees(ra) % 360.0, np.degrees(dec)


def tan_wcs(ra: float, dec: float, *, rotation: float, pixel_deg: float, size: int, centre: float) -> WCS:
    """A TAN WCS whose first array axis (rows) runs at position angle ``rotation`` and the second at
    ``rotation - 90``; ``centre`` is the 0-based pixel of (ra, dec) on both axes."""
    pa = np.radians(rotation)
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [centre + 1.0, centre + 1.0]
    wcs.wcs.cd = pixel_deg * np.array([[-np.cos(pa), np.sin(pa)], [np.sin(pa), np.cos(pa)]])
    wcs.wcs.radesys = "ICRS"
    wcs.pixel_shape = (size, size)
    return wcs


@dataclass(frozen=True, slots=True)
class InstrumentFrame:
    """Pointing axis (ICRS deg) and position angle of the Y axis (deg east of north)."""

    ra: float
    dec: float
    posangle: float

    def to_instrument(self, ra: ArrayLike, dec: ArrayLike) -> tuple[F64, F64]:
        """Tangent-plane offsets (u, v), radians; NaN behind the instrument."""
        xi, eta = gnomonic(ra, dec, self.ra, self.dec)
        pa = np.radians(self.posangle)
        return xi * np.sin(pa) + eta * np.cos(pa), -xi * np.cos(pa) + eta * np.sin(pa)

    def to_sky(self, u: ArrayLike, v: ArrayLike) -> tuple[F64, F64]:
        """(ra, dec) degrees of tangent-plane offsets (u, v) radians."""
        uu, vv = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
        pa = np.radians(self.posangle)
        return gnomonic_inverse(
            uu * np.sin(pa) - vv * np.cos(pa), uu * np.cos(pa) + vv * np.sin(pa), self.ra, self.dec
        )

    def offaxis(self, ra: ArrayLike, dec: ArrayLike) -> F64:
        """Off-axis angle (deg)."""
        u, v = self.to_instrument(ra, dec)
        return np.degrees(np.arctan(np.hypot(u, v)))

    def sky_wcs(self) -> WCS:
        """WCS of the decoded sky image of this pointing (array [u index, v index])."""
        return tan_wcs(
            self.ra,
            self.dec,
            rotation=self.posangle,
            pixel_deg=SKY_PIXEL_DEG,
            size=SKY_PIXELS,
            centre=SKY_CENTRE,
        )
