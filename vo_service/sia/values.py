"""DALI literal values as SIA parameters carry them: numbers and numeric intervals.

Numbers are read by a pattern of their own rather than by ``float()``, which would also take ``1_000``,
``nan`` or ``infinity`` where a bound is not allowed; infinities (``-Inf``, ``+Inf``, and ``inf`` as pyvo
writes them) are accepted only where an interval may be open.  A ``+`` sent unescaped in a query string
arrives as a space, so an unsigned ``Inf`` is positive.  Every refusal is a ``UsageError`` naming the
parameter and the value, so the client sees what to fix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from vo_service.errors import UsageError

__all__ = ["Interval", "parse_interval", "parse_number", "words"]

_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INFINITY: Final = re.compile(r"([+-]?)inf(?:inity)?", re.IGNORECASE)


def words(name: str, value: str) -> list[str]:
    """The space-separated parts of a value (DALI array serialisation).

    Raises:
        UsageError: the value is empty: leaving the parameter out is how not to constrain it.
    """
    parts = value.split()
    if not parts:
        raise UsageError(f"parameter {name} is empty; leave it out to not constrain {name}")
    return parts


def parse_number(name: str, word: str, *, infinite: bool = False) -> float:
    """One number of parameter ``name``; ``infinite`` admits ``-Inf`` and ``+Inf``.

    Raises:
        UsageError: not a number (or an infinity where none is allowed), naming the parameter.
    """
    if _NUMBER.fullmatch(word):
        number = float(word)
        if math.isfinite(number):
            return number
        raise UsageError(f"parameter {name}: {word!r} is too large a number")
    infinity = _INFINITY.fullmatch(word)
    if infinity is not None and infinite:
        return -math.inf if infinity.group(1) == "-" else math.inf
    allowed = "a number, -Inf or +Inf" if infinite else "a finite number"
    raise UsageError(f"parameter {name}: {word!r} is not {allowed}")


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval whose bounds may be infinite (open-ended); ``low <= high``."""

    low: float
    high: float


def parse_interval(name: str, value: str) -> Interval:
    """A DALI interval ``lo hi`` (``-Inf``/``+Inf`` for open ends) or a single number ``x``, meaning [x, x].

    Raises:
        UsageError: not one or two numbers, or a lower bound above the upper one, naming the parameter.
    """
    parts = words(name, value)
    if len(parts) > 2:
        raise UsageError(f"parameter {name} must be a number or an interval 'lo hi', not {value!r}")
    low, high = (parse_number(name, part, infinite=len(parts) == 2) for part in (parts[0], parts[-1]))
    if low > high:
        raise UsageError(
            f"parameter {name}: {value!r} is not an interval (its lower bound is above its upper)"
        )
    return Interval(low, high)
