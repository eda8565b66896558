"""POS values: the three shapes and their checks."""

from __future__ import annotations

import pytest

from vo_service.errors import UsageError
from vo_service.sia.shapes import Circle, Polygon, Range, parse_pos


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
