"""The product store on a real SQLite file and a real PostgreSQL database: files and manifests kept under the
store's root, rows of ``mmvo.products`` replaced by product id, and lookups that refuse what is not a product."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tap.schema import Dialect
from tests.vo_service.products.test_records import FINISHED, JOB, MOSAIC_FOOTPRINT, run_records
from vo_service.db.ddl import create_table, sa_table
from vo_service.demo.products import PRODUCTS
from vo_service.products.records import ProductRecord
from vo_service.products.store import MANIFEST, ProductStore


def _with_products_table(url: str) -> Iterator[sa.Engine]:
    """An engine on ``url`` whose database has an empty ``mmvo.products``."""
    engine = sa.create_engine(url)
    try:
        create_table(engine, PRODUCTS)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[sa.Engine]:
    """A fresh SQLite file or a fresh PostgreSQL database."""
    postgresql = request.param == "postgresql"
    yield from _with_products_table(
        request.getfixturevalue("pg_database") if postgresql else f"sqlite:///{sqlite_path}"
    )


@pytest.fixture
def sqlite_engine(sqlite_path: Path) -> Iterator[sa.Engine]:
    """For what does not depend on the database: a fresh SQLite file."""
    yield from _with_products_table(f"sqlite:///{sqlite_path}")


def _dialect(engine: sa.Engine) -> Dialect:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def _rows(engine: sa.Engine) -> list[dict[str, object]]:
    table = sa_table(PRODUCTS, _dialect(engine))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table).order_by(table.c.product_id)).mappings()]


def _created(value: object) -> dt.datetime:
    """A stored timestamp (SQLite: ISO text; PostgreSQL: a datetime), both zone-less UTC."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value


@pytest.fixture
def records(tmp_path: Path) -> list[ProductRecord]:
    return run_records(tmp_path / "job")


def test_register_keeps_files_manifest_and_row(
    engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    root = tmp_path / "products"
    ProductStore(engine, root).register(records)
    for record in records:
        directory = root / record.product_id
        assert sorted(p.name for p in directory.iterdir()) == sorted(
            [MANIFEST, *(n for n, _ in record.files)]
        )
        for name, source in record.files:
            assert (directory / name).read_bytes() == source.read_bytes()
        assert json.loads((directory / MANIFEST).read_text()) == record.manifest
    # The job's files may go: the store's stay.
    for record in records:
        for _, source in record.files:
            source.unlink()
    assert (root / f"{JOB}-image" / "isgri_mosaic.fits").stat().st_size == records[0].row["file_size"]

    rows = {r["product_id"]: r for r in _rows(engine)}
    assert sorted(rows) == sorted(r.product_id for r in records)
    image = rows[f"{JOB}-image"]
    expected = records[0].row
    for name in (
        "job_id",
        "facility",
        "instrument",
        "product_type",
        "product_subtype",
        "target_name",
        "calib_level",
        "data_version",
        "file_format",
        "file_size",
        "checksum",
        "owner",
        "title",
        "_path",
        "s_xel1",
        "s_xel2",
        "em_xel",
    ):
        assert image[name] == expected[name], name
    for name in ("s_ra", "s_dec", "s_fov", "t_min", "t_max", "exposure", "energy_min", "energy_max"):
        assert image[name] == pytest.approx(expected[name]), name
    assert image["target_class"] is None and image["t_xel"] is None
    assert _created(image["created"]) == FINISHED.replace(tzinfo=None)
    assert rows[f"{JOB}-catalog"]["calib_level"] == 4


def _vertices(stored: object, dialect: str) -> list[tuple[float, float]]:
    """The vertices of a stored polygon in degrees (SQLite: DALI text; PostgreSQL: pgSphere's output, radians)."""
    numbers = [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", str(stored))]
    if dialect == "postgresql":
        numbers = [math.degrees(x) for x in numbers]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_the_footprint_is_stored_as_a_polygon(
    engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    ProductStore(engine, tmp_path / "products").register(records)
    (stored,) = [r["s_region"] for r in _rows(engine) if r["product_id"] == f"{JOB}-image"]
    vertices = _vertices(stored, engine.dialect.name)
    assert len(vertices) == len(MOSAIC_FOOTPRINT)
    for (ra, dec), (ra0, dec0) in zip(vertices, MOSAIC_FOOTPRINT, strict=True):
        assert ra == pytest.approx(ra0, abs=1e-9) and dec == pytest.approx(dec0, abs=1e-9)
    if engine.dialect.name == "postgresql":
        inside = sa.text(
            "SELECT spoint(radians(:ra), radians(:dec)) @ s_region FROM mmvo.products WHERE product_id = :p"
        )
        with engine.connect() as conn:
            assert conn.execute(inside, {"ra": 83.6, "dec": 22.0, "p": f"{JOB}-image"}).scalar_one()
            assert not conn.execute(inside, {"ra": 83.6, "dec": 52.0, "p": f"{JOB}-image"}).scalar_one()


def test_registering_again_replaces_the_rows(
    engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    store = ProductStore(engine, tmp_path / "products")
    store.register(records)
    store.register(records)
    assert [r["product_id"] for r in _rows(engine)] == sorted(r.product_id for r in records)
    image = records[0]
    retitled = dataclasses.replace(image, row={**image.row, "title": "ISGRI mosaic, run again"})
    store.register([retitled])
    rows = _rows(engine)
    assert len(rows) == 2
    assert {r["product_id"]: r["title"] for r in rows} == {
        image.product_id: "ISGRI mosaic, run again",
        records[1].product_id: records[1].row["title"],
    }
    store.register([])  # nothing to do
    assert len(_rows(engine)) == 2


def test_manifest_of_unknown_or_impossible_ids_is_none(
    sqlite_engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    root = tmp_path / "store" / "products"
    store = ProductStore(sqlite_engine, root)
    store.register(records)
    assert store.manifest(records[0].product_id) == records[0].manifest
    # Manifests outside the products, or of hidden entries: each would be found were the id not refused.
    (tmp_path / "store" / MANIFEST).write_text(json.dumps(records[0].manifest))
    (root / ".hidden").mkdir()
    (root / ".hidden" / MANIFEST).write_text(json.dumps(records[0].manifest))
    for identifier in ("nothing-here", "../x", "..", ".hidden", f"{JOB}-image/..", "", "a b", "x" * 201):
        assert store.manifest(identifier) is None, identifier
    (root / "broken").mkdir()
    (root / "broken" / MANIFEST).write_text("{not json")
    assert store.manifest("broken") is None
    (root / "plain-file").write_text("{}")
    assert store.manifest("plain-file") is None


def test_file_gives_only_files_of_the_manifest(
    sqlite_engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    root = tmp_path / "products"
    store = ProductStore(sqlite_engine, root)
    store.register(records)
    pid = records[0].product_id
    for name, source in records[0].files:
        path = store.file(pid, name)
        assert path == root / pid / name and path.read_bytes() == source.read_bytes()
    (root / pid / "stray.txt").write_text("not listed")
    for name in (MANIFEST, "stray.txt", "../" + records[1].product_id + "/isgri_sources.fits", "run.log"):
        assert store.file(pid, name) is None, name
    assert store.file(records[1].product_id, "isgri_mosaic.fits") is None  # a file of another product
    assert store.file("nothing-here", "isgri_mosaic.fits") is None
    (root / pid / "isgri_mosaic.png").unlink()
    assert store.file(pid, "isgri_mosaic.png") is None  # listed but gone


def test_product_ids(sqlite_engine: sa.Engine, records: list[ProductRecord], tmp_path: Path) -> None:
    root = tmp_path / "products"
    store = ProductStore(sqlite_engine, root)
    assert list(store.product_ids()) == []  # no root yet
    store.register(records)
    (root / "half-made").mkdir()  # no manifest: not a product
    (root / "loose.txt").write_text("")
    assert sorted(store.product_ids()) == sorted(r.product_id for r in records)


def test_coverage_grows_with_each_registration_and_is_rebuilt_when_lost(
    sqlite_engine: sa.Engine, records: list[ProductRecord], tmp_path: Path
) -> None:
    from astropy import units as u
    from astropy.coordinates import Latitude, Longitude

    from vo_service.products.coverage import footprint_moc
    from vo_service.products.store import COVERAGE

    root = tmp_path / "products"
    store = ProductStore(sqlite_engine, root)
    assert store.coverage().empty()
    store.register(records[:1])
    first = store.coverage()
    assert first == footprint_moc(records[0].manifest["footprint"])
    # A product elsewhere on the sky: the coverage is the union of both.
    moved = dataclasses.replace(
        records[1],
        product_id="elsewhere-catalog",
        manifest={
            **records[1].manifest,
            "product_id": "elsewhere-catalog",
            "footprint": [[200.0, -30.0], [202.0, -30.0], [202.0, -28.0], [200.0, -28.0]],
        },
        row={**records[1].row, "product_id": "elsewhere-catalog"},
    )
    store.register([moved])
    both = store.coverage()
    assert bool(both.contains_lonlat(Longitude(201.0 * u.deg), Latitude(-29.0 * u.deg))[0])
    assert (first - both).empty() and not (both - first).empty()
    (root / COVERAGE).unlink()
    assert store.coverage() == both  # rebuilt from the manifests
    assert (root / COVERAGE).is_file()
