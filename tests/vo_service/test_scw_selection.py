"""Choosing science windows from the ScW index of a real demo database, on both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from astropy.coordinates import SkyCoord

from instruments.archive.base import ChunkInfo
from tests.conftest import create_pg_database
from vo_service.config import Config
from vo_service.demo.load import load_demo
from vo_service.demo.revolutions import revolution_start
from vo_service.errors import UsageError
from vo_service.scw_selection import ScwRequest, select_scws

CRAB = SkyCoord(83.633, 22.0145, unit="deg")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    tmp_path = tmp_path_factory.mktemp("scw")
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    else:
        url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    engine = sa.create_engine(url)
    try:
        load_demo(
            engine,
            sources=200,
            revolutions=(664, 665, 666),
            config=Config(data_dir=tmp_path, database_url=url),
        )
        yield engine
    finally:
        engine.dispose()
        drop()


def _crab(**changes: object) -> ScwRequest:
    values: dict[str, object] = {
        "instrument": "isgri",
        "ra": CRAB.ra.deg,
        "dec": CRAB.dec.deg,
        "t_start": float(revolution_start(665)),
        "t_stop": float(revolution_start(666)),
        "radius": 5.0,
    }
    return ScwRequest(**{**values, **changes})  # type: ignore[arg-type]


def _distances(chunks: list[ChunkInfo]) -> list[float]:
    return [float(CRAB.separation(SkyCoord(c.ra, c.dec, unit="deg")).deg) for c in chunks]


def test_pointings_near_the_target_in_the_time_range(engine: sa.Engine) -> None:
    chunks = select_scws(engine, _crab())
    assert chunks, "revolution 665 observes the Crab"
    assert max(_distances(chunks)) <= 5.0
    assert all(c.t_stop >= revolution_start(665) and c.t_start <= revolution_start(666) for c in chunks)
    assert [c.t_start for c in chunks] == sorted(c.t_start for c in chunks)
    assert all(c.chunk_id[:4] in {"0664", "0665", "0666"} and c.exposure > 0 for c in chunks)


def test_max_pointings_keeps_the_nearest(engine: sa.Engine) -> None:
    every = select_scws(engine, _crab())
    nearest = select_scws(engine, _crab(max_pointings=3))
    assert len(nearest) == min(3, len(every))
    assert max(_distances(nearest)) <= sorted(_distances(every))[len(nearest) - 1] + 1e-9


def test_an_explicit_list_with_or_without_version(engine: sa.Engine) -> None:
    some = select_scws(engine, _crab(max_pointings=2))
    ids = [some[0].chunk_id.split(".")[0], some[1].chunk_id]
    chosen = select_scws(engine, ScwRequest("isgri", scw_list=ids))
    assert [c.chunk_id for c in chosen] == [c.chunk_id for c in sorted(some, key=lambda c: c.t_start)]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (ScwRequest("isgri", scw_list=["0665"]), "scw_list: '0665' is not a ScW id"),
        (ScwRequest("isgri", scw_list=["999900010010"]), "scw_list: 999900010010 is not an ISGRI pointing"),
        (ScwRequest("isgri"), "give RA and DEC"),
        (ScwRequest("spi", ra=1.0, dec=1.0), "instrument must be one of"),
    ],
)
def test_refusals_name_the_parameter(engine: sa.Engine, request_: ScwRequest, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        select_scws(engine, request_)


def test_an_empty_sky_region_selects_nothing(engine: sa.Engine) -> None:
    assert select_scws(engine, _crab(ra=0.0, dec=-89.0, radius=1.0)) == []
