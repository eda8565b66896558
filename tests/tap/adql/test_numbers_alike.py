"""Numbers the engines used to compute differently: exact LOG10, NULL outside a math function's domain, sums
of single-precision columns in double precision, and CAST to integer types truncating.

Each test runs the same ADQL on SQLite and on PostgreSQL and compares with Python's own arithmetic.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from tap.adql import translate
from tap.schema import Column, StaticCatalog, Table
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()

_RNG = random.Random(5)
#: float32 values with full mantissas, whose single-precision sum is visibly wrong.
FLOATS = [float(np.float32(_RNG.uniform(1000.0, 2000.0))) for _ in range(2000)]


@pytest.fixture(scope="module")
def floats(engine: Engine) -> StaticCatalog:
    """A table ``floats`` with one ``float`` (REAL / real) column ``x`` holding :data:`FLOATS`."""
    if engine.name == "sqlite":
        schema = "demo"
        engine.connection.execute('CREATE TABLE "demo.floats" (x REAL)')
        engine.connection.executemany('INSERT INTO "demo.floats" VALUES (?)', [(x,) for x in FLOATS])
    else:
        schema = engine.connection.execute("SELECT current_schema()").fetchone()[0]
        engine.connection.execute("CREATE TABLE floats (x real)")
        with engine.connection.cursor().copy("COPY floats (x) FROM STDIN") as copy:
            for x in FLOATS:
                copy.write_row((x,))
    return StaticCatalog([Table(schema, "floats", (Column("x", "float"),))])


def one(engine: Engine, items: str) -> tuple[Any, ...]:
    return engine.rows(f"SELECT {items} FROM stars WHERE id = 1")[0]


def test_log10_is_exact_at_powers_of_ten(engine: Engine) -> None:
    row = one(engine, "FLOOR(LOG10(1000)), LOG10(1000000), FLOOR(LOG10(0.001)), LOG10(1e15), LOG10(2)")
    assert row == (3.0, 6.0, -3.0, 15.0, math.log10(2))


def test_math_functions_are_null_outside_their_domain(engine: Engine) -> None:
    outside = "SQRT(-1), LOG(0), LOG(-2), LOG10(-1), LOG10(0), ACOS(2), ASIN(-1.5), POWER(-8, 1.0 / 3), POWER(0, -1)"
    assert one(engine, outside) == (None,) * 9
    inside = one(engine, "SQRT(0), LOG(1), ACOS(1), ASIN(-1), POWER(-2, 3), POWER(0, 0), POWER(-8, -1)")
    assert inside == pytest.approx((0.0, 0.0, 0.0, -math.pi / 2, -8.0, 1.0, -0.125))


def test_math_domain_is_checked_per_row(engine: Engine) -> None:
    negative = sum(r[7] < 0 for r in STARS)
    count = engine.rows("SELECT COUNT(*) FROM stars WHERE SQRT(flux) IS NULL AND LOG(flux) IS NULL")[0][0]
    assert count == negative > 0
    roots = engine.rows("SELECT SQRT(flux) FROM stars WHERE flux >= 0 ORDER BY id")
    assert [r[0] for r in roots] == pytest.approx([math.sqrt(r[7]) for r in STARS if r[7] >= 0])


def test_sum_and_avg_of_float_columns_add_in_double_precision(engine: Engine, floats: StaticCatalog) -> None:
    sql = translate(
        "SELECT SUM(x), AVG(x), SUM(x * 2), SUM(DISTINCT x) FROM floats",
        catalog=floats,
        dialect=engine.dialect,  # type: ignore[arg-type]
    ).sql
    total, mean, twice, distinct = engine.execute(sql)[0]
    exact = math.fsum(FLOATS)
    single = float(np.cumsum(np.asarray(FLOATS, dtype=np.float32))[-1])
    assert abs(single - exact) > 1.0  # what summing in single precision would give
    assert total == pytest.approx(exact, rel=1e-13)
    assert mean == pytest.approx(exact / len(FLOATS), rel=1e-13)
    assert twice == pytest.approx(2 * exact, rel=1e-6)  # x * 2 may be a float on PostgreSQL: still no drift
    assert distinct == pytest.approx(math.fsum(set(FLOATS)), rel=1e-13)


def test_cast_to_integer_types_truncates(engine: Engine) -> None:
    row = one(
        engine,
        "CAST(2.7 AS INTEGER), CAST(-2.7 AS INTEGER), CAST(2.2 AS BIGINT), CAST(-0.5 AS SMALLINT), "
        "CAST('2.7' AS INTEGER), CAST('-3.9' AS BIGINT), CAST(9007199254740993 AS BIGINT), "
        "CAST('9007199254740993' AS BIGINT), CAST(7 AS SMALLINT)",
    )
    assert row == (2, -2, 2, 0, 2, -3, 9007199254740993, 9007199254740993, 7)
    casts = engine.rows("SELECT CAST(mag AS INTEGER), CAST(flux AS BIGINT) FROM stars ORDER BY id")
    assert casts == [(None if r[3] is None else math.trunc(r[3]), math.trunc(r[7])) for r in STARS]
