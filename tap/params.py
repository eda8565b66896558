"""DALI request parameters: case-insensitive names, repeated values, and the single-valued rule.

Kept free of any web framework: handlers pass the (name, value) pairs of the query string and the form, so the
same object serves sync queries, UWS job parameters and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vo_service.errors import UsageError

__all__ = ["DaliParams", "parse_bool", "parse_maxrec"]


@dataclass(frozen=True)
class DaliParams:
    """Request parameters keyed by upper-cased name, values in the order received.

    ``files`` holds inline upload parts (multipart form fields that carried a file) by their field name, which is
    what ``param:name`` references in UPLOAD point at.
    """

    values: Mapping[str, tuple[str, ...]]
    files: Mapping[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[str, str]], files: Mapping[str, bytes] | None = None
    ) -> DaliParams:
        collected: dict[str, list[str]] = {}
        for name, value in pairs:
            collected.setdefault(name.upper(), []).append(value)
        return cls({k: tuple(v) for k, v in collected.items()}, dict(files or {}))

    def get(self, name: str) -> str | None:
        """The value of a single-valued parameter, or None when absent.

        Raises:
            UsageError: the parameter was given more than once (DALI forbids it for single-valued ones).
        """
        values = self.values.get(name.upper(), ())
        if len(values) > 1:
            raise UsageError(f"parameter {name.upper()} is single-valued but was given {len(values)} times")
        return values[0] if values else None

    def getlist(self, name: str) -> tuple[str, ...]:
        """Every value of a multi-valued parameter (empty when absent)."""
        return self.values.get(name.upper(), ())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self.values


def parse_bool(name: str, value: str | None, default: bool) -> bool:
    """DALI booleans: ``true``/``1`` and ``false``/``0`` (case-insensitive).

    Raises:
        UsageError: any other value, naming the parameter.
    """
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise UsageError(f"parameter {name} must be true or false, not {value!r}")


def parse_maxrec(value: str | None, *, default: int, hard: int) -> int:
    """MAXREC as an integer between 0 and the hard limit (larger requests are capped, as DALI allows).

    Raises:
        UsageError: not a non-negative integer.
    """
    if value is None or value.strip() == "":
        return min(default, hard)
    try:
        maxrec = int(value.strip())
    except ValueError:
        raise UsageError(f"MAXREC must be a non-negative integer, not {value!r}") from None
    if maxrec < 0:
        raise UsageError(f"MAXREC must be a non-negative integer, not {value!r}")
    return min(maxrec, hard)
