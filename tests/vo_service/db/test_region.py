"""An ``adql:REGION`` column (ObsCore's ``s_region``) on both engines: stored as a polygon, queried as a geometry,
returned as STC-S text.

The table goes through the real DDL and loader (``create_table``, ``insert_chunks``, ``build_indexes``), the
queries through the translator, so storage, translation and output are checked together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from tap.adql import translate
from tap.adql.sphere import Polygon, area, centroid
from tap.schema import REGION_XTYPE, Column, Dialect, StaticCatalog, Table
from vo_service.db import build_indexes, create_table, insert_chunks, prepare_database

FOOTPRINTS = Table(
    schema="demo",
    name="footprints",
    description="Footprints published as ADQL REGION.",
    columns=(
        Column("fid", "long", description="Identifier", nullable=False),
        Column("ra", "double", unit="deg", ucd="pos.eq.ra;meta.main", description="Centre"),
        Column("dec", "double", unit="deg", ucd="pos.eq.dec;meta.main", description="Centre"),
        Column(
            "s_region",
            "char",
            "*",
            xtype=REGION_XTYPE,
            ucd="pos.outline;obs.field",
            indexed=True,
            description="Footprint",
        ),
    ),
    position=("ra", "dec"),
)
CATALOG = StaticCatalog([FOOTPRINTS])

#: fid -> vertices (lon1, lat1, lon2, lat2, ...) in degrees, None for a NULL footprint.
VERTICES: dict[int, list[float] | None] = {
    1: [83.1, 21.5, 84.1, 21.5, 84.1, 22.5, 83.1, 22.5],  # around the Crab
    2: [359.5, -0.5, 0.5, -0.5, 0.5, 0.5, 359.5, 0.5],  # across RA 0
    3: [200.0, -40.0, 201.0, -40.0, 200.5, -39.0],
    4: None,
    5: [84.5, 22.0, 85.5, 22.0, 85.0, 23.0],  # within 1 degree of the Crab, not around it
}
CENTRES = {1: (83.6, 22.0), 2: (0.0, 0.0), 3: (200.5, -39.6), 4: (10.0, 10.0), 5: (85.0, 22.4)}


def _value(fid: int) -> Any:
    """The footprints as the loader takes them: DALI text, a list, a numpy array."""
    vertices = VERTICES[fid]
    if vertices is None or fid == 2:
        return vertices
    if fid == 1:
        return " ".join(str(v) for v in vertices)
    return np.asarray(vertices)


@pytest.fixture
def loaded(engine: sa.Engine) -> sa.Engine:
    prepare_database(engine)
    create_table(engine, FOOTPRINTS)
    ids = sorted(VERTICES)
    insert_chunks(engine, FOOTPRINTS, [{
        "fid": np.array(ids), "ra": [CENTRES[i][0] for i in ids], "dec": [CENTRES[i][1] for i in ids],
        "s_region": [_value(i) for i in ids],
    }])  # fmt: skip
    build_indexes(engine, FOOTPRINTS)
    return engine


def _dialect(engine: sa.Engine) -> Dialect:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def _execute(engine: sa.Engine, sql: str) -> list[tuple[Any, ...]]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        raw.close()


def _rows(engine: sa.Engine, adql: str) -> list[tuple[Any, ...]]:
    return _execute(engine, translate(adql, catalog=CATALOG, dialect=_dialect(engine)).sql)


def _ids(engine: sa.Engine, where: str) -> list[int]:
    return [row[0] for row in _rows(engine, f"SELECT fid FROM demo.footprints WHERE {where} ORDER BY fid")]


def _stcs_vertices(text: str) -> list[float]:
    shape, frame, *numbers = text.split()
    assert (shape, frame) == ("Polygon", "ICRS")
    return [float(n) for n in numbers]


def test_footprints_come_back_as_stcs(loaded: sa.Engine) -> None:
    rows = _rows(loaded, "SELECT fid, s_region FROM demo.footprints ORDER BY fid")
    assert [r[0] for r in rows] == sorted(VERTICES)
    for fid, text in rows:
        expected = VERTICES[fid]
        if expected is None:
            assert text is None
        else:
            assert isinstance(text, str) and text.startswith("Polygon ICRS ")
            assert _stcs_vertices(text) == pytest.approx(expected, abs=1e-11)
    (star,) = _rows(loaded, "SELECT * FROM demo.footprints WHERE fid = 1")
    assert _stcs_vertices(star[3]) == pytest.approx(VERTICES[1], abs=1e-11)


def test_region_as_geometry_in_predicates(loaded: sa.Engine) -> None:
    assert _ids(loaded, "CONTAINS(POINT('ICRS', 83.6, 22.0), s_region) = 1") == [1]
    assert _ids(loaded, "1 = CONTAINS(POINT(83.6, 22.0), s_region)") == [1]
    assert _ids(loaded, "INTERSECTS(CIRCLE('ICRS', 83.6, 22.0, 1), s_region) = 1") == [1, 5]
    assert _ids(loaded, "INTERSECTS(s_region, CIRCLE('ICRS', 83.6, 22.0, 1)) = 1") == [1, 5]
    assert _ids(loaded, "INTERSECTS(POINT('ICRS', 0.2, 0.1), s_region) = 1") == [2]
    assert _ids(loaded, "INTERSECTS(s_region, POLYGON('ICRS', 359, -1, 1, -1, 0, 1)) = 1") == [2]
    assert _ids(loaded, "CONTAINS(s_region, CIRCLE('ICRS', 200.5, -39.6, 5)) = 1") == [3]
    assert _ids(loaded, "CONTAINS(s_region, BOX('ICRS', 84, 22, 4, 4)) = 1") == [1, 5]
    assert _ids(loaded, "CONTAINS(POINT('ICRS', ra, dec), s_region) = 1") == [1, 2, 3, 5]
    assert _ids(loaded, "CONTAINS(POINT('ICRS', 83.6, 22.0), s_region) = 0") == [2, 3, 5]


def test_functions_of_a_region_give_dali_geometry(loaded: sa.Engine) -> None:
    translation = translate(
        "SELECT s_region, AREA(s_region) AS a, CENTROID(s_region) AS c, CAST(s_region AS POLYGON) AS p "
        "FROM demo.footprints ORDER BY fid",
        catalog=CATALOG,
        dialect=_dialect(loaded),
    )
    region, area_column, centroid_column, polygon_column = translation.columns
    assert region == FOOTPRINTS.columns[3]
    assert (area_column.datatype, area_column.xtype, area_column.unit) == ("double", None, "deg**2")
    assert (centroid_column.datatype, centroid_column.arraysize, centroid_column.xtype) == (
        "double",
        "2",
        "point",
    )
    assert (polygon_column.datatype, polygon_column.arraysize, polygon_column.xtype) == (
        "double",
        "*",
        "polygon",
    )
    for fid, (_, a, c, p) in zip(sorted(VERTICES), _execute(loaded, translation.sql), strict=True):
        vertices = VERTICES[fid]
        if vertices is None:
            assert (a, c, p) == (None, None, None)
            continue
        polygon = Polygon(list(zip(vertices[0::2], vertices[1::2], strict=True)))
        assert a == pytest.approx(area(polygon), rel=1e-9)
        expected = centroid(polygon)
        lon, lat = (float(x) for x in c.split())
        assert (lon % 360.0, lat) == pytest.approx((expected.lon % 360.0, expected.lat), abs=1e-9)
        assert [float(x) for x in p.split()] == pytest.approx(vertices, abs=1e-11)


def test_set_operations_write_a_column_in_one_form(loaded: sa.Engine) -> None:
    rows = _rows(
        loaded,
        "SELECT s_region FROM demo.footprints WHERE fid = 1 "
        "UNION ALL SELECT POLYGON('ICRS', 1, 2, 3, 4, 5, 6) FROM demo.footprints WHERE fid = 1",
    )
    first, second = sorted(_stcs_vertices(r[0]) for r in rows)
    assert (first, second) == (pytest.approx([1, 2, 3, 4, 5, 6]), pytest.approx(VERTICES[1]))
    rows = _rows(
        loaded,
        "SELECT POLYGON('ICRS', 1, 2, 3, 4, 5, 6) FROM demo.footprints WHERE fid = 1 "
        "UNION ALL SELECT s_region FROM demo.footprints WHERE fid = 1",
    )
    first, second = sorted([float(x) for x in r[0].split()] for r in rows)
    assert (first, second) == (pytest.approx([1, 2, 3, 4, 5, 6]), pytest.approx(VERTICES[1]))


@pytest.mark.parametrize("config", ["postgresql"], indirect=True)
def test_postgres_serves_region_predicates_from_the_gist_index(loaded: sa.Engine) -> None:
    for where in (
        "INTERSECTS(CIRCLE('ICRS', 83.6, 22.0, 1), s_region) = 1",
        "CONTAINS(POINT('ICRS', 83.6, 22.0), s_region) = 1",
    ):
        sql = translate(
            f"SELECT fid FROM demo.footprints WHERE {where}", catalog=CATALOG, dialect="postgresql"
        ).sql
        raw = loaded.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            raw.rollback()
            raw.close()
        assert "ix_demo_footprints_s_region" in plan, plan
