"""The shapes that stand for an SIA RANGE (a box in longitude and latitude) in ADQL, which has no such shape.

Its sides of constant longitude are great circles, its sides of constant latitude are not (except the
equator), so the box becomes polygons, *cells* split at the equator, whose latitude sides are followed by
vertices close enough that a chord strays at most :data:`TOLERANCE` from its parallel (the step depends on the
latitude: a parallel is straightest near the equator and the poles).  A chord bulges towards the pole: on a
cell's poleward side that is outside the box, on its equatorward side the vertices are moved towards the
equator by the bulge, so that every cell holds its part of the box and at most :data:`TOLERANCE` more.  A
footprint touching the box is never missed.  A side at a pole is that pole, a single vertex.  A cell has at
most :data:`SIDE_STEPS` steps per side, 60 vertices: SQLite passes the coordinates of a polygon to a function
as its arguments and takes 127 at most; its width stays within 90 degrees, so every polygon lies well inside a
hemisphere as both engines' polygons must.

Polygons are costly per row on both engines (Python on SQLite, pgSphere's polygon overlap on PostgreSQL), so
:func:`range_bounds` gives circles that every footprint meeting the box meets, to be tested first: one circle
around a box that fits in a hemisphere (PostgreSQL then searches its index with it), else the caps beyond the
latitude sides (they rule out most of the sky for a band of latitude).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Final

from tap.adql.sphere import distance
from vo_service.sia.shapes import Circle, Polygon, Range

__all__ = ["SIDE_STEPS", "TOLERANCE", "range_bounds", "range_cells"]

#: How far (degrees) a cell may reach beyond its part of the box: 1 arcsec.
TOLERANCE: Final = 1.0 / 3600.0
#: Steps along each latitude side of one cell.
SIDE_STEPS: Final = 29
_MAX_WIDTH: Final = 90.0
#: Added to the radius of the bounding circles (degrees): more than the cells' tolerance and any rounding.
_MARGIN: Final = 0.01

Vertex = tuple[float, float]


def _step(lat: float) -> float:
    """The longest longitude step (degrees) along the parallel at ``lat`` whose chords bulge at most
    :data:`TOLERANCE` (the bulge is sin(2 lat) step^2 / 16 in radians, for small steps)."""
    bend = abs(math.sin(math.radians(2.0 * lat)))
    if bend < 1e-9:
        return _MAX_WIDTH  # the equator is a great circle, a pole a point
    return min(_MAX_WIDTH, 0.99 * math.degrees(4.0 * math.sqrt(math.radians(TOLERANCE) / bend)))


def _side(lat: float, start: float, stop: float, *, equatorward: bool) -> list[Vertex]:
    """Vertices from ``start`` to ``stop`` (either direction) along the parallel at ``lat``; on an equatorward
    side moved towards the equator so that the chords run outside the parallel, touching it."""
    if abs(lat) == 90.0:
        return [(start, lat)]
    steps = min(SIDE_STEPS, max(1, math.ceil(abs(stop - start) / _step(lat) - 1e-9)))
    if equatorward and lat != 0.0:
        half = math.radians(abs(stop - start) / steps / 2.0)
        lat = math.degrees(math.atan(math.tan(math.radians(lat)) * math.cos(half)))
    return [(start + (stop - start) * i / steps, lat) for i in range(steps + 1)]


def _cells(box: Range, south: float, north: float) -> list[Polygon]:
    """The cells of a latitude band of the box lying in one hemisphere."""
    northern = south >= 0.0
    width = min(_MAX_WIDTH, SIDE_STEPS * min(_step(south), _step(north)))
    pieces = math.ceil((box.lon_max - box.lon_min) / width - 1e-9)
    span = (box.lon_max - box.lon_min) / pieces
    edges = [box.lon_min + i * span for i in range(pieces)] + [box.lon_max]
    return [
        Polygon(
            (
                *_side(south, west, east, equatorward=northern),
                *_side(north, east, west, equatorward=not northern),
            )
        )
        for west, east in pairwise(edges)
    ]


def range_cells(box: Range) -> list[Polygon]:
    """Polygons covering the box, each within :data:`TOLERANCE` of it (see the module docstring), in DALI's
    vertex order; none for the whole sky."""
    if box.whole_sky:
        return []
    lats = [box.lat_min, box.lat_max]
    if box.lat_min < 0.0 < box.lat_max:
        lats.insert(1, 0.0)
    return [cell for south, north in pairwise(lats) for cell in _cells(box, south, north)]


def _bounding_circle(box: Range) -> Circle:
    """A circle around the box, centred on its middle: the farthest of points along its sides, plus a margin.

    Along a parallel the distance from the centre grows towards the corners; along a meridian it is sampled
    every degree (the margin covers what lies between samples).
    """
    lon = (box.lon_min + box.lon_max) / 2.0
    lat = (box.lat_min + box.lat_max) / 2.0
    samples = max(2, math.ceil(box.lat_max - box.lat_min))
    lats = [box.lat_min + (box.lat_max - box.lat_min) * i / samples for i in range(samples + 1)]
    reach = max(distance(lon, lat, side, b) for side in (box.lon_min, box.lon_max) for b in lats)
    return Circle(lon, lat, min(180.0, reach + _MARGIN))


def range_bounds(box: Range) -> list[Circle]:
    """Circles every region meeting the box meets (see the module docstring); none for the whole sky."""
    if box.whole_sky:
        return []
    circle = _bounding_circle(box)
    if circle.radius < 90.0:
        return [circle]
    caps = []
    if box.lat_min > -90.0:
        caps.append(Circle(0.0, 90.0, min(180.0, 90.0 - box.lat_min + _MARGIN)))
    if box.lat_max < 90.0:
        caps.append(Circle(0.0, -90.0, min(180.0, 90.0 + box.lat_max + _MARGIN)))
    return caps
