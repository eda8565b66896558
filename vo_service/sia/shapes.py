"""The SIA ``POS`` parameter: ``CIRCLE lon lat r``, ``RANGE lon1 lon2 lat1 lat2`` and ``POLYGON lon lat ...``.

Shapes are checked here, before any query exists, so a bad one is refused naming ``POS`` and saying why.

A RANGE is a box in longitude and latitude, ADQL has no such shape: :mod:`vo_service.sia.ranges` says which
shapes stand for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from tap.adql.sphere_shapes import GeometryError
from tap.adql.sphere_shapes import Polygon as SpherePolygon
from vo_service.errors import UsageError
from vo_service.sia.values import parse_number, words

__all__ = ["Circle", "Polygon", "Pos", "Range", "parse_pos"]

_NAME: Final = "POS"

Vertex = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Circle:
    lon: float
    lat: float
    radius: float


@dataclass(frozen=True, slots=True)
class Polygon:
    vertices: tuple[Vertex, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """Longitudes within [0, 360] and latitudes within [-90, 90], each range of non-zero width."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    @property
    def whole_sky(self) -> bool:
        return (self.lon_min, self.lon_max, self.lat_min, self.lat_max) == (0.0, 360.0, -90.0, 90.0)


Pos = Circle | Range | Polygon


def _coordinates(parts: Sequence[str], *, infinite: bool = False) -> list[float]:
    return [parse_number(_NAME, part, infinite=infinite) for part in parts]


def _check_position(shape: str, lon: float, lat: float) -> None:
    if not 0.0 <= lon <= 360.0:
        raise UsageError(f"parameter {_NAME}: {shape} longitude {lon!r} is outside [0, 360] degrees")
    if not -90.0 <= lat <= 90.0:
        raise UsageError(f"parameter {_NAME}: {shape} latitude {lat!r} is outside [-90, 90] degrees")


def _circle(values: Sequence[str]) -> Circle:
    if len(values) != 3:
        raise UsageError(f"parameter {_NAME}: CIRCLE takes 3 numbers (lon lat radius), not {len(values)}")
    lon, lat, radius = _coordinates(values)
    _check_position("CIRCLE", lon, lat)
    if not 0.0 < radius <= 180.0:
        raise UsageError(f"parameter {_NAME}: CIRCLE radius {radius!r} is outside (0, 180] degrees")
    return Circle(lon, lat, radius)


def _bounds(which: str, low: float, high: float, limit: float) -> tuple[float, float]:
    """A RANGE's bounds on one axis, infinities meaning the axis's ends ``-limit``/``limit`` (0 and 360 for
    longitudes)."""
    lowest = 0.0 if limit == 360.0 else -limit
    low = max(low, lowest) if low == -math.inf else low
    high = min(high, limit) if high == math.inf else high
    if not (lowest <= low <= limit and lowest <= high <= limit):
        raise UsageError(
            f"parameter {_NAME}: RANGE {which} bounds must lie in [{lowest:g}, {limit:g}] degrees"
        )
    if low > high:
        hint = " (for a range across 0, give two POS values: RANGE lo 360 ... and RANGE 0 hi ...)"
        raise UsageError(
            f"parameter {_NAME}: RANGE {which} bounds must increase, not {low:g} {high:g}"
            + (hint if which == "longitude" else "")
        )
    if low == high:
        raise UsageError(
            f"parameter {_NAME}: RANGE {which} bounds are equal ({low:g}); use CIRCLE or POLYGON for a point "
            "or a line"
        )
    return low, high


def _range(values: Sequence[str]) -> Range:
    if len(values) != 4:
        raise UsageError(f"parameter {_NAME}: RANGE takes 4 numbers (lon1 lon2 lat1 lat2), not {len(values)}")
    lon1, lon2, lat1, lat2 = _coordinates(values, infinite=True)
    return Range(*_bounds("longitude", lon1, lon2, 360.0), *_bounds("latitude", lat1, lat2, 90.0))


def _polygon(values: Sequence[str]) -> Polygon:
    if len(values) < 6 or len(values) % 2:
        raise UsageError(
            f"parameter {_NAME}: POLYGON takes pairs of numbers (lon lat), at least 3, not {len(values)} numbers"
        )
    numbers = _coordinates(values)
    vertices = tuple(zip(numbers[::2], numbers[1::2], strict=True))
    for lon, lat in vertices:
        _check_position("POLYGON", lon, lat)
    try:
        SpherePolygon(vertices)
    except GeometryError as exc:
        raise UsageError(f"parameter {_NAME}: {exc}") from None
    return Polygon(vertices)


_SHAPES: Final[dict[str, Callable[[Sequence[str]], Pos]]] = {
    "CIRCLE": _circle,
    "RANGE": _range,
    "POLYGON": _polygon,
}


def parse_pos(value: str) -> Pos:
    """One POS value; the shape keyword in any case.

    Raises:
        UsageError: an unknown shape, the wrong number of coordinates, coordinates out of range, an empty
            RANGE or a polygon that is self-crossing, degenerate or larger than a hemisphere.
    """
    keyword, *values = words(_NAME, value)
    shape = _SHAPES.get(keyword.upper())
    if shape is None:
        raise UsageError(f"parameter {_NAME}: unknown shape {keyword!r}; use CIRCLE, RANGE or POLYGON")
    return shape(values)
