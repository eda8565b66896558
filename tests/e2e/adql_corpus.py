"""The project's own ADQL corpus: queries over the demo tables, each with an answer known in advance.

The IVOA validation sets check that the translator accepts the grammar; they say nothing about whether the SQL
it writes computes the right thing on the tables the service really publishes, or the same thing on SQLite and
on PostgreSQL.  Every valid query here therefore carries an expectation that does not come from the service:
exact values, exact row counts, or a check computed in Python from the deterministic generators of the demo
data (:class:`Model`), with astropy for angular distances and cdshealpix for HEALPix cells.  Expectations are
chosen to catch wrong translations (case-sensitive LIKE, natural ``log``, integer division, NULLs in
aggregates, OFFSET before TOP, poles and RA 0/360 in cones...).  Invalid queries list what the error message
must mention, so that refusing them is not enough: the user must learn why.

The corpus is plain data, run by ``tests/e2e/test_adql_corpus.py`` over HTTP on both engines.  A query that
finds a translator bug keeps its correct expectation and names the bug in ``bug`` (both engines) or ``bug_on``
(one engine); the test turns that into a strict xfail.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Final

import numpy as np
from astropy.coordinates import angular_separation
from numpy.typing import ArrayLike, NDArray

from tap.schema import Column, Table
from tap.tap_schema import TAP_SCHEMA_TABLES
from tests.e2e.conftest import DEMO_SOURCES
from vo_service.demo.fields import default_revolutions
from vo_service.demo.instruments import INSTRUMENTS, INSTRUMENTS_TABLE, instrument_chunks
from vo_service.demo.load import DEFAULT_SEED
from vo_service.demo.obsplan import OBSPLAN
from vo_service.demo.plan import scw_chunks
from vo_service.demo.products import OBSCORE, PRODUCTS
from vo_service.demo.reference import REFERENCE_SOURCES
from vo_service.demo.revolutions import (
    LAST_REVOLUTION,
    MODEL_SWITCH,
    REVOLUTIONS,
    revolution_at,
    revolution_chunks,
)
from vo_service.demo.scw import SCW
from vo_service.demo.sources import SOURCES, source_chunks

__all__ = ["INVALID", "PUBLISHED_TABLES", "VALID", "Invalid", "Model", "Result", "Valid", "same"]

#: Rows of the reference catalogue at the start of mmvo.sources (source_id 1..N_REF).
N_REF: Final = len(REFERENCE_SOURCES)
#: Relative and absolute tolerance of float comparisons: engines may differ in the last digits.
TOL: Final = 1e-9
Columns = dict[str, NDArray[Any]]
Row = tuple[Any, ...]

# ------------------------------------------------------------------------------------------- the model


def _concat(chunks: Iterable[Mapping[str, Any]]) -> Columns:
    """Column chunks of a generator as whole columns; masked (NULL) floats become NaN."""
    parts: dict[str, list[Any]] = {}
    for chunk in chunks:
        for name, values in chunk.items():
            parts.setdefault(name, []).append(values)
    columns: Columns = {}
    for name, pieces in parts.items():
        if any(isinstance(p, np.ma.MaskedArray) for p in pieces):
            columns[name] = np.concatenate(
                [np.where(np.ma.getmaskarray(p), np.nan, np.ma.getdata(p)).astype(np.float64) for p in pieces]
            )
        else:
            columns[name] = np.concatenate(pieces)
    return columns


def py(value: Any) -> Any:
    """A numpy value as the plain Python value a VOTable cell holds (NaN is NULL, as in the generators)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class Model:
    """The demo tables as the generators make them, independently of any database.

    ``n_sources`` is the size of ``mmvo.sources`` the service was loaded with; the other tables do not depend
    on it.  Columns are numpy arrays (strings as object arrays, NULL floats as NaN).
    """

    def __init__(self, n_sources: int) -> None:
        self.n_sources = n_sources
        self.sources = _concat(source_chunks(n_sources, seed=DEFAULT_SEED))
        self.revolutions = _concat(revolution_chunks())
        self.scw = _concat(scw_chunks(default_revolutions(), seed=DEFAULT_SEED))
        self.instruments = _concat(instrument_chunks())

    @cached_property
    def pointings(self) -> Columns:
        """The pointings of integral.scw (ivoa.obsplan has one row per pointing and instrument)."""
        keep = self.scw["scw_type"] == "POINTING"
        return {name: values[keep] for name, values in self.scw.items()}

    @cached_property
    def ref(self) -> Columns:
        """The reference (real) sources, source_id 1..51."""
        return {name: values[:N_REF] for name, values in self.sources.items()}

    @cached_property
    def planned(self) -> frozenset[int]:
        """The revolutions that have ScWs in the simulated plan."""
        return frozenset(int(r) for r in self.scw["revolution"])


def rows_of(
    columns: Columns, names: Sequence[str], mask: ArrayLike | None = None, order: ArrayLike | None = None
) -> list[Row]:
    """Rows (tuples of Python values) of ``names``, filtered by ``mask`` and in the order of ``order``."""
    index = np.arange(len(next(iter(columns.values()))))
    if mask is not None:
        index = index[np.asarray(mask, dtype=bool)]
    if order is not None:
        keys = np.asarray(order)[index]
        index = index[np.argsort(keys, kind="stable")]
    return [tuple(py(columns[name][i]) for name in names) for i in index]


# -------------------------------------------------------------------------------------- query results


@dataclass(frozen=True, slots=True)
class Result:
    """A successful query: its FIELDs (as :class:`~tap.schema.Column`) and rows of Python values (None for NULL, tuples for arrays)."""

    fields: tuple[Column, ...]
    rows: list[Row]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def column(self, name: str) -> list[Any]:
        index = self.names.index(name)
        return [row[index] for row in self.rows]

    def scalar(self) -> Any:
        assert len(self.rows) == 1 and len(self.fields) == 1, f"expected one value, got {self.rows[:5]}"
        return self.rows[0][0]


def same(actual: Any, expected: Any, tol: float = TOL) -> bool:
    """Whether two cells are equal: floats within ``tol`` (relative or absolute), sequences elementwise."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=tol, abs_tol=tol)
    if isinstance(expected, tuple | list) and isinstance(actual, tuple | list):
        return len(actual) == len(expected) and all(
            same(a, e, tol) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(expected, datetime):
        return isinstance(actual, str) and timestamp(actual) == expected
    return bool(actual == expected)


def timestamp(text: str) -> datetime:
    """A DALI timestamp (with or without fraction or 'Z') as a naive UTC datetime."""
    return datetime.fromisoformat(text.removesuffix("Z"))


def _sort_key(row: Row) -> tuple[Any, ...]:
    """Orders rows with NULLs, numbers and strings (floats rounded so near-equal values sort alike)."""
    key: list[Any] = []
    for value in row:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, int | float):
            key.append((1, round(float(value), 6)))
        else:
            key.append((2, str(value)))
    return tuple(key)


def assert_rows(
    actual: Sequence[Row], expected: Sequence[Row], *, ordered: bool = True, tol: float = TOL
) -> None:
    """``actual`` equals ``expected`` row by row (``ordered=False``: as multisets)."""
    assert len(actual) == len(expected), (
        f"{len(actual)} rows instead of {len(expected)}: got {list(actual)[:8]}, expected {list(expected)[:8]}"
    )
    if not ordered:
        actual, expected = sorted(actual, key=_sort_key), sorted(expected, key=_sort_key)
    for number, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert same(tuple(got), tuple(want), tol), f"row {number}: got {got}, expected {want}"


# ---------------------------------------------------------------------------------- expectations

Check = Callable[[Result, Model], None]


def rows(*expected: Row, ordered: bool = True, tol: float = TOL) -> Check:
    """Exactly these rows."""

    def check(result: Result, model: Model) -> None:
        assert_rows(result.rows, expected, ordered=ordered, tol=tol)

    return check


def model_rows(make: Callable[[Model], Sequence[Row]], *, ordered: bool = True, tol: float = TOL) -> Check:
    """The rows ``make`` computes from the model."""

    def check(result: Result, model: Model) -> None:
        assert_rows(result.rows, make(model), ordered=ordered, tol=tol)

    return check


def nrows(expected: int | Callable[[Model], int]) -> Check:
    """Exactly this many rows (a number, or computed from the model)."""

    def check(result: Result, model: Model) -> None:
        want = expected(model) if callable(expected) else expected
        assert len(result.rows) == want, f"{len(result.rows)} rows instead of {want}: {result.rows[:5]}"

    return check


def scalar(expected: Any | Callable[[Model], Any], tol: float = TOL) -> Check:
    """One row with one value (given, or computed from the model)."""

    def check(result: Result, model: Model) -> None:
        want = expected(model) if callable(expected) else expected
        assert same(result.scalar(), want, tol), f"got {result.scalar()!r}, expected {want!r}"

    return check


def both(*checks: Check) -> Check:
    """All of ``checks``."""

    def check(result: Result, model: Model) -> None:
        for one in checks:
            one(result, model)

    return check


# ---------------------------------------------------------------------------------- sphere in Python


def separation(ra1: ArrayLike, dec1: ArrayLike, ra2: ArrayLike, dec2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in degrees (astropy's Vincenty formula)."""
    rad = [np.radians(np.asarray(a, dtype=np.float64)) for a in (ra1, dec1, ra2, dec2)]
    return np.asarray(np.degrees(angular_separation(*rad)), dtype=np.float64)


def unit_vectors(ra: ArrayLike, dec: ArrayLike) -> NDArray[np.float64]:
    lon, lat = np.radians(np.asarray(ra, dtype=np.float64)), np.radians(np.asarray(dec, dtype=np.float64))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def lonlat(vector: NDArray[np.float64]) -> tuple[float, float]:
    x, y, z = (float(c) for c in vector / np.linalg.norm(vector))
    return math.degrees(math.atan2(y, x)) % 360.0, math.degrees(math.atan2(z, math.hypot(x, y)))


def box_vertices(ra: float, dec: float, width: float, height: float) -> list[tuple[float, float]]:
    """The corners of an ADQL BOX (section 4.2.3): great-circle sides through the ends of a cross whose arms
    follow the coordinate axes at the centre, each side at right angles to its arm (SW, SE, NE, NW).
    """
    lon, lat = math.radians(ra), math.radians(dec)
    centre = unit_vectors(ra, dec)
    north = np.array([-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)])
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    half_w, half_h = math.radians(width / 2.0), math.radians(height / 2.0)
    # each side is the great circle through the end of an arm, along the other axis
    normals = {
        "n": np.cross(math.cos(half_h) * centre + math.sin(half_h) * north, east),
        "s": np.cross(math.cos(half_h) * centre - math.sin(half_h) * north, east),
        "e": np.cross(math.cos(half_w) * centre + math.sin(half_w) * east, north),
        "w": np.cross(math.cos(half_w) * centre - math.sin(half_w) * east, north),
    }
    corners = []
    for a, b in (("s", "w"), ("s", "e"), ("n", "e"), ("n", "w")):
        vertex = np.cross(normals[a], normals[b])
        corners.append(lonlat(vertex if np.dot(vertex, centre) > 0 else -vertex))
    return corners


def spherical_area(vertices: Sequence[tuple[float, float]]) -> float:
    """Area in square degrees of a simple spherical polygon (fan of triangles, signed excesses)."""
    vectors = unit_vectors([v[0] for v in vertices], [v[1] for v in vertices])
    total = 0.0
    a = vectors[0]
    for b, c in itertools.pairwise(vectors[1:]):
        numerator = float(np.dot(a, np.cross(b, c)))
        denominator = 1.0 + float(np.dot(a, b) + np.dot(b, c) + np.dot(c, a))
        total += 2.0 * math.atan2(numerator, denominator)
    return abs(total) * (180.0 / math.pi) ** 2


def cap_area(radius: float) -> float:
    """Area in square degrees of a spherical cap (a CIRCLE) of ``radius`` degrees."""
    return 2.0 * math.pi * (1.0 - math.cos(math.radians(radius))) * (180.0 / math.pi) ** 2


def inside_convex(
    ra: ArrayLike, dec: ArrayLike, vertices: Sequence[tuple[float, float]]
) -> NDArray[np.float64]:
    """Signed angular margin (radians, approximately) of points inside a convex spherical polygon: positive
    inside, negative outside; the vertex order does not matter."""
    corners = unit_vectors([v[0] for v in vertices], [v[1] for v in vertices])
    points = unit_vectors(ra, dec)
    centre = corners.sum(axis=0)
    margins = []
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        normal = np.cross(a, b)
        normal /= np.linalg.norm(normal)
        if np.dot(normal, centre) < 0:
            normal = -normal
        margins.append(points @ normal)
    return np.asarray(np.min(margins, axis=0), dtype=np.float64)


def assert_selection(got: Iterable[Any], margin: ArrayLike, keys: ArrayLike, eps: float = 1e-9) -> None:
    """The ids ``got`` are exactly those whose ``margin`` is positive, except within ``eps`` of zero,
    where either answer is accepted (rounding on the boundary is not a bug)."""
    m = np.asarray(margin, dtype=np.float64)
    k = np.asarray(keys)
    sure = {py(x) for x in k[m > eps]}
    possible = {py(x) for x in k[m >= -eps]}
    found = list(got)
    assert len(found) == len(set(found)), "duplicate rows"
    missing, extra = sure - set(found), set(found) - possible
    assert not missing and not extra, f"missing {sorted(missing)[:10]}, unexpected {sorted(extra)[:10]}"
    assert sure, "the selection is empty: the query would not test anything"


def cone(table: str, ra: float, dec: float, radius: float, id_column: str = "source_id") -> Check:
    """The first result column holds exactly the ids of the model rows within ``radius`` of (ra, dec)."""

    def check(result: Result, model: Model) -> None:
        columns: Columns = getattr(model, table)
        margin = radius - separation(columns["ra"], columns["dec"], ra, dec)
        assert_selection([row[0] for row in result.rows], margin, columns[id_column])

    return check


# ------------------------------------------------------------------------------------------ the cases


@dataclass(frozen=True, slots=True)
class Valid:
    """A valid query and its expected answer.

    ``fields`` are the expected FIELD names in order, each optionally ``name:datatype`` or
    ``name:datatype[arraysize]``; ``plain`` maps FIELD names that are plain column references to the
    ``schema.table.column`` whose TAP_SCHEMA metadata they must carry; ``units`` and ``xtypes`` give the
    expected unit and xtype of computed FIELDs.  ``bug`` (both engines) or ``bug_on`` (engine -> text)
    describe a known translator bug: the case is then expected to fail, strictly.
    """

    id: str
    adql: str
    check: Check
    fields: tuple[str, ...]
    plain: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str | None] = field(default_factory=dict)
    xtypes: Mapping[str, str | None] = field(default_factory=dict)
    bug: str | None = None
    bug_on: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """A query the service must refuse with HTTP 400, with a message containing each of ``mentions``
    (case-insensitively).  With ``translator`` (the default) the error must be found before the database
    runs anything, so the message is the translator's, not a database's; errors only the data reveal set it
    to False.  ``hostile`` marks attempts to change or escape the database; ``bug`` and ``bug_on`` as in
    :class:`Valid`.
    """

    id: str
    adql: str
    mentions: tuple[str, ...]
    translator: bool = True
    hostile: bool = False
    bug: str | None = None
    bug_on: Mapping[str, str] = field(default_factory=dict)


def of(table: str, *names: str) -> dict[str, str]:
    """``plain`` entries: FIELDs named like columns of ``table`` that reference them directly."""
    return {name.strip('"'): f"{table}.{name}" for name in names}


def _published(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if not c.name.startswith("_"))


#: Every table TAP_SCHEMA must list.
PUBLISHED_TABLES: Final = (
    SOURCES,
    REVOLUTIONS,
    SCW,
    INSTRUMENTS_TABLE,
    PRODUCTS,
    OBSPLAN,
    OBSCORE,
    *TAP_SCHEMA_TABLES,
)
SOURCE_COLUMNS: Final = _published(SOURCES)
REVOLUTION_COLUMNS: Final = _published(REVOLUTIONS)
SCW_COLUMNS: Final = _published(SCW)
INSTRUMENT_COLUMNS: Final = _published(INSTRUMENTS_TABLE)
_TIMESTAMPS: Final = frozenset({"start_utc", "stop_utc"})
_GEOMETRIES: Final = frozenset({"fov_isgri", "fov_jemx", "fov_spi"})


def dali(text: str) -> tuple[float, ...]:
    """A DALI geometry string of the generators as the tuple of numbers a VOTable array cell holds."""
    return tuple(float(x) for x in text.split())


def table_rows(
    columns: Columns, names: Sequence[str], mask: ArrayLike | None = None, order: ArrayLike | None = None
) -> list[Row]:
    """:func:`rows_of` with timestamps as datetimes and DALI text as number tuples, as results hold them."""
    converted = []
    for row in rows_of(columns, names, mask, order):
        converted.append(
            tuple(
                timestamp(v) if n in _TIMESTAMPS else dali(v) if n in _GEOMETRIES else v
                for n, v in zip(names, row, strict=True)
            )
        )
    return converted


def ref_where(
    mask: Callable[[Columns], ArrayLike], names: Sequence[str] = ("name",), order: str | None = None
) -> Callable[[Model], list[Row]]:
    """Rows of the reference sources selected by ``mask`` (ordered by ``order`` or by source_id)."""

    def make(model: Model) -> list[Row]:
        ref = model.ref
        return rows_of(ref, names, mask(ref), ref[order] if order else None)

    return make


def _flux(ref: Columns) -> NDArray[np.float64]:
    return np.asarray(ref["flux"], dtype=np.float64)


# ---- selection, TOP, DISTINCT, table metadata

# fmt: off
_BASIC = [
    Valid("star_sources_top5", "SELECT TOP 5 * FROM mmvo.sources ORDER BY source_id",
          model_rows(lambda m: rows_of(m.sources, SOURCE_COLUMNS, m.sources["source_id"] <= 5)),
          SOURCE_COLUMNS, plain=of("mmvo.sources", *SOURCE_COLUMNS)),
    Valid("star_revolutions_model_switch",
          f"SELECT * FROM integral.revolutions WHERE revolution IN (1, {MODEL_SWITCH - 1}, {MODEL_SWITCH}, "
          f"{LAST_REVOLUTION}) ORDER BY revolution",
          model_rows(lambda m: table_rows(m.revolutions, REVOLUTION_COLUMNS, np.isin(
              m.revolutions["revolution"], [1, MODEL_SWITCH - 1, MODEL_SWITCH, LAST_REVOLUTION]))),
          REVOLUTION_COLUMNS, plain=of("integral.revolutions", *REVOLUTION_COLUMNS)),
    Valid("star_instruments", "SELECT * FROM integral.instruments ORDER BY instrument_name",
          model_rows(lambda m: rows_of(m.instruments, INSTRUMENT_COLUMNS, order=m.instruments["instrument_name"])),
          INSTRUMENT_COLUMNS, plain=of("integral.instruments", *INSTRUMENT_COLUMNS)),
    Valid("star_scw_by_id", "SELECT * FROM integral.scw WHERE scw_id = '066500220010.001'",
          model_rows(lambda m: table_rows(m.scw, SCW_COLUMNS, m.scw["scw_id"] == "066500220010.001")),
          SCW_COLUMNS, plain=of("integral.scw", *SCW_COLUMNS)),
    Valid("star_products_empty", "SELECT * FROM mmvo.products", nrows(0),
          _published(PRODUCTS), plain=of("mmvo.products", *_published(PRODUCTS))),
    Valid("star_obscore_top0", "SELECT TOP 0 * FROM ivoa.obscore", nrows(0),
          _published(OBSCORE), plain=of("ivoa.obscore", *_published(OBSCORE))),
    Valid("count_sources", "SELECT COUNT(*) AS n FROM mmvo.sources", scalar(lambda m: m.n_sources), ("n:long",)),
    Valid("count_revolutions", "SELECT COUNT(*) AS n FROM integral.revolutions", scalar(LAST_REVOLUTION),
          ("n:long",)),
    Valid("count_scw", "SELECT COUNT(*) AS n FROM integral.scw", scalar(lambda m: len(m.scw["scw_id"])),
          ("n:long",)),
    Valid("count_instruments", "SELECT COUNT(*) AS n FROM integral.instruments", scalar(4), ("n:long",)),
    Valid("count_obsplan_one_row_per_pointing_and_instrument", "SELECT COUNT(*) AS n FROM ivoa.obsplan",
          scalar(lambda m: 4 * len(m.pointings["scw_id"])), ("n:long",)),
    Valid("count_obscore_empty", "SELECT COUNT(*) AS n FROM ivoa.obscore", scalar(0), ("n:long",)),
    Valid("select_all_quantifier", "SELECT ALL facility_name FROM integral.instruments",
          rows(*[("INTEGRAL",)] * 4), ("facility_name",), plain=of("integral.instruments", "facility_name")),
    Valid("distinct_one_column", "SELECT DISTINCT facility_name FROM integral.instruments",
          rows(("INTEGRAL",)), ("facility_name",)),
    Valid("distinct_two_columns",
          "SELECT DISTINCT scw_type, data_version FROM integral.scw ORDER BY scw_type, data_version",
          model_rows(lambda m: sorted(set(zip(m.scw["scw_type"].tolist(), m.scw["data_version"].tolist(),
                                              strict=True)))),
          ("scw_type", "data_version"), plain=of("integral.scw", "scw_type", "data_version")),
    Valid("distinct_count_classes_of_reference_sources",
          "SELECT DISTINCT class FROM mmvo.sources WHERE source_id <= 51 ORDER BY class",
          model_rows(lambda m: [(c,) for c in sorted(set(m.ref["class"].tolist()))]),
          ("class",), plain=of("mmvo.sources", "class")),
    Valid("top_zero", "SELECT TOP 0 name FROM mmvo.sources", nrows(0), ("name",)),
    Valid("top_beyond_table", "SELECT TOP 100 instrument_name FROM integral.instruments", nrows(4),
          ("instrument_name",)),
    Valid("crab_by_name", "SELECT source_id, name, ra, dec, class, flux FROM mmvo.sources WHERE name = 'Crab'",
          rows((1, "Crab", 83.6331, 22.0145, "SNRemnant", 1000.0)),
          ("source_id:long", "name:char[*]", "ra:double", "dec:double", "class", "flux:float"),
          plain=of("mmvo.sources", "source_id", "name", "ra", "dec", "class", "flux")),
    Valid("string_equality_is_case_sensitive", "SELECT name FROM mmvo.sources WHERE name = 'crab'", nrows(0),
          ("name",)),
    Valid("trailing_semicolon", "SELECT TOP 1 name FROM mmvo.sources ORDER BY source_id;", rows(("Crab",)),
          ("name",)),
    Valid("obsplan_rows_of_one_pointing",
          "SELECT instrument_name, s_ra, s_dec, s_region, s_fov, t_min, t_max, t_exptime, t_plan_exptime, "
          "t_planning, category, priority, execution_status, tracking_type, facility_name, obs_collection, "
          "pol_xel, revolution FROM ivoa.obsplan WHERE scw_id = '066500220010.001' ORDER BY instrument_name",
          model_rows(lambda m: _obsplan_rows(m, "066500220010.001")),
          ("instrument_name", "s_ra", "s_dec", "s_region:double[3]", "s_fov", "t_min", "t_max", "t_exptime",
           "t_plan_exptime", "t_planning", "category", "priority:int", "execution_status", "tracking_type",
           "facility_name", "obs_collection", "pol_xel:int", "revolution:int"),
          plain=of("ivoa.obsplan", "instrument_name", "s_ra", "s_dec", "s_region", "s_fov", "t_min", "t_max",
                   "t_exptime", "t_plan_exptime", "t_planning", "category", "priority", "execution_status",
                   "tracking_type", "facility_name", "obs_collection", "pol_xel", "revolution")),
]
# fmt: on


def _obsplan_rows(model: Model, scw_id: str) -> list[Row]:
    """The ivoa.obsplan rows of one pointing, built from the ScW and the instruments as ObsLocTAP says."""
    scw = model.scw
    i = int(np.flatnonzero(scw["scw_id"] == scw_id)[0])
    category = {"GENERAL": "Window"}.get(str(scw["obs_type"][i]), "Fixed")
    priority = {"GENERAL": 0, "CALIBRATION": 1, "TOO": 2}[str(scw["obs_type"][i])]
    lead = 1.0 if scw["obs_type"][i] == "TOO" else 14.0
    out = []
    for inst in sorted(INSTRUMENTS, key=lambda x: x.name):
        out.append(
            (
                inst.name,
                py(scw["ra"][i]),
                py(scw["dec"][i]),
                dali(str(scw[inst.fov_column][i])),
                inst.fov,
                py(scw["t_start"][i]),
                py(scw["t_stop"][i]),
                py(scw[inst.good_column][i]),
                py(scw["exposure"][i]),
                py(scw["t_start"][i]) - lead,
                category,
                priority,
                "Performed",
                "Sidereal",
                "INTEGRAL",
                "INTEGRAL-SIM",
                0,
                py(scw["revolution"][i]),
            )
        )
    return out


# ---- ORDER BY, TOP, OFFSET


def _top_by(
    table: str, names: Sequence[str], key: Callable[[Columns], ArrayLike], n: int, descending: bool = True
) -> Callable[[Model], list[Row]]:
    def make(model: Model) -> list[Row]:
        columns: Columns = getattr(model, table)
        k = np.asarray(key(columns), dtype=np.float64)
        order = np.argsort(-k if descending else k, kind="stable")[:n]
        return [tuple(py(columns[c][i]) for c in names) for i in order]

    return make


# fmt: off
_ORDER = [
    Valid("order_by_alias_desc", "SELECT TOP 3 source_id AS id FROM mmvo.sources ORDER BY id DESC",
          model_rows(lambda m: [(m.n_sources - k,) for k in range(3)]), ("id:long",),
          plain={"id": "mmvo.sources.source_id"}),
    Valid("order_by_position", "SELECT TOP 3 source_id, ra FROM mmvo.sources ORDER BY 2 DESC",
          model_rows(_top_by("sources", ("source_id", "ra"), lambda c: c["ra"], 3)),
          ("source_id", "ra"), plain=of("mmvo.sources", "source_id", "ra")),
    Valid("order_by_expression", "SELECT TOP 3 source_id, ra, dec FROM mmvo.sources ORDER BY ra + dec DESC",
          model_rows(_top_by("sources", ("source_id", "ra", "dec"), lambda c: c["ra"] + c["dec"], 3)),
          ("source_id", "ra", "dec")),
    Valid("order_by_function_asc", "SELECT TOP 4 source_id FROM mmvo.sources ORDER BY ABS(dec) ASC",
          model_rows(_top_by("sources", ("source_id",), lambda c: np.abs(c["dec"]), 4, descending=False)),
          ("source_id",)),
    Valid("order_by_two_keys_mixed_directions",
          "SELECT class, name FROM mmvo.sources WHERE source_id <= 51 ORDER BY class ASC, name DESC",
          model_rows(lambda m: sorted(sorted(zip(m.ref["class"].tolist(), m.ref["name"].tolist(), strict=True),
                                             key=lambda r: r[1], reverse=True), key=lambda r: r[0])),
          ("class", "name")),
    Valid("order_by_string_desc", "SELECT instrument_name FROM integral.instruments ORDER BY instrument_name DESC",
          rows(("SPI",), ("JEM-X2",), ("JEM-X1",), ("ISGRI",)), ("instrument_name",)),
    Valid("order_by_column_not_selected", "SELECT TOP 3 name FROM mmvo.sources WHERE source_id <= 51 "
          "ORDER BY flux DESC, name",
          rows(("GRO J1655-40",), ("H 1743-322",), ("V404 Cyg",)), ("name",)),
    Valid("order_nulls_are_largest_ascending",
          "SELECT name, flux FROM mmvo.sources WHERE source_id <= 51 AND (flux < 6 OR flux IS NULL) "
          "ORDER BY flux ASC, name",
          rows(("MCG-6-30-15", 5.0), ("GRO J1655-40", None), ("H 1743-322", None)), ("name", "flux")),
    Valid("order_nulls_are_largest_descending",
          "SELECT name, flux FROM mmvo.sources WHERE source_id <= 51 AND (flux < 6 OR flux IS NULL) "
          "ORDER BY flux DESC, name",
          rows(("GRO J1655-40", None), ("H 1743-322", None), ("MCG-6-30-15", 5.0)), ("name", "flux")),
    Valid("offset_alone", f"SELECT source_id FROM mmvo.sources ORDER BY source_id OFFSET {DEMO_SOURCES - 5}",
          model_rows(lambda m: [(k,) for k in range(m.n_sources - 4, m.n_sources + 1)]), ("source_id",)),
    Valid("offset_is_applied_before_top", "SELECT TOP 3 source_id FROM mmvo.sources ORDER BY source_id OFFSET 10",
          rows((11,), (12,), (13,)), ("source_id",)),
    Valid("offset_past_the_end", f"SELECT source_id FROM mmvo.sources ORDER BY source_id OFFSET {DEMO_SOURCES}",
          nrows(0),
          ("source_id",)),
    Valid("offset_zero", "SELECT TOP 2 source_id FROM mmvo.sources ORDER BY source_id OFFSET 0",
          rows((1,), (2,)), ("source_id",)),
    Valid("offset_in_derived_table",
          "SELECT COUNT(*) AS n, MIN(source_id) AS lo FROM "
          "(SELECT source_id FROM mmvo.sources ORDER BY source_id OFFSET 4000) AS t",
          model_rows(lambda m: [(m.n_sources - 4000, 4001)]), ("n:long", "lo:long")),
    Valid("top_in_derived_table",
          "SELECT MAX(source_id) AS hi, COUNT(*) AS n FROM "
          "(SELECT TOP 10 source_id FROM mmvo.sources ORDER BY source_id DESC) AS t",
          model_rows(lambda m: [(m.n_sources, 10)]), ("hi:long", "n:long")),
    Valid("top_with_offset_in_union_branch",
          "(SELECT TOP 2 name FROM mmvo.sources ORDER BY source_id OFFSET 1) UNION ALL "
          "(SELECT TOP 1 name FROM mmvo.sources ORDER BY source_id)",
          rows(("Cyg X-1",), ("Sco X-1",), ("Crab",), ordered=False), ("name",)),
]
# fmt: on

# ---- WHERE: comparisons, logic, BETWEEN, IN, NULL


def _count_ref(mask: Callable[[Columns], ArrayLike]) -> Callable[[Model], int]:
    return lambda m: int(np.count_nonzero(mask(m.ref)))


def _count(table: str, mask: Callable[[Columns], ArrayLike]) -> Callable[[Model], int]:
    return lambda m: int(np.count_nonzero(mask(getattr(m, table))))


# fmt: off
_WHERE = [
    Valid("compare_range", "SELECT name FROM mmvo.sources WHERE flux > 500 AND flux <= 1000 ORDER BY name",
          model_rows(ref_where(lambda r: (_flux(r) > 500) & (_flux(r) <= 1000), order="name")), ("name",)),
    Valid("not_equal_both_spellings",
          "SELECT COUNT(*) AS n FROM mmvo.sources WHERE class <> 'X' AND class != 'QSO'",
          scalar(_count("sources", lambda s: (s["class"] != "X") & (s["class"] != "QSO"))), ("n:long",)),
    Valid("and_binds_tighter_than_or",
          "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND class = 'Pulsar' OR class = 'BLLac'",
          scalar(lambda m: int(np.count_nonzero(m.ref["class"] == "Pulsar"))
                 + int(np.count_nonzero(m.sources["class"] == "BLLac"))), ("n:long",)),
    Valid("not_of_parenthesised_or", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE NOT (dec > 0 OR ra < 180)",
          scalar(_count("sources", lambda s: ~((s["dec"] > 0) | (s["ra"] < 180)))), ("n:long",)),
    Valid("between_inclusive", "SELECT revolution FROM integral.revolutions WHERE revolution BETWEEN 100 AND 103 "
          "ORDER BY revolution", rows((100,), (101,), (102,), (103,)), ("revolution:int",)),
    Valid("not_between", "SELECT COUNT(*) AS n FROM integral.revolutions WHERE revolution NOT BETWEEN 11 AND 2886",
          scalar(10), ("n:long",)),
    Valid("between_columns_finds_revolution_of_a_date",
          "SELECT revolution, model FROM integral.revolutions WHERE 57000.5 BETWEEN t_start AND t_stop",
          rows((int(revolution_at(57000.5)), "early" if revolution_at(57000.5) < MODEL_SWITCH else "late")),
          ("revolution", "model")),
    Valid("in_string_list", "SELECT name FROM mmvo.sources WHERE name IN ('Crab', 'Vela X-1', 'nothing', 'crab') "
          "ORDER BY source_id", rows(("Crab",), ("Vela X-1",)), ("name",)),
    Valid("in_number_list", "SELECT name FROM mmvo.sources WHERE source_id IN (3, 1, 2) ORDER BY source_id",
          rows(("Crab",), ("Cyg X-1",), ("Sco X-1",)), ("name",)),
    Valid("not_in_list", "SELECT COUNT(*) AS n FROM integral.scw WHERE obs_type NOT IN ('GENERAL', 'CALIBRATION')",
          scalar(_count("scw", lambda w: ~np.isin(w["obs_type"], ["GENERAL", "CALIBRATION"]))), ("n:long",)),
    Valid("is_null", "SELECT name FROM mmvo.sources WHERE flux IS NULL ORDER BY name",
          rows(("GRO J1655-40",), ("H 1743-322",)), ("name",)),
    Valid("is_not_null", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE note IS NOT NULL",
          scalar(lambda m: sum(n is not None for n in m.sources["note"])), ("n:long",)),
    Valid("comparison_with_null_is_unknown", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE flux = NULL OR NOT flux <> NULL",
          scalar(0), ("n:long",)),
    Valid("null_flux_fails_every_comparison",
          "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND NOT (flux > 100 OR flux <= 100)",
          scalar(0), ("n:long",)),
    Valid("boolean_column_output", "SELECT name, transient, simulated FROM mmvo.sources WHERE source_id IN (1, 44, 60) "
          "ORDER BY source_id",
          model_rows(lambda m: rows_of(m.sources, ("name", "transient", "simulated"),
                                       np.isin(m.sources["source_id"], [1, 44, 60]))),
          ("name", "transient:boolean", "simulated:boolean"), plain=of("mmvo.sources", "transient", "simulated")),
    Valid("boolean_compared_with_one", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE transient = 1",
          scalar(_count("sources", lambda s: s["transient"])), ("n:long",)),
    Valid("boolean_compared_with_zero", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE simulated = 0",
          scalar(N_REF), ("n:long",)),
    Valid("boolean_compared_with_string_true", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE transient = 'true'",
          scalar(_count("sources", lambda s: s["transient"])), ("n:long",)),
    Valid("boolean_columns_combined", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE transient <> 0 AND "
          "simulated = 'false'", scalar(_count("ref", lambda r: r["transient"])), ("n:long",)),
    Valid("boolean_in_case", "SELECT name, CASE WHEN transient = 1 THEN 'transient' ELSE 'persistent' END AS kind "
          "FROM mmvo.sources WHERE source_id IN (1, 14) ORDER BY source_id",
          rows(("Crab", "persistent"), ("GX 339-4", "transient")), ("name", "kind")),
]
# fmt: on

# ---- LIKE, ILIKE and strings

# fmt: off
_STRINGS = [
    Valid("like_is_case_sensitive", "SELECT name FROM mmvo.sources WHERE name LIKE 'crab'", nrows(0), ("name",)),
    Valid("ilike_is_case_insensitive", "SELECT name FROM mmvo.sources WHERE name ILIKE 'crab'", rows(("Crab",)),
          ("name",)),
    Valid("like_underscore_and_percent", "SELECT name FROM mmvo.sources WHERE name LIKE 'GX _+%' ORDER BY name",
          rows(("GX 1+4",), ("GX 3+1",), ("GX 9+1",)), ("name",)),
    Valid("like_suffix", "SELECT name FROM mmvo.sources WHERE name LIKE '%X-1' ORDER BY name",
          model_rows(lambda m: sorted((n,) for n in m.sources["name"].tolist() if n.endswith("X-1"))), ("name",)),
    Valid("like_lower_case_pattern_misses_upper_case",
          "SELECT COUNT(*) AS n FROM mmvo.sources WHERE name LIKE '%x-1'", scalar(0), ("n:long",)),
    Valid("ilike_upper_case_pattern", "SELECT name FROM mmvo.sources WHERE name ILIKE 'CYG%' ORDER BY name",
          model_rows(lambda m: sorted((n,) for n in m.sources["name"].tolist() if n.lower().startswith("cyg"))),
          ("name",)),
    Valid("not_like", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE name NOT LIKE 'IGR J%'",
          scalar(lambda m: sum(not n.startswith("IGR J") for n in m.sources["name"].tolist())), ("n:long",)),
    Valid("not_ilike", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND name NOT ILIKE '%x-%'",
          scalar(lambda m: sum("x-" not in n.lower() for n in m.ref["name"].tolist())), ("n:long",)),
    Valid("like_on_lower", "SELECT name FROM mmvo.sources WHERE LOWER(name) LIKE 'gx 3%' ORDER BY name",
          rows(("GX 3+1",), ("GX 301-2",), ("GX 339-4",), ("GX 340+0",), ("GX 349+2",)), ("name",)),
    Valid("like_on_column_pattern", "SELECT COUNT(*) AS n FROM integral.scw WHERE scw_id LIKE '0665%.001'",
          scalar(_count("scw", lambda w: w["revolution"] == 665)), ("n:long",)),
    Valid("concatenation", "SELECT name || ' (' || class || ')' AS label FROM mmvo.sources WHERE source_id = 2",
          rows(("Cyg X-1 (HighMassXBin)",)), ("label:char[*]",)),
    Valid("concatenation_with_number", "SELECT 'rev ' || revolution AS label FROM integral.revolutions "
          "WHERE revolution = 42", rows(("rev 42",)), ("label",)),
    Valid("lower_upper", "SELECT LOWER(name) AS l, UPPER(name) AS u, UPPER(LOWER(class)) AS c FROM mmvo.sources "
          "WHERE source_id = 2", rows(("cyg x-1", "CYG X-1", "HIGHMASSXBIN")), ("l:char[*]", "u:char[*]", "c")),
    Valid("upper_in_where", "SELECT name FROM mmvo.sources WHERE UPPER(class) = 'PULSAR' ORDER BY name",
          model_rows(lambda m: sorted((n,) for n, c in zip(m.sources["name"].tolist(), m.sources["class"].tolist(),
                                                           strict=True) if c == "Pulsar")), ("name",)),
    Valid("quote_in_string_literal", "SELECT TOP 1 'it''s' AS s FROM integral.instruments", rows(("it's",)), ("s",)),
    Valid("string_literal_continued_on_next_line",
          "SELECT TOP 1 name FROM mmvo.sources WHERE name = 'Cyg '\n  'X-1'", rows(("Cyg X-1",)), ("name",)),
    Valid("string_comparison_is_binary",
          "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND name < 'a' AND name >= 'A'",
          scalar(lambda m: sum("A" <= n < "a" for n in m.ref["name"].tolist())), ("n:long",)),
    Valid("min_max_of_strings", "SELECT MIN(name) AS lo, MAX(name) AS hi FROM mmvo.sources WHERE source_id <= 51",
          model_rows(lambda m: [(min(m.ref["name"].tolist()), max(m.ref["name"].tolist()))]), ("lo", "hi")),
]
# fmt: on

# ---- arithmetic and mathematical functions (one row from the 4-row instruments table, via TOP 1)


def _one(select: str) -> str:
    return f"SELECT TOP 1 {select} FROM integral.instruments"


_E = math.e
# fmt: off
_ARITHMETIC = [
    Valid("integer_division_truncates", _one("7/2 AS a, -7/2 AS b, 7/-2 AS c, 1/3 AS d, 2/4*2.0 AS e"),
          rows((3, -3, -3, 0, 0.0)), ("a:int", "b:int", "c:int", "d:int", "e:double")),
    Valid("float_division", _one("7.0/2 AS a, 7/2.0 AS b, 1.0/3 AS c"), rows((3.5, 3.5, 1 / 3)),
          ("a:double", "b:double", "c:double")),
    Valid("operator_precedence", _one("2*3+4 AS a, 2*(3+4) AS b, 10-4-3 AS c, 2+3*4-6/2 AS d, -2*-3 AS e"),
          rows((10, 14, 3, 11, 6)), ("a:int", "b:int", "c:int", "d:int", "e:int")),
    Valid("numeric_literals", _one("1e3 AS a, .5 AS b, 5. AS c, 1.5E-3 AS d, -3 AS e, +4 AS f, - -2 AS g"),
          rows((1000.0, 0.5, 5.0, 0.0015, -3, 4, 2)),
          ("a:double", "b:double", "c:double", "d:double", "e:int", "f:int", "g:int")),
    Valid("string_to_number_in_arithmetic", _one("'30' * 2 AS a"), rows((60,)), ("a",)),
    Valid("column_arithmetic", "SELECT revolution, (t_stop - t_start) * 24 AS hours, duration - (t_stop - t_start) "
          "AS zero FROM integral.revolutions WHERE revolution IN (1, 2886) ORDER BY revolution",
          model_rows(lambda m: [(r, d * 24, 0.0) for r, d in rows_of(
              m.revolutions, ("revolution", "duration"), np.isin(m.revolutions["revolution"], [1, 2886]))],
              tol=1e-7),
          ("revolution", "hours:double", "zero:double")),
    Valid("exposure_is_scw_duration_in_seconds",
          "SELECT COUNT(*) AS n FROM integral.scw WHERE ABS((t_stop - t_start) * 86400 - exposure) > 0.01",
          scalar(_count("scw", lambda w: np.abs((w["t_stop"] - w["t_start"]) * 86400 - w["exposure"]) > 0.01)),
          ("n:long",)),
    Valid("unary_minus_on_column", "SELECT -ra AS a, -(dec) AS b, 0 - source_id AS c FROM mmvo.sources "
          "WHERE source_id = 1", rows((-83.6331, -22.0145, -1)), ("a:double", "b:double", "c:long")),
    Valid("math_abs_ceiling_floor", _one("ABS(-2.5) AS a, CEILING(2.1) AS b, CEILING(-2.1) AS c, FLOOR(-2.1) AS d, "
                                         "FLOOR(2.9) AS e, ABS(-3) AS f"),
          rows((2.5, 3.0, -2.0, -3.0, 2.0, 3.0)), ("a:double", "b:double", "c:double", "d:double", "e", "f")),
    Valid("math_degrees_radians_pi", _one("DEGREES(PI()) AS a, RADIANS(180) AS b, DEGREES(1) AS c, PI() AS d"),
          rows((180.0, math.pi, math.degrees(1), math.pi)), ("a:double", "b:double", "c", "d"),
          units={"a": "deg", "b": "rad"}),
    Valid("math_log_is_natural", _one("LOG(10) AS a, LOG(EXP(2)) AS b, EXP(1) AS c, EXP(0) AS d, LOG(1) AS e"),
          rows((math.log(10), 2.0, _E, 1.0, 0.0)), ("a:double", "b", "c", "d", "e")),
    Valid("math_log10", _one("LOG10(100) AS a, LOG10(0.001) AS b, LOG10(2) AS c"),
          rows((2.0, -3.0, math.log10(2))), ("a:double", "b", "c")),
    Valid("math_floor_log10_decades", _one("FLOOR(LOG10(1000)) AS a, FLOOR(LOG10(1000000)) AS b, "
                                           "FLOOR(LOG10(0.001)) AS c"),
          rows((3.0, 6.0, -3.0)), ("a", "b", "c")),
    Valid("math_mod_sign_follows_dividend", _one("MOD(-7, 3) AS a, MOD(7, -3) AS b, MOD(7.5, 2) AS c, "
                                                 "MOD(10, 5) AS d"),
          rows((-1.0, 1.0, 1.5, 0.0)), ("a:double", "b", "c", "d")),
    Valid("math_mod_on_column", "SELECT COUNT(*) AS n FROM integral.revolutions WHERE MOD(revolution, 100) = 0",
          scalar(LAST_REVOLUTION // 100), ("n:long",)),
    Valid("math_power_sqrt", _one("POWER(2, 10) AS a, POWER(2, -1) AS b, POWER(2, 0.5) AS c, SQRT(2) AS d, "
                                  "SQRT(16) AS e, POWER(-2, 3) AS f"),
          rows((1024.0, 0.5, math.sqrt(2), math.sqrt(2), 4.0, -8.0)), ("a:double", "b", "c", "d", "e", "f")),
    Valid("math_round_half_away_from_zero", _one("ROUND(-2.5) AS a, ROUND(2.5) AS b, ROUND(0.5) AS c, "
                                                 "ROUND(-0.5) AS d, ROUND(1.5) AS e, ROUND(-1.4) AS f"),
          rows((-3.0, 3.0, 1.0, -1.0, 2.0, -1.0)), ("a:double", "b", "c", "d", "e", "f")),
    Valid("math_round_places", _one("ROUND(2.567, 1) AS a, ROUND(-2.567, 2) AS b, ROUND(1234.5, -2) AS c, "
                                    "ROUND(1250, -2) AS d"),
          rows((2.6, -2.57, 1200.0, 1300.0)), ("a:double", "b", "c", "d")),
    Valid("math_truncate", _one("TRUNCATE(2.567, 1) AS a, TRUNCATE(-2.567, 2) AS b, TRUNCATE(-2.7) AS c, "
                                "TRUNCATE(2.7) AS d, TRUNCATE(1234.5, -2) AS e"),
          rows((2.5, -2.56, -2.0, 2.0, 1200.0)), ("a:double", "b", "c", "d", "e")),
    Valid("math_round_keeps_unit", "SELECT ROUND(ra, 2) AS r, TRUNCATE(dec, 1) AS t, ABS(dec) AS a, "
          "FLOOR(ra) AS f FROM mmvo.sources WHERE source_id = 5",
          rows((135.53, -40.5, 40.5547, 135.0)), ("r:double", "t:double", "a:double", "f:double"),
          units={"r": "deg", "t": "deg", "a": "deg", "f": "deg"}),
    Valid("math_inverse_trigonometry", _one("ACOS(0.5) AS a, ASIN(0.5) AS b, ATAN(1) AS c, ATAN2(1, -1) AS d, "
                                            "ATAN2(-1, -1) AS e, ACOS(-1) AS f"),
          rows((math.acos(0.5), math.asin(0.5), math.atan(1), math.atan2(1, -1), math.atan2(-1, -1), math.pi)),
          ("a:double", "b", "c", "d", "e", "f")),
    Valid("math_trigonometry", _one("COS(PI()/3) AS a, COT(PI()/4) AS b, SIN(PI()/6) AS c, TAN(PI()/4) AS d, "
                                    "COT(1) AS e, SIN(RADIANS(90)) AS f"),
          rows((0.5, 1.0, 0.5, 1.0, 1 / math.tan(1), 1.0)), ("a:double", "b", "c", "d", "e", "f")),
    Valid("math_trigonometry_on_columns",
          "SELECT source_id, SIN(RADIANS(dec)) AS s, COS(RADIANS(dec)) * COS(RADIANS(ra)) AS x, "
          "DEGREES(ATAN2(SIN(RADIANS(dec)), COS(RADIANS(dec)))) AS d FROM mmvo.sources WHERE source_id <= 51 "
          "ORDER BY source_id",
          model_rows(lambda m: [(i, math.sin(math.radians(d)), math.cos(math.radians(d)) * math.cos(math.radians(r)),
                                 d) for i, r, d in rows_of(m.ref, ("source_id", "ra", "dec"))]),
          ("source_id", "s:double", "x:double", "d:double")),
    Valid("math_in_where", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE ABS(glat) < 1 AND POWER(glon - 180, 2) > 8100",
          scalar(_count("sources", lambda s: (np.abs(s["glat"]) < 1) & ((s["glon"] - 180) ** 2 > 8100))),
          ("n:long",)),
    Valid("math_rand_is_uniform_in_unit_interval",
          "SELECT COUNT(*) AS n, MIN(r) AS lo, MAX(r) AS hi FROM (SELECT RAND() AS r FROM mmvo.sources) AS t",
          lambda result, model: _rand_check(result, model.n_sources),
          ("n:long", "lo:double", "hi:double")),
    Valid("math_rand_with_seed_argument", _one("RAND(1) AS r"),
          lambda result, model: _assert(0.0 <= result.scalar() < 1.0, f"RAND(1) = {result.scalar()}"),
          ("r:double",)),
    Valid("math_domain_errors_are_null", _one("SQRT(-1) AS a, LOG(0) AS b, LOG10(-1) AS c, ACOS(2) AS d"),
          rows((None, None, None, None)), ("a:double", "b", "c", "d")),
]
# fmt: on


def _assert(condition: bool, message: str) -> None:
    assert condition, message


def _rand_check(result: Result, n_sources: int) -> None:
    n, lo, hi = result.rows[0]
    assert n == n_sources
    # n uniform draws: min >= 0.01 or max <= 0.99 with probability 2 * 0.99**n, 3e-22 for 5000 rows
    assert 0.0 <= lo < 0.01 and 0.99 < hi < 1.0, (lo, hi)


# ---- aggregates, GROUP BY, HAVING


def _class_counts(ref: Columns) -> Counter[str]:
    return Counter(ref["class"].tolist())


# fmt: off
_AGGREGATES = [
    Valid("count_forms_skip_nulls",
          "SELECT COUNT(*) AS n, COUNT(flux) AS nf, COUNT(note) AS nn, COUNT(DISTINCT class) AS nc, "
          "COUNT(DISTINCT transient) AS nt FROM mmvo.sources WHERE source_id <= 51",
          model_rows(lambda m: [(N_REF, int(np.count_nonzero(~np.isnan(_flux(m.ref)))),
                                 sum(n is not None for n in m.ref["note"]), len(set(m.ref["class"].tolist())), 2)]),
          ("n:long", "nf:long", "nn:long", "nc:long", "nt:long")),
    Valid("avg_sum_min_max_ignore_nulls",
          "SELECT AVG(flux) AS a, SUM(flux) AS s, MIN(flux) AS lo, MAX(flux) AS hi FROM mmvo.sources "
          "WHERE source_id <= 51",
          model_rows(lambda m: [(float(np.nanmean(_flux(m.ref))), float(np.nansum(_flux(m.ref))),
                                 float(np.nanmin(_flux(m.ref))), float(np.nanmax(_flux(m.ref))))]),
          ("a:double", "s:double", "lo:float", "hi:float"),
          units={"a": "'mCrab'", "s": "'mCrab'", "lo": "'mCrab'", "hi": "'mCrab'"}),
    Valid("avg_equals_sum_over_count_of_non_null",
          "SELECT AVG(flux) - SUM(flux) / COUNT(flux) AS zero, SUM(flux) / COUNT(*) - AVG(flux) AS biased "
          "FROM mmvo.sources WHERE source_id <= 51",
          model_rows(lambda m: [(0.0, float(np.nansum(_flux(m.ref))) / N_REF - float(np.nanmean(_flux(m.ref))))]),
          ("zero:double", "biased:double")),
    Valid("sum_and_avg_of_float_column_in_double_precision",
          "SELECT SUM(flux) AS s, AVG(flux) AS a, SUM(flux_err) AS e FROM mmvo.sources",
          model_rows(lambda m: [(float(np.nansum(m.sources["flux"])), float(np.nanmean(m.sources["flux"])),
                                 float(np.nansum(m.sources["flux_err"])))], tol=1e-12),
          ("s:double", "a:double", "e:double")),
    Valid("aggregates_of_nothing", "SELECT COUNT(*) AS n, COUNT(flux) AS nf, SUM(flux) AS s, AVG(flux) AS a, "
          "MIN(flux) AS lo, MAX(name) AS hi FROM mmvo.sources WHERE source_id < 0",
          rows((0, 0, None, None, None, None)), ("n:long", "nf:long", "s", "a", "lo", "hi")),
    Valid("aggregates_of_empty_table", "SELECT COUNT(*) AS n, MAX(file_size) AS m, SUM(exposure) AS s "
          "FROM mmvo.products", rows((0, None, None)), ("n:long", "m", "s")),
    Valid("sum_of_integers_is_exact", "SELECT SUM(revolution) AS s, MAX(revolution) AS m FROM integral.revolutions",
          rows((LAST_REVOLUTION * (LAST_REVOLUTION + 1) // 2, LAST_REVOLUTION)), ("s:long", "m:int")),
    Valid("avg_of_integers_is_not_truncated", "SELECT AVG(revolution) AS a FROM integral.revolutions",
          rows(((LAST_REVOLUTION + 1) / 2,)), ("a:double",)),
    Valid("group_by_with_having",
          "SELECT class, COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 GROUP BY class "
          "HAVING COUNT(*) >= 3 ORDER BY n DESC, class",
          model_rows(lambda m: sorted(((c, n) for c, n in _class_counts(m.ref).items() if n >= 3),
                                      key=lambda r: (-r[1], r[0]))),
          ("class", "n:long"), plain=of("mmvo.sources", "class")),
    Valid("group_by_two_columns", "SELECT scw_type, obs_type, COUNT(*) AS n FROM integral.scw "
          "GROUP BY scw_type, obs_type ORDER BY scw_type, obs_type",
          model_rows(lambda m: [(*k, n) for k, n in sorted(Counter(zip(
              m.scw["scw_type"].tolist(), m.scw["obs_type"].tolist(), strict=True)).items())]),
          ("scw_type", "obs_type", "n:long")),
    Valid("group_by_expression", "SELECT FLOOR(revolution / 1000) AS k, COUNT(*) AS n FROM integral.revolutions "
          "GROUP BY FLOOR(revolution / 1000) ORDER BY k",
          rows((0.0, 999), (1.0, 1000), (2.0, LAST_REVOLUTION - 1999)), ("k:double", "n:long")),
    Valid("group_by_select_alias", "SELECT model AS m, MIN(revolution) AS lo, MAX(revolution) AS hi "
          "FROM integral.revolutions GROUP BY m ORDER BY lo",
          rows(("early", 1, MODEL_SWITCH - 1), ("late", MODEL_SWITCH, LAST_REVOLUTION)),
          ("m", "lo:int", "hi:int")),
    Valid("having_on_average",
          "SELECT target, AVG(exposure) AS mean_exposure FROM integral.scw WHERE scw_type = 'POINTING' "
          "GROUP BY target HAVING AVG(exposure) > 3000 AND COUNT(*) >= 10 ORDER BY target",
          model_rows(lambda m: _having_average(m.pointings)), ("target", "mean_exposure:double"),
          units={"mean_exposure": "s"}),
    Valid("count_distinct_revolutions_of_scw", "SELECT COUNT(DISTINCT revolution) AS n FROM integral.scw",
          scalar(lambda m: len(m.planned)), ("n:long",)),
    Valid("group_order_by_aggregate",
          "SELECT TOP 3 target, COUNT(*) AS n FROM integral.scw GROUP BY target ORDER BY COUNT(*) DESC",
          model_rows(lambda m: [(t, n) for t, n in Counter(m.scw["target"].tolist()).most_common(3)]),
          ("target", "n:long")),
    Valid("sum_of_case", "SELECT SUM(CASE WHEN flux >= 100 THEN 1 ELSE 0 END) AS bright, "
          "SUM(CASE WHEN flux IS NULL THEN 1 ELSE 0 END) AS no_flux FROM mmvo.sources",
          model_rows(lambda m: [(int(np.count_nonzero(m.sources["flux"] >= 100)),
                                 int(np.count_nonzero(np.isnan(m.sources["flux"]))))]),
          ("bright:long", "no_flux:long")),
    Valid("aggregate_of_expression", "SELECT obs_type, SUM(exposure) / 3600 AS hours FROM integral.scw "
          "GROUP BY obs_type ORDER BY obs_type",
          model_rows(lambda m: [(t, float(m.scw["exposure"][m.scw["obs_type"] == t].sum()) / 3600)
                                for t in sorted(set(m.scw["obs_type"].tolist()))], tol=1e-11),
          ("obs_type", "hours:double")),
    Valid("good_time_never_exceeds_exposure",
          "SELECT COUNT(*) AS n FROM integral.scw WHERE good_isgri > exposure OR good_spi > exposure "
          "OR good_jemx1 > exposure OR good_jemx2 > exposure",
          scalar(_count("scw", lambda w: (w["good_isgri"] > w["exposure"]) | (w["good_spi"] > w["exposure"])
                        | (w["good_jemx1"] > w["exposure"]) | (w["good_jemx2"] > w["exposure"]))), ("n:long",)),
]
# fmt: on


def _having_average(pointings: Columns) -> list[Row]:
    out = []
    for target in sorted(set(pointings["target"].tolist())):
        exposure = pointings["exposure"][pointings["target"] == target]
        if exposure.size >= 10 and exposure.mean() > 3000:
            out.append((target, float(exposure.mean())))
    return out


# ---- joins


def _unplanned(model: Model) -> int:
    """Revolutions without any ScW in the simulated plan."""
    return LAST_REVOLUTION - len(model.planned)


def _full_join(model: Model) -> list[Row]:
    left = set(range(1, 31))
    right = {r for r in model.planned if r <= 60}
    keys = sorted(left | right)
    return [(k if k in left else None, k if k in right else None) for k in keys]


def _crab_pointings_within(model: Model, radius: float) -> NDArray[np.bool_]:
    p = model.pointings
    return np.asarray(separation(p["ra"], p["dec"], 83.6331, 22.0145) < radius)


# fmt: off
_JOINS = [
    Valid("inner_join_on", "SELECT COUNT(*) AS n FROM integral.scw AS s INNER JOIN integral.revolutions AS r "
          "ON s.revolution = r.revolution", scalar(lambda m: len(m.scw["scw_id"])), ("n:long",)),
    Valid("join_without_inner_keyword", "SELECT s.scw_id, r.model FROM integral.scw s JOIN integral.revolutions r "
          "ON s.revolution = r.revolution AND r.revolution = 1626 AND s.scw_id LIKE '%0010.001' ORDER BY s.scw_id",
          model_rows(lambda m: [(s, "late") for s in sorted(m.pointings["scw_id"][
              m.pointings["revolution"] == 1626].tolist())]), ("scw_id", "model")),
    Valid("join_using_merges_the_column",
          "SELECT TOP 3 revolution, scw_id, model FROM integral.scw JOIN integral.revolutions USING (revolution) "
          "ORDER BY scw_id",
          model_rows(lambda m: [(int(r), s, "early") for s, r in sorted(zip(
              m.scw["scw_id"].tolist(), m.scw["revolution"].tolist(), strict=True))[:3]]),
          ("revolution:int", "scw_id", "model"), plain=of("integral.scw", "scw_id")),
    Valid("join_using_counts", "SELECT COUNT(*) AS n, COUNT(DISTINCT revolution) AS nr FROM integral.scw "
          "JOIN integral.revolutions USING (revolution)",
          model_rows(lambda m: [(len(m.scw["scw_id"]), len(m.planned))]), ("n:long", "nr:long")),
    Valid("natural_join_on_all_common_columns",
          "SELECT COUNT(*) AS n FROM integral.scw NATURAL JOIN integral.revolutions", scalar(0), ("n:long",)),
    Valid("natural_join_with_cte",
          "WITH r AS (SELECT revolution, model FROM integral.revolutions) "
          "SELECT model, COUNT(*) AS n FROM integral.scw NATURAL JOIN r GROUP BY model ORDER BY model",
          model_rows(lambda m: [(k, n) for k, n in sorted(Counter(
              np.where(m.scw["revolution"] >= MODEL_SWITCH, "late", "early").tolist()).items())]),
          ("model", "n:long")),
    Valid("natural_join_view_and_table",
          "SELECT instrument_name, COUNT(*) AS n FROM integral.instruments NATURAL JOIN ivoa.obsplan "
          "WHERE revolution = 665 GROUP BY instrument_name ORDER BY instrument_name",
          model_rows(lambda m: [(i.name, int(np.count_nonzero(m.pointings["revolution"] == 665)))
                                for i in sorted(INSTRUMENTS, key=lambda x: x.name)]),
          ("instrument_name", "n:long")),
    Valid("left_outer_join_keeps_unmatched", "SELECT COUNT(*) AS n FROM integral.revolutions r "
          "LEFT OUTER JOIN integral.scw s ON s.revolution = r.revolution WHERE s.scw_id IS NULL",
          scalar(_unplanned), ("n:long",)),
    Valid("left_join_row_count", "SELECT COUNT(*) AS n FROM integral.revolutions AS r LEFT JOIN integral.scw AS s "
          "ON s.revolution = r.revolution", scalar(lambda m: len(m.scw["scw_id"]) + _unplanned(m)), ("n:long",)),
    Valid("right_outer_join", "SELECT COUNT(*) AS n FROM integral.scw s RIGHT OUTER JOIN integral.revolutions r "
          "ON s.revolution = r.revolution WHERE s.scw_id IS NULL", scalar(_unplanned), ("n:long",)),
    Valid("full_outer_join",
          "WITH a AS (SELECT revolution FROM integral.revolutions WHERE revolution BETWEEN 1 AND 30), "
          "b AS (SELECT DISTINCT revolution FROM integral.scw WHERE revolution <= 60) "
          "SELECT a.revolution AS left_rev, b.revolution AS right_rev FROM a FULL OUTER JOIN b "
          "ON a.revolution = b.revolution ORDER BY COALESCE(a.revolution, b.revolution)",
          model_rows(_full_join), ("left_rev:int", "right_rev:int")),
    Valid("left_join_using", "SELECT COUNT(*) AS n FROM integral.revolutions LEFT OUTER JOIN integral.scw "
          "USING (revolution) WHERE scw_id IS NULL", scalar(_unplanned), ("n:long",)),
    Valid("natural_left_join_with_derived_table",
          "SELECT COUNT(*) AS n FROM integral.revolutions NATURAL LEFT OUTER JOIN "
          "(SELECT DISTINCT revolution, 1 AS planned FROM integral.scw) AS p WHERE planned IS NULL",
          scalar(_unplanned), ("n:long",)),
    Valid("comma_join_with_where", "SELECT COUNT(*) AS n FROM integral.scw s, integral.revolutions r "
          "WHERE s.revolution = r.revolution AND r.revolution = 665",
          scalar(_count("scw", lambda w: w["revolution"] == 665)), ("n:long",)),
    Valid("comma_cross_join", "SELECT COUNT(*) AS n FROM integral.instruments a, integral.instruments b",
          scalar(16), ("n:long",)),
    Valid("self_join", "SELECT a.instrument_name AS one, b.instrument_name AS other FROM integral.instruments a "
          "JOIN integral.instruments b ON a.energy_min = b.energy_min AND a.instrument_name < b.instrument_name",
          rows(("JEM-X1", "JEM-X2")), ("one", "other")),
    Valid("three_table_join",
          "SELECT p.instrument_name, r.model, i.energy_max FROM ivoa.obsplan p "
          "JOIN integral.revolutions r ON r.revolution = p.revolution "
          "JOIN integral.instruments i ON i.instrument_name = p.instrument_name "
          "WHERE p.scw_id = '066500220010.001' ORDER BY i.energy_max, p.instrument_name",
          rows(("JEM-X1", "early", 35.0), ("JEM-X2", "early", 35.0), ("ISGRI", "early", 1000.0),
               ("SPI", "early", 8000.0)),
          ("instrument_name", "model", "energy_max"), plain=of("integral.instruments", "energy_max")),
    Valid("join_with_aggregated_derived_table",
          "SELECT r.revolution, r.model, c.n FROM integral.revolutions r JOIN "
          "(SELECT revolution, COUNT(*) AS n FROM integral.scw GROUP BY revolution) AS c "
          "ON c.revolution = r.revolution WHERE r.revolution IN (665, 1559) ORDER BY r.revolution",
          model_rows(lambda m: [(r, "early" if r < MODEL_SWITCH else "late",
                                 int(np.count_nonzero(m.scw["revolution"] == r))) for r in (665, 1559)]),
          ("revolution", "model", "n:long")),
    Valid("join_on_cone", "SELECT COUNT(*) AS n FROM integral.scw w JOIN mmvo.sources s "
          "ON 1 = CONTAINS(POINT('ICRS', s.ra, s.dec), CIRCLE('ICRS', w.ra, w.dec, 2)) "
          "WHERE w.revolution = 665 AND w.scw_type = 'POINTING'",
          scalar(lambda m: _pairs_within(m, 665, 2.0)), ("n:long",)),
    Valid("crossmatch_with_distance",
          "SELECT s.name, COUNT(*) AS n FROM mmvo.sources s JOIN integral.scw w "
          "ON DISTANCE(POINT('ICRS', s.ra, s.dec), POINT('ICRS', w.ra, w.dec)) < 0.5 "
          "WHERE s.source_id <= 51 AND w.scw_type = 'POINTING' AND w.revolution < 700 "
          "GROUP BY s.name ORDER BY n DESC, s.name",
          model_rows(lambda m: _crossmatch(m, 0.5)), ("name", "n:long")),
]
# fmt: on


def _pairs_within(model: Model, revolution: int, radius: float) -> int:
    p = model.pointings
    keep = p["revolution"] == revolution
    total = 0
    for ra, dec in zip(p["ra"][keep], p["dec"][keep], strict=True):
        total += int(
            np.count_nonzero(separation(model.sources["ra"], model.sources["dec"], ra, dec) <= radius)
        )
    return total


def _crossmatch(model: Model, radius: float) -> list[Row]:
    early = model.pointings["revolution"] < 700
    p = {name: values[early] for name, values in model.pointings.items()}
    counts = []
    for name, ra, dec in zip(model.ref["name"].tolist(), model.ref["ra"], model.ref["dec"], strict=True):
        n = int(np.count_nonzero(separation(p["ra"], p["dec"], ra, dec) < radius))
        if n:
            counts.append((name, n))
    return sorted(counts, key=lambda r: (-r[1], r[0]))


# ---- subqueries


def _observed_reference_names(model: Model) -> list[str]:
    targets = set(model.scw["target"].tolist())
    return sorted(n for n in model.ref["name"].tolist() if n in targets)


# fmt: off
_SUBQUERIES = [
    Valid("in_subquery", "SELECT name FROM mmvo.sources WHERE name IN (SELECT target FROM integral.scw) ORDER BY name",
          model_rows(lambda m: [(n,) for n in _observed_reference_names(m)]), ("name",)),
    Valid("not_in_subquery", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND name NOT IN "
          "(SELECT target FROM integral.scw WHERE target IS NOT NULL)",
          scalar(lambda m: N_REF - len(_observed_reference_names(m))), ("n:long",)),
    Valid("exists_correlated", "SELECT name FROM mmvo.sources s WHERE source_id <= 51 AND EXISTS "
          "(SELECT 1 FROM integral.scw w WHERE w.target = s.name) ORDER BY name",
          model_rows(lambda m: [(n,) for n in _observed_reference_names(m)]), ("name",)),
    Valid("not_exists_correlated", "SELECT revolution FROM integral.revolutions r WHERE revolution <= 40 AND "
          "NOT EXISTS (SELECT * FROM integral.scw w WHERE w.revolution = r.revolution) ORDER BY revolution",
          model_rows(lambda m: [(r,) for r in range(1, 41) if r not in m.planned]), ("revolution",)),
    Valid("scalar_subquery_in_select",
          "SELECT TOP 2 name, (SELECT COUNT(*) FROM integral.scw w WHERE w.target = s.name) AS n "
          "FROM mmvo.sources AS s ORDER BY source_id",
          model_rows(lambda m: [(n, int(np.count_nonzero(m.scw["target"] == n))) for n in ("Crab", "Cyg X-1")]),
          ("name", "n:long")),
    Valid("scalar_subquery_in_where", "SELECT name FROM mmvo.sources WHERE source_id <= 51 AND flux > "
          "(SELECT AVG(flux) FROM mmvo.sources WHERE source_id <= 51) ORDER BY flux DESC, name",
          model_rows(lambda m: [(n,) for n, _ in sorted(
              ((n, f) for n, f in zip(m.ref["name"].tolist(), _flux(m.ref).tolist(), strict=True)
               if f > np.nanmean(_flux(m.ref))), key=lambda r: (-r[1], r[0]))]), ("name",)),
    Valid("scalar_subquery_arithmetic", "SELECT TOP 1 (SELECT MAX(revolution) FROM integral.revolutions) - "
          "(SELECT MIN(revolution) FROM integral.scw) AS span FROM integral.instruments",
          scalar(lambda m: LAST_REVOLUTION - min(m.planned)), ("span",)),
    Valid("derived_table_with_aliases", "SELECT t.c, t.n FROM (SELECT class AS c, COUNT(*) AS n FROM mmvo.sources "
          "WHERE source_id <= 51 GROUP BY class) AS t WHERE t.n > 2 ORDER BY t.n DESC, t.c",
          model_rows(lambda m: sorted(((c, n) for c, n in _class_counts(m.ref).items() if n > 2),
                                      key=lambda r: (-r[1], r[0]))), ("c", "n:long")),
    Valid("nested_derived_tables", "SELECT MAX(n) AS most FROM (SELECT revolution, COUNT(*) AS n FROM "
          "(SELECT revolution FROM integral.scw WHERE scw_type = 'POINTING') AS p GROUP BY revolution) AS c",
          scalar(lambda m: max(Counter(m.pointings["revolution"].tolist()).values())), ("most:long",)),
    Valid("subquery_in_having", "SELECT class, COUNT(*) AS n FROM mmvo.sources GROUP BY class HAVING COUNT(*) > "
          "(SELECT COUNT(*) FROM mmvo.sources WHERE class = 'Seyfert1') ORDER BY class",
          model_rows(lambda m: [(c, n) for c, n in sorted(Counter(m.sources["class"].tolist()).items())
                                if n > Counter(m.sources["class"].tolist())["Seyfert1"]]), ("class", "n:long")),
    Valid("in_subquery_with_aggregate", "SELECT revolution FROM integral.revolutions WHERE revolution IN "
          "(SELECT revolution FROM integral.scw GROUP BY revolution HAVING COUNT(*) > 300) ORDER BY revolution",
          model_rows(lambda m: [(r,) for r, n in sorted(Counter(m.scw["revolution"].tolist()).items()) if n > 300]),
          ("revolution",)),
    Valid("subquery_in_from_joined_to_itself",
          "SELECT a.k, a.n - b.n AS diff FROM (SELECT scw_type AS k, COUNT(*) AS n FROM integral.scw "
          "GROUP BY scw_type) AS a JOIN (SELECT 'POINTING' AS k, COUNT(*) AS n FROM integral.scw "
          "WHERE scw_type = 'SLEW') AS b ON a.k = b.k",
          model_rows(lambda m: [("POINTING", int(np.count_nonzero(m.scw["scw_type"] == "POINTING"))
                                 - int(np.count_nonzero(m.scw["scw_type"] == "SLEW")))]),
          ("k", "diff:long")),
]
# fmt: on

# ---- set operations and common table expressions


def _classes(model: Model, upto: int) -> list[str]:
    return [str(c) for c in model.sources["class"][:upto]]


# fmt: off
_SETS = [
    Valid("union_removes_duplicates", "SELECT class FROM mmvo.sources WHERE source_id <= 4 UNION "
          "SELECT class FROM mmvo.sources WHERE source_id BETWEEN 3 AND 9 ORDER BY class",
          model_rows(lambda m: [(c,) for c in sorted(set(_classes(m, 9)))]), ("class",)),
    Valid("union_all_keeps_duplicates", "SELECT class FROM mmvo.sources WHERE source_id <= 4 UNION ALL "
          "SELECT class FROM mmvo.sources WHERE source_id <= 2 ORDER BY 1",
          model_rows(lambda m: [(c,) for c in sorted(_classes(m, 4) + _classes(m, 2))]), ("class",)),
    Valid("union_of_parenthesised_tops", "(SELECT TOP 2 name FROM mmvo.sources ORDER BY source_id) UNION "
          "(SELECT TOP 1 name FROM mmvo.sources ORDER BY source_id DESC) ORDER BY name",
          model_rows(lambda m: sorted([("Crab",), ("Cyg X-1",), (m.sources["name"][-1],)])), ("name",)),
    Valid("union_of_different_tables_takes_first_names",
          "SELECT instrument_name AS label, energy_max AS amount FROM integral.instruments UNION ALL "
          "SELECT name, flux FROM mmvo.sources WHERE source_id <= 2 ORDER BY amount DESC",
          rows(("SPI", 8000.0), ("Crab", 1000.0), ("ISGRI", 1000.0), ("Cyg X-1", 800.0), ("JEM-X1", 35.0),
               ("JEM-X2", 35.0), ordered=False),
          ("label", "amount")),
    Valid("intersect", "SELECT class FROM mmvo.sources WHERE source_id <= 10 INTERSECT "
          "SELECT class FROM mmvo.sources WHERE source_id BETWEEN 20 AND 30 ORDER BY class",
          model_rows(lambda m: [(c,) for c in sorted(set(_classes(m, 10)) & set(m.sources["class"][19:30].tolist()))]),
          ("class",)),
    Valid("except", "SELECT class FROM mmvo.sources WHERE source_id <= 51 EXCEPT "
          "SELECT class FROM mmvo.sources WHERE source_id > 51 ORDER BY class",
          model_rows(lambda m: [(c,) for c in sorted(set(m.ref["class"].tolist())
                                                     - set(m.sources["class"][N_REF:].tolist()))]), ("class",)),
    Valid("intersect_all", "SELECT class FROM mmvo.sources WHERE source_id <= 10 INTERSECT ALL "
          "SELECT class FROM mmvo.sources WHERE source_id <= 6",
          model_rows(lambda m: [(c,) for c in (Counter(_classes(m, 10)) & Counter(_classes(m, 6))).elements()],
                     ordered=False), ("class",)),
    Valid("except_all", "SELECT class FROM mmvo.sources WHERE source_id <= 10 EXCEPT ALL "
          "SELECT class FROM mmvo.sources WHERE source_id <= 3",
          model_rows(lambda m: [(c,) for c in (Counter(_classes(m, 10)) - Counter(_classes(m, 3))).elements()],
                     ordered=False), ("class",)),
    Valid("intersect_binds_tighter_than_union",
          "SELECT name FROM mmvo.sources WHERE source_id = 1 UNION SELECT name FROM mmvo.sources "
          "WHERE source_id <= 3 INTERSECT SELECT name FROM mmvo.sources WHERE source_id >= 3 ORDER BY name",
          rows(("Crab",), ("Sco X-1",)), ("name",)),
    Valid("except_is_left_associative",
          "SELECT source_id FROM mmvo.sources WHERE source_id <= 5 EXCEPT SELECT source_id FROM mmvo.sources "
          "WHERE source_id <= 2 UNION SELECT source_id FROM mmvo.sources WHERE source_id = 1 ORDER BY source_id",
          rows((1,), (3,), (4,), (5,)), ("source_id",)),
    Valid("union_in_in_subquery", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE name IN "
          "(SELECT target FROM integral.scw UNION SELECT 'Cyg X-1' FROM integral.instruments)",
          scalar(lambda m: len(_observed_reference_names(m)) + 1), ("n:long",)),
    Valid("with_single_cte", "WITH bright AS (SELECT name, flux FROM mmvo.sources WHERE flux >= 1000) "
          "SELECT name FROM bright ORDER BY flux DESC, name",
          model_rows(lambda m: [(n,) for n, _ in sorted(
              ((n, f) for n, f in zip(m.ref["name"].tolist(), _flux(m.ref).tolist(), strict=True) if f >= 1000),
              key=lambda r: (-r[1], r[0]))]), ("name",)),
    Valid("with_chained_ctes", "WITH ref AS (SELECT * FROM mmvo.sources WHERE source_id <= 51), "
          "binaries AS (SELECT name, class FROM ref WHERE class LIKE '%XBin') "
          "SELECT class, COUNT(*) AS n FROM binaries GROUP BY class ORDER BY class",
          model_rows(lambda m: sorted((c, n) for c, n in _class_counts(m.ref).items() if c.endswith("XBin"))),
          ("class", "n:long")),
    Valid("with_cte_joined_twice",
          "WITH c AS (SELECT revolution, COUNT(*) AS n FROM integral.scw GROUP BY revolution) "
          "SELECT COUNT(*) AS n FROM c AS a JOIN c AS b ON b.revolution = a.revolution + 10",
          scalar(lambda m: sum(r + 10 in m.planned for r in m.planned)), ("n:long",)),
    Valid("with_union_inside", "WITH labels AS (SELECT name AS x FROM mmvo.sources WHERE source_id <= 2 UNION ALL "
          "SELECT instrument_name FROM integral.instruments) SELECT COUNT(*) AS n, MIN(x) AS lo FROM labels",
          rows((6, "Crab")), ("n:long", "lo")),
    Valid("with_and_subquery", "WITH late AS (SELECT revolution FROM integral.revolutions WHERE model = 'late') "
          "SELECT COUNT(*) AS n FROM integral.scw WHERE revolution IN (SELECT revolution FROM late)",
          scalar(_count("scw", lambda w: w["revolution"] >= MODEL_SWITCH)), ("n:long",)),
]
# fmt: on

# ---- CASE, CAST, COALESCE, timestamps

# fmt: off
_CONDITIONAL = [
    Valid("case_searched", "SELECT name, CASE WHEN flux >= 1000 THEN 'bright' WHEN flux >= 100 THEN 'medium' "
          "ELSE 'faint' END AS band FROM mmvo.sources WHERE source_id IN (1, 4, 39, 47) ORDER BY source_id",
          rows(("Crab", "bright"), ("GRS 1915+105", "medium"), ("PSR B1509-58", "faint"), ("GRO J1655-40", "faint")),
          ("name", "band:char[*]")),
    Valid("case_simple_without_else_is_null", "SELECT CASE class WHEN 'Pulsar' THEN 1 WHEN 'Blazar' THEN 2 END AS k "
          "FROM mmvo.sources WHERE source_id IN (1, 39, 40) ORDER BY source_id", rows((None,), (1,), (2,)),
          ("k:int",)),
    Valid("case_in_where", "SELECT COUNT(*) AS n FROM integral.scw WHERE CASE WHEN scw_type = 'SLEW' THEN exposure "
          "ELSE 0 END > 300",
          scalar(_count("scw", lambda w: (w["scw_type"] == "SLEW") & (w["exposure"] > 300))), ("n:long",)),
    Valid("case_nested", "SELECT instrument_name, CASE WHEN energy_max > 100 THEN CASE WHEN s_fov > 29.5 "
          "THEN 'wide' ELSE 'imager' END ELSE 'monitor' END AS kind FROM integral.instruments "
          "ORDER BY instrument_name",
          rows(("ISGRI", "imager"), ("JEM-X1", "monitor"), ("JEM-X2", "monitor"), ("SPI", "wide")),
          ("instrument_name", "kind")),
    Valid("case_grouped_in_derived_table", "SELECT band, COUNT(*) AS n FROM (SELECT CASE WHEN flux < 1 THEN 'low' "
          "WHEN flux < 2 THEN 'mid' ELSE 'high' END AS band FROM mmvo.sources WHERE source_id > 51) AS t "
          "GROUP BY band ORDER BY band",
          model_rows(lambda m: sorted(Counter(np.where(m.sources["flux"][N_REF:] < 1, "low", np.where(
              m.sources["flux"][N_REF:] < 2, "mid", "high"))).items())), ("band", "n:long")),
    Valid("coalesce", "SELECT name, COALESCE(flux, -1) AS f, COALESCE(note, 'none') AS n FROM mmvo.sources "
          "WHERE source_id IN (1, 2, 47) ORDER BY source_id",
          rows(("Crab", 1000.0, "pulsar wind nebula with pulsar; flux standard"), ("Cyg X-1", 800.0, "none"),
               ("GRO J1655-40", -1.0, "transient; peak flux not tabulated")),
          ("name", "f:double", "n:char[*]")),
    Valid("coalesce_three_arguments", "SELECT COALESCE(NULL, note, class) AS c FROM mmvo.sources "
          "WHERE source_id IN (2, 5) ORDER BY source_id", rows(("HighMassXBin",), ("eclipsing",)), ("c",)),
    Valid("coalesce_inside_aggregate", "SELECT SUM(COALESCE(flux, 0)) AS s, COUNT(COALESCE(flux, 0)) AS n "
          "FROM mmvo.sources WHERE source_id <= 51",
          model_rows(lambda m: [(float(np.nansum(_flux(m.ref))), N_REF)]), ("s:double", "n:long")),
    Valid("cast_exact_numbers", "SELECT CAST(flux AS INTEGER) AS i, CAST(source_id AS SMALLINT) AS s, "
          "CAST(revolution AS BIGINT) AS b, CAST('12' AS INTEGER) AS t FROM mmvo.sources, integral.revolutions "
          "WHERE source_id = 1 AND revolution = 7",
          rows((1000, 1, 7, 12)), ("i:int", "s:short", "b:long", "t:int")),
    Valid("cast_fraction_to_integer_truncates", _one("CAST(2.7 AS INTEGER) AS a, CAST(-2.7 AS INTEGER) AS b, "
                                                     "CAST(2.2 AS BIGINT) AS c"),
          rows((2, -2, 2)), ("a:int", "b:int", "c:long")),
    Valid("cast_to_floating_types", "SELECT CAST(ra AS REAL) AS r, CAST(source_id AS DOUBLE PRECISION) AS d, "
          "CAST('2.5' AS DOUBLE PRECISION) AS s FROM mmvo.sources WHERE source_id = 1",
          rows((float(np.float32(83.6331)), 1.0, 2.5)), ("r:float", "d:double", "s:double")),
    Valid("cast_to_strings", "SELECT CAST(source_id AS VARCHAR(10)) AS v, CAST(ra AS CHAR(5)) AS c, "
          "CAST(revolution AS CHAR(4)) AS r FROM mmvo.sources, integral.revolutions "
          "WHERE source_id = 12 AND revolution = 1234",
          rows(("12", "262.9", "1234")), ("v:char", "c:char", "r:char")),
    Valid("cast_string_to_timestamp", _one("CAST('2003-01-01T12:00:00' AS TIMESTAMP) AS t, "
                                           "CAST('2015-06-20' AS TIMESTAMP) AS d"),
          rows((datetime(2003, 1, 1, 12), datetime(2015, 6, 20))), ("t:char[*]", "d:char[*]"),
          xtypes={"t": "timestamp", "d": "timestamp"}),
    Valid("cast_strings_to_geometries", _one("CAST('10 20' AS POINT) AS p, CAST('10 20 1.5' AS CIRCLE) AS c, "
                                             "CAST('10 20 11 20 11 21' AS POLYGON) AS g"),
          rows(((10.0, 20.0), (10.0, 20.0, 1.5), (10.0, 20.0, 11.0, 20.0, 11.0, 21.0))),
          ("p:double[2]", "c:double[3]", "g:double[*]"), xtypes={"p": "point", "c": "circle", "g": "polygon"}),
    Valid("timestamp_compared_with_string", "SELECT COUNT(*) AS n FROM integral.revolutions "
          "WHERE start_utc < '2003-01-01'",
          scalar(lambda m: sum(s < "2003-01-01" for s in m.revolutions["start_utc"].tolist())), ("n:long",)),
    Valid("timestamp_between_casts", "SELECT revolution FROM integral.revolutions WHERE start_utc BETWEEN "
          "CAST('2015-06-15T00:00:00' AS TIMESTAMP) AND CAST('2015-06-22T00:00:00' AS TIMESTAMP) ORDER BY revolution",
          model_rows(lambda m: [(r,) for r, s in zip(m.revolutions["revolution"].tolist(),
                                                    m.revolutions["start_utc"].tolist(), strict=True)
                                if "2015-06-15" <= s <= "2015-06-22"]), ("revolution",)),
    Valid("timestamp_min_max", "SELECT MIN(start_utc) AS t0, MAX(stop_utc) AS t1 FROM integral.revolutions",
          model_rows(lambda m: [(timestamp(m.revolutions["start_utc"][0]), timestamp(m.revolutions["stop_utc"][-1]))]),
          ("t0:char[*]", "t1:char[*]"), xtypes={"t0": "timestamp", "t1": "timestamp"}),
]
# fmt: on

# ---- geometry

GC: Final = (266.4168, -29.0078)  # the Galactic Centre field of the plan
CRAB: Final = (83.6331, 22.0145)
_GC_BOX: Final = [(260.0, -35.0), (272.0, -35.0), (272.0, -23.0), (260.0, -23.0)]
_RA0_BOX: Final = [(350.0, -40.0), (10.0, -40.0), (10.0, -20.0), (350.0, -20.0)]
_POLAR_SQUARE: Final = [(0.0, 75.0), (90.0, 75.0), (180.0, 75.0), (270.0, 75.0)]


def _polygon_sql(vertices: Sequence[tuple[float, float]]) -> str:
    return "POLYGON('ICRS', " + ", ".join(f"{a:g}, {b:g}" for a, b in vertices) + ")"


def distance_to_convex(
    ra: ArrayLike, dec: ArrayLike, vertices: Sequence[tuple[float, float]]
) -> NDArray[np.float64]:
    """Angular distance in degrees from points to a convex spherical polygon (0 inside)."""
    points = unit_vectors(ra, dec)
    corners = unit_vectors([v[0] for v in vertices], [v[1] for v in vertices])
    best = np.full(points.shape[0], np.inf)
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        normal = np.cross(a, b)
        normal /= np.linalg.norm(normal)
        height = points @ normal
        foot = points - np.outer(height, normal)
        on_arc = (np.cross(a, foot) @ normal >= 0) & (np.cross(foot, b) @ normal >= 0)
        to_arc = np.degrees(np.arcsin(np.clip(np.abs(height), 0.0, 1.0)))
        to_ends = np.minimum(
            np.degrees(np.arccos(np.clip(points @ a, -1, 1))),
            np.degrees(np.arccos(np.clip(points @ b, -1, 1))),
        )
        best = np.minimum(best, np.where(on_arc, to_arc, to_ends))
    inside = inside_convex(ra, dec, vertices) > 0
    return np.asarray(np.where(inside, 0.0, best), dtype=np.float64)


def polygon(vertices: Sequence[tuple[float, float]], column: int = 0, tol: float = 1e-9) -> Check:
    """The polygon in the first row's ``column`` has these vertices, in either direction from any start."""

    def check(result: Result, model: Model) -> None:
        flat = result.rows[0][column]
        got = [(flat[k], flat[k + 1]) for k in range(0, len(flat), 2)]
        assert len(got) == len(vertices), f"{got} has not {len(vertices)} vertices"
        for shift in range(len(vertices)):
            for order in (list(vertices), list(reversed(vertices))):
                turned = order[shift:] + order[:shift]
                sep = separation(
                    [g[0] for g in got], [g[1] for g in got], [v[0] for v in turned], [v[1] for v in turned]
                )
                if float(np.max(sep)) < tol:
                    return
        raise AssertionError(f"vertices {got} differ from {list(vertices)}")

    return check


def within(table: str, margin: Callable[[Columns], ArrayLike], id_column: str) -> Check:
    """The first result column holds exactly the ids of ``table`` rows whose margin is positive."""

    def check(result: Result, model: Model) -> None:
        columns: Columns = getattr(model, table)
        assert_selection([row[0] for row in result.rows], margin(columns), columns[id_column])

    return check


def stored_centre(columns: Columns, fov_column: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centres of the stored field-of-view circles (DALI text, rounded to 1e-5 deg by the generator)."""
    numbers = np.array([dali(str(text)) for text in columns[fov_column]])
    return numbers[:, 0], numbers[:, 1]


def fov_near_crab(table: str, fov_column: str, distance: float) -> Check:
    """The first result column holds exactly the scw_ids whose stored field-of-view circle ``fov_column``
    is centred less than ``distance`` from the Crab."""
    return within(table, lambda c: distance - separation(*stored_centre(c, fov_column), *CRAB), "scw_id")


def _centroid_row(model: Model) -> list[Row]:
    ra, dec = rows_of(model.scw, ("ra", "dec"), model.scw["scw_id"] == "066500220010.001")[0]
    return [((10.0, 20.0), round(ra, 5), round(dec, 5), ra, dec)]


def _in_polygon(vertices: Sequence[tuple[float, float]]) -> Callable[[Columns], ArrayLike]:
    return lambda c: inside_convex(c["ra"], c["dec"], vertices)


#: Model table -> (ADQL table, key column) of cone cases.
_CONE_TABLES: Final = {"sources": ("mmvo.sources", "source_id"), "scw": ("integral.scw", "scw_id")}


def cone_case(case_id: str, ra: float, dec: float, radius: float, table: str = "sources") -> Valid:
    """A cone search (CONTAINS of POINT in CIRCLE) whose result must be exactly the model's rows in the cone."""
    name, key = _CONE_TABLES[table]
    adql = (
        f"SELECT {key} FROM {name} WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
        f"CIRCLE('ICRS', {ra:g}, {dec:g}, {radius:g}))"
    )
    return Valid(case_id, adql, cone(table, ra, dec, radius, key), (key,))


# fmt: off
_GEOMETRY = [
    Valid("geometry_constructors_as_values", _one("POINT('ICRS', 10, 20) AS p, CIRCLE('ICRS', 10, 20, 1) AS c, "
                                                  "POLYGON('ICRS', 10, 20, 11, 20, 11, 21) AS g, POINT(1.5, -2) AS q"),
          rows(((10.0, 20.0), (10.0, 20.0, 1.0), (10.0, 20.0, 11.0, 20.0, 11.0, 21.0), (1.5, -2.0))),
          ("p:double[2]", "c:double[3]", "g:double[*]", "q:double[2]"),
          xtypes={"p": "point", "c": "circle", "g": "polygon", "q": "point"}, units={"p": "deg"}),
    Valid("points_of_columns", "SELECT POINT('ICRS', ra, dec) AS p, CIRCLE(POINT('ICRS', ra, dec), 0.5) AS c "
          "FROM mmvo.sources WHERE source_id <= 3 ORDER BY source_id",
          model_rows(lambda m: [((r, d), (r, d, 0.5)) for r, d in rows_of(m.ref, ("ra", "dec"))[:3]]),
          ("p:double[2]", "c:double[3]"), xtypes={"p": "point", "c": "circle"}),
    Valid("box_follows_the_adql_definition", _one("BOX('ICRS', 10, 20, 2, 4) AS b"),
          polygon(box_vertices(10, 20, 2, 4)), ("b:double[*]",), xtypes={"b": "polygon"}),
    Valid("box_near_the_pole", _one("BOX('ICRS', 45, 85, 4, 3) AS b"), polygon(box_vertices(45, 85, 4, 3)),
          ("b:double[*]",)),
    Valid("box_with_point_argument", _one("BOX(POINT('ICRS', 350, -10), 6, 2) AS b"),
          polygon(box_vertices(350, -10, 6, 2)), ("b:double[*]",)),
    Valid("area_of_circles", _one("AREA(CIRCLE('ICRS', 10, 20, 1)) AS a, AREA(CIRCLE('ICRS', 0, 90, 30)) AS b, "
                                  "AREA(CIRCLE('ICRS', 0, 0, 90)) AS c"),
          rows((cap_area(1), cap_area(30), cap_area(90))), ("a:double", "b:double", "c:double"),
          units={"a": "deg**2"}),
    Valid("area_of_polygons", _one("AREA(POLYGON('ICRS', 0, 0, 10, 0, 0, 10)) AS a, "
                                   f"AREA({_polygon_sql(_POLAR_SQUARE)}) AS b, "
                                   f"AREA({_polygon_sql(_RA0_BOX)}) AS c"),
          rows((spherical_area([(0, 0), (10, 0), (0, 10)]), spherical_area(_POLAR_SQUARE),
                spherical_area(_RA0_BOX))), ("a:double", "b:double", "c:double")),
    Valid("area_of_box", _one("AREA(BOX('ICRS', 10, 0, 2, 2)) AS a, AREA(BOX('ICRS', 0, 60, 10, 5)) AS b"),
          rows((spherical_area(box_vertices(10, 0, 2, 2)), spherical_area(box_vertices(0, 60, 10, 5)))),
          ("a:double", "b:double")),
    Valid("area_of_stored_circles", "SELECT AREA(fov_isgri) AS i, AREA(fov_jemx) AS j, AREA(fov_spi) AS s "
          "FROM integral.scw WHERE scw_id = '066500220010.001'",
          rows((cap_area(14.5), cap_area(6.6), cap_area(15.0))), ("i:double", "j:double", "s:double")),
    Valid("coord1_coord2_of_points", "SELECT COORD1(POINT('ICRS', ra, dec)) AS lon, COORD2(POINT('ICRS', ra, dec)) "
          "AS lat FROM mmvo.sources WHERE source_id <= 51 ORDER BY source_id",
          model_rows(lambda m: rows_of(m.ref, ("ra", "dec"))), ("lon:double", "lat:double"),
          units={"lon": "deg", "lat": "deg"}),
    Valid("coord1_wraps_longitude", _one("COORD1(POINT('ICRS', 370, 2)) AS a, COORD1(POINT('ICRS', 360, 2)) AS b"),
          rows((10.0, 0.0)), ("a", "b")),
    Valid("coordsys", _one("COORDSYS(POINT('ICRS', 1, 2)) AS a, COORDSYS(CIRCLE('ICRS', 1, 2, 3)) AS b"),
          rows(("ICRS", "ICRS")), ("a:char[*]", "b")),
    Valid("centroid_of_circle_and_stored_circle", "SELECT CENTROID(CIRCLE('ICRS', 10, 20, 1)) AS c, "
          "COORD1(CENTROID(fov_jemx)) AS lon, COORD2(CENTROID(fov_jemx)) AS lat, ra, dec FROM integral.scw "
          "WHERE scw_id = '066500220010.001'",
          model_rows(_centroid_row),
          ("c:double[2]", "lon", "lat", "ra", "dec"), xtypes={"c": "point"}),
    Valid("centroid_of_symmetric_polygons",
          _one(f"COORD1(CENTROID({_polygon_sql(_RA0_BOX)})) AS lon, "
               "COORD2(CENTROID(POLYGON('ICRS', 359, -1, 1, -1, 1, 1, 359, 1))) AS lat, "
               "COORD2(CENTROID(BOX('ICRS', 0, 89.5, 1, 1))) AS near_pole, "
               f"COORD2(CENTROID({_polygon_sql(_POLAR_SQUARE)})) AS pole"),
          rows((0.0, 0.0, 89.5, 90.0), tol=1e-8), ("lon", "lat", "near_pole", "pole")),
    Valid("distance_both_forms", _one("DISTANCE(POINT('ICRS', 0, 0), POINT('ICRS', 90, 0)) AS a, "
                                      "DISTANCE(0, 89, 180, 89) AS b, DISTANCE(POINT(359.5, 0), POINT(0.5, 0)) AS c, "
                                      "DISTANCE(POINT('ICRS', 10, -90), POINT('ICRS', 200, -90)) AS d, "
                                      "DISTANCE(0, 0, 180, 0) AS e"),
          rows((90.0, 2.0, 1.0, 0.0, 180.0)), ("a:double", "b:double", "c", "d", "e"), units={"a": "deg"}),
    Valid("distance_of_columns_matches_astropy",
          "SELECT source_id, DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 266.4168, -29.0078)) AS d, "
          "DISTANCE(ra, dec, 83.6331, 22.0145) AS e FROM mmvo.sources WHERE source_id <= 51 ORDER BY source_id",
          model_rows(lambda m: [(int(i), float(d), float(e)) for i, d, e in zip(
              m.ref["source_id"], separation(m.ref["ra"], m.ref["dec"], *GC),
              separation(m.ref["ra"], m.ref["dec"], *CRAB), strict=True)]),
          ("source_id", "d:double", "e:double"), units={"d": "deg", "e": "deg"}),
    Valid("nearest_by_distance", "SELECT TOP 5 name FROM mmvo.sources WHERE source_id <= 51 "
          "ORDER BY DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 266.4168, -29.0078))",
          model_rows(lambda m: [(m.ref["name"][i],) for i in np.argsort(
              separation(m.ref["ra"], m.ref["dec"], *GC))[:5]]), ("name",)),
    cone_case("cone_crab", *CRAB, 0.1),
    Valid("cone_tiny", "SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          "CIRCLE('ICRS', 83.6331, 22.0145, 0.0001))", rows((1,)), ("source_id",)),
    cone_case("cone_north_pole", 0, 90, 10),
    cone_case("cone_north_pole_any_longitude", 123.4, 90, 10),
    cone_case("cone_south_pole", 0, -90, 10),
    cone_case("cone_touching_the_pole", 180, 85, 8),
    cone_case("cone_across_ra_zero", 359.5, -30, 12),
    cone_case("cone_across_ra_zero_from_the_east", 0.5, 5, 15),
    cone_case("cone_large", *GC, 60),
    Valid("cone_with_point_argument", "SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          "CIRCLE(POINT('ICRS', 83.6331, 22.0145), 5))", cone("sources", *CRAB, 5), ("source_id",)),
    Valid("cone_contains_equals_zero", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE source_id <= 51 AND "
          "0 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 266.4168, -29.0078, 10))",
          scalar(lambda m: int(np.count_nonzero(separation(m.ref["ra"], m.ref["dec"], *GC) > 10))), ("n:long",)),
    Valid("cone_by_distance_across_ra_zero", "SELECT source_id FROM mmvo.sources WHERE "
          "DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 0.5, 5)) < 15", cone("sources", 0.5, 5, 15),
          ("source_id",)),
    Valid("cone_by_distance_four_numbers", "SELECT source_id FROM mmvo.sources WHERE "
          "DISTANCE(ra, dec, 0, -90) <= 10", cone("sources", 0, -90, 10), ("source_id",)),
    Valid("distance_beyond_ninety_degrees", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE "
          "DISTANCE(POINT('ICRS', ra, dec), POINT('ICRS', 266.4168, -29.0078)) > 150",
          scalar(lambda m: int(np.count_nonzero(separation(m.sources["ra"], m.sources["dec"], *GC) > 150))),
          ("n:long",)),
    Valid("cone_around_each_source", "SELECT source_id FROM mmvo.sources WHERE "
          "1 = CONTAINS(POINT('ICRS', 83.6331, 22.0145), CIRCLE('ICRS', ra, dec, 3))",
          cone("sources", *CRAB, 3), ("source_id",)),
    cone_case("cone_on_scw", *CRAB, 5, table="scw"),
    Valid("cone_on_the_obsplan_view", "SELECT scw_id FROM ivoa.obsplan WHERE instrument_name = 'SPI' AND "
          "1 = CONTAINS(POINT('ICRS', s_ra, s_dec), CIRCLE('ICRS', 304, 38, 3))",
          cone("pointings", 304, 38, 3, "scw_id"), ("scw_id",)),
    Valid("polygon_contains", f"SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          f"{_polygon_sql(_GC_BOX)})", within("sources", _in_polygon(_GC_BOX), "source_id"), ("source_id",)),
    Valid("polygon_of_points", "SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          "POLYGON(POINT('ICRS', 260, -35), POINT('ICRS', 272, -35), POINT('ICRS', 272, -23), "
          "POINT('ICRS', 260, -23)))", within("sources", _in_polygon(_GC_BOX), "source_id"), ("source_id",)),
    Valid("polygon_vertex_order_does_not_matter", "SELECT source_id FROM mmvo.sources WHERE "
          f"1 = CONTAINS(POINT('ICRS', ra, dec), {_polygon_sql(_GC_BOX[::-1])})",
          within("sources", _in_polygon(_GC_BOX), "source_id"), ("source_id",)),
    Valid("polygon_across_ra_zero", "SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          f"{_polygon_sql(_RA0_BOX)})", within("sources", _in_polygon(_RA0_BOX), "source_id"), ("source_id",)),
    Valid("polygon_around_the_pole", "SELECT source_id FROM mmvo.sources WHERE "
          f"1 = CONTAINS(POINT('ICRS', ra, dec), {_polygon_sql(_POLAR_SQUARE)})",
          within("sources", _in_polygon(_POLAR_SQUARE), "source_id"), ("source_id",)),
    Valid("box_contains", "SELECT source_id FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), "
          "BOX('ICRS', 266.4, -29, 10, 6))",
          within("sources", _in_polygon(box_vertices(266.4, -29, 10, 6)), "source_id"), ("source_id",)),
    Valid("intersects_stored_circles", "SELECT scw_id FROM ivoa.obsplan WHERE instrument_name = 'JEM-X1' AND "
          "1 = INTERSECTS(s_region, CIRCLE('ICRS', 83.6331, 22.0145, 0.5))",
          fov_near_crab("pointings", "fov_jemx", 7.1), ("scw_id",)),
    Valid("intersects_with_a_point_is_contains", "SELECT scw_id FROM integral.scw WHERE "
          "1 = INTERSECTS(POINT('ICRS', 83.6331, 22.0145), fov_isgri)",
          fov_near_crab("scw", "fov_isgri", 14.5), ("scw_id",)),
    Valid("contains_point_in_stored_circle", "SELECT scw_id FROM integral.scw WHERE "
          "CONTAINS(POINT('ICRS', 83.6331, 22.0145), fov_spi) = 1",
          fov_near_crab("scw", "fov_spi", 15.0), ("scw_id",)),
    Valid("contains_circle_in_stored_circle", "SELECT scw_id FROM ivoa.obsplan WHERE instrument_name = 'ISGRI' "
          "AND 1 = CONTAINS(CIRCLE('ICRS', 83.6331, 22.0145, 1), s_region)",
          fov_near_crab("pointings", "fov_isgri", 13.5), ("scw_id",)),
    Valid("intersects_circle_and_polygon", "SELECT source_id FROM mmvo.sources WHERE "
          f"1 = INTERSECTS(CIRCLE('ICRS', ra, dec, 0.5), {_polygon_sql(_GC_BOX)})",
          within("sources", lambda s: 0.5 - distance_to_convex(s["ra"], s["dec"], _GC_BOX), "source_id"),
          ("source_id",)),
    Valid("intersects_box_and_stored_circle", "SELECT scw_id FROM integral.scw WHERE revolution = 665 AND "
          "1 = INTERSECTS(BOX('ICRS', 90, 22, 4, 4), fov_jemx)",
          within("scw", lambda w: np.where(w["revolution"] == 665, 6.6 - distance_to_convex(
              *stored_centre(w, "fov_jemx"), box_vertices(90, 22, 4, 4)), -1.0), "scw_id"), ("scw_id",)),
    Valid("geometry_through_a_cte", "WITH g AS (SELECT name, POINT('ICRS', ra, dec) AS p FROM mmvo.sources "
          "WHERE source_id <= 51) SELECT name FROM g WHERE 1 = CONTAINS(p, CIRCLE('ICRS', 266.4168, -29.0078, 5)) "
          "ORDER BY name",
          model_rows(lambda m: sorted((n,) for n, d in zip(m.ref["name"].tolist(), separation(
              m.ref["ra"], m.ref["dec"], *GC), strict=True) if d <= 5)), ("name",)),
]
# fmt: on

# fmt: off
_WIDE = [
    cone_case("cone_larger_than_a_hemisphere", *GC, 100),
    Valid("area_of_circle_larger_than_a_hemisphere", _one("AREA(CIRCLE('ICRS', 0, 0, 120)) AS a"),
          rows((cap_area(120),)), ("a:double",)),
    Valid("intersects_circle_larger_than_a_hemisphere", "SELECT COUNT(*) AS n FROM integral.scw "
          "WHERE 1 = INTERSECTS(fov_isgri, CIRCLE('ICRS', 0, 0, 100))",
          scalar(lambda m: int(np.count_nonzero(separation(*stored_centre(m.scw, "fov_isgri"), 0, 0) < 114.5))),
          ("n:long",)),
]
# fmt: on

# ---- the user-defined function declared in the capabilities


def healpix(order: int, ra: ArrayLike, dec: ArrayLike) -> NDArray[np.int64]:
    """NESTED HEALPix cells by cdshealpix, independently of the service's implementation."""
    from astropy import units as u
    from astropy.coordinates import Latitude, Longitude
    from cdshealpix.nested import lonlat_to_healpix

    lon = Longitude(np.atleast_1d(np.asarray(ra, dtype=np.float64)), u.deg)
    lat = Latitude(np.atleast_1d(np.asarray(dec, dtype=np.float64)), u.deg)
    return np.asarray(lonlat_to_healpix(lon, lat, order), dtype=np.int64)


# fmt: off
_UDF = [
    Valid("udf_healpix_index_of_sources", "SELECT source_id, ivo_healpix_index(8, ra, dec) AS h "
          "FROM mmvo.sources WHERE source_id <= 500 ORDER BY source_id",
          model_rows(lambda m: list(zip(m.sources["source_id"][:500].tolist(),
                                        healpix(8, m.sources["ra"][:500], m.sources["dec"][:500]).tolist(),
                                        strict=True))),
          ("source_id", "h:long")),
    Valid("udf_healpix_index_grouped", "SELECT h, COUNT(*) AS n FROM (SELECT ivo_healpix_index(0, ra, dec) AS h "
          "FROM mmvo.sources WHERE source_id <= 600) AS t GROUP BY h ORDER BY h",
          model_rows(lambda m: sorted(Counter(healpix(0, m.sources["ra"][:600], m.sources["dec"][:600]).tolist())
                                      .items())),
          ("h:long", "n:long")),
    Valid("udf_healpix_index_in_where", "SELECT source_id FROM mmvo.sources WHERE ra BETWEEN 70 AND 100 AND "
          "ivo_healpix_index(3, ra, dec) = ivo_healpix_index(3, 83.6331, 22.0145) ORDER BY source_id",
          model_rows(lambda m: [(i,) for i in m.sources["source_id"][
              (healpix(3, m.sources["ra"], m.sources["dec"]) == healpix(3, *CRAB)[0])
              & (m.sources["ra"] >= 70) & (m.sources["ra"] <= 100)].tolist()]),
          ("source_id",)),
    Valid("udf_healpix_index_case_insensitive_name", _one("IVO_HEALPIX_INDEX(5, 83.6331, 22.0145) AS h"),
          rows((int(healpix(5, *CRAB)[0]),)), ("h:long",)),
    Valid("udf_healpix_index_at_the_poles", _one("ivo_healpix_index(0, 0, 90) AS n, ivo_healpix_index(0, 0, -90) AS s, "
                                                 "ivo_healpix_index(3, 180, 90) AS n3"),
          rows((int(healpix(0, 0, 90)[0]), int(healpix(0, 0, -90)[0]), int(healpix(3, 180, 90)[0]))),
          ("n:long", "s:long", "n3:long")),
]
# fmt: on

# ---- identifiers, comments and white space

# fmt: off
_LEXICAL = [
    Valid("regular_identifiers_are_case_insensitive", "SELECT COUNT(*) AS n FROM MMVO.Sources WHERE RA > 180",
          scalar(_count("sources", lambda s: s["ra"] > 180)), ("n:long",)),
    Valid("mixed_case_columns_keep_catalogue_names", "SELECT Source_ID, NAME, Ra FROM Mmvo.SOURCES "
          "WHERE SOURCE_ID = 1", rows((1, "Crab", 83.6331)), ("source_id", "name", "ra"),
          plain=of("mmvo.sources", "source_id", "name", "ra")),
    Valid("delimited_identifiers", 'SELECT "name", "ra" FROM "mmvo"."sources" WHERE "source_id" = 1',
          rows(("Crab", 83.6331)), ("name", "ra"), plain=of("mmvo.sources", "name", "ra")),
    Valid("delimited_size_column", "SELECT column_name, \"size\" FROM tap_schema.columns "
          "WHERE table_name = 'integral.scw' AND \"size\" IS NOT NULL ORDER BY column_name",
          rows(("fov_isgri", 3), ("fov_jemx", 3), ("fov_spi", 3), ("scw_id", 16)), ("column_name", "size:int"),
          plain=of("tap_schema.columns", "column_name", '"size"')),
    Valid("delimited_aliases_keep_case_and_reserved_words",
          'SELECT name AS "Source Name", ra AS "select", dec AS "Dec" FROM mmvo.sources WHERE source_id = 1',
          rows(("Crab", 83.6331, 22.0145)), ("Source Name", "select", "Dec"),
          plain={"Source Name": "mmvo.sources.name", "select": "mmvo.sources.ra", "Dec": "mmvo.sources.dec"}),
    Valid("table_alias_without_as", "SELECT s.name FROM mmvo.sources s WHERE s.source_id = 1", rows(("Crab",)),
          ("name",), plain=of("mmvo.sources", "name")),
    Valid("alias_is_case_insensitive", "SELECT S.name FROM mmvo.sources AS s WHERE S.source_id = 2",
          rows(("Cyg X-1",)), ("name",)),
    Valid("schema_qualified_column", "SELECT mmvo.sources.name FROM mmvo.sources WHERE mmvo.sources.source_id = 3",
          rows(("Sco X-1",)), ("name",)),
    Valid("qualified_star", "SELECT i.* FROM integral.instruments AS i WHERE i.instrument_name = 'SPI'",
          model_rows(lambda m: rows_of(m.instruments, INSTRUMENT_COLUMNS, m.instruments["instrument_name"] == "SPI")),
          INSTRUMENT_COLUMNS, plain=of("integral.instruments", *INSTRUMENT_COLUMNS)),
    Valid("star_mixed_with_expressions", "SELECT *, energy_max / energy_min AS span FROM integral.instruments "
          "WHERE instrument_name = 'ISGRI'",
          model_rows(lambda m: [(*rows_of(m.instruments, INSTRUMENT_COLUMNS,
                                          m.instruments["instrument_name"] == "ISGRI")[0], 1000.0 / 15.0)]),
          (*INSTRUMENT_COLUMNS, "span:double")),
    Valid("keywords_in_any_case", "sElEcT tOp 2 NAME fRoM mmvo.sources wHeRe source_id IN (1, 2) oRdEr By "
          "source_id DeSc", rows(("Cyg X-1",), ("Crab",)), ("name",)),
    Valid("comments_everywhere", "-- a comment before the query\nSELECT name -- the name\nFROM mmvo.sources -- "
          "the 'table'; SELECT\nWHERE source_id = 1 -- last line", rows(("Crab",)), ("name",)),
    Valid("odd_white_space", "\t SELECT\r\n\tname\f,\vra  \n\n FROM\tmmvo.sources\r\nWHERE   source_id=1  \n",
          rows(("Crab", 83.6331)), ("name", "ra")),
    Valid("no_white_space_around_operators", "SELECT(source_id)FROM mmvo.sources WHERE(source_id<=3)AND(flux>=600)"
          "ORDER BY source_id DESC", rows((3,), (2,), (1,)), ("source_id",)),
    Valid("line_breaks_inside_expressions", "SELECT\nCOUNT(\n*\n)\nAS\nn\nFROM\nmmvo\n.\nsources\nWHERE\nflux\n>\n100",
          scalar(_count("sources", lambda s: s["flux"] > 100)), ("n:long",)),
    Valid("sql_injection_in_a_string_is_just_a_string",
          "SELECT name FROM mmvo.sources WHERE name = 'x'' OR 1=1 --' OR name = 'Crab'", rows(("Crab",)), ("name",)),
    Valid("unicode_in_string_literal", "SELECT COUNT(*) AS n FROM mmvo.sources WHERE name = 'Crab nébula ✓'",
          scalar(0), ("n:long",)),
]
# fmt: on

# ---- TAP_SCHEMA


# fmt: off
_TAP_SCHEMA = [
    Valid("tap_schema_schemas", "SELECT schema_name FROM tap_schema.schemas ORDER BY schema_name",
          rows(("integral",), ("ivoa",), ("mmvo",), ("tap_schema",)), ("schema_name",),
          plain=of("tap_schema.schemas", "schema_name")),
    Valid("tap_schema_tables", "SELECT table_name, table_type FROM tap_schema.tables ORDER BY table_name",
          rows(*sorted((t.qualified_name, t.table_type) for t in PUBLISHED_TABLES)),
          ("table_name", "table_type"), plain=of("tap_schema.tables", "table_name", "table_type")),
    Valid("tap_schema_column_counts", "SELECT table_name, COUNT(*) AS n FROM tap_schema.columns GROUP BY table_name "
          "ORDER BY table_name",
          rows(*sorted((t.qualified_name, len(_published(t))) for t in PUBLISHED_TABLES)), ("table_name", "n:long")),
    Valid("tap_schema_columns_of_sources", "SELECT column_name, datatype, unit, ucd, indexed, principal "
          "FROM tap_schema.columns WHERE table_name = 'mmvo.sources' ORDER BY column_index",
          rows(*[(c.name, c.datatype, c.unit, c.ucd, int(c.indexed), int(c.principal))
                 for c in SOURCES.columns]),
          ("column_name", "datatype", "unit", "ucd", "indexed:int", "principal:int")),
    Valid("tap_schema_hidden_columns_are_not_published", "SELECT COUNT(*) AS n FROM tap_schema.columns "
          "WHERE column_name LIKE '%hpx%' OR column_name LIKE '%path%'", scalar(0), ("n:long",)),
    Valid("tap_schema_foreign_key", "SELECT k.from_table, k.target_table, c.from_column, c.target_column "
          "FROM tap_schema.keys k JOIN tap_schema.key_columns c USING (key_id) WHERE k.from_table LIKE 'integral.%'",
          rows(("integral.scw", "integral.revolutions", "revolution", "revolution")),
          ("from_table", "target_table", "from_column", "target_column")),
    Valid("tap_schema_geometry_columns", "SELECT table_name, column_name, xtype FROM tap_schema.columns "
          "WHERE xtype IN ('point', 'circle', 'polygon') ORDER BY table_name, column_name",
          rows(*sorted((t.qualified_name, c.name, c.xtype) for t in PUBLISHED_TABLES for c in t.columns
                       if c.xtype in ("point", "circle", "polygon") and not c.name.startswith("_"))),
          ("table_name", "column_name", "xtype")),
    Valid("tap_schema_size_is_quoted_in_column_name", "SELECT column_name FROM tap_schema.columns "
          "WHERE table_name = 'tap_schema.columns' AND column_name LIKE '%size%' ORDER BY column_name",
          rows(('"size"',), ("arraysize",)),
          ("column_name",)),
]
# fmt: on


def _at(line: int, column: int) -> tuple[str, str]:
    return f"line {line},", f"column {column}:"


# fmt: off
_SYNTAX = [
    Invalid("syntax_error_reports_line_and_column", "SELECT FROM WHERE", (*_at(1, 8), "FROM")),
    Invalid("unexpected_end_of_query", "SELECT TOP 5 source_id FROM mmvo.sources WHERE",
            (*_at(1, 47), "end of the query")),
    Invalid("syntax_error_on_third_line", "SELECT name\nFROM mmvo.sources\nWHERE flux >> 3", _at(3, 13)),
    Invalid("reserved_word_as_column_alias", "SELECT ra AS select FROM mmvo.sources", ("reserved", "SELECT", '"select"')),
    Invalid("reserved_word_as_table_alias", "SELECT name FROM mmvo.sources AS user", ("reserved", "USER")),
    Invalid("reserved_word_as_column", "SELECT value FROM mmvo.sources", ("reserved", "VALUE")),
    Invalid("limit_is_not_adql", "SELECT source_id FROM mmvo.sources LIMIT 5", _at(1, 42)),
    Invalid("limit_offset_is_not_adql", "SELECT name FROM mmvo.sources ORDER BY name LIMIT 1 OFFSET 2",
            (*_at(1, 45), "LIMIT")),
    Invalid("fetch_first_is_not_adql", "SELECT source_id FROM mmvo.sources FETCH FIRST 5 ROWS ONLY", ("FETCH",)),
    Invalid("postgresql_cast_operator", "SELECT ra::int FROM mmvo.sources", (*_at(1, 10), "':'")),
    Invalid("bitwise_operator", "SELECT source_id & 3 FROM mmvo.sources", (*_at(1, 18), "'&'")),
    Invalid("block_comment", "SELECT /* block */ name FROM mmvo.sources", _at(1, 8)),
    Invalid("backtick_identifier", "SELECT `name` FROM mmvo.sources", (*_at(1, 8), "`")),
    Invalid("unterminated_string", "SELECT name FROM mmvo.sources WHERE name = 'Crab", (*_at(1, 44), "unterminated")),
    Invalid("double_quoted_string_is_a_column", "SELECT * FROM mmvo.sources WHERE name = \"Crab\"",
            ("unknown column", '"Crab"')),
    Invalid("top_negative", "SELECT TOP -1 name FROM mmvo.sources", ("TOP", "non-negative")),
    Invalid("top_fraction", "SELECT TOP 1.5 name FROM mmvo.sources", ("TOP", "1.5")),
    Invalid("select_without_from", "SELECT 1", ("FROM",)),
    Invalid("predicate_without_comparison",
            "SELECT name FROM mmvo.sources WHERE CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 0, 0, 1))",
            (*_at(1, 94), "comparison")),
    Invalid("natural_join_with_on", "SELECT * FROM integral.scw NATURAL JOIN integral.revolutions "
            "ON scw.revolution = revolutions.revolution", ("NATURAL", "ON")),
    Invalid("window_function", "SELECT COUNT(*) OVER () FROM mmvo.sources", _at(1, 22)),
    Invalid("like_escape_clause", "SELECT name FROM mmvo.sources WHERE name LIKE 'Crab' ESCAPE '\\'", ("ESCAPE",)),
    Invalid("having_without_condition", "SELECT name FROM mmvo.sources WHERE flux > 1 GROUP BY name HAVING",
            ("end of the query",)),
    Invalid("empty_in_list", "SELECT name FROM mmvo.sources WHERE source_id IN ()", _at(1, 51)),
    Invalid("count_distinct_star", "SELECT COUNT(DISTINCT *) FROM mmvo.sources", _at(1, 23)),
    Invalid("nesting_too_deep", "SELECT " + "(" * 70 + "1" + ")" * 70 + " FROM mmvo.sources", ("nested",)),
    Invalid("empty_query", "", ("QUERY",), translator=False),
    Invalid("white_space_only", " \n\t ", ("QUERY",), translator=False),
    Invalid("comment_only", "-- only a comment", ("SELECT",)),
]
# fmt: on

# fmt: off
_NAMES = [
    Invalid("unknown_table", "SELECT * FROM mmvo.nothing", ("unknown table", "mmvo.nothing")),
    Invalid("unknown_schema", "SELECT * FROM nowhere.sources", ("unknown table", "nowhere.sources")),
    Invalid("unknown_column", "SELECT magnitude FROM mmvo.sources", ("unknown column", "magnitude")),
    Invalid("unknown_qualified_column", "SELECT s.nope FROM mmvo.sources AS s", ("unknown column", "nope")),
    Invalid("unknown_correlation_name", "SELECT x.name FROM mmvo.sources AS s", ("x.name",)),
    Invalid("unknown_column_in_order_by", "SELECT name FROM mmvo.sources ORDER BY nope", ("nope",)),
    Invalid("unknown_column_of_cte", "WITH t AS (SELECT 1 AS a FROM integral.instruments) SELECT b FROM t",
            ("unknown column", "b")),
    Invalid("unknown_function", "SELECT SINH(ra) FROM mmvo.sources", ("unknown function", "sinh")),
    Invalid("delimited_name_is_case_sensitive", 'SELECT "RA" FROM mmvo.sources', ("unknown column", '"RA"')),
    Invalid("delimited_table_name_is_case_sensitive", 'SELECT * FROM mmvo."Sources"', ("unknown table", "Sources")),
    Invalid("ambiguous_column", "SELECT revolution FROM integral.scw, integral.revolutions",
            ("revolution", "ambiguous")),
    Invalid("correlation_name_used_twice", "SELECT name FROM mmvo.sources s, integral.scw s", ("twice",)),
    Invalid("order_by_position_out_of_range", "SELECT name, ra FROM mmvo.sources ORDER BY 3",
            ("ORDER BY 3", "2 columns")),
    Invalid("hidden_column_regular", "SELECT _hpx FROM mmvo.sources", (*_at(1, 8), "'_'"), hostile=True),
    Invalid("hidden_column_delimited", 'SELECT "_hpx" FROM mmvo.sources', ("unknown column", "_hpx"), hostile=True),
    Invalid("hidden_column_of_products", 'SELECT "_path" FROM mmvo.products', ("unknown column", "_path"),
            hostile=True),
    Invalid("physical_sqlite_table_name", 'SELECT * FROM "mmvo.sources"', ("unknown table", "mmvo.sources"),
            hostile=True),
]
# fmt: on

# fmt: off
_HOSTILE = [
    Invalid("two_statements", "SELECT name FROM mmvo.sources; SELECT name FROM integral.scw", ("one statement",)),
    Invalid("statement_after_select", "SELECT name FROM mmvo.sources WHERE 1 = 1; DROP TABLE mmvo.sources",
            ("one statement",), hostile=True),
    Invalid("injection_after_string", "SELECT name FROM mmvo.sources WHERE name = 'x'; DELETE FROM mmvo.sources --'",
            ("one statement",), hostile=True),
    Invalid("insert", "INSERT INTO mmvo.sources (source_id, name) VALUES (0, 'x')", ("INSERT", "SELECT"),
            hostile=True),
    Invalid("delete", "DELETE FROM mmvo.sources", ("DELETE", "SELECT"), hostile=True),
    Invalid("drop_table", "DROP TABLE mmvo.sources", ("DROP", "SELECT"), hostile=True),
    Invalid("update", "UPDATE integral.revolutions SET model = 'x'", ("UPDATE", "SELECT"), hostile=True),
    Invalid("create_table", "CREATE TABLE mmvo.evil (x INTEGER)", ("CREATE",), hostile=True),
    Invalid("pragma", "PRAGMA table_info('mmvo.sources')", ("PRAGMA",), hostile=True),
    Invalid("sqlite_master", "SELECT name FROM sqlite_master", ("unknown table", "sqlite_master"), hostile=True),
    Invalid("pg_catalog", "SELECT tablename FROM pg_catalog.pg_tables", ("unknown table", "pg_catalog.pg_tables"),
            hostile=True),
    Invalid("information_schema", "SELECT table_name FROM information_schema.tables",
            ("unknown table", "information_schema.tables"), hostile=True),
    Invalid("sqlite_function", "SELECT load_extension('x') FROM mmvo.sources", ("unknown function", "load_extension"),
            hostile=True),
    Invalid("postgresql_function", "SELECT pg_sleep(10) FROM mmvo.sources", ("unknown function", "pg_sleep"),
            hostile=True),
    Invalid("sqlite_version_function", "SELECT sqlite_version() FROM mmvo.sources",
            ("unknown function", "sqlite_version"), hostile=True),
    Invalid("internal_helper_function", "SELECT mmvo_lower(name) FROM mmvo.sources", ("unknown function", "mmvo_lower"),
            hostile=True),
    Invalid("pgsphere_function", "SELECT healpix_nest(3, spoint(0, 0)) FROM mmvo.sources",
            ("unknown function", "healpix_nest"), hostile=True),
]
# fmt: on

# fmt: off
_FUNCTIONS = [
    Invalid("arity_of_abs", "SELECT ABS(ra, dec) FROM mmvo.sources", ("ABS", "1 argument", "2")),
    Invalid("arity_of_atan2", "SELECT ATAN2(1) FROM mmvo.sources", ("ATAN2", "2 arguments")),
    Invalid("arity_of_point", "SELECT POINT('ICRS', ra) FROM mmvo.sources", ("POINT",)),
    Invalid("polygon_with_two_vertices", "SELECT POLYGON('ICRS', 1, 2, 3, 4) FROM mmvo.sources",
            ("POLYGON", "three vertices")),
    Invalid("arity_of_udf", "SELECT ivo_healpix_index(5, ra) FROM mmvo.sources",
            ("ivo_healpix_index", "3 arguments")),
    Invalid("coord1_of_circle", "SELECT COORD1(CIRCLE('ICRS', 1, 2, 3)) FROM mmvo.sources", ("COORD1", "CIRCLE")),
    Invalid("contains_of_numbers", "SELECT name FROM mmvo.sources WHERE CONTAINS(ra, dec) = 1",
            ("CONTAINS", "geometry")),
    Invalid("area_of_number", "SELECT AREA(ra) FROM mmvo.sources", ("AREA", "geometry")),
    Invalid("distance_of_point_and_number", "SELECT DISTANCE(POINT('ICRS', 1, 2), 3) FROM mmvo.sources",
            ("DISTANCE", "POINT")),
    Invalid("upper_of_point", "SELECT UPPER(POINT('ICRS', 1, 2)) FROM mmvo.sources", ("UPPER", "POINT")),
    Invalid("max_of_points", "SELECT MAX(POINT('ICRS', ra, dec)) FROM mmvo.sources", ("MAX", "POINT")),
    Invalid("coalesce_of_string_and_number", "SELECT COALESCE(name, flux) FROM mmvo.sources",
            ("COALESCE", "string", "number")),
    Invalid("union_of_string_and_number", "SELECT name FROM mmvo.sources UNION SELECT flux FROM mmvo.sources",
            ("UNION", "string", "number")),
    Invalid("union_of_different_widths", "SELECT * FROM mmvo.sources UNION SELECT * FROM integral.scw",
            ("UNION", "12", "21")),
    Invalid("intersect_of_different_widths",
            "SELECT name FROM mmvo.sources WHERE source_id = 1 INTERSECT SELECT name, ra FROM mmvo.sources",
            ("INTERSECT", "1", "2")),
    Invalid("in_subquery_of_two_columns",
            "SELECT name FROM mmvo.sources WHERE source_id IN (SELECT source_id, ra FROM mmvo.sources)",
            ("IN", "one column")),
    Invalid("aggregate_in_where", "SELECT name FROM mmvo.sources WHERE COUNT(*) > 1", ("COUNT", "WHERE")),
    Invalid("nested_aggregates", "SELECT SUM(SUM(flux)) FROM mmvo.sources", ("SUM", "aggregate")),
    Invalid("cast_to_unknown_type", "SELECT CAST(ra AS TEXT) FROM mmvo.sources", ("TEXT", "CAST")),
    Invalid("cast_of_bad_point", "SELECT TOP 1 CAST('1 2 3' AS POINT) FROM mmvo.sources", ("1 2 3", "POINT")),
    Invalid("undeclared_feature_in_unit", "SELECT IN_UNIT(flux, 'Crab') FROM mmvo.sources",
            ("unsupported", "IN_UNIT")),
    Invalid("undeclared_feature_region", "SELECT REGION('Circle ICRS 1 2 3') FROM mmvo.sources",
            ("unsupported", "REGION")),
    Invalid("circle_with_negative_radius", "SELECT TOP 1 CIRCLE('ICRS', 10, 20, -1) FROM mmvo.sources", ("radius",),
            translator=False),
    Invalid("point_latitude_out_of_range", "SELECT TOP 1 POINT('ICRS', 10, -95) FROM mmvo.sources",
            ("latitude", "-95"), translator=False),
    Invalid("cast_of_bad_timestamp", "SELECT TOP 1 CAST('not a date' AS TIMESTAMP) FROM mmvo.sources",
            ("not a date",), translator=False),
    Invalid("scalar_subquery_of_several_rows",
            "SELECT (SELECT source_id FROM mmvo.sources) AS x FROM integral.instruments", ("more than one row",),
            translator=False),
    Invalid("sin_of_string_column", "SELECT SIN(name) FROM mmvo.sources", ("SIN", "string")),
    Invalid("avg_of_string_column", "SELECT AVG(name) FROM mmvo.sources", ("AVG", "string")),
    Invalid("arithmetic_on_string_column", "SELECT name + 1 FROM mmvo.sources", ("+", "string")),
    Invalid("string_column_compared_with_number", "SELECT name FROM mmvo.sources WHERE name > 5",
            ("string", "number")),
    Invalid("like_on_number_column", "SELECT ra FROM mmvo.sources WHERE ra LIKE '8%'", ("LIKE",)),
    Invalid("ilike_with_number_pattern", "SELECT name FROM mmvo.sources WHERE name ILIKE 5", ("ILIKE",)),
    Invalid("number_column_compared_with_word", "SELECT name FROM mmvo.sources WHERE flux = 'abc'", ("abc",)),
    Invalid("udf_with_string_argument", "SELECT ivo_healpix_index(5, name, dec) FROM mmvo.sources",
            ("ivo_healpix_index", "string")),
    Invalid("column_neither_grouped_nor_aggregated", "SELECT name, COUNT(*) AS n FROM mmvo.sources GROUP BY class",
            ("name", "GROUP BY")),
    Invalid("having_on_ungrouped_column", "SELECT name FROM mmvo.sources HAVING flux > 1", ("HAVING",)),
]
# fmt: on

INVALID: Final[tuple[Invalid, ...]] = (*_SYNTAX, *_NAMES, *_HOSTILE, *_FUNCTIONS)

VALID: Final[tuple[Valid, ...]] = (
    *_BASIC,
    *_ORDER,
    *_WHERE,
    *_STRINGS,
    *_ARITHMETIC,
    *_AGGREGATES,
    *_JOINS,
    *_SUBQUERIES,
    *_SETS,
    *_CONDITIONAL,
    *_GEOMETRY,
    *_WIDE,
    *_UDF,
    *_LEXICAL,
    *_TAP_SCHEMA,
)
