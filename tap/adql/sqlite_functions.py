"""What a SQLite connection needs before it runs translated ADQL: SQL functions and ``case_sensitive_like``.

:func:`prepare_connection` registers the geometry of :mod:`tap.adql.sqlite_geometry` and the functions
below, which the SQLite target (:mod:`tap.adql.target_sqlite`) calls where SQLite lacks an ADQL function or
disagrees with it: ``round(x, n)`` ignores negative ``n``, ``log`` is base 10, ``log10`` is not exact at powers
of ten (``log10(1000)`` is 2.9999999999999996, so ``FLOOR(LOG10(1000))`` would be 2), ``pow(0, -1)`` is infinite
rather than outside the domain (NULL, as PostgreSQL's side gives it), ``random()`` is an integer,
``lower``/``upper`` only know ASCII, ``cot`` and ``truncate`` do not exist.  ROUND, TRUNCATE and MOD compute on the 15 significant digits
PostgreSQL's ``numeric`` would see, so that both engines give the same numbers.  Math functions missing from
a SQLite built without them get Python versions.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from astropy import units as u
from astropy.coordinates import Latitude, Longitude
from cdshealpix.nested import lonlat_to_healpix

from tap.adql import sqlite_geometry
from tap.adql.sqlite_errors import FunctionError, keep, kept
from tap.adql.types import dali_timestamp

__all__ = ["FUNCTION_NAMES", "prepare_connection"]

SqlNumber = int | float | None
SqlValue = str | int | float | None
#: Beyond this many decimal places a double has nothing left to round.
_MAX_PLACES: Final = 20
_MAX_HEALPIX_ORDER: Final = 29


def _number(value: object, function: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FunctionError(f"{function}: {value!r} is not a number") from None


def _decimal(x: float) -> Decimal:
    """``x`` as PostgreSQL's float8-to-numeric cast sees it: 15 significant digits."""
    return Decimal(format(x, ".15g"))


def _rounded(value: object, places: object, mode: str, function: str) -> float | None:
    x = _number(value, function)
    n = _number(places, function)
    if x is None or n is None:
        return None
    if not math.isfinite(x) or n > _MAX_PLACES:
        return x
    try:
        exponent = Decimal(1).scaleb(-int(n))
        return float(_decimal(x).quantize(exponent, rounding=mode))
    except InvalidOperation:  # more digits than the context holds: nothing to round
        return x


def _round(value: object, places: object = 0) -> float | None:
    """ADQL ROUND: half away from zero, negative places round left of the decimal point."""
    return _rounded(value, places, ROUND_HALF_UP, "ROUND")


def _truncate(value: object, places: object = 0) -> float | None:
    """ADQL TRUNCATE: towards zero."""
    return _rounded(value, places, ROUND_DOWN, "TRUNCATE")


def _mod(value: object, divisor: object) -> float | None:
    """ADQL MOD: the remainder with the sign of the dividend (NULL for a zero divisor, as SQLite's %)."""
    x, y = _number(value, "MOD"), _number(divisor, "MOD")
    if x is None or y is None or y == 0 or not (math.isfinite(x) and math.isfinite(y)):
        return None
    return float(_decimal(x) % _decimal(y))


def _cot(value: object) -> float | None:
    x = _number(value, "COT")
    if x is None:
        return None
    sin = math.sin(x)
    return math.cos(x) / sin if sin != 0.0 else math.inf


def _lon(value: object) -> float | None:
    """A longitude wrapped into [0, 360), as pgSphere's long() and DALI give it."""
    x = _number(value, "COORD1")
    if x is None or not math.isfinite(x):
        return x
    wrapped = x % 360.0
    return 0.0 if wrapped == 360.0 else wrapped


def _lower(value: object) -> str | None:
    """LOWER for all of Unicode (SQLite's lower() only knows ASCII; PostgreSQL's knows its locale)."""
    return None if value is None else str(value).lower()


def _upper(value: object) -> str | None:
    return None if value is None else str(value).upper()


def _rand(*_seed: object) -> float:
    return random.random()


def _timestamp(value: object) -> str | None:
    """CAST(x AS TIMESTAMP): DALI ``YYYY-MM-DD['T'hh:mm:ss[.SSS]['Z']]`` to the stored form.

    Raises FunctionError for text that is not such a timestamp.
    """
    if value is None:
        return None
    try:
        parsed = dali_timestamp(str(value))
    except ValueError as exc:
        raise FunctionError(f"CAST to TIMESTAMP: {exc}") from None
    stored = parsed.strftime("%Y-%m-%dT%H:%M:%S")
    if parsed.microsecond:
        stored += f".{parsed.microsecond // 1000:03d}"
    return stored


def _healpix_index(order: object, lon: object, lat: object) -> int | None:
    """ivo_healpix_index: nested HEALPix cell of (lon, lat) at ``order`` (0 to 29)."""
    name = "ivo_healpix_index"
    depth, ra, dec = _number(order, name), _number(lon, name), _number(lat, name)
    if depth is None or ra is None or dec is None:
        return None
    if depth != int(depth) or not 0 <= depth <= _MAX_HEALPIX_ORDER:
        raise FunctionError(f"ivo_healpix_index: order {order!r} is not an integer from 0 to 29")
    if not (math.isfinite(ra) and -90.0 <= dec <= 90.0):
        raise FunctionError(f"ivo_healpix_index: ({lon!r}, {lat!r}) is not a position")
    cells = lonlat_to_healpix(Longitude([ra], u.deg), Latitude([dec], u.deg), int(depth))
    return int(cells[0])


def _null_safe(func: Callable[..., SqlNumber]) -> Callable[..., SqlNumber]:
    def wrapper(*args: object) -> SqlNumber:
        if None in args:
            return None
        try:
            return func(*(float(a) for a in args))  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            return None  # domain errors are NULL, as in SQLite's own math functions

    return wrapper


class _SingleValue:
    """``mmvo_single_value(x)``: the value of a scalar subquery's only row, or NULL when it has none.

    SQLite silently takes the first row of a scalar subquery returning several; PostgreSQL (and SQL) refuse
    it, and so does this aggregate, at the second row.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.value: SqlValue = None

    def step(self, value: SqlValue) -> None:
        self.rows += 1
        if self.rows > 1:
            error = FunctionError("a subquery used as a value returned more than one row")
            keep(error)
            raise error
        self.value = value

    def finalize(self) -> SqlValue:
        return self.value


_FUNCTIONS: Final[tuple[tuple[str, int, Callable[..., SqlValue], bool], ...]] = (
    ("mmvo_round", 2, _round, True),
    ("mmvo_truncate", 2, _truncate, True),
    ("mmvo_mod", 2, _mod, True),
    ("mmvo_cot", 1, _cot, True),
    ("mmvo_lon", 1, _lon, True),
    ("mmvo_lower", 1, _lower, True),
    ("mmvo_upper", 1, _upper, True),
    ("mmvo_rand", 0, _rand, False),
    ("mmvo_timestamp", 1, _timestamp, True),
    ("mmvo_healpix_index", 3, _healpix_index, True),
    ("mmvo_log10", 1, _null_safe(math.log10), True),
    ("mmvo_power", 2, _null_safe(math.pow), True),
)

#: Python versions of the math functions SQLite only has when built with SQLITE_ENABLE_MATH_FUNCTIONS.
_MATH: Final[dict[str, tuple[int, Callable[..., SqlNumber]]]] = {
    "ln": (1, math.log),
    "log10": (1, math.log10),
    "exp": (1, math.exp),
    "power": (2, math.pow),
    "sqrt": (1, math.sqrt),
    "ceiling": (1, math.ceil),
    "floor": (1, math.floor),
    "degrees": (1, math.degrees),
    "radians": (1, math.radians),
    "pi": (0, lambda: math.pi),
    "acos": (1, math.acos),
    "asin": (1, math.asin),
    "atan": (1, math.atan),
    "atan2": (2, math.atan2),
    "cos": (1, math.cos),
    "sin": (1, math.sin),
    "tan": (1, math.tan),
}

#: The functions :func:`prepare_connection` defines besides the geometry ones.
FUNCTION_NAMES: Final[frozenset[str]] = frozenset({*(name for name, *_ in _FUNCTIONS), "mmvo_single_value"})


def _has_math(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT ln(1), log10(1), pi()").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def prepare_connection(conn: sqlite3.Connection) -> None:
    """Makes ``conn`` able to run translated ADQL; call it on every new connection (SQLite forgets).

    Registers the ADQL geometry and helper functions and sets ``PRAGMA case_sensitive_like = ON``, since ADQL's
    LIKE is case-sensitive (ILIKE is translated to ``mmvo_lower(a) LIKE mmvo_lower(b)``).
    """
    sqlite_geometry.register(conn)
    for name, narg, func, deterministic in _FUNCTIONS:
        conn.create_function(name, narg, kept(func), deterministic=deterministic)
    conn.create_function("mmvo_rand", 1, _rand, deterministic=False)
    # typeshed has aggregates return int only; any SQL value is fine
    conn.create_aggregate("mmvo_single_value", 1, _SingleValue)  # type: ignore[arg-type]
    if not _has_math(conn):
        for name, (narg, math_func) in _MATH.items():
            conn.create_function(name, narg, _null_safe(math_func), deterministic=True)
    conn.execute("PRAGMA case_sensitive_like = ON")
