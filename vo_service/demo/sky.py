"""Small vectorised sky geometry for the simulated demo data (numpy only, degrees everywhere).

The generators need a handful of operations on millions of positions: Galactic <-> ICRS rotation, angular
distances, offsets in a tangent plane (dither patterns), a low-precision Sun position (solar-aspect
constraints) and DALI serialisations.  Doing them with plain matrices keeps chunk generation fast and free of
astropy's time-scale machinery (no IERS or leap-second look-ups, hence no network and no warnings).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "GALACTIC_TO_ICRS",
    "dali_circle",
    "galactic_to_icrs",
    "icrs_to_galactic",
    "midpoint",
    "mjd_to_iso",
    "position_angle",
    "separation",
    "sun_radec",
    "tangent_offset",
]

F8 = NDArray[np.float64]

#: Rotation from ICRS to Galactic unit vectors (the Hipparcos definition, ESA SP-1200 vol. 1, sec. 1.5.3).
_ICRS_TO_GALACTIC = np.array(
    [
        [-0.0548755604162154, -0.8734370902348850, -0.4838350155487132],
        [+0.4941094278755837, -0.4448296299600112, +0.7469822444972189],
        [-0.8676661490190047, -0.1980763734312015, +0.4559837761750669],
    ]
)
GALACTIC_TO_ICRS = _ICRS_TO_GALACTIC.T
_MJD_EPOCH = np.datetime64("1858-11-17T00:00:00", "ms")


def _to_vectors(lon: ArrayLike, lat: ArrayLike) -> F8:
    lon_r = np.radians(np.asarray(lon, dtype=np.float64))
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    cos_lat = np.cos(lat_r)
    return np.stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)], axis=-1)


def _from_vectors(vec: F8) -> tuple[F8, F8]:
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    lon = np.degrees(np.arctan2(y, x)) % 360.0
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    # % can round a tiny negative angle up to exactly 360.0, which is outside [0, 360).
    return np.where(lon >= 360.0, 0.0, lon), lat


def galactic_to_icrs(glon: ArrayLike, glat: ArrayLike) -> tuple[F8, F8]:
    """(ra, dec) in [0, 360) x [-90, 90] of Galactic (l, b), all in degrees."""
    return _from_vectors(_to_vectors(glon, glat) @ _ICRS_TO_GALACTIC)


def icrs_to_galactic(ra: ArrayLike, dec: ArrayLike) -> tuple[F8, F8]:
    """Galactic (l, b) in degrees of ICRS (ra, dec) in degrees."""
    return _from_vectors(_to_vectors(ra, dec) @ GALACTIC_TO_ICRS)


def separation(ra1: ArrayLike, dec1: ArrayLike, ra2: ArrayLike, dec2: ArrayLike) -> F8:
    """Great-circle distance in degrees (Vincenty's formula, accurate at every scale)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (ra1, dec1, ra2, dec2))
    dlon = lon2 - lon1
    num = np.hypot(
        np.cos(lat2) * np.sin(dlon), np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    )
    den = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.asarray(np.degrees(np.arctan2(num, den)), dtype=np.float64)


def midpoint(ra1: ArrayLike, dec1: ArrayLike, ra2: ArrayLike, dec2: ArrayLike) -> tuple[F8, F8]:
    """The point halfway along the great circle between two positions (undefined for antipodes)."""
    mid = _to_vectors(ra1, dec1) + _to_vectors(ra2, dec2)
    return _from_vectors(mid)


def position_angle(ra: ArrayLike, dec: ArrayLike, ra_to: ArrayLike, dec_to: ArrayLike) -> F8:
    """Position angle in [0, 360) degrees, east of north, of the direction to (ra_to, dec_to) seen from (ra, dec)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (ra, dec, ra_to, dec_to))
    dlon = lon2 - lon1
    pa = np.arctan2(np.sin(dlon), np.cos(lat1) * np.tan(lat2) - np.sin(lat1) * np.cos(dlon))
    return np.asarray(np.degrees(pa) % 360.0, dtype=np.float64)


def tangent_offset(ra0: ArrayLike, dec0: ArrayLike, east: ArrayLike, north: ArrayLike) -> tuple[F8, F8]:
    """The position at gnomonic offsets ``east``, ``north`` (degrees in the tangent plane) from (ra0, dec0).

    Dither patterns are defined as flat grids in the instrument's focal plane, which is what a gnomonic
    projection models; the inverse projection keeps them correct near the poles, where naive RA steps fail.
    """
    a0 = np.radians(np.asarray(ra0, dtype=np.float64))
    d0 = np.radians(np.asarray(dec0, dtype=np.float64))
    xi = np.tan(np.radians(np.asarray(east, dtype=np.float64)))
    eta = np.tan(np.radians(np.asarray(north, dtype=np.float64)))
    denom = np.cos(d0) - eta * np.sin(d0)
    ra = np.degrees(a0 + np.arctan2(xi, denom)) % 360.0
    dec = np.degrees(np.arctan2(np.sin(d0) + eta * np.cos(d0), np.hypot(xi, denom)))
    return np.where(ra >= 360.0, 0.0, ra), dec


def sun_radec(mjd: ArrayLike) -> tuple[F8, F8]:
    """Apparent (ra, dec) of the Sun, degrees, from the low-precision almanac formulae (about 0.01 deg).

    Good enough for solar-aspect constraints of an observing plan; not for ephemerides.
    """
    n = np.asarray(mjd, dtype=np.float64) - 51544.5
    mean_lon = 280.460 + 0.9856474 * n
    anomaly = np.radians(357.528 + 0.9856003 * n)
    ecl_lon = np.radians(mean_lon + 1.915 * np.sin(anomaly) + 0.020 * np.sin(2.0 * anomaly))
    obliquity = np.radians(23.439 - 4.0e-7 * n)
    ra = np.degrees(np.arctan2(np.cos(obliquity) * np.sin(ecl_lon), np.cos(ecl_lon))) % 360.0
    dec = np.degrees(np.arcsin(np.sin(obliquity) * np.sin(ecl_lon)))
    return ra, dec


def dali_circle(ra: ArrayLike, dec: ArrayLike, radius: float) -> list[str]:
    """DALI circle strings ``"ra dec r"`` (degrees; 1e-5 deg is well below any field of view's precision)."""
    return [f"{a:.5f} {d:.5f} {radius:g}" for a, d in zip(np.asarray(ra), np.asarray(dec), strict=True)]


def mjd_to_iso(mjd: ArrayLike) -> list[str]:
    """DALI timestamps ``YYYY-MM-DDThh:mm:ss.sss`` (UTC, no zone) of UTC MJDs, rounded to the millisecond.

    MJD(UTC) counts civil days, so a plain day count from 1858-11-17 is exact except within a leap second.
    """
    millis = np.rint(np.asarray(mjd, dtype=np.float64) * 86_400_000.0).astype(np.int64)
    stamps = _MJD_EPOCH + millis.astype("timedelta64[ms]")
    return [str(s) for s in np.datetime_as_string(stamps, unit="ms")]
