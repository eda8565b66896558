"""The IVOA ADQL validation queries (ivoa/lyonetia): valid ones translate, invalid ones are refused.

Every query of the corpus is translated for both dialects against :mod:`.lyonetia_schema`; valid ones must
produce SQL (which then runs on an empty SQLite database of that schema), invalid ones must raise a
UsageError.  Files of optional features run only for the features :mod:`tap.adql.features` declares;
user functions come from each file's ``<functions>`` (plus :data:`EXTRA_UDFS`).  The corpus is GPL and read
in place from the shared folder; the tests skip when it is absent.

The corpus was written for parsers, not against one database, so a few valid queries cannot work with any
single catalogue (or at all); each is listed below with the reason.  Queries are compared as token
sequences, so the same query in several files (with other whitespace) is listed once.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from tap.adql import (
    AdqlError,
    AdqlInternalError,
    AdqlSemanticError,
    AdqlUnknownNameError,
    AdqlUnsupportedError,
    translate,
)
from tap.adql import features as feat
from tap.adql.features import UDFS, UserFunction, parse_signature
from tap.adql.lexer import tokenize
from tap.adql.sqlite_functions import prepare_connection
from tests.tap.adql.lyonetia_schema import EXTRA_UDFS, lyonetia_catalog

CORPUS: Final = Path("data") / "lyonetia" / "adql"

#: Feature group each optional-feature file of ivoa/ tests (O2, user functions, is handled per function).
FILE_FEATURES: Final = {
    "O1": feat.GEOMETRY,
    "O3": feat.STRING,
    "O4": feat.COMMON_TABLE,
    "O5": feat.SETS,
    "O6": feat.TYPE,
    "O7": feat.CONDITIONAL,
    "O8": feat.UNIT,
    "O9": feat.OFFSET,
}

#: Valid ADQL the service does not implement: STC-S regions (REGION is not declared in features.py).
UNSUPPORTED: Final = {
    "select region('Circle FK4 10 10 1') from spatial": "REGION (STC-S) is not implemented",
    "select * from foo where 1=CONTAINS(REGION('Position ICRS 1 2'), x)": "REGION (STC-S) is not implemented",
    "select * from foo where 1=CONTAINS(REGION('Union ICRS (Position 1 2 Intersection (circle  1 2 3 box 1 2 3 4 "
    "circle 30 40 2))'), REGION('circle GALACTIC 1 2 3'))": "REGION (STC-S) is not implemented",
    "select * from foo where 1=INTERSECTS(REGION('NOT (circle  1 2 3)'), x)": "REGION (STC-S) is not implemented",
}

_AMBIGUOUS = "a column of several joined tables is named without a table (other queries need it in both)"
_SET_WIDTH = "set operands of different widths: the same tables are used with other column counts elsewhere"
_NOT_IN_FROM = "a qualifier names a table that is not in FROM"
_CATALOG_PART = "catalog.schema.table names: the service has no catalogues"
_WART = "GAVO's 'warts' file: accepted by DaCHS, but 'Markus would rather have [it] fail'"
_STRING_NUMBER = "a number compared with a string that is no number (PostgreSQL fails, SQLite compares text)"
_UNGROUPED = "a column neither grouped nor aggregated (PostgreSQL fails, SQLite takes any row of the group)"

#: Valid grammar that no single catalogue makes meaningful: (expected error, reason).
CATALOGUE_CONFLICTS: Final[dict[str, tuple[type[AdqlError], str]]] = {
    **{
        q: (AdqlSemanticError, _AMBIGUOUS)
        for q in (
            "select x from t1, t2",
            "select x from t1, t2, t3",
            "select x from t1, t2, t3 WHERE t1.x=t2.y",
            "select x from t1 JOIN t2",
            "select x from t1 LEFT OUTER JOIN t2",
            "select x from t1 RIGHT OUTER JOIN t2",
            "select x from t1 FULL OUTER JOIN t2",
            "select x from t1 FULL OUTER JOIN t2 ON (x=y)",
            "select x from t1 INNER JOIN (t2 JOIN t3)",
            "select x from (t1 JOIN t4) FULL OUTER JOIN (t2 JOIN t3)",
            "SELECT * FROM spatial JOIN spatial2 WHERE dist<2",
            "SELECT ct FROM crazy JOIN (SELECT height FROM spatial JOIN spatial2 ON (ra2=dist) GROUP BY height "
            "HAVING (height>avg(dist))) AS q ON (wot=height)",
        )
    },
    **{
        q: (AdqlSemanticError, _SET_WIDTH)
        for q in (
            "select * from t1 union select x from t2 intersect select x from t3 except select x from t4",
            "select * from (select * from t1 except select * from t2) as q union select * from t3",
            "select * from t1 union select foo from (select * from t2 except select * from t1) as q",
            "select top 3 * from t1 union select top 4 * from t2 except select * from t3",
            "select top 7 * from t1 union (select top 4 * from t2 except select * from t3) except "
            "(select top 30 x from t4 except select top 3 y from t5)",
            "select dist, height from spatial union select ra1 as dist, dec as height from (select * from spatial "
            "except select mag as ra1, mass as dec, speed as dist from misc) as q where dist>2",
            "select top 3 * from x union (select top 40 a from y except select * from z)",
        )
    },
    "select x.a from z": (AdqlUnknownNameError, _NOT_IN_FROM),
    "select x.a, b from z": (AdqlUnknownNameError, _NOT_IN_FROM),
    "select x, foo.* from spatial, misc": (AdqlUnknownNameError, _NOT_IN_FROM),
    "select TAP_UPLOAD.user_table.ra FROM TAP_UPLOAD.user_table WHERE (1=CONTAINS(POINT('ICRS', "
    "usnob.data.raj2000, usnob.data.dej2000), CIRCLE('ICRS', TAP_UPLOAD.user_table.ra2000, a.dec2000, "
    "0.016666666666666666)))": (AdqlUnknownNameError, _NOT_IN_FROM),
    "select * from z.x.y": (AdqlUnknownNameError, _CATALOG_PART),
    "select * from z.x.y, a": (AdqlUnknownNameError, _CATALOG_PART),
    "select x from y where CENTROID(3)=x": (AdqlSemanticError, _WART),
    "SELECT * FROM y WHERE 1=CONTAINS(POINT('ICRS',x,'sy') ,CIRCLE('ICRS',x,y,z))": (
        AdqlSemanticError,
        _WART,
    ),
    "select x from y where z BETWEEN 'a' AND 'b'": (AdqlSemanticError, _STRING_NUMBER),
    "select x from y where z NOT IN (a, 4, 'xy')": (AdqlSemanticError, _STRING_NUMBER),
    "select x from z where 5+9>'gaga'||'bla'": (AdqlSemanticError, _STRING_NUMBER),
    **{
        q: (AdqlSemanticError, _UNGROUPED)
        for q in (
            "select x from t1 group by z",
            "select x from t1 group by z, s",
            "select x from t1 group by y having x=z AND 7<u",
            "select * from bar group by foo",
        )
    },
    "select x from y where CENTROID(COUNT(*))=x": (AdqlSemanticError, _WART),
}

#: Flagged invalid, but valid by the ADQL 2.1 grammar (``<join_specification>`` is optional, and GAVO's
#: files count ``t1 JOIN t2`` as valid): a join without condition is a cross join.
ACCEPTED_INVALID: Final = {
    "SELECT * FROM t1 INNER JOIN t2": "the REC grammar makes the join condition optional"
}


def normalise(adql: str) -> str:
    """A query as its token sequence: insensitive to whitespace, comments and keyword case."""
    try:
        tokens = tokenize(adql)
    except AdqlError:
        return " ".join(adql.split())
    return " ".join(f"{t.kind}:{t.upper if t.kind == 'ident' else t.text}" for t in tokens)


_UNSUPPORTED: Final = {normalise(q) for q in UNSUPPORTED}
_CONFLICTS: Final = {normalise(q): v for q, v in CATALOGUE_CONFLICTS.items()}
_ACCEPTED_INVALID: Final = {normalise(q) for q in ACCEPTED_INVALID}
_CATALOG: Final = lyonetia_catalog()


@dataclass(frozen=True)
class Case:
    file: str
    uuid: str
    adql: str
    valid: bool
    udfs: tuple[UserFunction, ...]


def _files(shared_dir: Path) -> list[Path]:
    root = shared_dir / CORPUS
    if not root.is_dir():
        pytest.skip(f"ADQL validation queries not found in {root}")
    return sorted(root.rglob("*.xml"))


def _runs(path: Path) -> bool:
    """Whether the service declares the optional feature an ivoa/O* file is about."""
    feature = FILE_FEATURES.get(path.name[:2])
    return feature is None or any(f.type == feature for f in feat.FEATURES)


def _functions(element: ET.Element) -> tuple[UserFunction, ...]:
    found = element.find("functions")
    if found is None:
        return ()
    return tuple(parse_signature(f.findtext("form", ""), f.findtext("description", "")) for f in found)


def cases(shared_dir: Path) -> Iterator[Case]:
    root = shared_dir / CORPUS
    for path in _files(shared_dir):
        if not _runs(path):
            continue
        document = ET.parse(path).getroot()
        file_udfs = _functions(document)
        for query in document.iter("query"):
            adql = query.find("adql")
            assert adql is not None and adql.text is not None
            udfs = (*UDFS, *EXTRA_UDFS, *file_udfs, *_functions(query))
            relative = str(path.relative_to(root))
            yield Case(relative, query.get("uuid", ""), adql.text, adql.get("valid", "false") == "true", udfs)


def outcome(case: Case, dialect: str) -> str:
    """``accepted``, ``rejected``, ``unsupported`` or ``conflict``, checking it against the expectations.

    Raises:
        AssertionError: the outcome is not the expected one.
    """
    key = normalise(case.adql)
    where = f"{case.file} ({case.uuid})"
    try:
        translate(case.adql, catalog=_CATALOG, dialect=dialect, limit=100, udfs=case.udfs)  # type: ignore[arg-type]
    except AdqlInternalError:
        raise
    except AdqlUnsupportedError as exc:
        assert case.valid and key in _UNSUPPORTED, f"{where}: {exc}"
        return "unsupported"
    except AdqlError as exc:
        if case.valid:
            assert key in _CONFLICTS, f"{where}: valid query refused: {exc}"
            assert isinstance(exc, _CONFLICTS[key][0]), f"{where}: {exc!r}"
            return "conflict"
        return "rejected"
    assert case.valid or key in _ACCEPTED_INVALID, f"{where}: invalid query accepted"
    assert key not in _CONFLICTS and key not in _UNSUPPORTED, f"{where}: listed query accepted"
    return "accepted"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_corpus(shared_dir: Path, dialect: str) -> None:
    """Every query behaves as flagged (or as listed above); failures are reported all at once."""
    failures = []
    counts: Counter[tuple[str, str]] = Counter()
    for case in cases(shared_dir):
        try:
            counts[case.file, outcome(case, dialect)] += 1
        except AssertionError as exc:
            failures.append(f"{str(exc).splitlines()[0]} | {' '.join(case.adql.split())}")
    assert not failures, "\n".join(failures)
    assert sum(counts.values()) > 400


def test_lists_are_current(shared_dir: Path) -> None:
    """Every listed query is in the corpus, so the lists cannot hide anything that is gone."""
    corpus = {normalise(c.adql) for c in cases(shared_dir)}
    listed = _UNSUPPORTED | set(_CONFLICTS) | _ACCEPTED_INVALID
    assert listed <= corpus, listed - corpus


def _empty_database() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    prepare_connection(conn)
    for table in _CATALOG.tables():
        # SQLite compares even quoted names case-insensitively: "Inch""ing" and "inch""ing" are one column
        names = {c.name.lower(): c.name for c in reversed(table.columns)}.values()
        columns = ", ".join('"' + name.replace('"', '""') + '"' for name in names)
        quoted = table.qualified_name.replace('"', '""')
        conn.execute(f'CREATE TABLE "{quoted}" ({columns}, "_hpx" INTEGER)')
    return conn


def test_valid_translations_run_on_sqlite(shared_dir: Path) -> None:
    """The SQL of every accepted query is valid SQLite (run on empty tables)."""
    failures = []
    conn = _empty_database()
    try:
        for case in cases(shared_dir):
            if not case.valid or normalise(case.adql) in _CONFLICTS | dict.fromkeys(_UNSUPPORTED):
                continue
            for udf in case.udfs:
                if udf.name != "ivo_healpix_index":
                    conn.create_function(udf.name, len(udf.params), lambda *args: None)
            sql = translate(case.adql, catalog=_CATALOG, dialect="sqlite", udfs=case.udfs).sql
            try:
                conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                failures.append(f"{case.file}: {exc}: {sql}")
    finally:
        conn.close()
    assert not failures, "\n".join(failures)


def corpus_counts(shared_dir: Path) -> dict[str, Counter[str]]:
    """Outcomes per file for the SQLite dialect (used by the report in the project notes)."""
    result: dict[str, Counter[str]] = {}
    for case in cases(shared_dir):
        result.setdefault(case.file, Counter())[outcome(case, "sqlite")] += 1
    return result
