"""Grouped queries: every column the select list or HAVING uses outside an aggregate must be grouped.

In a query with GROUP BY, HAVING or an aggregate function, each output row stands for a group of rows, so a
plain column has no single value there unless the group fixes it.  PostgreSQL refuses such a query in the
database and SQLite silently takes the column from any row of the group; the translator refuses it with the
position and the column's name, on both engines.

The check works on the compiled SQL, where names are resolved and every column is qualified by an alias unique
in the statement: an expression is fine when it is a GROUP BY expression (compared as SQL text, so
``FLOOR(ra) * 2`` is fine when grouping by ``FLOOR(ra)``), lies inside an aggregate function (marked by the
compiler with :data:`AGGREGATE`), or uses no column of this query level (outer references are constants here).
Functional dependencies (other columns of a grouped primary key) are not recognised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlglot import exp

from tap.adql.errors import AdqlSemanticError, Position, at
from tap.adql.scope import Scope

__all__ = ["AGGREGATE", "check_grouping", "mark_aggregate"]

#: Key of sqlglot's node ``meta`` marking the SQL of an aggregate function call (kept by copies).
AGGREGATE: Final = "adql_aggregate"


def mark_aggregate(sql: exp.Expression) -> exp.Expression:
    """``sql``, the translation of an aggregate function call, marked as such for :func:`check_grouping`."""
    sql.meta[AGGREGATE] = True
    return sql


def _ungrouped(tree: exp.Expression, keys: frozenset[str], local: frozenset[str]) -> exp.Column | None:
    """The first column of this level in ``tree`` outside aggregates and grouping expressions, if any."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.meta.get(AGGREGATE) or (keys and node.sql() in keys):
            continue
        if isinstance(node, exp.Column) and node.table in local:
            return node
        stack.extend(reversed(list(node.iter_expressions())))
    return None


def check_grouping(
    scope: Scope,
    group: Sequence[exp.Expression],
    having: tuple[exp.Expression, Position] | None,
    items: Sequence[tuple[exp.Expression, Position]],
) -> None:
    """Refuses a grouped query whose select ``items`` or ``having`` use a column that is not grouped.

    ``group`` holds the compiled GROUP BY expressions (none when the query is grouped by HAVING or by an
    aggregate alone: the whole table is then one group).

    Raises:
        AdqlSemanticError: the first such column, by its ADQL name, at the select item or HAVING condition.
    """
    keys = frozenset(g.sql() for g in group)
    local = frozenset(r.sql_alias for r in scope.relations)
    names = {(r.sql_alias, f.sql_name): f.name for r in scope.relations for f in r.fields}
    checked = [*items, *([having] if having is not None else [])]
    for tree, position in checked:
        column = _ungrouped(tree, keys, local)
        if column is None:
            continue
        name = names.get((column.table, column.name), column.name)
        if group:
            reason = "must appear in GROUP BY or inside an aggregate function"
        elif having is not None:
            reason = "must be inside an aggregate function: HAVING without GROUP BY makes the whole table one group"
        else:
            reason = "must be inside an aggregate function, or in a GROUP BY: an aggregate makes the table one group"
        raise AdqlSemanticError(f"{at(position)}the column {name} {reason}")
