"""Which translated SQLite queries may be read through the ADBC SQLite driver instead of Python's ``sqlite3``.

The driver carries its own SQLite library, which is not the one Python links (so it runs in reader processes
of its own: :mod:`vo_service.adbc.sqlite_worker`), and that matters three ways:

* it cannot call the Python functions registered on the row path's connections (``adql_*``, ``mmvo_*``,
  ``ivo_*``: :data:`tap.adql.sqlite_functions.FUNCTION_NAMES`, :data:`tap.adql.sqlite_geometry.FUNCTION_NAMES`);
* it is another SQLite version, whose built-in functions may answer differently (text of a real, sums,
  rounding): no function call, cast or concatenation at all; numeric literals short enough that every
  version parses them to the same double; and the plan must be the row path's, checked by comparing
  ``EXPLAIN QUERY PLAN`` of both libraries, so that rows come in the same order.  Plans are compared
  reliably on one table: no join, no subquery, no compound, no recursion;
* it infers each column's Arrow type from the first batch (see :func:`vo_service.adbc.sqlite_worker.first_batches`).

What is allowed is a whitelist of syntax: column references, literals, arithmetic, comparisons, ``AND``/
``OR``/``NOT``, ``IS [NOT] NULL``, ``BETWEEN``, ``IN`` (values), ``LIKE``, ``DISTINCT``, ``ORDER BY``, ``LIMIT``/
``OFFSET``.  Everything else takes the row path.
"""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal, InvalidOperation
from typing import Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from tap.adql import sqlite_functions, sqlite_geometry

__all__ = ["REGISTERED_FUNCTIONS", "calls_registered_function", "columnar_candidate"]

#: Functions SQLite has when built with SQLITE_ENABLE_MATH_FUNCTIONS; the row path registers Python versions
#: of them when Python's SQLite lacks them.
_MATH_FUNCTIONS: Final = frozenset(
    {
        *("acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh"),
        *("degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians"),
        *("sin", "sinh", "sqrt", "tan", "tanh", "trunc"),
    }
)


def _python_math() -> frozenset[str]:
    """The math functions the row path defines in Python (none when Python's SQLite has its own)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT ln(1), log10(1), pi()").fetchone()
    except sqlite3.OperationalError:
        return _MATH_FUNCTIONS
    finally:
        conn.close()
    return frozenset()


#: Names of the functions the row path's connections define in Python.
REGISTERED_FUNCTIONS: Final[frozenset[str]] = (
    sqlite_functions.FUNCTION_NAMES | sqlite_geometry.FUNCTION_NAMES | _python_math()
)

_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")

#: Syntax nodes a columnar SQLite query may contain (exact types: a function is a subclass of none of them).
_ALLOWED: Final[frozenset[type[exp.Expression]]] = frozenset(
    {
        exp.Select,
        exp.From,
        exp.Table,
        exp.TableAlias,
        exp.Identifier,
        exp.Column,
        exp.Alias,
        exp.Where,
        exp.Order,
        exp.Ordered,
        exp.Limit,
        exp.Offset,
        exp.Literal,
        exp.Null,
        exp.Boolean,
        exp.Paren,
        exp.Neg,
        exp.Not,
        exp.And,
        exp.Or,
        exp.EQ,
        exp.NEQ,
        exp.GT,
        exp.GTE,
        exp.LT,
        exp.LTE,
        exp.Is,
        exp.Between,
        exp.In,
        exp.Like,
        exp.Escape,
        exp.Add,
        exp.Sub,
        exp.Mul,
        exp.Div,
        exp.Mod,
        exp.Distinct,
    }
)


def calls_registered_function(sql: str) -> bool:
    """Whether ``sql`` may call a function only the row path's connections have (a name followed by ``(``;
    a match inside a string or a quoted name errs on the safe side)."""
    return any(match.group(1).lower() in REGISTERED_FUNCTIONS for match in _CALL.finditer(sql))


def _exact_number(text: str) -> bool:
    """A literal every SQLite version turns into the same value: an integer, or at most 15 significant digits
    with a power of ten within 10^±22 (converted with a single rounding)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    if not number.is_finite():
        return False
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 and "." not in text and "e" not in text.lower():
        return abs(number) < 2**63
    return len(digits) <= 15 and -22 <= exponent <= 22


def columnar_candidate(sql: str) -> bool:
    """Whether ``sql`` is within the syntax the ADBC SQLite driver reads like Python's SQLite (see the module
    docstring); the plan comparison comes on top of this."""
    if calls_registered_function(sql):
        return False
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return False
    tables = 0
    for node in tree.walk():
        if type(node) not in _ALLOWED:
            return False
        if isinstance(node, exp.Literal) and not node.is_string and not _exact_number(node.this):
            return False
        tables += isinstance(node, exp.Table)
    return tables == 1
