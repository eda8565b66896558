"""load_demo against real databases: a temporary SQLite file and, when reachable, PostgreSQL with pgSphere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import create_pg_database
from vo_service import db
from vo_service.config import Config
from vo_service.demo.load import load_demo
from vo_service.demo.products import PRODUCTS
from vo_service.demo.reference import REFERENCE_SOURCES

REVOLUTIONS = (40, 665, 1557)
SOURCES = 1_500


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[sa.Engine, Config]]:
    """One demo load per engine for the whole module (the tests below only add product rows)."""
    tmp_path = tmp_path_factory.mktemp("demo")
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    else:
        url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    config = Config(data_dir=tmp_path, database_url=url, base_url="https://mmvo.test/", authority="mmvo.test")
    engine = sa.create_engine(url)
    try:
        load_demo(engine, sources=SOURCES, revolutions=REVOLUTIONS, config=config, chunk_size=500)
        yield engine, config
    finally:
        engine.dispose()
        drop()


def _name(engine: sa.Engine, qualified: str) -> str:
    schema, _, table = qualified.partition(".")
    return f'"{qualified}"' if engine.dialect.name == "sqlite" else f'"{schema}"."{table}"'


def _query(engine: sa.Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def test_row_counts_and_values(demo_engine: tuple[sa.Engine, Config]) -> None:
    engine, _ = demo_engine
    count = {
        t: _query(engine, f"select count(*) from {_name(engine, t)}")[0][0]
        for t in (
            "mmvo.sources",
            "integral.revolutions",
            "integral.scw",
            "integral.instruments",
            "ivoa.obsplan",
            "ivoa.obscore",
            "mmvo.products",
        )
    }
    pointings = _query(
        engine, f"select count(*) from {_name(engine, 'integral.scw')} where scw_type = 'POINTING'"
    )
    assert count["mmvo.sources"] == SOURCES
    assert count["integral.revolutions"] == 2886 and count["integral.instruments"] == 4
    assert 300 < count["integral.scw"] < 800
    assert count["ivoa.obsplan"] == 4 * pointings[0][0]
    assert count["ivoa.obscore"] == count["mmvo.products"]
    (crab,) = _query(
        engine, f"select ra, dec, class, simulated from {_name(engine, 'mmvo.sources')} where name = 'Crab'"
    )
    assert (crab[0], crab[1], crab[2], bool(crab[3])) == (83.6331, 22.0145, "SNRemnant", False)
    (scw,) = _query(
        engine,
        f"select target, revolution from {_name(engine, 'integral.scw')} where scw_id = '066500220010.001'",
    )
    assert tuple(scw) == ("Crab", 665)
    (rev,) = _query(
        engine, f"select t_start from {_name(engine, 'integral.revolutions')} where revolution = 1559"
    )
    assert rev[0] == pytest.approx(57203.9167, abs=30 / 1440)


def test_obsplan_rows(demo_engine: tuple[sa.Engine, Config]) -> None:
    engine, _ = demo_engine
    rows = _query(
        engine,
        f"select instrument_name, s_fov, execution_status, category, priority, t_exptime, "
        f"t_plan_exptime, s_region from {_name(engine, 'ivoa.obsplan')} "
        "where scw_id = '066500220010.001' order by instrument_name",
    )
    assert [r[0] for r in rows] == ["ISGRI", "JEM-X1", "JEM-X2", "SPI"]
    assert [r[1] for r in rows] == [29.0, 13.2, 13.2, 30.0]
    assert {(r[2], r[3], r[4]) for r in rows} == {("Performed", "Fixed", 1)}
    assert all(r[5] <= r[6] for r in rows)
    assert all(r[7] is not None for r in rows)


def test_obscore_view_of_a_product(demo_engine: tuple[sa.Engine, Config]) -> None:
    engine, _ = demo_engine
    db.insert_chunks(
        engine,
        PRODUCTS,
        [
            {
                "product_id": ["job1-img"],
                "job_id": ["job1"],
                "facility": ["INTEGRAL"],
                "instrument": ["ISGRI"],
                "product_type": ["image"],
                "calib_level": [3],
                "file_format": ["application/fits"],
                "created": ["2025-01-01T00:00:00"],
                "file_size": [4097],
                "energy_min": [20.0],
                "energy_max": [40.0],
                "s_ra": [83.6],
                "s_dec": [22.0],
                "s_region": ["80 18 88 18 88 26 80 26"],
                "_path": ["jobs/job1/img.fits"],
            }
        ],
    )
    (row,) = _query(
        engine,
        "select obs_publisher_did, access_url, access_format, access_estsize, em_min, em_max, "
        f"obs_id, obs_collection, calib_level from {_name(engine, 'ivoa.obscore')}",
    )
    assert row[0] == "ivo://mmvo.test/mmvo?job1-img"
    assert row[1] == "https://mmvo.test/datalink/links?ID=ivo%3A%2F%2Fmmvo.test%2Fmmvo%3Fjob1-img"
    assert row[2] == "application/x-votable+xml;content=datalink"
    assert row[3] == 5
    assert row[4] == pytest.approx(1.239842e-9 / 40.0) and row[5] == pytest.approx(1.239842e-9 / 20.0)
    assert tuple(row[6:]) == ("job1", "INTEGRAL/ISGRI", 3)


def test_a_second_load_changes_nothing(
    demo_engine: tuple[sa.Engine, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, config = demo_engine
    calls: list[str] = []
    monkeypatch.setattr(db, "create_table", lambda _engine, table: calls.append(table.qualified_name))
    load_demo(engine, sources=SOURCES, revolutions=REVOLUTIONS, config=config, chunk_size=500)
    assert calls == []
    catalog = db.load_catalog(engine)
    published = {t.qualified_name for t in catalog.tables()}
    assert {"mmvo.sources", "integral.scw", "ivoa.obsplan", "ivoa.obscore"} <= published
    products = catalog.table("mmvo", "products")
    assert products is not None and products.column("_path") is None


def test_refuses_too_few_sources(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with pytest.raises(ValueError, match="at least"):
            load_demo(engine, sources=len(REFERENCE_SOURCES) - 1, config=Config(data_dir=tmp_path))
        with pytest.raises(ValueError, match="revolutions outside"):
            load_demo(engine, sources=100, revolutions=[0, 5], config=Config(data_dir=tmp_path))
    finally:
        engine.dispose()
