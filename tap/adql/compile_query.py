"""Compiling ADQL queries: WITH, set operations, SELECT lists, FROM and joins, GROUP BY, ORDER BY, limits.

The SQL is built as sqlglot trees that both targets share; only expressions differ per database.  Choices that
keep the two databases in agreement:

* ``SELECT *`` is expanded to the published columns, every output gets a unique name (``count``,
  ``count_2``...), and NULLs sort as on PostgreSQL (last ascending, first descending) on both engines;
* USING and NATURAL joins become explicit ON conditions, their merged column a COALESCE for FULL joins;
* a set operation operand that carries ORDER BY/TOP/OFFSET, or that is itself a set operation SQLite would
  read with the wrong precedence, is wrapped in ``SELECT ... FROM (...)``;
* TOP, OFFSET and the runner's row limit become one LIMIT/OFFSET (OFFSET applies first, as ADQL wants);
* geometry leaving the outermost query becomes DALI text, or STC-S for a column published as ADQL REGION
  (every operand of a set operation writes a column as its first operand, which gives the metadata); inside,
  geometry stays in the database's own form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlglot import exp

from tap.adql import functions as fn
from tap.adql.compile_cond import ConditionCompiler
from tap.adql.compile_expr import WHERE, Clause, OutputColumn
from tap.adql.errors import AdqlSemanticError, AdqlUnknownNameError, Position, at
from tap.adql.grouping import check_grouping
from tap.adql.scope import Field, Relation, Scope, Value, column_sql, ident
from tap.adql.syntax import (
    ColumnRef,
    DerivedTable,
    FromItem,
    FuncCall,
    JoinExpr,
    Literal,
    OrderItem,
    QueryExpr,
    Select,
    SetOp,
    StarItem,
    Statement,
    TableName,
    ValueExpr,
)
from tap.adql.targets import fold_and, number, paren
from tap.adql.types import from_column

__all__ = ["QueryCompiler"]

SELECT_LIST = Clause("the select list", aggregates=True)
GROUP_BY = Clause("GROUP BY", aggregates=False)
HAVING = Clause("HAVING", aggregates=True)
ORDER_BY = Clause("ORDER BY", aggregates=True)
ON = Clause("a join condition", aggregates=False)
_MAX_SQL_NAME: Final = 60

Compiled = tuple[exp.Expression, list[OutputColumn]]
#: A FROM item as SQL: its first table expression and the joins that follow it.
Tree = tuple[exp.Expression, list[exp.Join]]
FromResult = tuple[Tree, list[Relation], list[Field], dict[str, Field]]


def _nest(tree: Tree) -> exp.Expression:
    """A FROM item usable as a join operand: a table, or a parenthesised join."""
    first, joins = tree
    if not joins:
        return first
    first.set("joins", joins)
    return exp.Subquery(this=first)


def _natural_name(expr: ValueExpr, value: Value) -> str:
    """The name of an unaliased select item: its column's name, its function's name, else ``expr``."""
    if isinstance(expr, ColumnRef) and value.field is not None:
        return value.field.name
    if isinstance(expr, FuncCall):
        return expr.name.lower()
    return "expr"


def _unique_names(wanted: Sequence[tuple[str | None, str]]) -> list[str]:
    """Output names: explicit aliases first, then natural names, with ``_2``, ``_3``... for repeats."""
    names: list[str | None] = [None] * len(wanted)
    used: set[str] = set()
    for i, (explicit, _) in enumerate(wanted):
        if explicit is not None and explicit not in used:
            names[i] = explicit
            used.add(explicit)
    for i, (explicit, natural) in enumerate(wanted):
        if names[i] is None:
            base = explicit or natural
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}_{n}"
            names[i] = name
            used.add(name)
    return [n for n in names if n is not None]


def _sql_aliases(names: Sequence[str]) -> list[str]:
    """SQL aliases for output names: the name itself unless too long for PostgreSQL."""
    short = {n.lower() for n in names if len(n.encode()) <= _MAX_SQL_NAME}
    aliases = []
    for i, name in enumerate(names, 1):
        alias = name if len(name.encode()) <= _MAX_SQL_NAME else f"col{i}"
        while alias != name and alias.lower() in short:
            alias = "_" + alias
        aliases.append(alias)
    return aliases


def _combined_limit(*limits: int | None) -> int | None:
    given = [n for n in limits if n is not None]
    return min(given) if given else None


class QueryCompiler(ConditionCompiler):
    """Turns a parsed statement into a target SQL tree and its result columns."""

    def statement(self, statement: Statement, limit: int | None) -> Compiled:
        ctes: list[exp.CTE] = []
        for cte in statement.ctes:
            key = cte.name.key
            if key in self.ctx.ctes:
                raise AdqlSemanticError(
                    f"{at(cte.pos)}the common table expression {cte.name.shown()} is defined twice"
                )
            sql, columns = self.query(cte.query, None, top=False, limit=None)
            sql_name = self.ctx.names(key, "cte")
            self.ctx.ctes[key] = (sql_name, columns)
            ctes.append(exp.CTE(this=sql, alias=exp.TableAlias(this=ident(sql_name))))
        sql, columns = self.query(statement.query, None, top=True, limit=limit)
        if ctes:
            sql.set("with_", exp.With(expressions=ctes))
        return sql, columns

    def subquery(self, query: QueryExpr, scope: Scope) -> tuple[exp.Expression, list[OutputColumn]]:
        return self.query(query, scope, top=False, limit=None)

    def query(
        self,
        node: QueryExpr | Select | SetOp,
        parent: Scope | None,
        *,
        top: bool,
        limit: int | None,
        stcs: Sequence[bool] | None = None,
    ) -> Compiled:
        """Any query expression; ``top`` marks the outermost one (geometry leaves it as text).

        ``stcs`` says per column which geometry leaves as STC-S rather than DALI text, when another operand
        of a set operation decided it; otherwise each column's own type does (:attr:`VType.stcs_output`).
        """
        if isinstance(node, Select):
            return self._select(node, parent, top, (), None, limit, stcs)
        if isinstance(node, SetOp):
            return self._set_operation(node, parent, top, limit, stcs)
        if isinstance(node.body, Select):
            return self._select(node.body, parent, top, node.order_by, node.offset, limit, stcs)
        sql, columns = self.query(node.body, parent, top=top, limit=None, stcs=stcs)
        if node.order_by or node.offset is not None or limit is not None:
            return self._wrap(sql, columns, node.order_by, node.offset, limit)
        return sql, columns

    # ------------------------------------------------------------------------------------ SELECT

    def _select(
        self,
        select: Select,
        parent: Scope | None,
        top: bool,
        order: Sequence[OrderItem],
        offset: int | None,
        limit: int | None,
        stcs: Sequence[bool] | None = None,
    ) -> Compiled:
        scope = Scope(parent)
        first, joins = self._from(select.from_, scope)
        where = None if select.where is None else self.condition(select.where, scope, WHERE)
        items: list[tuple[Value, str | None, str]] = []
        positions: list[Position] = []
        for item in select.items:
            if isinstance(item, StarItem):
                for field in scope.star(item.qualifier, item.pos):
                    items.append((self._field_value(field), None, field.name))
                    positions.append(item.pos)
            else:
                value = self.value(item.expr, scope, SELECT_LIST)
                explicit = None if item.alias is None else item.alias.key
                items.append((value, explicit, _natural_name(item.expr, value)))
                positions.append(item.pos)
        names = _unique_names([(explicit, natural) for _, explicit, natural in items])
        aliases = _sql_aliases(names)
        columns = [OutputColumn(n, a, v.vtype) for (v, _, _), n, a in zip(items, names, aliases, strict=True)]
        if stcs is None or len(stcs) != len(items):  # a count mismatch is reported by the set operation
            stcs = [v.vtype.stcs_output for v, _, _ in items]
        outputs = [
            exp.Alias(this=self._output(v, as_stcs) if top else v.sql, alias=ident(a))
            for (v, _, _), a, as_stcs in zip(items, aliases, stcs, strict=True)
        ]
        result = exp.Select(expressions=outputs)
        if select.distinct:
            result.set("distinct", exp.Distinct())
        result.set("from_", exp.From(this=first))
        if joins:
            result.set("joins", joins)
        if where is not None:
            result.set("where", exp.Where(this=where))
        group = [self._group_term(g, scope, items, names) for g in select.group_by]
        if group:
            result.set("group", exp.Group(expressions=group))
        having = None
        if select.having is not None:
            having = (self.condition(select.having, scope, HAVING), select.having.pos)
            result.set("having", exp.Having(this=having[0]))
        if group or having or any(v.aggregate for v, _, _ in items):
            check_grouping(
                scope, group, having, [(v.sql, p) for (v, _, _), p in zip(items, positions, strict=True)]
            )
        self._finish(result, scope, columns, order, offset, _combined_limit(select.top, limit))
        return result, columns

    def _group_term(
        self, term: ValueExpr, scope: Scope, items: list[tuple[Value, str | None, str]], names: list[str]
    ) -> exp.Expression:
        """A GROUP BY term; a bare name that is no column may be an alias of the select list."""
        if isinstance(term, ColumnRef) and len(term.names) == 1:
            try:
                return self.value(term, scope, GROUP_BY).sql
            except AdqlUnknownNameError:
                if term.names[0].key not in names:
                    raise
                return items[names.index(term.names[0].key)][0].sql.copy()
        return self.value(term, scope, GROUP_BY).sql

    def _finish(
        self,
        query: exp.Select,
        scope: Scope,
        columns: list[OutputColumn],
        order: Sequence[OrderItem],
        offset: int | None,
        limit: int | None,
    ) -> None:
        """ORDER BY (positions, output names, expressions), then LIMIT and OFFSET."""
        if order:
            names = [c.name for c in columns]
            keys = [exp.Ordered(this=self._order_key(o, scope, names), desc=o.descending, nulls_first=o.descending)
                    for o in order]  # fmt: skip
            query.set("order", exp.Order(expressions=keys))
        if limit is not None:
            query.set("limit", exp.Limit(expression=number(limit)))
        if offset is not None:
            query.set("offset", exp.Offset(expression=number(offset)))

    def _order_key(self, item: OrderItem, scope: Scope, names: list[str]) -> exp.Expression:
        expr = item.expr
        if isinstance(expr, Literal) and expr.kind == "int":
            position = int(expr.text)
            if not 1 <= position <= len(names):
                raise AdqlSemanticError(
                    f"{at(item.pos)}ORDER BY {position}: the query has {len(names)} columns"
                )
            return number(position)
        if isinstance(expr, ColumnRef) and len(expr.names) == 1 and expr.names[0].key in names:
            return number(names.index(expr.names[0].key) + 1)
        return self.value(expr, scope, ORDER_BY).sql

    def _output(self, value: Value, as_stcs: bool) -> exp.Expression:
        """A select item of the outermost query: geometry as DALI text, or as STC-S (ADQL REGION columns)."""
        if value.vtype.kind != "geometry":
            return value.sql
        return self.target.stcs(value) if as_stcs else self.target.dali(value)

    def _field_value(self, field: Field) -> Value:
        return Value(self.target.stored(field) if field.stored else field.raw(), field.vtype, field=field)

    # ------------------------------------------------------------------------------------ set operations

    def _set_operation(
        self, node: SetOp, parent: Scope | None, top: bool, limit: int | None, stcs: Sequence[bool] | None
    ) -> Compiled:
        left, left_columns = self.query(node.left, parent, top=top, limit=None, stcs=stcs)
        if stcs is None:
            stcs = [c.vtype.stcs_output for c in left_columns]
        right, right_columns = self.query(node.right, parent, top=top, limit=None, stcs=stcs)
        if len(left_columns) != len(right_columns):
            raise AdqlSemanticError(
                f"{at(node.pos)}{node.op}: the queries return {len(left_columns)} and {len(right_columns)} "
                "columns; they must return the same number"
            )
        for a, b in zip(left_columns, right_columns, strict=True):
            fn.common_type([Value(exp.Null(), a.vtype), Value(exp.Null(), b.vtype)], node.op, node.pos)
        left = self._operand(left, left_columns, node, right_side=False)
        right = self._operand(right, right_columns, node, right_side=True)
        left_names, right_names = [c.sql_name for c in left_columns], [c.sql_name for c in right_columns]
        result = self.target.set_operation(
            node.op, not node.all, ((left, left_names), (right, right_names)), self.ctx.names
        )
        if limit is not None:
            return self._wrap(result, left_columns, (), None, limit)
        return result, left_columns

    def _operand(
        self, sql: exp.Expression, columns: list[OutputColumn], parent: SetOp, *, right_side: bool
    ) -> exp.Expression:
        """Wraps what SQLite cannot take as a compound member, or would group differently."""
        if isinstance(sql, exp.SetOperation):
            same_level = isinstance(sql, exp.Intersect) == (parent.op == "INTERSECT")
            needs_wrap = right_side or not same_level
        else:
            needs_wrap = any(sql.args.get(k) for k in ("order", "limit", "offset"))
        if not needs_wrap:
            return sql
        wrapped, _ = self._wrap(sql, columns, (), None, None)
        return wrapped

    def _wrap(
        self,
        sql: exp.Expression,
        columns: list[OutputColumn],
        order: Sequence[OrderItem],
        offset: int | None,
        limit: int | None,
    ) -> Compiled:
        """``SELECT columns FROM (sql) AS q`` with ORDER BY over the output columns, OFFSET and LIMIT."""
        alias = self.ctx.names("q", "q")
        relation = Relation(alias, None)
        relation.fields = [Field(c.name, c.vtype, relation, c.sql_name) for c in columns]
        scope = Scope(None)
        scope.add([relation], relation.fields, {})
        outputs = [exp.Alias(this=column_sql(alias, c.sql_name), alias=ident(c.sql_name)) for c in columns]
        query = exp.Select(expressions=outputs)
        query.set("from_", exp.From(this=exp.Subquery(this=sql, alias=exp.TableAlias(this=ident(alias)))))
        self._finish(query, scope, columns, order, offset, limit)
        return query, columns

    # ------------------------------------------------------------------------------------ FROM

    def _from(self, items: Sequence[FromItem], scope: Scope) -> Tree:
        first: exp.Expression | None = None
        joins: list[exp.Join] = []
        for item in items:
            tree, relations, visible, merged = self._from_item(item, scope.parent)
            scope.add(relations, visible, merged)
            if first is None:
                first, joins = tree[0], list(tree[1])
            else:
                joins.append(exp.Join(this=_nest(tree), kind="CROSS"))
        assert first is not None
        return first, joins

    def _from_item(self, item: FromItem, outer: Scope | None) -> FromResult:
        if isinstance(item, TableName):
            return self._table(item)
        if isinstance(item, DerivedTable):
            sql, columns = self.query(item.query, outer, top=False, limit=None)
            alias = self.ctx.names(item.alias.key, "q")
            relation = Relation(alias, item.alias)
            relation.fields = [Field(c.name, c.vtype, relation, c.sql_name) for c in columns]
            tree: Tree = (exp.Subquery(this=sql, alias=exp.TableAlias(this=ident(alias))), [])
            return tree, [relation], list(relation.fields), {}
        return self._join(item, outer)

    def _table(self, item: TableName) -> FromResult:
        names = item.names
        if len(names) == 1 and names[0].key in self.ctx.ctes:
            sql_name, columns = self.ctx.ctes[names[0].key]
            alias = self.ctx.names(item.alias.key if item.alias else names[0].key, "t")
            relation = Relation(alias, item.alias, cte_name=names[0].key)
            relation.fields = [Field(c.name, c.vtype, relation, c.sql_name) for c in columns]
            table_sql = exp.Table(this=ident(sql_name), alias=exp.TableAlias(this=ident(alias)))
            return (table_sql, []), [relation], list(relation.fields), {}
        if len(names) == 3:
            raise AdqlUnknownNameError(f"{at(item.pos)}catalog names are not supported: {item.shown()}")
        schema = names[0].key if len(names) == 2 else None
        table = self.ctx.catalog.table(schema, names[-1].key)
        if table is None:
            raise AdqlUnknownNameError(f"{at(item.pos)}unknown table {item.shown()}")
        self.ctx.tables.setdefault((table.schema, table.name), table)
        alias = self.ctx.names(item.alias.key if item.alias else table.name, "t")
        relation = Relation(alias, item.alias, table=table)
        relation.fields = [
            Field(c.name, from_column(c), relation, c.name, stored=True) for c in table.columns
        ]
        return (self.target.table(table, alias), []), [relation], list(relation.fields), {}

    def _join(self, item: JoinExpr, outer: Scope | None) -> FromResult:
        (left_tree, left_rel, left_vis, left_merged) = self._from_item(item.left, outer)
        (right_tree, right_rel, right_vis, right_merged) = self._from_item(item.right, outer)
        join_scope = Scope(outer)
        join_scope.add(left_rel + right_rel, left_vis + right_vis, {**left_merged, **right_merged})
        if item.natural:
            right_names = {f.name for f in right_vis}
            shared = list(dict.fromkeys(f.name for f in left_vis if f.name in right_names))
        else:
            shared = [n.key for n in item.using or ()]
        conditions: list[exp.Expression] = []
        merged: dict[str, Field] = {}
        for name in shared:
            left = self._field_value(_single(left_vis, name, "left", item))
            right = self._field_value(_single(right_vis, name, "right", item))
            conditions.append(exp.EQ(this=paren(left.sql.copy()), expression=paren(right.sql.copy())))
            sql = {"LEFT": left.sql, "INNER": left.sql, "RIGHT": right.sql}.get(
                item.kind, exp.Coalesce(this=left.sql, expressions=[right.sql])
            )
            merged[name] = Field(name, left.vtype.derived(), None, name, merged=sql)
        if item.on is not None:
            conditions.append(self.condition(item.on, join_scope, ON))
        join = exp.Join(this=_nest(right_tree), side=None if item.kind == "INNER" else item.kind)
        if conditions:
            join.set("on", fold_and(conditions))
        elif item.kind == "INNER":
            join.set("kind", "CROSS")
        else:
            join.set("on", exp.true())
        visible = [*merged.values(), *(f for f in left_vis + right_vis if f.name not in merged)]
        tree: Tree = (left_tree[0], [*left_tree[1], join])
        return tree, left_rel + right_rel, visible, {**left_merged, **right_merged, **merged}


def _single(fields: list[Field], name: str, side: str, item: JoinExpr) -> Field:
    matches = [f for f in fields if f.name == name]
    if not matches:
        raise AdqlUnknownNameError(f"{at(item.pos)}join column {name} is not in the {side} table")
    if len(matches) > 1:
        raise AdqlSemanticError(f"{at(item.pos)}join column {name} is ambiguous in the {side} table")
    return matches[0]
