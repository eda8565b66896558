"""Latitudes outside [-90, 90] are refused on both engines instead of folded over a pole by pgSphere.

``spoint(radians(10), radians(-95))`` is pgSphere's (190, -85): a different position.  Constant latitudes are
refused at translation, computed ones when the query runs, with the same words on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from tap.adql import AdqlSemanticError
from tap.adql.sphere import GeometryError
from tap.adql.sqlite_errors import function_errors
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("POINT('ICRS', 10, -95)", "line 1, column 8: POINT: latitude -95 is outside [-90, 90]"),
        ("POINT(10, -(90 + 1))", "POINT: latitude -91 is outside [-90, 90]"),
        ("CIRCLE('ICRS', 10, 95.5, 1)", "CIRCLE: latitude 95.5 is outside [-90, 90]"),
        ("BOX(0, -90.5, 1, 1)", "BOX: latitude -90.5 is outside [-90, 90]"),
        ("POLYGON(0, 0, 1, 0, 1, 91)", "POLYGON: latitude 91 is outside [-90, 90]"),
    ],
)
def test_constant_latitudes_are_refused_at_translation(engine: Engine, expression: str, message: str) -> None:
    with pytest.raises(AdqlSemanticError, match=re.escape(message)):
        engine.translate(f"SELECT {expression} FROM stars")


@pytest.mark.parametrize(
    "adql",
    [
        "SELECT POINT(ra, n + 91) FROM stars",
        "SELECT id FROM stars WHERE 1 = CONTAINS(POINT(10, -91 - n), CIRCLE(0, 0, 10))",
        "SELECT AREA(CIRCLE(ra, 90 + id, 1)) FROM stars",
        "SELECT POLYGON(0, 0, 1, 0, 1, 90 + id) FROM stars",
        "SELECT CAST('10 95' AS POINT) FROM stars",
    ],
)
def test_computed_latitudes_are_refused_when_run(engine: Engine, adql: str) -> None:
    error = GeometryError if engine.name == "sqlite" else psycopg.errors.RaiseException
    with pytest.raises(error, match=r"latitude -?9\d(\.0)? is outside \[-90, 90\]"), function_errors():
        engine.rows(adql)


def test_latitudes_in_range_and_nulls_pass(engine: Engine) -> None:
    poles = engine.rows(
        "SELECT COORD2(POINT(10, -90)), COORD2(POINT(ra, 90 - n * 0)) FROM stars WHERE id = 1"
    )
    assert poles == [(-90.0, 90.0)]
    nulls = engine.rows("SELECT COUNT(*) FROM stars WHERE POINT(10, mag) IS NULL")
    assert nulls == [(sum(1 for r in STARS if r[3] is None),)]
