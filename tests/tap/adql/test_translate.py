"""Translation per construct: the SQL's shape, the result columns' metadata, and the errors."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from tap.adql import (
    AdqlSemanticError,
    AdqlUnknownNameError,
    AdqlUnsupportedError,
    Translation,
    translate,
)
from tap.schema import Column, Dialect, StaticCatalog, Table

STARS = Table(
    "cat",
    "stars",
    (
        Column("id", "long", ucd="meta.id;meta.main", principal=True),
        Column("ra", "double", unit="deg", ucd="pos.eq.ra"),
        Column("dec", "double", unit="deg", ucd="pos.eq.dec"),
        Column("mag", "float", unit="mag"),
        Column("n", "int"),
        Column("name", "char", "*"),
        Column("pos", "double", "2", "point", unit="deg"),
        Column("fov", "double", "*", "polygon", unit="deg"),
        Column("t", "char", "*", "timestamp"),
    ),
    position=("ra", "dec"),
)
OTHER = Table("cat", "other", (Column("id", "long"), Column("ra", "double"), Column("dec", "double")))
PLAIN = Table("misc", "plain", (Column("id", "long"), Column("x", "double")))
CATALOG = StaticCatalog([STARS, OTHER, PLAIN])
DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgresql")


def tr(adql: str, dialect: Dialect = "sqlite", limit: int | None = None) -> Translation:
    return translate(adql, catalog=CATALOG, dialect=dialect, limit=limit)


def columns(adql: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [(c.name, c.datatype, c.arraysize, c.xtype, c.unit) for c in tr(adql).columns]


# ------------------------------------------------------------------------------------------ result columns


def test_plain_columns_keep_their_metadata_under_aliases() -> None:
    result = tr("SELECT ra AS alpha, id FROM stars").columns
    assert result[0] == STARS.columns[1].renamed("alpha")
    assert result[1] == STARS.columns[0]


def test_star_expands_to_published_columns_in_order() -> None:
    assert [c.name for c in tr("SELECT * FROM stars").columns] == [c.name for c in STARS.columns]
    assert [
        c.name for c in tr("SELECT o.*, s.id FROM stars AS s JOIN other AS o ON s.id = o.id").columns
    ] == [
        "id",
        "ra",
        "dec",
        "id_2",
    ]
    for dialect in DIALECTS:
        assert (
            "_hpx"
            not in tr("SELECT * FROM stars WHERE DISTANCE(ra, dec, 1, 2) < 1", dialect).sql.split("WHERE")[0]
        )


def test_expression_types() -> None:
    assert columns(
        "SELECT COUNT(*), COUNT(mag), AVG(n), SUM(n), SUM(mag), MIN(mag), MAX(name), n + 1, n * 2.5, mag / 2, "
        "LOWER(name), name || 'x', 'lit', 3, 1.5, NULL FROM stars GROUP BY n, mag, name"
    ) == [
        ("count", "long", None, None, None),
        ("count_2", "long", None, None, None),
        ("avg", "double", None, None, None),
        ("sum", "long", None, None, None),
        ("sum_2", "double", None, None, "mag"),
        ("min", "float", None, None, "mag"),
        ("max", "char", "*", None, None),
        ("expr", "int", None, None, None),
        ("expr_2", "double", None, None, None),
        ("expr_3", "double", None, None, None),
        ("lower", "char", "*", None, None),
        ("expr_4", "char", "*", None, None),
        ("expr_5", "char", "*", None, None),
        ("expr_6", "int", None, None, None),
        ("expr_7", "double", None, None, None),
        ("expr_8", "char", "*", None, None),
    ]


def test_geometry_types() -> None:
    assert columns(
        "SELECT POINT(ra, dec), CIRCLE(ra, dec, 1), POLYGON(1, 2, 3, 4, 5, 6), BOX(1, 2, 3, 4), "
        "DISTANCE(pos, POINT(1, 2)), AREA(fov), CENTROID(fov), COORD1(pos), COORDSYS(pos), "
        "CONTAINS(pos, fov), pos FROM stars"
    ) == [
        ("point", "double", "2", "point", "deg"),
        ("circle", "double", "3", "circle", "deg"),
        ("polygon", "double", "*", "polygon", "deg"),
        ("box", "double", "*", "polygon", "deg"),
        ("distance", "double", None, None, "deg"),
        ("area", "double", None, None, "deg**2"),
        ("centroid", "double", "2", "point", "deg"),
        ("coord1", "double", None, None, "deg"),
        ("coordsys", "char", "*", None, None),
        ("contains", "int", None, None, None),
        ("pos", "double", "2", "point", "deg"),
    ]


def test_cast_case_coalesce_types() -> None:
    assert columns(
        "SELECT CAST(n AS SMALLINT), CAST(mag AS DOUBLE PRECISION), CAST(n AS VARCHAR(8)), CAST(n AS CHAR(3)), "
        "CAST('2020-01-01' AS TIMESTAMP), CAST('1 2' AS POINT), COALESCE(mag, 0), "
        "CASE WHEN n > 2 THEN 'big' ELSE 'small' END AS size_class FROM stars"
    ) == [
        ("expr", "short", None, None, None),
        ("expr_2", "double", None, None, None),
        ("expr_3", "char", "8*", None, None),
        ("expr_4", "char", "3", None, None),
        ("expr_5", "char", "*", "timestamp", None),
        ("expr_6", "double", "2", "point", "deg"),
        ("coalesce", "double", None, None, "mag"),
        ("size_class", "char", "*", None, None),
    ]


def test_output_names_are_unique_and_keep_delimited_aliases() -> None:
    names = [c.name for c in tr('SELECT id, id, n AS "Id", n AS id_2, ABS(n), ABS(n) FROM stars').columns]
    assert names == ["id", "id_3", "Id", "id_2", "abs", "abs_2"]


def test_tables_read_are_reported_once() -> None:
    result = tr("SELECT id FROM stars WHERE id IN (SELECT id FROM other) UNION SELECT id FROM stars")
    assert result.tables == (STARS, OTHER)


# ------------------------------------------------------------------------------------------ SQL shape


def test_identifiers_are_quoted_and_tables_mapped_per_engine() -> None:
    assert 'FROM "cat.stars" AS "stars"' in tr("SELECT id FROM stars").sql
    assert 'FROM "cat"."stars" AS "stars"' in tr("SELECT id FROM cat.stars", "postgresql").sql


def test_string_literals_are_quoted_by_the_generator() -> None:
    """Quotes are doubled; on PostgreSQL a backslash makes an escape string, right whatever
    ``standard_conforming_strings`` says."""
    adql = "SELECT id FROM stars WHERE name = 'x''); DROP TABLE stars; --\\'"
    assert "= 'x''); DROP TABLE stars; --\\'" in tr(adql).sql
    assert "= e'x''); DROP TABLE stars; --\\\\'" in tr(adql, "postgresql").sql
    for dialect, read in (("sqlite", "sqlite"), ("postgresql", "postgres")):
        assert len(sqlglot.parse(tr(adql, dialect).sql, read=read)) == 1  # type: ignore[arg-type]


def test_limit_is_min_of_top_and_maxrec_and_offset_applies_first() -> None:
    assert tr("SELECT TOP 5 id FROM stars", limit=10).sql.endswith("LIMIT 5")
    assert tr("SELECT TOP 50 id FROM stars", limit=10).sql.endswith("LIMIT 10")
    assert tr("SELECT id FROM stars ORDER BY id OFFSET 7", "postgresql", limit=3).sql.endswith(
        "LIMIT 3 OFFSET 7"
    )
    assert tr("SELECT id FROM stars OFFSET 7").sql.endswith("LIMIT -1 OFFSET 7")
    union = tr("SELECT TOP 2 id FROM stars UNION SELECT id FROM other ORDER BY 1", limit=4).sql
    assert re.search(r"LIMIT 2\).*UNION.*ORDER BY 1 .*LIMIT 4$", union)


def test_like_is_case_sensitive_and_has_no_escape_character() -> None:
    assert "LIKE e'a\\\\%' ESCAPE ''" in tr("SELECT id FROM stars WHERE name LIKE 'a\\%'", "postgresql").sql
    assert (
        'mmvo_lower("stars"."name") LIKE mmvo_lower(\'a%\')'
        in tr("SELECT id FROM stars WHERE name ILIKE 'a%'").sql
    )
    assert "ILIKE 'a%' ESCAPE ''" in tr("SELECT id FROM stars WHERE name ILIKE 'a%'", "postgresql").sql


def test_postgres_decimals_are_doubles() -> None:
    sql = tr(
        "SELECT 1.5, SQRT(2.0), ROUND(mag, 1), MOD(n, 3), AVG(n), SUM(id) FROM stars GROUP BY mag, n",
        "postgresql",
    )
    assert "CAST(1.5 AS DOUBLE PRECISION)" in sql.sql
    assert "CAST(round(CAST(" in sql.sql and "CAST(AVG(" in sql.sql and "CAST(SUM(" in sql.sql


def test_log_is_natural_on_both_engines() -> None:
    assert "ln(" in tr("SELECT LOG(mag), LOG10(mag) FROM stars").sql
    assert "log10(" in tr("SELECT LOG(mag), LOG10(mag) FROM stars").sql
    pg = tr("SELECT LOG(mag), LOG10(mag) FROM stars", "postgresql").sql
    assert "mmvo_ln(" in pg and "mmvo_log10(" in pg


CONE_FORMS = (
    "1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 180.0, 30.0, 0.5))",
    "CONTAINS(POINT(ra, dec), CIRCLE(180, 30, 0.5)) = 1",
    "1 = INTERSECTS(CIRCLE(POINT(180, 30), 0.5), POINT(ra, dec))",
    "DISTANCE(POINT(ra, dec), POINT(180, 30)) <= 0.5",
    "DISTANCE(POINT(180, 30), POINT(ra, dec)) <= 0.5",
    "0.5 >= DISTANCE(ra, dec, 180, 30)",
    "DISTANCE(180, 30, ra, dec) <= 1./2",
    "DISTANCE(ra, dec, 170 + 10, -(-30)) <= 0.25 * 2",
)


@pytest.mark.parametrize("condition", CONE_FORMS)
def test_cone_forms_use_the_spatial_index(condition: str) -> None:
    sqlite = tr(f"SELECT id FROM stars WHERE {condition}").sql
    assert '"stars"."_hpx" >=' in sqlite and 'adql_in_cone("stars"."ra", "stars"."dec", ' in sqlite
    pg = tr(f"SELECT id FROM stars WHERE {condition}", "postgresql").sql
    assert 'spoint(radians("stars"."ra"), radians("stars"."dec")) <@ scircle(spoint(radians(' in pg


@pytest.mark.parametrize("region", ["BOX(10, 20, 1, 2)", "POLYGON(10, 20, 11, 20, 11, 21)"])
def test_constant_regions_use_the_spatial_index(region: str) -> None:
    for condition in (f"1 = CONTAINS(POINT(ra, dec), {region})", f"INTERSECTS({region}, POINT(ra, dec)) = 1"):
        assert '"stars"."_hpx" >=' in tr(f"SELECT id FROM stars WHERE {condition}").sql
        pg = tr(f"SELECT id FROM stars WHERE {condition}", "postgresql").sql
        assert 'spoint(radians("stars"."ra"), radians("stars"."dec")) <@ mmvo_' in pg
    assert "_hpx" not in tr(f"SELECT id FROM stars WHERE 0 = CONTAINS(POINT(ra, dec), {region})").sql


def test_strict_cones_add_the_exact_distance() -> None:
    assert "adql_distance4(" in tr("SELECT id FROM stars WHERE DISTANCE(ra, dec, 1, 2) < 1").sql
    assert "adql_distance4(" not in tr("SELECT id FROM stars WHERE DISTANCE(ra, dec, 1, 2) <= 1").sql


def test_cones_on_unindexed_tables_and_huge_radii_skip_the_index() -> None:
    assert "_hpx" not in tr("SELECT id FROM plain WHERE DISTANCE(x, x, 1, 2) < 1").sql
    assert "_hpx" not in tr("SELECT id FROM stars WHERE DISTANCE(ra, dec, 1, 2) < 120").sql
    assert "<@" not in tr("SELECT id FROM stars WHERE DISTANCE(ra, dec, 1, 2) < 120", "postgresql").sql


def test_crossmatch_uses_the_index_on_postgres() -> None:
    sql = tr(
        "SELECT s.id, o.id FROM stars AS s JOIN other AS o ON DISTANCE(o.ra, o.dec, s.ra, s.dec) < 0.01",
        "postgresql",
    )
    assert 'spoint(radians("s"."ra"), radians("s"."dec")) <@ scircle(spoint(radians("o"."ra")' in sql.sql


def test_negated_predicates() -> None:
    assert "NOT (" in tr("SELECT id FROM stars WHERE 0 = CONTAINS(pos, fov)", "postgresql").sql
    assert "adql_contains(" in tr("SELECT id FROM stars WHERE CONTAINS(pos, fov) = 0").sql


def test_geometry_results_become_dali_text() -> None:
    assert 'adql_dali(adql_point("stars"."ra", "stars"."dec"))' in tr("SELECT POINT(ra, dec) FROM stars").sql
    assert '"stars"."pos" AS "pos"' in tr("SELECT pos FROM stars").sql
    assert "mmvo_dali_polygon(" in tr("SELECT fov FROM stars", "postgresql").sql
    inner = tr("SELECT p FROM (SELECT POINT(ra, dec) AS p FROM stars) AS q", "postgresql").sql
    assert inner.count("mmvo_dali_point") == 1 and inner.startswith('SELECT mmvo_dali_point("q"."p")')


OBSCORE = Table(
    "ivoa",
    "obscore",
    (
        Column("obs_id", "char", "*"),
        Column("s_region", "char", "*", "adql:REGION", ucd="pos.outline;obs.field"),
        Column("s_fov", "double", unit="deg"),
    ),
)
REGION_CATALOG = StaticCatalog([OBSCORE, STARS])


@pytest.mark.parametrize("dialect", DIALECTS)
def test_region_columns_are_polygons_that_leave_as_stcs(dialect: Dialect) -> None:
    def run(adql: str) -> Translation:
        return translate(adql, catalog=REGION_CATALOG, dialect=dialect)

    stored = {"sqlite": '"obscore"."s_region"', "postgresql": 'mmvo_dali_polygon("obscore"."s_region")'}[
        dialect
    ]
    plain = run("SELECT s_region AS r FROM ivoa.obscore")
    assert plain.sql.startswith(f"SELECT 'Polygon ICRS ' || {stored} AS \"r\"")
    assert plain.columns == (OBSCORE.columns[1].renamed("r"),)
    star = run("SELECT * FROM ivoa.obscore")
    assert f"'Polygon ICRS ' || {stored} AS \"s_region\"" in star.sql and star.columns == OBSCORE.columns
    nested = run("SELECT q.s_region FROM (SELECT s_region FROM ivoa.obscore) AS q")
    assert nested.sql.count("Polygon ICRS") == 1 and nested.columns[0].xtype == "adql:REGION"
    # inside the query it is a polygon; computed values are DALI geometries
    computed = run(
        "SELECT CENTROID(s_region), AREA(s_region), CAST(s_region AS POLYGON) AS p FROM ivoa.obscore "
        "WHERE CONTAINS(POINT('ICRS', 83.6, 22.0), s_region) = 1 AND INTERSECTS(s_region, CIRCLE(1, 2, 3)) = 1"
    )
    assert "Polygon ICRS" not in computed.sql
    assert [(c.datatype, c.arraysize, c.xtype) for c in computed.columns] == [
        ("double", "2", "point"), ("double", None, None), ("double", "*", "polygon")
    ]  # fmt: skip


def test_set_operations_write_region_columns_as_their_first_operand() -> None:
    def run(adql: str) -> Translation:
        return translate(adql, catalog=REGION_CATALOG, dialect="sqlite")

    first = run("SELECT s_region FROM ivoa.obscore UNION SELECT fov FROM cat.stars")
    assert first.sql.count("'Polygon ICRS ' ||") == 2 and first.columns[0].xtype == "adql:REGION"
    later = run(
        "SELECT fov FROM cat.stars UNION SELECT s_region FROM ivoa.obscore EXCEPT SELECT s_region FROM ivoa.obscore"
    )
    assert "Polygon ICRS" not in later.sql and later.columns[0].xtype == "polygon"
    three = run(
        "SELECT s_region FROM ivoa.obscore UNION (SELECT fov FROM cat.stars INTERSECT SELECT fov FROM cat.stars)"
    )
    assert three.sql.count("'Polygon ICRS ' ||") == 3


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("adql", "error", "fragment"),
    [
        ("SELECT * FROM nowhere", AdqlUnknownNameError, "unknown table nowhere"),
        ("SELECT * FROM sqlite_master", AdqlUnknownNameError, "unknown table sqlite_master"),
        ("SELECT * FROM pg_catalog.pg_tables", AdqlUnknownNameError, "unknown table pg_catalog.pg_tables"),
        ("SELECT * FROM information_schema.tables", AdqlUnknownNameError, "unknown table"),
        ("SELECT nope FROM stars", AdqlUnknownNameError, "unknown column nope"),
        ("SELECT q.id FROM stars", AdqlUnknownNameError, "unknown table or correlation name q"),
        ("SELECT pg_sleep(10) FROM stars", AdqlUnknownNameError, "unknown function pg_sleep"),
        ("SELECT id FROM stars, other", AdqlSemanticError, "column id is ambiguous"),
        ("SELECT id FROM stars WHERE COUNT(*) > 1", AdqlSemanticError, "COUNT is not allowed in WHERE"),
        ("SELECT MAX(MIN(n)) FROM stars", AdqlSemanticError, "MIN is not allowed in an aggregate"),
        ("SELECT pos || 'x' FROM stars", AdqlSemanticError, "|| cannot concatenate a POINT"),
        ("SELECT ABS(pos) FROM stars", AdqlSemanticError, "ABS expects a number, not the POINT column pos"),
        ("SELECT COORD1(fov) FROM stars", AdqlSemanticError, "COORD1 expects POINT, not a POLYGON"),
        ("SELECT CENTROID(n) FROM stars", AdqlSemanticError, "CENTROID expects a geometry"),
        ("SELECT CAST(pos AS INTEGER) FROM stars", AdqlSemanticError, "cannot CAST a POINT to INTEGER"),
        (
            "SELECT CAST('1 2 3' AS POINT) FROM stars",
            AdqlSemanticError,
            "not the DALI serialisation of a POINT",
        ),
        ("SELECT id, n FROM stars UNION SELECT id FROM other", AdqlSemanticError, "return 2 and 1 columns"),
        (
            "SELECT id FROM stars UNION SELECT name FROM stars",
            AdqlSemanticError,
            "mixes a number and a string",
        ),
        ("SELECT COALESCE(n, name) FROM stars", AdqlSemanticError, "COALESCE mixes"),
        ("SELECT id FROM stars ORDER BY 2", AdqlSemanticError, "ORDER BY 2: the query has 1 columns"),
        ("SELECT id FROM stars AS a, other AS a", AdqlSemanticError, "correlation name a is used twice"),
        (
            "SELECT * FROM stars JOIN other USING (name)",
            AdqlUnknownNameError,
            "join column name is not in the right",
        ),
        ("SELECT ivo_healpix_index(1, ra) FROM stars", AdqlSemanticError, "takes 3 arguments"),
        (
            "WITH q AS (SELECT id FROM stars), q AS (SELECT id FROM stars) SELECT * FROM q",
            AdqlSemanticError,
            "twice",
        ),
        ("SELECT (SELECT id, n FROM stars) FROM stars", AdqlSemanticError, "must return one column"),
        ("SELECT id FROM stars WHERE id IN (SELECT id, n FROM stars)", AdqlSemanticError, "one column"),
    ],
)
def test_errors_name_the_problem(adql: str, error: type[Exception], fragment: str) -> None:
    for dialect in DIALECTS:
        with pytest.raises(error, match=re.escape(fragment)):
            tr(adql, dialect)


def test_region_is_unsupported() -> None:
    with pytest.raises(AdqlUnsupportedError, match="unsupported feature: REGION"):
        tr("SELECT id FROM stars WHERE 1 = CONTAINS(pos, REGION('circle ICRS 1 2 3'))")


def test_generated_sql_is_one_select() -> None:
    queries = [
        "WITH q AS (SELECT id FROM stars) SELECT * FROM q NATURAL JOIN other",
        "SELECT a.id FROM stars AS a FULL OUTER JOIN other AS b USING (id, ra) WHERE a.ra BETWEEN 1 AND 2",
        "(SELECT TOP 3 id FROM stars ORDER BY id DESC) UNION ALL (SELECT id FROM other) EXCEPT SELECT id FROM plain",
        "SELECT CASE n WHEN 1 THEN 'one' END, EXISTS_count FROM (SELECT n, COUNT(*) AS exists_count FROM stars "
        "GROUP BY n HAVING COUNT(*) > 1) AS g",
    ]
    for adql in queries:
        for dialect, read in (("sqlite", "sqlite"), ("postgresql", "postgres")):
            parsed = sqlglot.parse(tr(adql, dialect).sql, read=read)  # type: ignore[arg-type]
            assert len(parsed) == 1 and isinstance(parsed[0], exp.Query)


def test_long_chains_translate() -> None:
    """Generated queries chain hundreds of conditions or terms; they must not hit Python's recursion limit."""
    ors = " OR ".join(f"id = {i}" for i in range(2000))
    assert tr(f"SELECT id FROM stars WHERE {ors}", "postgresql").sql.count(" OR ") == 1999
    sums = " + ".join("n" for _ in range(2000))
    assert tr(f"SELECT {sums} FROM stars").sql.count(" + ") == 1999
    assert tr("SELECT n - (n + 1) - 2 * (n / 3) / 4 FROM stars").sql.startswith(
        'SELECT "stars"."n" - ("stars"."n" + 1) - (2 * ("stars"."n" / 3) / 4)'
    )
