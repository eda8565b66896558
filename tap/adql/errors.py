"""The errors ADQL translation reports; all are :class:`~vo_service.errors.UsageError`s (HTTP 400, UsageFault).

Each names what is wrong in the client's terms (a position in the query, a table or column name, a feature),
never the SQL the service would have generated.
"""

from __future__ import annotations

from vo_service.errors import UsageError

__all__ = [
    "AdqlError",
    "AdqlInternalError",
    "AdqlSemanticError",
    "AdqlSyntaxError",
    "AdqlUnknownNameError",
    "AdqlUnsupportedError",
    "Position",
    "at",
]

#: (line, column), both counted from 1, of a token in the query text.
Position = tuple[int, int]


def at(position: Position | None) -> str:
    """The ``"line L, column C: "`` prefix of a message, or nothing when the position is unknown."""
    return "" if position is None else f"line {position[0]}, column {position[1]}: "


class AdqlError(UsageError):
    """Base of the translator's errors: the query cannot be run as written."""


class AdqlSyntaxError(AdqlError):
    """The text is not ADQL 2.1: the message says what was found where, and what was expected."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"ADQL syntax error at line {line}, column {column}: {message}")
        self.line = line
        self.column = column


class AdqlUnknownNameError(AdqlError):
    """A table, column or function the query names does not exist (the message names it)."""


class AdqlSemanticError(AdqlError):
    """The query parses but makes no sense: a type mismatch, an ambiguous column, a misplaced aggregate."""


class AdqlUnsupportedError(AdqlError):
    """Valid ADQL that this service does not implement; the message starts with ``unsupported feature:``."""

    def __init__(self, feature: str, position: Position | None = None) -> None:
        super().__init__(f"{at(position)}unsupported feature: {feature}")
        self.feature = feature


class AdqlInternalError(AdqlError):
    """The translator failed on a query it should have handled (a bug, logged); reported, never a crash."""
