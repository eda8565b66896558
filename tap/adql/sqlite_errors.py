"""The errors of the SQL functions registered on SQLite connections, recovered from sqlite's anonymous message.

Python's ``sqlite3`` reports an exception raised by a registered function only as ``OperationalError:
user-defined function raised exception`` (for aggregates: ``user-defined aggregate's 'step' method raised
error``), which tells a user nothing.  So the functions of :mod:`tap.adql.sqlite_geometry` and
:mod:`tap.adql.sqlite_functions` :func:`keep` the error they raise, per thread (sqlite runs them in the thread
that executes the statement), and :func:`function_errors` puts it back in place of the anonymous one.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Final, ParamSpec, TypeVar

__all__ = ["FunctionError", "function_errors", "keep", "kept"]

#: What sqlite3 says when a Python function, or an aggregate's step or finalize method, raised.
_ANONYMOUS: Final = (
    "user-defined function raised exception",
    "user-defined aggregate's 'step' method raised error",
    "user-defined aggregate's 'finalize' method raised error",
)

P = ParamSpec("P")
R = TypeVar("R")


class FunctionError(ValueError):
    """A helper SQL function refused its arguments; the message says why in ADQL terms (a bad timestamp...)."""


class _LastError(threading.local):
    error: ValueError | None = None


_last = _LastError()


def keep(error: ValueError) -> None:
    """Remembers ``error``, about to be raised from an SQL function, for :func:`function_errors`."""
    _last.error = error


def kept(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` as an SQL function whose :class:`FunctionError` is kept before sqlite hides it."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except FunctionError as exc:
            keep(exc)
            raise

    return wrapper


@contextlib.contextmanager
def function_errors() -> Iterator[None]:
    """Turns sqlite's anonymous error about a failed SQL function back into the error the function raised.

    Wrap ``execute`` and each ``fetch*`` of a statement; other errors pass through unchanged, and an error
    kept by an earlier statement is never reported for this one.
    """
    _last.error = None
    try:
        yield
    except sqlite3.OperationalError as exc:
        error, _last.error = _last.error, None
        if error is not None and any(message in str(exc) for message in _ANONYMOUS):
            raise error from exc
        raise
