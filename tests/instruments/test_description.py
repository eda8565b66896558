"""Product descriptions refuse what ObsCore would not take; a circle footprint lies on its circle."""

from __future__ import annotations

import pytest

from instruments.archive.base import angular_distance
from instruments.description import ProductDescription, circle_footprint


def _described(**changes: object) -> ProductDescription:
    values: dict[str, object] = {
        "facility": "INTEGRAL",
        "instrument": "ISGRI",
        "dataproduct_type": "image",
        "calib_level": 3,
        "title": "a mosaic",
        "s_ra": 83.6,
        "s_dec": 22.0,
        "footprint": ((83.0, 21.0), (84.0, 21.0), (84.0, 23.0)),
        "s_fov": 2.0,
        "t_min": 54549.8,
        "t_max": 54550.0,
        "exposure": 2000.0,
        "energy_min": 20.0,
        "energy_max": 40.0,
        "data_version": "CONS",
        **changes,
    }
    return ProductDescription(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"dataproduct_type": "Image"}, "dataproduct_type"),
        ({"calib_level": 5}, "calib_level"),
        ({"footprint": ((1.0, 2.0), (3.0, 4.0))}, "three vertices"),
        ({"t_max": 54549.0}, "out of order"),
        ({"energy_max": 20.0}, "out of order"),
    ],
)
def test_what_obscore_would_not_take_is_refused(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        _described(**changes)
    assert _described().calib_level == 3


@pytest.mark.parametrize(("ra", "dec"), [(83.63, 22.01), (359.9, -89.0), (0.05, 60.0)])
def test_circle_footprint_vertices_lie_on_the_circle(ra: float, dec: float) -> None:
    vertices = circle_footprint(ra, dec, 0.2, vertices=16)
    assert len(vertices) == 16
    for lon, lat in vertices:
        assert 0.0 <= lon < 360.0
        assert angular_distance(ra, dec, lon, lat) == pytest.approx(0.2, rel=1e-9)
