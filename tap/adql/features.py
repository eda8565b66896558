"""The optional ADQL 2.1 features and user-defined functions this service implements: the single list.

The parser refuses any optional feature that is not declared here (:class:`AdqlUnsupportedError`), the
translator knows no user function that is not declared here, and the TAPRegExt ``languageFeatures`` of the
capabilities are generated from :func:`language_features`, so what the service declares is exactly what it
does.  Feature type IVOIDs are written as TAPRegExt, which defines them, spells them
(``ivo://ivoa.net/std/TAPRegExt#features-adqlgeo``), except the conditional functions' (see
:data:`CONDITIONAL`), and compared case-insensitively (:func:`is_declared`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CASE_FORM",
    "COMMON_TABLE",
    "CONDITIONAL",
    "FEATURES",
    "GEOMETRY",
    "OFFSET",
    "SETS",
    "STRING",
    "TYPE",
    "UDF",
    "UDFS",
    "UNIT",
    "Feature",
    "UserFunction",
    "is_declared",
    "language_features",
    "parse_signature",
]

#: IVOIDs compare case-insensitively, so this spelling is as correct as the lower case ADQL 2.1 (section 4.1)
#: asks for, but clients of the STILTS 3.4 generation (taplint, TOPCAT's TAP client) compare them
#: case-sensitively with TAPRegExt's spelling: in lower case every feature is "custom" to them and the service
#: seems to declare no geometry at all.
_PREFIX: Final = "ivo://ivoa.net/std/TAPRegExt#features-"
GEOMETRY: Final = _PREFIX + "adqlgeo"
STRING: Final = _PREFIX + "adql-string"
COMMON_TABLE: Final = _PREFIX + "adql-common-table"
SETS: Final = _PREFIX + "adql-sets"
TYPE: Final = _PREFIX + "adql-type"
#: The one feature type in ADQL 2.1's lower-case spelling: it came with ADQL 2.1, after TAPRegExt 1.0, and
#: STILTS 3.4 does not know it.  In TAPRegExt's spelling taplint reports an unknown *standard* key (the error
#: E-CAP-KEYX); in this spelling, which ADQL 2.1 prescribes and which is the same IVOID, it reads it as a
#: custom feature (a warning), while clients that compare IVOIDs properly see the standard one.
CONDITIONAL: Final = "ivo://ivoa.net/std/tapregext#features-adql-conditional"
UNIT: Final = _PREFIX + "adql-unit"
OFFSET: Final = _PREFIX + "adql-offset"
UDF: Final = _PREFIX + "udf"

#: The SQL-92 CASE expression is not part of ADQL 2.1; it is declared as a conditional form so that clients
#: reading the capabilities can discover it.
CASE_FORM: Final = "CASE"


@dataclass(frozen=True, slots=True)
class Feature:
    """One TAPRegExt ``languageFeatures/feature``: its group's type IVOID, its form and a description."""

    type: str
    form: str
    description: str


_GEOMETRY_FORMS: Final = (
    ("AREA", "AREA(g): area of a geometry in square degrees"),
    ("BOX", "BOX([coosys,] lon, lat, width, height) or BOX(point, width, height): a polygon (deprecated)"),
    ("CENTROID", "CENTROID(g): the centre of mass of a geometry, as a point"),
    ("CIRCLE", "CIRCLE([coosys,] lon, lat, radius) or CIRCLE(point, radius), degrees"),
    ("CONTAINS", "CONTAINS(g1, g2): 1 if g1 lies in g2 (boundary included), else 0"),
    ("COORD1", "COORD1(point): longitude in degrees"),
    ("COORD2", "COORD2(point): latitude in degrees"),
    ("COORDSYS", "COORDSYS(g): always 'ICRS'; frames are not converted (deprecated)"),
    ("DISTANCE", "DISTANCE(p1, p2) or DISTANCE(lon1, lat1, lon2, lat2): great-circle distance in degrees"),
    ("INTERSECTS", "INTERSECTS(g1, g2): 1 if the geometries overlap, else 0"),
    ("POINT", "POINT([coosys,] lon, lat), degrees; the coordinate system argument is ignored"),
    ("POLYGON", "POLYGON([coosys,] lon1, lat1, lon2, lat2, lon3, lat3, ...) or POLYGON(p1, p2, p3, ...)"),
)

#: Every optional feature the translator accepts.  REGION (STC-S) and IN_UNIT are not implemented.
FEATURES: Final[tuple[Feature, ...]] = (
    *(Feature(GEOMETRY, form, description) for form, description in _GEOMETRY_FORMS),
    Feature(STRING, "LOWER", "LOWER(s): lower-case version of a string"),
    Feature(STRING, "UPPER", "UPPER(s): upper-case version of a string"),
    Feature(STRING, "ILIKE", "case-insensitive LIKE"),
    Feature(COMMON_TABLE, "WITH", "common table expressions before the main query"),
    Feature(SETS, "UNION", "UNION [ALL] of query results"),
    Feature(SETS, "EXCEPT", "EXCEPT [ALL] of query results"),
    Feature(SETS, "INTERSECT", "INTERSECT [ALL] of query results"),
    Feature(
        TYPE,
        "CAST",
        "CAST to SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION, CHAR, VARCHAR, "
        "TIMESTAMP, and from DALI strings to POINT, CIRCLE, POLYGON",
    ),
    Feature(CONDITIONAL, "COALESCE", "COALESCE(a, b, ...): the first argument that is not NULL"),
    Feature(CONDITIONAL, CASE_FORM, "CASE [x] WHEN ... THEN ... [ELSE ...] END, as in SQL-92 (extension)"),
    Feature(OFFSET, "OFFSET", "OFFSET n: skip the first n rows (applied before TOP)"),
)

_DECLARED: Final = frozenset((f.type.lower(), f.form.upper()) for f in FEATURES)


def is_declared(feature_type: str, form: str) -> bool:
    """Whether the optional feature (type IVOID, form) is implemented; IVOIDs compare case-insensitively."""
    return (feature_type.lower(), form.upper()) in _DECLARED


# ---------------------------------------------------------------------------------------- user functions

_TYPE_NAMES: Final = (
    "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE PRECISION", "DOUBLE", "CHAR", "VARCHAR", "TIMESTAMP",
    "POINT", "CIRCLE", "POLYGON", "REGION", "BOOLEAN", "CLOB", "BLOB",
)  # fmt: skip
_TYPE_RE: Final = r"(?:" + "|".join(t.replace(" ", r"\s+") for t in _TYPE_NAMES) + r")(?:\s*\(\s*\d+\s*\))?"
_PARAM_RE: Final = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s+(" + _TYPE_RE + r")\s*\Z", re.IGNORECASE)
_SIGNATURE_RE: Final = re.compile(
    r"\s*([A-Za-z][A-Za-z0-9_]*)\s*\((.*)\)\s*->\s*(" + _TYPE_RE + r")\s*\Z", re.IGNORECASE | re.DOTALL
)


def _type_name(text: str) -> str:
    return " ".join(text.upper().split()).replace(" (", "(").replace("( ", "(").replace(" )", ")")


@dataclass(frozen=True, slots=True)
class UserFunction:
    """A user-defined function: lower-case name, (parameter, ADQL type) pairs, ADQL result type.

    How it runs is the targets' business: a function they do not implement specially is called by its name,
    so a database that defines it (a PL/pgSQL function, a SQLite ``create_function``) is enough.
    """

    name: str
    params: tuple[tuple[str, str], ...]
    returns: str
    description: str = ""

    @property
    def signature(self) -> str:
        """The TAPRegExt form, e.g. ``ivo_healpix_index(hpxorder INTEGER, ra DOUBLE PRECISION, ...) -> BIGINT``."""
        params = ", ".join(f"{name} {type_}" for name, type_ in self.params)
        return f"{self.name}({params}) -> {self.returns}"

    @property
    def feature(self) -> Feature:
        return Feature(UDF, self.signature, self.description)


def parse_signature(form: str, description: str = "") -> UserFunction:
    """The function a TAPRegExt UDF form declares (``name(arg TYPE, ...) -> TYPE``).

    Raises:
        ValueError: the form does not follow the ADQL 2.1 signature grammar (section 4.3.2).
    """
    match = _SIGNATURE_RE.match(form)
    if match is None:
        raise ValueError(f"not a UDF signature: {form!r}")
    name, arglist, returns = match.groups()
    params: list[tuple[str, str]] = []
    if arglist.strip():
        for part in arglist.split(","):
            param = _PARAM_RE.match(part)
            if param is None:
                raise ValueError(f"bad parameter {part.strip()!r} in UDF signature {form!r}")
            params.append((param.group(1).lower(), _type_name(param.group(2))))
    return UserFunction(name.lower(), tuple(params), _type_name(returns), " ".join(description.split()))


#: The user functions the service implements (see tap.adql.target_sqlite and tap.adql.target_pg).
UDFS: Final[tuple[UserFunction, ...]] = (
    parse_signature(
        "ivo_healpix_index(hpxorder INTEGER, ra DOUBLE PRECISION, dec DOUBLE PRECISION) -> BIGINT",
        "Index of the HEALPix cell (NESTED scheme, order 0 to 29) containing the position (ra, dec) in "
        "degrees (IVOA UDF catalogue).",
    ),
)


def language_features(udfs: Iterable[UserFunction] = UDFS) -> tuple[Feature, ...]:
    """Everything TAPRegExt should declare for ADQL: the optional features, then the user functions."""
    return (*FEATURES, *(f.feature for f in udfs))
