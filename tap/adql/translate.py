"""The translator's entry point: ADQL 2.1 text in, one SQL SELECT for SQLite or PostgreSQL out.

:func:`translate` parses (:mod:`tap.adql.parse`), resolves names against the catalogue and types the result
columns (:mod:`tap.adql.compile_query`), and generates the SQL with the target's sqlglot dialect.  The SQL is
built from the syntax tree only, so every literal goes through sqlglot's quoting and every name the client
wrote is either a catalogue object or refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from tap.adql.compile_expr import Context
from tap.adql.compile_query import QueryCompiler
from tap.adql.errors import AdqlError, AdqlInternalError, AdqlSemanticError
from tap.adql.features import UDFS, UserFunction
from tap.adql.parse import parse
from tap.adql.target_pg import PostgresTarget
from tap.adql.target_sqlite import SqliteTarget
from tap.adql.targets import Target
from tap.schema import Catalog, Column, Dialect, Table

__all__ = ["Translation", "translate"]

_log = logging.getLogger(__name__)
_TARGETS: Final[dict[str, Target]] = {"sqlite": SqliteTarget(), "postgresql": PostgresTarget()}


@dataclass(frozen=True, slots=True)
class Translation:
    """The SQL to run, the result columns in select-list order and the catalogue tables the query reads."""

    sql: str
    columns: tuple[Column, ...]
    tables: tuple[Table, ...]


def translate(
    adql: str,
    *,
    catalog: Catalog,
    dialect: Dialect,
    limit: int | None = None,
    udfs: Iterable[UserFunction] | None = None,
) -> Translation:
    """Translates one ADQL query into SQL for ``dialect``.

    ``limit`` (MAXREC + 1 from the runner) caps the rows together with TOP: the SQL returns at most
    ``min(TOP, limit)`` rows.  ``udfs`` replaces the user-defined functions of
    :data:`tap.adql.features.UDFS` (to declare more, pass ``(*UDFS, *extra)``); undeclared ones are
    unknown names.

    Raises:
        AdqlSyntaxError: not ADQL 2.1 (line and column in the message), or more than one statement.
        AdqlUnknownNameError: a table, column or function that does not exist.
        AdqlSemanticError: type errors, ambiguous names, misplaced aggregates.
        AdqlUnsupportedError: valid ADQL the service does not implement (REGION, IN_UNIT...).
        AdqlInternalError: a translator bug (logged with its traceback).
        ValueError: ``limit`` is negative or ``dialect`` unknown (caller errors).
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, not {limit}")
    if dialect not in _TARGETS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    target = _TARGETS[dialect]
    functions = {f.name: f for f in (UDFS if udfs is None else udfs)}
    try:
        statement = parse(adql)
        context = Context(catalog, target, functions)
        tree, columns = QueryCompiler(context).statement(statement, limit)
        sql = target.generate(tree)
    except AdqlError:
        raise
    except RecursionError:
        raise AdqlSemanticError("the query is nested too deeply to be translated") from None
    except Exception as exc:
        _log.exception("ADQL translation failed unexpectedly for %r", adql)
        raise AdqlInternalError(
            f"the query could not be translated: internal error ({type(exc).__name__}), reported to the operators"
        ) from exc
    return Translation(
        sql,
        tuple(c.vtype.column(c.name) for c in columns),
        tuple(context.tables.values()),
    )
