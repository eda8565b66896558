"""The project's ADQL corpus (``tests/e2e/adql_corpus.py``) run over HTTP on both engines.

The IVOA validation queries only show that the translator parses ADQL; this corpus shows that what the
service answers over its real tables is right, and the same on SQLite and on PostgreSQL.  Each valid query
must return a VOTable that astropy parses strictly, with sensible FIELDs (plain column references carry the
unit, UCD and datatype TAP_SCHEMA gives for the column) and with the rows its expectation computes without the
service.  Each invalid query must get HTTP 400 and a DALI error document whose message says what is wrong, and
hostile ones must leave the tables as they were.  Known translator bugs are strict xfails, named per case.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import httpx
import numpy as np
import pytest
from astropy.io.votable import parse

from tap.schema import VOTABLE_DATATYPES, Column
from tests.e2e.adql_corpus import INVALID, PUBLISHED_TABLES, VALID, Invalid, Model, Result, Valid
from tests.e2e.conftest import DEMO_SOURCES, LiveService

pytestmark = pytest.mark.e2e

VOTABLE_NS: Final = "{http://www.ivoa.net/xml/VOTable/v1.3}"
#: xtype -> (datatype, arraysize) a FIELD of that xtype must have (DALI).
XTYPE_SHAPES: Final = {
    "point": ("double", "2"),
    "circle": ("double", "3"),
    "polygon": ("double", "*"),
    "timestamp": ("char", "*"),
}
#: A translator error names the place in the query (database errors cannot).
POSITION: Final = re.compile(r"line \d+, column \d+")


def _cell(value: Any) -> Any:
    """A VOTable cell as a plain Python value: None for NULL, tuples for arrays."""
    if value is np.ma.masked:
        return None
    if isinstance(value, np.ma.MaskedArray):
        if value.size and bool(np.all(np.ma.getmaskarray(value))):
            return None
        return tuple(float(x) for x in value.filled(np.nan))
    if isinstance(value, np.ndarray):
        return tuple(float(x) for x in value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        return value.decode()
    return value


def _fields(content: bytes) -> tuple[Column, ...]:
    """The FIELDs of the results table with their attributes exactly as written."""
    root = ET.fromstring(content)
    table = root.find(f"{VOTABLE_NS}RESOURCE/{VOTABLE_NS}TABLE")
    assert table is not None, "no TABLE in the results RESOURCE"
    return tuple(
        Column(
            e.attrib["name"],
            e.attrib["datatype"],
            e.get("arraysize"),
            e.get("xtype"),
            e.get("unit"),
            e.get("ucd"),
            e.get("utype"),
        )
        for e in table.findall(f"{VOTABLE_NS}FIELD")
    )


def _statuses(votable: Any) -> list[tuple[str, str]]:
    return [
        (str(i.value), str(i.content or "")) for i in votable.resources[0].infos if i.name == "QUERY_STATUS"
    ]


def read_result(content: bytes) -> Result:
    """A result document parsed strictly by astropy, its status checked, as a :class:`Result`."""
    votable = parse(io.BytesIO(content), verify="exception")
    statuses = _statuses(votable)
    assert statuses and all(value == "OK" for value, _ in statuses), f"QUERY_STATUS {statuses}"
    fields = _fields(content)
    data = votable.get_first_table().array
    names = data.dtype.names or ()
    # TABLEDATA writes a NULL string as an empty cell: both read as None
    text = [f.datatype in ("char", "unicodeChar") for f in fields]
    rows = [
        tuple(
            None if is_text and value == "" else value
            for is_text, value in zip(text, (_cell(data[name][i]) for name in names), strict=True)
        )
        for i in range(len(data))
    ]
    return Result(fields, rows)


def read_error(content: bytes) -> str:
    """The message of a DALI error document parsed strictly by astropy (QUERY_STATUS must be ERROR)."""
    votable = parse(io.BytesIO(content), verify="exception")
    statuses = _statuses(votable)
    assert statuses and statuses[0][0] == "ERROR", f"QUERY_STATUS {statuses}"
    return statuses[0][1]


@dataclass(frozen=True)
class Tap:
    """Synchronous ADQL queries on one running service, over one kept-alive connection."""

    client: httpx.Client
    engine: str

    def send(self, adql: str) -> httpx.Response:
        return self.client.post("/sync", data={"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": adql})

    def run(self, adql: str) -> Result:
        response = self.send(adql)
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[-600:]}"
        return read_result(response.content)


@pytest.fixture(scope="session")
def tap(live: LiveService) -> Iterator[Tap]:
    with httpx.Client(base_url=live.tap, timeout=120) as client:
        yield Tap(client, live.engine)


@pytest.fixture(scope="session")
def model() -> Model:
    return Model(DEMO_SOURCES)


@pytest.fixture(scope="session")
def catalogue(tap: Tap) -> dict[str, Column]:
    """TAP_SCHEMA's description of every published column, by ``schema.table.column``."""
    result = tap.run(
        "SELECT table_name, column_name, datatype, arraysize, xtype, unit, ucd, utype FROM tap_schema.columns"
    )
    return {
        f"{table}.{column}": Column(
            column.strip('"'),
            datatype,
            arraysize or None,
            xtype or None,
            unit or None,
            ucd or None,
            utype or None,
        )
        for table, column, datatype, arraysize, xtype, unit, ucd, utype in result.rows
    }


def _expect_bug(request: pytest.FixtureRequest, case: Valid | Invalid, engine: str) -> None:
    if engine in case.bug_on:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{engine}: {case.bug_on[engine]}"))


def _params(cases: tuple[Any, ...]) -> list[Any]:
    return [
        pytest.param(
            case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
        )
        for case in cases
    ]


def _spec(spec: str) -> tuple[str, str | None, str | None]:
    """``name[:datatype[[arraysize]]]`` -> (name, datatype, arraysize)."""
    name, _, kind = spec.partition(":")
    match = re.fullmatch(r"(\w+)(?:\[([^\]]*)\])?", kind) if kind else None
    if kind and match is None:
        raise ValueError(f"bad field spec {spec!r}")
    return name, match.group(1) if match else None, match.group(2) if match else None


def check_fields(result: Result, case: Valid, catalogue: dict[str, Column]) -> None:
    """FIELD names, datatypes, units and xtypes as the case expects, and sane for any result."""
    specs = [_spec(s) for s in case.fields]
    assert result.names == [name for name, _, _ in specs], f"FIELD names {result.names}"
    by_name = {f.name: f for f in result.fields}
    assert len(by_name) == len(result.fields), f"duplicate FIELD names {result.names}"
    for (name, datatype, arraysize), field in zip(specs, result.fields, strict=True):
        if datatype is not None:
            assert field.datatype == datatype, f"{name}: datatype {field.datatype}, expected {datatype}"
        if arraysize is not None:
            assert field.arraysize == arraysize, f"{name}: arraysize {field.arraysize}, expected {arraysize}"
    for name, qualified in case.plain.items():
        column, field = catalogue[qualified], by_name[name]
        got = (field.datatype, field.arraysize, field.xtype, field.unit, field.ucd, field.utype)
        want = (column.datatype, column.arraysize, column.xtype, column.unit, column.ucd, column.utype)
        assert got == want, f"{name}: FIELD {got}, but TAP_SCHEMA says {qualified} is {want}"
    for name, unit in case.units.items():
        assert by_name[name].unit == unit, f"{name}: unit {by_name[name].unit!r}, expected {unit!r}"
    for name, xtype in case.xtypes.items():
        assert by_name[name].xtype == xtype, f"{name}: xtype {by_name[name].xtype!r}, expected {xtype!r}"
    for field in result.fields:
        assert field.name.strip(), "a FIELD without a name"
        assert field.datatype in VOTABLE_DATATYPES, f"{field.name}: datatype {field.datatype}"
        if field.datatype == "char":
            assert field.arraysize, f"{field.name}: char without arraysize"
        if field.xtype in XTYPE_SHAPES:
            assert (field.datatype, field.arraysize) == XTYPE_SHAPES[field.xtype], f"{field.name}: {field}"


@pytest.mark.parametrize("case", _params(VALID))
def test_valid_query(
    case: Valid, tap: Tap, model: Model, catalogue: dict[str, Column], request: pytest.FixtureRequest
) -> None:
    _expect_bug(request, case, tap.engine)
    result = tap.run(case.adql)
    check_fields(result, case, catalogue)
    case.check(result, model)


@pytest.mark.parametrize("case", _params(INVALID))
def test_invalid_query(case: Invalid, tap: Tap, request: pytest.FixtureRequest) -> None:
    _expect_bug(request, case, tap.engine)
    response = tap.send(case.adql)
    assert response.status_code == 400, f"HTTP {response.status_code}: {response.text[-600:]}"
    message = read_error(response.content)
    missing = [m for m in case.mentions if m.lower() not in message.lower()]
    assert not missing, f"the message {message!r} does not mention {missing}"
    if case.translator:
        assert POSITION.search(message), f"not a translator error with a position: {message!r}"


def test_tables_are_intact_after_hostile_queries(tap: Tap, model: Model) -> None:
    hostile = [case for case in INVALID if case.hostile]
    assert len(hostile) >= 10
    for case in hostile:
        assert tap.send(case.adql).status_code == 400, case.id
    counts = {
        "mmvo.sources": model.n_sources,
        "integral.revolutions": len(model.revolutions["revolution"]),
        "integral.scw": len(model.scw["scw_id"]),
        "integral.instruments": len(model.instruments["instrument_name"]),
        "ivoa.obsplan": 4 * len(model.pointings["scw_id"]),
        "mmvo.products": 0,
        "ivoa.obscore": 0,
    }
    for table, expected in counts.items():
        assert tap.run(f"SELECT COUNT(*) AS n FROM {table}").scalar() == expected, table
    assert tap.run("SELECT COUNT(*) AS n FROM tap_schema.tables").scalar() == len(PUBLISHED_TABLES)
    crab = tap.run("SELECT name, flux FROM mmvo.sources WHERE source_id = 1").rows
    assert crab == [("Crab", 1000.0)]


#: Query constructs the corpus must exercise besides the declared features (regular expressions on the text).
CONSTRUCTS: Final = (
    r"SELECT DISTINCT",
    r"SELECT ALL",
    r"\bTOP\b",
    r"\bOFFSET\b",
    r"\bINNER JOIN\b",
    r"\bLEFT OUTER JOIN\b",
    r"\bLEFT JOIN\b",
    r"\bRIGHT OUTER JOIN\b",
    r"\bFULL OUTER JOIN\b",
    r"\bNATURAL JOIN\b",
    r"\bNATURAL LEFT OUTER JOIN\b",
    r"\bUSING\b",
    r"FROM [\w.]+ \w+, [\w.]+",
    r"\bIN \(SELECT\b",
    r"\bNOT IN \(SELECT\b",
    r"\bNOT EXISTS\b",
    r"\bEXISTS\b",
    r"\(SELECT COUNT",
    r"\bGROUP BY\b",
    r"\bHAVING\b",
    r"ORDER BY \d",
    r"\bDESC\b",
    r"\bASC\b",
    r"\bUNION ALL\b",
    r"\bINTERSECT ALL\b",
    r"\bEXCEPT ALL\b",
    r"\bCASE \w+ WHEN\b",
    r"\bCASE WHEN\b",
    r"\bNOT BETWEEN\b",
    r"\bNOT LIKE\b",
    r"\bNOT ILIKE\b",
    r"\bIS NOT NULL\b",
    r"\bIS NULL\b",
    r"\|\|",
    r"COUNT\(DISTINCT",
    r"\bAVG\(",
    r"\bSUM\(",
    r"\bMIN\(",
    r"\bMAX\(",
    r"COUNT\(\*\)",
    r"\bLOWER\(",
    r"\bUPPER\(",
    r'"size"',
    r"--",
    r"\t",
    r"\r\n",
    *(
        rf"\b{f}\("
        for f in (
            "ABS",
            "CEILING",
            "DEGREES",
            "EXP",
            "FLOOR",
            "LOG",
            "LOG10",
            "MOD",
            "PI",
            "POWER",
            "RADIANS",
            "SQRT",
            "RAND",
            "ROUND",
            "TRUNCATE",
            "ACOS",
            "ASIN",
            "ATAN",
            "ATAN2",
            "COS",
            "COT",
            "SIN",
            "TAN",
        )
    ),
)


def test_corpus_is_complete() -> None:
    ids = [case.id for case in VALID] + [case.id for case in INVALID]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(VALID) >= 150 and len(INVALID) >= 30
    assert all(case.fields for case in VALID)
    text = "\n".join(case.adql for case in VALID)
    missing = [c for c in CONSTRUCTS if not re.search(c, text, re.IGNORECASE)]
    assert not missing, f"no valid query uses {missing}"


def test_corpus_uses_every_declared_feature(tap: Tap) -> None:
    root = ET.fromstring(tap.client.get("/capabilities").content)
    forms = [e.text or "" for e in root.iter("form")]
    assert len(forms) > 10
    text = "\n".join(case.adql for case in VALID)
    names = [form.split("(")[0].strip() for form in forms]
    missing = [n for n in names if not re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE)]
    assert not missing, f"declared in the capabilities but in no valid query: {missing}"
