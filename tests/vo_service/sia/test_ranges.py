"""The shapes standing for a RANGE: cells that cover the box and reach at most an arcsecond beyond it, valid
polygons SQLite can take; circles around it that no region meeting it can miss."""

from __future__ import annotations

import itertools
import math

import pytest

from tap.adql.sphere import distance
from tap.adql.sphere_shapes import Polygon as SpherePolygon
from tap.adql.sphere_vectors import vector
from vo_service.sia.ranges import TOLERANCE, range_bounds, range_cells
from vo_service.sia.shapes import Circle, Range

BOXES = [
    Range(12.0, 12.5, 34.0, 36.0),
    Range(0.0, 360.0, -2.0, 2.0),
    Range(0.0, 360.0, 89.0, 90.0),
    Range(100.0, 170.0, -90.0, -30.0),
    Range(200.0, 260.0, -60.0, 75.0),
    Range(10.0, 100.0, -90.0, 90.0),
    Range(0.0, 180.0, 10.0, 20.0),
]


def _grid(box: Range, inset: float = 0.0, n: int = 40) -> list[tuple[float, float]]:
    lons = [box.lon_min + inset + (box.lon_max - box.lon_min - 2 * inset) * i / n for i in range(n + 1)]
    lats = [box.lat_min + inset + (box.lat_max - box.lat_min - 2 * inset) * i / n for i in range(n + 1)]
    return list(itertools.product(lons, lats))


def _around(box: Range, margin: float) -> list[tuple[float, float]]:
    """Points ``margin`` outside each side (longitude sides only where the box does not go round)."""
    lons = [box.lon_min + (box.lon_max - box.lon_min) * i / 40 for i in range(41)]
    lats = [box.lat_min + (box.lat_max - box.lat_min) * i / 40 for i in range(41)]
    points = [
        (lon, lat) for lon in lons for lat in (box.lat_min - margin, box.lat_max + margin) if abs(lat) < 90
    ]
    if box.lon_max - box.lon_min < 360.0:
        offset = margin / max(math.cos(math.radians(lat)) for lat in lats[1:-1])
        points += [
            (lon % 360.0, lat) for lat in lats[1:-1] for lon in (box.lon_min - offset, box.lon_max + offset)
        ]
    return points


@pytest.mark.parametrize("box", BOXES)
def test_cells_cover_the_box_and_little_else(box: Range) -> None:
    cells = range_cells(box)
    assert all(len(cell.vertices) <= 60 for cell in cells)  # SQLite takes 127 function arguments
    polygons = [SpherePolygon(cell.vertices) for cell in cells]  # valid spherical polygons

    def covered(lon: float, lat: float) -> bool:
        return any(p.contains_vec(vector(lon, lat)) for p in polygons)

    assert all(covered(lon, lat) for lon, lat in _grid(box))  # sides and corners included
    assert not any(covered(lon, lat) for lon, lat in _around(box, 3 * TOLERANCE))


@pytest.mark.parametrize("box", BOXES)
def test_bounds_hold_the_box(box: Range) -> None:
    for circle in range_bounds(box):  # none for a lune from pole to pole
        assert all(distance(circle.lon, circle.lat, lon, lat) <= circle.radius for lon, lat in _grid(box))


def test_a_small_box_is_bounded_by_one_circle_a_band_by_caps() -> None:
    (circle,) = range_bounds(Range(80.0, 90.0, 20.0, 25.0))
    assert circle.radius < 6.0
    assert range_bounds(Range(0.0, 360.0, -2.0, 2.0)) == [
        Circle(0.0, 90.0, pytest.approx(92.01)),
        Circle(0.0, -90.0, pytest.approx(92.01)),
    ]


def test_whole_sky_has_no_shape() -> None:
    whole = Range(0.0, 360.0, -90.0, 90.0)
    assert range_cells(whole) == [] and range_bounds(whole) == []
