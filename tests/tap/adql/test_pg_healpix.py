"""``ivo_healpix_index`` on PostgreSQL (:mod:`tap.adql.pg_healpix`) agrees with cdshealpix, which SQLite uses.

pgSphere's own ``healpix_nest`` puts the north pole of order 3 at 180 degrees in an equatorial base cell; the
service's PL/pgSQL function is checked here against cdshealpix on random positions at every order, at the
poles, across the RA 0/360 seam and on round coordinates, and through translated ADQL on both engines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import pytest
from astropy import units as u
from astropy.coordinates import Latitude, Longitude
from cdshealpix.nested import lonlat_to_healpix
from numpy.typing import ArrayLike, NDArray

from tap.adql import pg_setup
from tests.tap.adql.engines import Engine, star_rows

MAX_ORDER = 29


@pytest.fixture
def pg(pg_conn: Any) -> Any:
    pg_setup.install(pg_conn)
    return pg_conn


def expected(order: int, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
    lon_deg = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat_deg = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    return np.asarray(lonlat_to_healpix(Longitude(lon_deg, u.deg), Latitude(lat_deg, u.deg), order), np.int64)


def computed(pg: Any, order: int, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
    rows = pg.execute(
        "SELECT mmvo_healpix_index(%s, x, y) FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS q(x, y, i) "
        "ORDER BY i",
        (order, np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist()),
    ).fetchall()
    return np.asarray([r[0] for r in rows], dtype=np.int64)


def assert_agree(pg: Any, lon: ArrayLike, lat: ArrayLike) -> None:
    for order in range(MAX_ORDER + 1):
        got, want = computed(pg, order, lon, lat), expected(order, lon, lat)
        wrong = np.flatnonzero(got != want)
        assert not wrong.size, [
            (order, np.atleast_1d(lon)[i], np.atleast_1d(lat)[i], got[i], want[i]) for i in wrong[:5]
        ]


def test_random_positions(pg: Any) -> None:
    rng = np.random.default_rng(20260110)
    lon = rng.uniform(0.0, 360.0, 4000)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 4000)))
    near_poles = 90.0 - rng.uniform(0.0, 1e-3, 500) ** 2
    assert_agree(
        pg, np.concatenate([lon, lon[:500], lon[:500]]), np.concatenate([lat, near_poles, -near_poles])
    )


def test_poles_seam_and_round_coordinates(pg: Any) -> None:
    poles = [(lon, lat) for lon in (0.0, 45.0, 90.0, 180.0, 270.0, 359.9) for lat in (90.0, -90.0)]
    seam = [
        (lon, lat)
        for lon in (0.0, 360.0, 720.0, -360.0, 359.999999999, -1e-9, 1e-9)
        for lat in (0.0, 30.5, -66.0)
    ]
    lons, lats = np.meshgrid(
        np.arange(0.0, 361.0, 15.0), [0, 10, -10, 45, -45, 60, -60, 75, -75, 89.5, -89.5]
    )
    points = [*poles, *seam, *zip(lons.ravel().tolist(), lats.ravel().tolist(), strict=True)]
    assert_agree(pg, [p[0] for p in points], [p[1] for p in points])
    assert computed(pg, 3, 180.0, 90.0).tolist() == [191]  # pgSphere's healpix_nest says 320
    assert computed(pg, 0, 0.0, 90.0).tolist() == [0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((30, 0, 0), "order 30 is not an integer from 0 to 29"),
        ((2.5, 0, 0), "order 2.5 is not an integer from 0 to 29"),
        ((-1, 0, 0), "order -1 is not an integer"),
        ((3, 0, 91), r"\(0, 91\) is not a position"),
        ((3, float("inf"), 0), r"\(Infinity, 0\) is not a position"),
    ],
)
def test_invalid_arguments_are_errors(pg: Any, args: tuple[float, float, float], message: str) -> None:
    with pytest.raises(psycopg.errors.RaiseException, match=f"ivo_healpix_index: {message}"):
        pg.execute("SELECT mmvo_healpix_index(%s, %s, %s)", args)


def test_translated_udf_agrees_on_both_engines(engine: Engine) -> None:
    stars = [r for r in star_rows() if r[1] is not None]
    for order in (0, 3, 12, 29):
        rows = engine.rows(
            f"SELECT ivo_healpix_index({order}, ra, dec) FROM stars WHERE ra IS NOT NULL ORDER BY id"
        )
        assert [r[0] for r in rows] == expected(order, [s[1] for s in stars], [s[2] for s in stars]).tolist()
    assert engine.rows(
        "SELECT ivo_healpix_index(3, 180, 90), ivo_healpix_index(0, 0, -90) FROM stars WHERE id = 1"
    ) == [(191, 8)]
