"""Name resolution: the relations a FROM clause makes visible and the columns ADQL names refer to.

Every relation of the generated SQL gets an alias that is unique in the whole statement (the client's
correlation name when possible), and every column reference is emitted qualified by it.  So the SQL never
depends on the database's own resolution rules: a correlated subquery cannot capture a name by accident,
``SELECT *`` is expanded here to the published columns only, and USING/NATURAL joins become explicit
conditions with the merged columns written out.

Raises :class:`AdqlUnknownNameError` for unknown names and :class:`AdqlSemanticError` for ambiguous ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from sqlglot import exp

from tap.adql.errors import AdqlSemanticError, AdqlUnknownNameError, at
from tap.adql.syntax import ColumnRef, Name
from tap.adql.types import VType
from tap.schema import Table

__all__ = ["Field", "NameAllocator", "Relation", "Scope", "Value", "column_sql", "ident"]

#: Longer SQL identifiers are replaced by generated ones (PostgreSQL truncates at 63 bytes).
_MAX_SQL_NAME: Final = 60
_PLAIN: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def column_sql(relation_alias: str, name: str) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(relation_alias))


class NameAllocator:
    """Hands out SQL names unique within one statement, close to the names the client chose."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, wanted: str, fallback: str = "t") -> str:
        base = wanted if wanted and _PLAIN.match(wanted) and len(wanted) <= _MAX_SQL_NAME else fallback
        name, n = base, 1
        while name.lower() in self._used:
            n += 1
            name = f"{base}_{n}"
        self._used.add(name.lower())
        return name


@dataclass(eq=False)
class Relation:
    """A table, common table expression or derived table in a FROM clause."""

    sql_alias: str
    alias: Name | None
    table: Table | None = None
    cte_name: str | None = None
    fields: list[Field] = field(default_factory=list)

    def matches(self, qualifier: tuple[Name, ...], *, lenient: bool = False) -> bool:
        """Whether ``qualifier`` (table, or schema.table) designates this relation.

        A correlation name hides the table's own name, except with ``lenient`` (used only when nothing
        else matches), which accepts ``t.col`` for ``FROM t AS a`` as many services do.
        """
        last = qualifier[-1].key
        if self.alias is not None and not lenient:
            return len(qualifier) == 1 and self.alias.key == last
        if self.table is not None:
            if len(qualifier) == 1:
                return self.table.name == last
            return len(qualifier) == 2 and (self.table.schema, self.table.name) == (qualifier[0].key, last)
        return len(qualifier) == 1 and self.cte_name == last

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(eq=False)
class Field:
    """A column as a FROM clause exposes it.

    ``stored`` marks a catalogue column (its SQL value may need conversion, e.g. tagging SQLite geometry);
    ``merged`` is the SQL of a USING/NATURAL join's coalesced column, which belongs to no single relation.
    """

    name: str
    vtype: VType
    relation: Relation | None
    sql_name: str
    stored: bool = False
    merged: exp.Expression | None = None

    def raw(self) -> exp.Expression:
        """A fresh SQL reference to the column as stored (no conversion)."""
        if self.merged is not None:
            return self.merged.copy()
        assert self.relation is not None
        return column_sql(self.relation.sql_alias, self.sql_name)


@dataclass(eq=False, slots=True)
class Value:
    """A compiled value expression: its SQL and type, plus what later rewrites need to know about it.

    ``const`` is the number a constant numeric expression evaluates to, ``text`` a string literal's value,
    ``field`` the column of a plain column reference, ``func``/``args`` an ADQL function call and its
    compiled arguments (the cone and predicate rewrites look at them), ``aggregate`` whether it contains an
    aggregate function.
    """

    sql: exp.Expression
    vtype: VType
    const: float | None = None
    text: str | None = None
    field: Field | None = None
    func: str | None = None
    args: tuple[Value, ...] = ()
    aggregate: bool = False


class Scope:
    """The columns visible at one query level, with the enclosing levels for correlated subqueries."""

    def __init__(self, parent: Scope | None) -> None:
        self.parent = parent
        self.relations: list[Relation] = []
        #: SELECT * order: merged USING columns first, as SQL prescribes.
        self.visible: list[Field] = []
        self.merged: dict[str, Field] = {}

    def add(self, relations: list[Relation], visible: list[Field], merged: dict[str, Field]) -> None:
        for relation in relations:
            if relation.alias is not None and any(
                r.alias is not None and r.alias.key == relation.alias.key for r in self.relations
            ):
                raise AdqlSemanticError(
                    f"{at(relation.alias.pos)}the correlation name {relation.alias.shown()} is used twice"
                )
        self.relations.extend(relations)
        self.visible.extend(visible)
        self.merged.update(merged)

    def resolve(self, ref: ColumnRef) -> Field:
        """The field ``ref`` names, here or in an enclosing level.

        Raises:
            AdqlUnknownNameError: no such column or table.
            AdqlSemanticError: the name matches several columns.
        """
        *qualifier, column = ref.names
        scope: Scope | None = self
        while scope is not None:
            found = scope._lookup(tuple(qualifier), column, ref)
            if found is not None:
                return found
            scope = scope.parent
        if qualifier and not any(s.relations_for(tuple(qualifier)) for s in self._chain()):
            raise AdqlUnknownNameError(
                f"{at(ref.pos)}unknown table or correlation name {'.'.join(n.shown() for n in qualifier)} "
                f"in {ref.shown()}"
            )
        raise AdqlUnknownNameError(f"{at(ref.pos)}unknown column {ref.shown()}")

    def _chain(self) -> list[Scope]:
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain

    def relations_for(self, qualifier: tuple[Name, ...]) -> list[Relation]:
        """The relations a qualifier designates at this level (strict matches first, then lenient)."""
        if len(qualifier) > 2:
            raise AdqlUnknownNameError(
                f"{at(qualifier[0].pos)}catalog names are not supported: {'.'.join(n.shown() for n in qualifier)}"
            )
        strict = [r for r in self.relations if r.matches(qualifier)]
        return strict or [r for r in self.relations if r.matches(qualifier, lenient=True)]

    def _lookup(self, qualifier: tuple[Name, ...], column: Name, ref: ColumnRef) -> Field | None:
        if not qualifier:
            if column.key in self.merged:
                return self.merged[column.key]
            candidates = [f for r in self.relations if (f := r.field(column.key)) is not None]
        else:
            relations = self.relations_for(qualifier)
            if len(relations) > 1:
                raise AdqlSemanticError(f"{at(ref.pos)}{ref.shown()} is ambiguous: several tables match")
            candidates = [f for r in relations if (f := r.field(column.key)) is not None]
            if relations and not candidates:
                raise AdqlUnknownNameError(f"{at(ref.pos)}unknown column {ref.shown()}")
        if len(candidates) > 1:
            raise AdqlSemanticError(
                f"{at(ref.pos)}column {column.shown()} is ambiguous: qualify it with a table name"
            )
        return candidates[0] if candidates else None

    def star(self, qualifier: tuple[Name, ...] | None, position: tuple[int, int]) -> list[Field]:
        """The fields ``*`` or ``qualifier.*`` stands for."""
        if qualifier is None:
            return list(self.visible)
        relations = self.relations_for(qualifier)
        if not relations:
            raise AdqlUnknownNameError(
                f"{at(position)}unknown table or correlation name {'.'.join(n.shown() for n in qualifier)}"
            )
        if len(relations) > 1:
            raise AdqlSemanticError(f"{at(position)}{'.'.join(n.shown() for n in qualifier)}.* is ambiguous")
        return list(relations[0].fields)
