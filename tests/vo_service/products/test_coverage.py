"""Coverage MOCs: a product's covers its footprint and not the sky far from it, unions cover every part, and
the FITS and JSON serialisations read back (through mocpy) as the same MOC."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import pytest
from astropy.coordinates import Latitude, Longitude
from mocpy import MOC

from instruments.description import circle_footprint
from tests.vo_service.products.test_records import MOSAIC_FOOTPRINT
from vo_service.products.coverage import MOC_DEPTH, footprint_moc, moc_fits, moc_json, union

CRAB = (83.63308, 22.0145)
CYG_X1 = (299.59032, 35.20161)
#: A square across RA 0 (the edge a naive RA range gets wrong).
ACROSS_ZERO = ((359.0, -1.0), (1.0, -1.0), (1.0, 1.0), (359.0, 1.0))


def inside(moc: MOC, ra: float, dec: float) -> bool:
    return bool(moc.contains_lonlat(Longitude(ra * u.deg), Latitude(dec * u.deg))[0])


def from_fits(data: bytes, tmp_path: Path) -> MOC:
    path = tmp_path / "moc.fits"
    path.write_bytes(data)
    return MOC.load(path, format="fits")


@pytest.mark.parametrize(
    ("footprint", "centre"),
    [
        (circle_footprint(*CRAB, 0.056), CRAB),  # a JEM-X source region: 3.35 arcmin
        (circle_footprint(*CYG_X1, 2.0), CYG_X1),
        (MOSAIC_FOOTPRINT, CRAB),
        (ACROSS_ZERO, (0.0, 0.0)),
    ],
    ids=["jemx-source", "cyg-x1", "mosaic", "across-ra-0"],
)
def test_footprint_moc_covers_its_centre_and_not_ten_degrees_away(
    footprint: tuple[tuple[float, float], ...], centre: tuple[float, float]
) -> None:
    moc = footprint_moc(footprint)
    ra, dec = centre
    assert inside(moc, ra, dec)
    far_dec = max(v[1] for v in footprint) + 10.0
    assert not inside(moc, ra, far_dec)
    assert not inside(moc, (ra + 180.0) % 360.0, -dec)
    assert moc.max_order == MOC_DEPTH
    # Every vertex is covered (a cell is in when it overlaps the footprint).
    for vertex_ra, vertex_dec in footprint:
        assert inside(moc, vertex_ra, vertex_dec)


def test_vertex_order_does_not_matter() -> None:
    footprint = circle_footprint(*CRAB, 1.0)
    forward, backward = footprint_moc(footprint), footprint_moc(footprint[::-1])
    assert forward == backward
    assert forward.sky_fraction < 1e-3  # the circle, not the rest of the sky


def test_depth_can_be_chosen() -> None:
    coarse = footprint_moc(circle_footprint(*CRAB, 1.0), depth=6)
    assert coarse.max_order == 6
    assert (footprint_moc(circle_footprint(*CRAB, 1.0)) - coarse).empty()  # coarser cells cover more


def test_union_covers_every_part() -> None:
    crab, cyg = footprint_moc(circle_footprint(*CRAB, 1.0)), footprint_moc(circle_footprint(*CYG_X1, 1.0))
    both = union([crab, cyg])
    assert inside(both, *CRAB) and inside(both, *CYG_X1)
    assert not inside(both, 150.0, 0.0)
    assert (crab - both).empty() and (cyg - both).empty()
    assert both.sky_fraction == pytest.approx(crab.sky_fraction + cyg.sky_fraction)
    assert union([crab]) == crab
    assert union(iter([crab, cyg])) == both  # any iterable, read once


def test_union_of_nothing_is_the_empty_moc() -> None:
    empty = union([])
    assert empty.empty() and empty.max_order == MOC_DEPTH
    assert union([], depth=4).max_order == 4
    assert not inside(empty, *CRAB)


@pytest.mark.parametrize(
    "moc",
    [
        footprint_moc(MOSAIC_FOOTPRINT),
        union([footprint_moc(circle_footprint(*CRAB, 0.5)), footprint_moc(ACROSS_ZERO)]),
        union([]),
    ],
    ids=["mosaic", "union", "empty"],
)
def test_fits_and_json_read_back_as_the_same_moc(moc: MOC, tmp_path: Path) -> None:
    data = moc_fits(moc)
    assert data[:30] == b"SIMPLE  =                    T"
    loaded = from_fits(data, tmp_path)
    document = json.loads(moc_json(moc))
    assert all(key.isdigit() for key in document)  # cells by order
    assert loaded == MOC.from_json(document) == moc
