"""ADQL 2.1: parsing, checking and translation to SQLite and PostgreSQL+pgSphere SQL.

The public interface is :func:`translate` and its :class:`Translation`, the errors it raises, and the
feature registry :mod:`tap.adql.features` that TAPRegExt is generated from.
"""

from tap.adql.errors import (
    AdqlError,
    AdqlInternalError,
    AdqlSemanticError,
    AdqlSyntaxError,
    AdqlUnknownNameError,
    AdqlUnsupportedError,
)
from tap.adql.translate import Translation, translate

__all__ = [
    "AdqlError",
    "AdqlInternalError",
    "AdqlSemanticError",
    "AdqlSyntaxError",
    "AdqlUnknownNameError",
    "AdqlUnsupportedError",
    "Translation",
    "translate",
]
