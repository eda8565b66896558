"""POS values: the three shapes, their checks, and the polygons a RANGE becomes (covering the range, and
nothing more than an arcsecond beyond it)."""

from __future__ import annotations

import itertools

import pytest

from tap.adql.sphere_shapes import Polygon as SpherePolygon
from tap.adql.sphere_vectors import vector
from vo_service.errors import UsageError
from vo_service.sia.shapes import Circle, Polygon, Range, parse_pos

ARCSEC = 1.0 / 3600.0


def test_circle_and_polygon() -> None:
    assert parse_pos("CIRCLE 12.0 34.0 0.5") == Circle(12.0, 34.0, 0.5)
    assert parse_pos("circle 0 -90 180") == Circle(0.0, -90.0, 180.0)
    assert parse_pos("POLYGON 12.0 34.0 14.0 35.0 14. 36.0 12.0 35.0") == Polygon(
        ((12.0, 34.0), (14.0, 35.0), (14.0, 36.0), (12.0, 35.0))
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("RANGE 12.0 12.5 34.0 36.0", Range(12.0, 12.5, 34.0, 36.0)),
        ("RANGE 0 360.0 89.0 +Inf", Range(0.0, 360.0, 89.0, 90.0)),
        ("RANGE -Inf +Inf -Inf +Inf", Range(0.0, 360.0, -90.0, 90.0)),
        ("RANGE -inf 10 -5 inf", Range(0.0, 10.0, -5.0, 90.0)),
    ],
)
def test_ranges_with_open_ends_reach_the_axis_ends(value: str, expected: Range) -> None:
    assert parse_pos(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("BOX 1 2 3 4", "unknown shape"),
        ("CIRCLE 1 2", "3 numbers"),
        ("CIRCLE 361 0 1", "longitude"),
        ("CIRCLE 0 91 1", "latitude"),
        ("CIRCLE 0 0 0", "radius"),
        ("CIRCLE 0 0 181", "radius"),
        ("CIRCLE 0 0 +Inf", "finite"),
        ("RANGE 1 2 3", "4 numbers"),
        ("RANGE 350 10 0 1", "across 0"),
        ("RANGE 0 10 5 -5", "must increase"),
        ("RANGE 0 10 5 5", "equal"),
        ("RANGE 0 400 0 1", r"\[0, 360\]"),
        ("RANGE 0 10 -100 1", r"\[-90, 90\]"),
        ("POLYGON 0 0 1 1", "at least 3"),
        ("POLYGON 0 0 1 1 2", "pairs"),
        ("POLYGON 0 0 10 0 20 0", "POLYGON"),  # on one great circle
        ("POLYGON 0 0 10 10 10 0 0 10", "POLYGON"),  # self-crossing
        ("POLYGON 0 0 120 0 240 0", "POLYGON"),  # not within a hemisphere
    ],
)
def test_bad_shapes_are_refused_naming_pos(value: str, reason: str) -> None:
    with pytest.raises(UsageError, match=f"^parameter POS.*{reason}"):
        parse_pos(value)


def _covered(polygons: list[SpherePolygon], lon: float, lat: float) -> bool:
    return any(p.contains_vec(vector(lon, lat)) for p in polygons)


@pytest.mark.parametrize(
    "box",
    [
        Range(12.0, 12.5, 34.0, 36.0),
        Range(0.0, 360.0, -2.0, 2.0),
        Range(0.0, 360.0, 89.0, 90.0),
        Range(100.0, 170.0, -90.0, -30.0),
        Range(200.0, 260.0, -60.0, 75.0),
        Range(10.0, 100.0, -90.0, 90.0),
    ],
)
def test_range_polygons_cover_the_range_and_little_else(box: Range) -> None:
    cells = box.polygons()
    assert all(len(cell.vertices) <= 62 for cell in cells)  # SQLite takes 127 function arguments
    polygons = [SpherePolygon(cell.vertices) for cell in cells]  # valid spherical polygons
    margin = 2 * ARCSEC  # the tolerance of the latitude sides, doubled
    lons = [box.lon_min + margin + (box.lon_max - box.lon_min - 2 * margin) * i / 40 for i in range(41)]
    lats = [box.lat_min + margin + (box.lat_max - box.lat_min - 2 * margin) * i / 40 for i in range(41)]
    inside = list(itertools.product(lons, lats))
    assert all(_covered(polygons, lon, lat) for lon, lat in inside)
    outside = [
        *(
            (lon, lat)
            for lon in lons
            for lat in (box.lat_min - margin, box.lat_max + margin)
            if abs(lat) <= 90
        ),
        *((lon, lat) for lat in lats[1:-1] for lon in (box.lon_min - margin, box.lon_max + margin)),
    ]
    outside = [
        (lon % 360.0, lat) for lon, lat in outside if not (box.lon_min == 0.0 and box.lon_max == 360.0)
    ]
    assert not any(_covered(polygons, lon, lat) for lon, lat in outside)


def test_whole_sky_range_is_no_polygon() -> None:
    assert Range(0.0, 360.0, -90.0, 90.0).polygons() == []
