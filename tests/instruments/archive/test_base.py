"""Value types of the archive interface."""

from __future__ import annotations

import pytest

from instruments.archive.base import Cone, TimeRange, angular_distance


def test_time_range_and_cone_check_their_bounds() -> None:
    assert TimeRange(1.0, 2.0).overlaps(1.5, 3.0)
    assert not TimeRange(1.0, 2.0).overlaps(2.5, 3.0)
    with pytest.raises(ValueError):
        TimeRange(2.0, 1.0)
    with pytest.raises(ValueError):
        Cone(0.0, 0.0, -1.0)


def test_angular_distance() -> None:
    assert angular_distance(10.0, 0.0, 11.0, 0.0) == pytest.approx(1.0)
    assert angular_distance(0.0, 89.0, 180.0, 89.0) == pytest.approx(2.0)
    assert angular_distance(5.0, 5.0, 5.0, 5.0) == 0.0
