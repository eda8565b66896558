"""Unit vectors on the sphere for :mod:`tap.adql.sphere`: plain ``math`` on tuples, since every call is for one
position inside a SQLite callback (see that module for why not numpy)."""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "DEG",
    "RAD",
    "TOLERANCE_RAD",
    "Vec3",
    "angle",
    "cross",
    "dot",
    "lonlat",
    "norm",
    "normalise_lon",
    "sub",
    "unit",
    "vector",
]

#: Tolerance of boundary tests, radians (about 2 micro-arcseconds; pgSphere's own is 1e-9 rad).
TOLERANCE_RAD: Final[float] = 1e-11
RAD: Final[float] = math.pi / 180.0
DEG: Final[float] = 180.0 / math.pi

Vec3 = tuple[float, float, float]


def dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def norm(a: Vec3) -> float:
    return math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])


def unit(a: Vec3) -> Vec3:
    n = norm(a)
    return (a[0] / n, a[1] / n, a[2] / n)


def angle(a: Vec3, b: Vec3) -> float:
    """Angle between two unit vectors in radians, accurate at 0 and at pi (unlike acos of the dot)."""
    return math.atan2(norm(cross(a, b)), dot(a, b))


def vector(lon: float, lat: float) -> Vec3:
    lon_r = lon * RAD
    lat_r = lat * RAD
    c = math.cos(lat_r)
    return (c * math.cos(lon_r), c * math.sin(lon_r), math.sin(lat_r))


def lonlat(v: Vec3) -> tuple[float, float]:
    lon = normalise_lon(math.atan2(v[1], v[0]) * DEG)
    lat = math.atan2(v[2], math.hypot(v[0], v[1])) * DEG
    return lon, lat


def normalise_lon(lon: float) -> float:
    """Wraps a longitude into [0, 360); ``% 360`` alone can round tiny negative values up to 360."""
    wrapped = lon % 360.0
    return 0.0 if wrapped >= 360.0 else wrapped + 0.0  # + 0.0 turns -0.0 into 0.0
