"""Strings and numbers are not mixed: the translator refuses what one engine would compute and the other fail.

SQLite computes ``SIN(name)`` as NULL, ``name + 1`` as a number and ``name > 5`` as a text comparison, where
PostgreSQL fails in the database; both now get a translator error with the position and the value named.  A
string literal that reads as a number stays a number (``'30' * 1323`` is valid ADQL), the same on both.
"""

from __future__ import annotations

import re

import pytest

from tap.adql import AdqlSemanticError, translate
from tap.adql.features import UDFS, parse_signature
from tests.tap.adql.engines import Engine, star_rows

STARS = star_rows()


REFUSED = [
    ("SELECT SIN(name) FROM stars", "line 1, column 8: SIN expects a number, not the string column name"),
    ("SELECT ABS('abc') FROM stars", "line 1, column 8: ABS expects a number, not the string 'abc'"),
    ("SELECT LOG10(name || 'x') FROM stars", "LOG10 expects a number, not a string"),
    ("SELECT ROUND(kind, 2) FROM stars", "ROUND expects a number, not the string column kind"),
    ("SELECT AVG(name) FROM stars", "line 1, column 8: AVG expects a number, not the string column name"),
    ("SELECT SUM(kind) FROM stars", "SUM expects a number, not the string column kind"),
    (
        "SELECT name + 1 FROM stars",
        "line 1, column 13: operator + expects a number, not the string column name",
    ),
    ("SELECT 1 - name FROM stars", "operator - expects a number, not the string column name"),
    ("SELECT -kind FROM stars", "line 1, column 8: unary - expects a number, not the string column kind"),
    ("SELECT n * 'abc' FROM stars", "operator * expects a number, not the string 'abc'"),
    (
        "SELECT id FROM stars WHERE name > 5",
        "line 1, column 33: cannot compare the string column name with the number 5",
    ),
    ("SELECT id FROM stars WHERE 5 < name", "cannot compare the number 5 with the string column name"),
    ("SELECT id FROM stars WHERE mag = 'abc'", "cannot compare the number column mag with the string 'abc'"),
    ("SELECT id FROM stars WHERE 'abc' <> mag", "cannot compare the string 'abc' with the number column mag"),
    ("SELECT id FROM stars WHERE n * 2 = name", "cannot compare a number with the string column name"),
    (
        "SELECT id FROM stars WHERE name BETWEEN 1 AND 2",
        "cannot compare the string column name with the number 1",
    ),
    ("SELECT id FROM stars WHERE n IN (1, 'x')", "cannot compare the number column n with the string 'x'"),
    (
        "SELECT id FROM stars WHERE n NOT IN (1, kind)",
        "cannot compare the number column n with the string column kind",
    ),
    (
        "SELECT id FROM stars WHERE ra LIKE '8%'",
        "line 1, column 31: LIKE needs strings, not the number column ra",
    ),
    ("SELECT id FROM stars WHERE name ILIKE 5", "ILIKE needs strings, not the number 5"),
    ("SELECT id FROM stars WHERE name NOT LIKE n", "LIKE needs strings, not the number column n"),
    ("SELECT id FROM stars WHERE obs LIKE '2020%'", "LIKE needs strings, not the timestamp column obs"),
    ("SELECT LOWER(n) FROM stars", "line 1, column 8: LOWER needs strings, not the number column n"),
    (
        "SELECT ivo_healpix_index(5, name, dec) FROM stars",
        "line 1, column 29: ivo_healpix_index: argument ra is DOUBLE PRECISION, not the string column name",
    ),
    ("SELECT ivo_healpix_index('x', ra, dec) FROM stars", "argument hpxorder is INTEGER, not the string 'x'"),
    (
        "SELECT ivo_healpix_index(5, ra, pos) FROM stars",
        "argument dec is DOUBLE PRECISION, not the POINT column pos",
    ),
]


@pytest.mark.parametrize(("adql", "message"), REFUSED)
def test_strings_and_numbers_are_not_mixed(engine: Engine, adql: str, message: str) -> None:
    with pytest.raises(AdqlSemanticError, match=re.escape(message)):
        engine.translate(adql)


def test_numbers_written_as_strings_are_numbers(engine: Engine) -> None:
    row = engine.rows(
        "SELECT '30' * 1323, '2.5' * 2, -'3', SQRT(' 16 '), '1e3' + 1, 7 - '-2' FROM stars WHERE id = 1"
    )
    assert row == [(39690, 5.0, -3, 4.0, 1001.0, 9)]
    assert engine.rows("SELECT COUNT(*) FROM stars WHERE n * 2 = '4' AND n IN ('2', 3) AND mag > '-100'") == [
        (sum(1 for r in STARS if r[6] == 2 and r[3] is not None),)
    ]
    healpix = "SELECT ivo_healpix_index('3', ra, dec) - ivo_healpix_index(3, ra, dec) FROM stars WHERE id = 1"
    assert engine.rows(healpix) == [(0,)]


def test_strings_still_compare_with_strings_and_timestamps(engine: Engine) -> None:
    assert engine.rows("SELECT COUNT(*) FROM stars WHERE name = 'M' || '5' OR name > 'zzz'") == [
        (sum(1 for r in STARS if r[4] == "M5" or r[4] > "zzz"),)
    ]
    later = engine.rows("SELECT COUNT(*) FROM stars WHERE obs > '2021-06-01T00:00:00'")[0][0]
    assert later == sum(1 for r in STARS if r[8].isoformat() > "2021-06-01T00:00:00")


def test_numbers_passed_to_string_parameters_are_text(engine: Engine) -> None:
    """A user function declared with a VARCHAR parameter gets a number as its text, on both engines."""
    udf = parse_signature("ivo_label(x VARCHAR) -> VARCHAR")
    sql = translate(
        "SELECT ivo_label(n) FROM stars WHERE id = 1",
        catalog=engine.catalog,
        dialect=engine.dialect,  # type: ignore[arg-type]
        udfs=(*UDFS, udf),
    ).sql
    assert re.search(r"ivo_label\(CAST\(\S+ AS (TEXT|VARCHAR)\)\)", sql), sql
