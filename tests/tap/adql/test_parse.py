"""ADQL syntax: what the parser refuses, where it says the error is, and what it accepts that SQL would not."""

from __future__ import annotations

import pytest

from tap.adql import AdqlSyntaxError, AdqlUnsupportedError, translate
from tap.adql.lexer import MAX_NESTING, tokenize
from tap.adql.parse import parse
from tap.adql.syntax import FuncCall, Literal, QueryExpr, Select, SelectItem, SetOp
from tap.schema import Column, StaticCatalog, Table
from vo_service.errors import UsageError

CATALOG = StaticCatalog(
    [
        Table(
            "s",
            "t",
            (Column("a", "int"), Column("b", "double"), Column("c", "char", "*"), Column("Size", "int")),
        )
    ]
)


def syntax_error(adql: str) -> AdqlSyntaxError:
    with pytest.raises(AdqlSyntaxError) as info:
        translate(adql, catalog=CATALOG, dialect="sqlite")
    return info.value


@pytest.mark.parametrize(
    ("adql", "line", "column", "fragment"),
    [
        ("SELECT a FROM t LIMIT 10", 1, 23, "found '10'"),
        ("SELECT a::text FROM t", 1, 9, "':'"),
        ("SELECT a FROM t;\nDROP TABLE t", 2, 1, "only one statement"),
        ("SELECT a FROM t; SELECT b FROM t", 1, 18, "only one statement"),
        ("PRAGMA table_info(t)", 1, 1, "expected SELECT or WITH"),
        ("ATTACH 'x' AS y", 1, 1, "expected SELECT or WITH"),
        ("DELETE FROM t", 1, 1, "reserved word DELETE"),
        ("SELECT distance FROM t", 1, 8, 'write "distance"'),
        ("SELECT _x FROM t", 1, 8, "starting with a letter"),
        ("SELECT a FROM t WHERE a", 1, 24, "comparison operator"),
        ("SELECT a FROM t WHERE a == 1", 1, 26, "found '='"),
        ("SELECT TOP -1 a FROM t", 1, 12, "non-negative integer"),
        ("SELECT a FROM t OFFSET 1.5", 1, 24, "non-negative integer"),
        ("SELECT ABS(a, b) FROM t", 1, 8, "ABS takes 1 argument, not 2"),
        ("SELECT ROUND(a, b) FROM t", 1, 17, "integer number of decimal places"),
        ("SELECT CAST(a AS FLOAT) FROM t", 1, 18, "CAST target type"),
        ("SELECT * FROM (SELECT a FROM t)", 1, 32, "correlation name"),
        ("SELECT 'abc FROM t", 1, 8, "unterminated string"),
        ('SELECT "abc FROM t', 1, 8, "unterminated delimited identifier"),
        ("SELECT a FROM t WHERE a = 1 AND", 1, 32, "expected a value"),
        ("SELECT a\n  FROM t\n WHERE b @> 2", 3, 10, "'@'"),
        ("SELECT POINT(1) FROM t", 1, 8, "POINT([coosys,] lon, lat)"),
        ("SELECT a FROM t NATURAL JOIN t AS u USING (a)", 1, 37, "no ON or USING after a NATURAL join"),
        ("SELECT x.y.z.a.b FROM t", 1, 8, "at most the parts catalog.schema.table.column"),
        ("SELECT a FROM s.t.u.v", 1, 15, "at most the parts catalog.schema.table"),
        ("SELECT a FROM t WHERE a IN ()", 1, 29, "expected a value"),
        ("SELECT a FROM t WHERE TRUE", 1, 23, "reserved word TRUE"),
        ("SELECT a FROM t WHERE a ~ 1", 1, 25, "'~'"),
        ("SELECT $1 FROM t", 1, 8, "'$'"),
        ("SELECT [a] FROM t", 1, 8, "'['"),
        ("SELECT a FROM t UNION (WITH q AS (SELECT a FROM t) SELECT a FROM q)", 1, 24, "reserved word WITH"),
    ],
)
def test_syntax_errors_say_where_and_what(adql: str, line: int, column: int, fragment: str) -> None:
    error = syntax_error(adql)
    assert (error.line, error.column) == (line, column)
    assert f"line {line}, column {column}" in error.message
    assert fragment in error.message
    assert isinstance(error, UsageError)


def test_reserved_words_work_when_delimited() -> None:
    assert '"Size"' in translate('SELECT "Size" AS "select" FROM t', catalog=CATALOG, dialect="sqlite").sql


def test_identifiers_fold_case_unless_delimited() -> None:
    assert translate("SELECT A, B FROM S.T", catalog=CATALOG, dialect="sqlite").columns[0].name == "a"
    with pytest.raises(UsageError, match="unknown column"):
        translate('SELECT "A" FROM t', catalog=CATALOG, dialect="sqlite")
    with pytest.raises(UsageError, match="unknown column"):
        translate('SELECT "size" FROM t', catalog=CATALOG, dialect="sqlite")


def test_a_trailing_semicolon_is_tolerated() -> None:
    assert translate("SELECT a FROM t ;  -- done", catalog=CATALOG, dialect="sqlite").sql.startswith("SELECT")


def test_string_literals_continue_across_lines() -> None:
    """SQL-92: 'abc' <newline> 'def' is 'abcdef' (the GAVO corpus relies on it)."""
    statement = parse("SELECT a FROM t WHERE c = 'ab' -- comment\n 'cd'")
    where = statement.query.body.where  # type: ignore[union-attr]
    assert where is not None and where.right == Literal("string", "abcd", (1, 27))  # type: ignore[union-attr]


def test_numbers_and_words_need_no_space() -> None:
    """``89x`` is 89 aliased x and ``2desc`` is 2 DESC (accepted by the IVOA corpus)."""
    body = parse("SELECT 89x FROM t ORDER BY 1desc").query
    assert isinstance(body, QueryExpr) and body.order_by[0].descending
    select = body.body
    assert isinstance(select, Select)
    item = select.items[0]
    assert isinstance(item, SelectItem) and item.alias is not None and item.alias.text == "x"


def test_coordinate_system_argument_is_optional_and_dropped() -> None:
    for text in ("POINT('ICRS', 1, 2)", "POINT(1, 2)", "POINT(NULL, 1, 2)"):
        select = parse(f"SELECT {text} FROM t").query.body
        assert isinstance(select, Select)
        item = select.items[0]
        assert isinstance(item, SelectItem) and isinstance(item.expr, FuncCall)
        assert len(item.expr.args) == 2


def test_intersect_binds_tighter_than_union() -> None:
    body = parse("SELECT a FROM t UNION SELECT a FROM t INTERSECT SELECT a FROM t").query.body
    assert isinstance(body, SetOp) and body.op == "UNION"
    assert isinstance(body.right, SetOp) and body.right.op == "INTERSECT"


def test_nesting_is_bounded() -> None:
    deep = "SELECT " + "(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1) + " FROM t"
    assert "nested" in syntax_error(deep).message
    ok = "SELECT " + "(" * 20 + "a" + ")" * 20 + " FROM t"
    assert translate(ok, catalog=CATALOG, dialect="postgresql").sql


@pytest.mark.parametrize("adql", ["SELECT IN_UNIT(a, 'm') FROM t", "SELECT REGION('circle 1 2 3') FROM t"])
def test_undeclared_features_are_unsupported(adql: str) -> None:
    with pytest.raises(AdqlUnsupportedError, match="unsupported feature: "):
        translate(adql, catalog=CATALOG, dialect="sqlite")


def test_tokens_keep_positions_and_values() -> None:
    tokens = tokenize("SELECT 'it''s' -- c\n, \"x\"\"y\" FROM t")
    assert [(t.kind, t.text, t.line, t.column) for t in tokens[:4]] == [
        ("ident", "SELECT", 1, 1),
        ("string", "it's", 1, 8),
        ("op", ",", 2, 1),
        ("qident", 'x"y', 2, 3),
    ]
    with pytest.raises(AdqlSyntaxError, match="NUL"):
        tokenize("SELECT '\x00'")
