"""From SIA 2.0 query parameters to one ADQL query over ``ivoa.obscore``.

Each parameter SIA defines has one entry in :data:`CONDITIONS`, which turns one of its values into an ADQL
condition on ObsCore columns; the values of one parameter are OR-ed, the parameters AND-ed, and the whole is
restricted to images and cubes, the only product types SIA returns.  How values match follows the standard:

* POS: the shape intersects ``s_region``;
* BAND and TIME: the interval overlaps [``em_min``, ``em_max``] or [``t_min``, ``t_max``];
* FOV, SPATRES, EXPTIME, TIMERES, SPECRP: the interval includes the column's value;
* ID: equal to ``obs_publisher_did`` ignoring case (IVOIDs compare so), the other strings exactly;
* POL: one of ObsCore's states, found in the ``/``-delimited ``pol_states``.

An unknown value of a column (NULL) never satisfies a constraint on it, open intervals included.  Parameters
SIA does not define are no constraint: a service may offer custom ones, and clients add their own (RUNID).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Final

from tap.params import DaliParams
from vo_service.errors import UsageError
from vo_service.sia.adql import all_of, any_of, intersects, number, string
from vo_service.sia.shapes import parse_pos
from vo_service.sia.values import parse_interval

__all__ = ["CALIB_LEVELS", "CONDITIONS", "IMAGE_TYPES", "POL_STATES", "TABLE", "constraints", "sia_query"]

TABLE: Final = "ivoa.obscore"
#: The ObsCore product types an SIA service returns (and DPTYPE may ask for).
IMAGE_TYPES: Final = ("image", "cube")
#: ObsCore calibration levels.
CALIB_LEVELS: Final = ("0", "1", "2", "3", "4")
#: The polarization states of ObsCore's ``pol_states``.
POL_STATES: Final = ("I", "Q", "U", "V", "RR", "LL", "RL", "LR", "XX", "YY", "XY", "YX", "POLI", "POLA")

#: (parameter name, one of its values) -> ADQL condition.
Condition = Callable[[str, str], str]


def _overlaps(low_column: str, high_column: str) -> Condition:
    def condition(name: str, value: str) -> str:
        interval = parse_interval(name, value)
        return all_of(
            [
                f"{low_column} <= {number(interval.high)}"
                if math.isfinite(interval.high)
                else f"{low_column} IS NOT NULL",
                f"{high_column} >= {number(interval.low)}"
                if math.isfinite(interval.low)
                else f"{high_column} IS NOT NULL",
            ]
        )

    return condition


def _within(column: str) -> Condition:
    def condition(name: str, value: str) -> str:
        interval = parse_interval(name, value)
        bounds = [
            f"{column} {op} {number(bound)}"
            for op, bound in ((">=", interval.low), ("<=", interval.high))
            if math.isfinite(bound)
        ]
        return all_of(bounds or [f"{column} IS NOT NULL"])

    return condition


def _text(name: str, value: str) -> str:
    if not value:
        raise UsageError(f"parameter {name} is empty; leave it out to not constrain {name}")
    return value


def _equals(column: str) -> Condition:
    return lambda name, value: f"{column} = {string(_text(name, value))}"


def _ivoid(column: str) -> Condition:
    return lambda name, value: f"LOWER({column}) = LOWER({string(_text(name, value))})"


def _one_of(column: str, allowed: Sequence[str], *, numeric: bool = False) -> Condition:
    def condition(name: str, value: str) -> str:
        if value.strip() not in allowed:
            raise UsageError(f"parameter {name} must be one of {', '.join(allowed)}, not {value!r}")
        return f"{column} = {value.strip() if numeric else string(value.strip())}"

    return condition


def _polarization(name: str, value: str) -> str:
    if value.strip() not in POL_STATES:
        raise UsageError(f"parameter {name} must be one of {', '.join(POL_STATES)}, not {value!r}")
    return f"pol_states LIKE {string('%/' + value.strip() + '/%')}"


def _position(name: str, value: str) -> str:
    return intersects("s_region", parse_pos(value), centre=("s_ra", "s_dec"))


CONDITIONS: Final[dict[str, Condition]] = {
    "POS": _position,
    "BAND": _overlaps("em_min", "em_max"),
    "TIME": _overlaps("t_min", "t_max"),
    "POL": _polarization,
    "FOV": _within("s_fov"),
    "SPATRES": _within("s_resolution"),
    "EXPTIME": _within("t_exptime"),
    "TIMERES": _within("t_resolution"),
    "SPECRP": _within("em_res_power"),
    "ID": _ivoid("obs_publisher_did"),
    "COLLECTION": _equals("obs_collection"),
    "FACILITY": _equals("facility_name"),
    "INSTRUMENT": _equals("instrument_name"),
    "DPTYPE": _one_of("dataproduct_type", IMAGE_TYPES),
    "CALIB": _one_of("calib_level", CALIB_LEVELS, numeric=True),
    "TARGET": _equals("target_name"),
    "FORMAT": _equals("access_format"),
}
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def constraints(params: DaliParams) -> list[tuple[str, str]]:
    """The (name, value) pairs of the SIA parameters in ``params``, in :data:`CONDITIONS` order.

    Raises:
        UsageError: a value holds control characters, which no ObsCore value has.
    """
    pairs = [(name, value) for name in CONDITIONS for value in params.getlist(name)]
    for name, value in pairs:
        if _CONTROL.search(value):
            raise UsageError(f"parameter {name} holds control characters")
    return pairs


def sia_query(params: DaliParams) -> str:
    """The ADQL query answering the SIA parameters in ``params`` (other parameters are ignored).

    Raises:
        UsageError: a value that its parameter does not accept; the message names the parameter.
    """
    by_name: dict[str, list[str]] = {}
    for name, value in constraints(params):
        by_name.setdefault(name, []).append(CONDITIONS[name](name, value))
    types = ", ".join(string(t) for t in IMAGE_TYPES)
    where = [f"dataproduct_type IN ({types})", *(any_of(c) for c in by_name.values())]
    return f"SELECT * FROM {TABLE} WHERE " + " AND ".join(where)
