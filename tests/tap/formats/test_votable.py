"""VOTable results: round trips through astropy (strict), the XSD, pyvo's status handling, streaming."""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from lxml import etree
from pyvo.dal.exceptions import DALOverflowWarning, DALQueryError
from pyvo.dal.query import DALResults

from tap.formats import BLOCK_SIZE, GENERIC_ERROR_MESSAGE, Info, ResultStatus, resolve_format
from tap.schema import Column
from tests.tap.formats.samples import COLUMNS, ROWS, assert_votable_rows, chunked, parse_votable, render
from vo_service.errors import UsageError

SERIALIZATIONS = ["votable", "votable/b2", "application/x-votable+xml;serialization=BINARY"]
NS = {"v": "http://www.ivoa.net/xml/VOTable/v1.3"}


def _binary(fmt: str) -> bool:
    return fmt != "votable"


def _stream_bytes(document: bytes) -> bytes:
    match = re.search(rb'<STREAM encoding="base64">(.*?)</STREAM>', document, re.S)
    assert match is not None
    return base64.b64decode(match.group(1))


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, len(ROWS)])
def test_every_datatype_round_trips(
    fmt: str, chunk_size: int, assert_schema_valid: Callable[[bytes], None]
) -> None:
    document = render(fmt, COLUMNS, chunked(ROWS, chunk_size))
    assert_schema_valid(document)
    assert_votable_rows(document, COLUMNS, ROWS, binary=_binary(fmt))


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
@pytest.mark.parametrize("chunks", [[], [[]], [[], []]], ids=["no-chunk", "empty-chunk", "empty-chunks"])
def test_empty_result_is_a_table_without_rows(
    fmt: str, chunks: list[list[tuple[object, ...]]], assert_schema_valid: Callable[[bytes], None]
) -> None:
    status = ResultStatus()
    document = render(fmt, COLUMNS, chunks, status=status)
    assert_schema_valid(document)
    assert len(parse_votable(document).get_first_table().array) == 0
    assert status.rows == 0 and status.error is None


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
def test_one_row(fmt: str) -> None:
    assert_votable_rows(render(fmt, COLUMNS, [ROWS[:1]]), COLUMNS, ROWS[:1], binary=_binary(fmt))


@pytest.mark.parametrize("fmt", ["votable/b2", "application/x-votable+xml;serialization=BINARY"])
def test_binary_stream_does_not_depend_on_chunking(fmt: str) -> None:
    """Chunk lengths that are not multiples of 3 bytes put a chunk boundary inside a base64 group."""
    columns = [Column("a", "short"), Column("s", "char", "*")]
    rows = [(i, "x" * (i % 5 + 1)) for i in range(40)]
    assert len(_stream_bytes(render(fmt, columns, [rows[:1]]))) % 3 != 0
    reference = _stream_bytes(render(fmt, columns, [rows]))
    for size in (1, 2, 3, 7, 13):
        document = render(fmt, columns, chunked(rows, size))
        assert _stream_bytes(document) == reference


def test_geometry_as_text_or_sequences_gives_the_same_document() -> None:
    columns = [c for c in COLUMNS if c.arraysize is not None and c.datatype not in {"char", "unicodeChar"}]
    as_text = [("1 2", "3 4 0.5", "1 1 2 1 2 2", "0.5 1", "1 2")]
    as_sequences = [((1.0, 2.0), [3, 4, 0.5], np.array([1, 1, 2, 1, 2, 2.0]), (0.5, 1.0), [1, 2])]
    for fmt in ["votable", "votable/b2", "csv"]:
        assert render(fmt, columns, [as_text]) == render(fmt, columns, [as_sequences])


def _producer(
    rows: list[tuple[object, ...]],
    status: ResultStatus,
    *,
    overflow: bool = False,
    error: Exception | None = None,
) -> Iterator[list[tuple[object, ...]]]:
    yield rows[:2]
    yield rows[2:]
    if error is not None:
        raise error
    status.overflow = overflow


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
def test_overflow_is_flagged_after_the_table(fmt: str, assert_schema_valid: Callable[[bytes], None]) -> None:
    status = ResultStatus()
    document = render(fmt, COLUMNS, _producer(ROWS, status, overflow=True), status=status)
    assert_schema_valid(document)
    tree = etree.fromstring(document)
    resource = tree.find("v:RESOURCE", NS)
    assert resource is not None
    last = resource[-1]
    assert (
        last.tag.endswith("INFO") and last.get("name") == "QUERY_STATUS" and last.get("value") == "OVERFLOW"
    )
    previous = last.getprevious()
    assert previous is not None and previous.tag.endswith("TABLE")
    with pytest.warns(DALOverflowWarning):
        results = DALResults(parse_votable(document))
    assert results.status[0] == "OVERFLOW"
    assert len(results) == len(ROWS)


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
def test_vo_error_mid_stream_ends_the_document(
    fmt: str, assert_schema_valid: Callable[[bytes], None]
) -> None:
    status = ResultStatus()
    error = UsageError("query timed out after <5 s> & was stopped")
    blocks = list(resolve_format(fmt).stream(COLUMNS, _producer(ROWS, status, error=error), status=status))
    document = b"".join(blocks)
    assert_schema_valid(document)
    assert status.error is error and status.rows == len(ROWS)
    with pytest.raises(DALQueryError, match="query timed out after <5 s> & was stopped"):
        DALResults(parse_votable(document))
    assert document.rstrip().endswith(b"</VOTABLE>")


@pytest.mark.parametrize("fmt", SERIALIZATIONS)
def test_other_error_mid_stream_ends_the_document_then_is_raised(
    fmt: str, assert_schema_valid: Callable[[bytes], None]
) -> None:
    status = ResultStatus()
    stream = resolve_format(fmt).stream(
        COLUMNS, _producer(ROWS, status, error=RuntimeError("secret detail")), status=status
    )
    received: list[bytes] = []
    with pytest.raises(RuntimeError, match="secret detail"):
        for block in stream:
            received.append(block)
    document = b"".join(received)
    assert_schema_valid(document)
    assert b"secret detail" not in document
    with pytest.raises(DALQueryError, match=GENERIC_ERROR_MESSAGE):
        DALResults(parse_votable(document))
    assert isinstance(status.error, RuntimeError)


def test_bad_value_is_reported_like_an_internal_error() -> None:
    columns = [Column("pos", "double", "2", xtype="point")]
    stream = resolve_format("votable/b2").stream(columns, [[("1 2",)], [("1 2 3",)]], status=ResultStatus())
    received: list[bytes] = []
    with pytest.raises(ValueError, match="3 values where 2 are declared"):
        received.extend(stream)
    assert GENERIC_ERROR_MESSAGE.encode() in b"".join(received)


def test_abandoned_stream_closes_the_producer() -> None:
    closed = []

    def producer() -> Iterator[list[tuple[object, ...]]]:
        try:
            while True:
                yield [(i, "x" * 200) for i in range(1000)]
        finally:
            closed.append(True)

    stream = resolve_format("votable").stream(
        [Column("i", "int"), Column("s", "char", "*")], producer(), status=ResultStatus()
    )
    first = next(stream)
    assert len(first) >= BLOCK_SIZE
    stream.close()  # type: ignore[attr-defined]
    assert closed == [True]


def test_blocks_are_large() -> None:
    rows = [(i, f"name {i}") for i in range(20000)]
    blocks = list(
        resolve_format("votable/b2").stream(
            [Column("i", "long"), Column("n", "char", "*")], chunked(rows, 1000), status=ResultStatus()
        )
    )
    assert len(blocks) > 1
    assert all(len(b) >= BLOCK_SIZE for b in blocks[:-1])


def test_document_structure(assert_schema_valid: Callable[[bytes], None]) -> None:
    columns = [
        Column("1st value", "double", ucd="pos.eq.ra", description="first & <best>"),
        Column("1st_value", "int", unit="s", utype="x:y"),
        Column("system_icrs", "char", "*", xtype="timestamp"),
    ]
    infos = [
        ("QUERY_STATUS", "OK", None),
        ("standardID", "ivo://ivoa.net/std/TAP", None),
        Info("citation", "https://example.org/cite?a=1&b=2", 'Cite "us"', ucd="meta.bib"),
        ("QUERY", "SELECT * FROM t WHERE a < 3", "SELECT * FROM t WHERE a < 3"),
    ]
    extra = [
        '<RESOURCE type="meta" utype="adhoc:service"><PARAM name="x" datatype="char" arraysize="*" value="1"/></RESOURCE>'
    ]
    document = render(
        "votable",
        columns,
        [[(1.0, 2, "2020-01-01")]],
        infos=infos,
        extra_resources=extra,
        table_name="t & u",
        table_description="the <table>",
    )
    assert_schema_valid(document)
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = etree.fromstring(document)
    assert tree.get("version") == "1.4"
    results, meta = tree.findall("v:RESOURCE", NS)
    assert results.get("type") == "results" and meta.get("utype") == "adhoc:service"
    assert [(i.get("name"), i.get("value"), i.text) for i in results.findall("v:INFO", NS)] == [
        (name, value, content) for name, value, content, *_ in infos
    ]
    assert results.findall("v:INFO", NS)[2].get("ucd") == "meta.bib"
    table = results.find("v:TABLE", NS)
    assert table is not None and table.get("name") == "t & u"
    assert table.findtext("v:DESCRIPTION", namespaces=NS) == "the <table>"
    fields = table.findall("v:FIELD", NS)
    assert [f.get("name") for f in fields] == [c.name for c in columns]
    ids = [f.get("ID") for f in fields]
    assert len(set(ids)) == 3 and ids[0] == "_1st_value"
    coosys = results.find("v:COOSYS", NS)
    timesys = results.find("v:TIMESYS", NS)
    assert coosys is not None and coosys.get("system") == "ICRS" and fields[0].get("ref") == coosys.get("ID")
    assert timesys is not None and fields[2].get("ref") == timesys.get("ID")
    assert fields[0].findtext("v:DESCRIPTION", namespaces=NS) == "first & <best>"
    assert (fields[1].get("unit"), fields[1].get("utype")) == ("s", "x:y")
    assert fields[2].get("xtype") == "timestamp"


def test_query_status_ok_is_added_when_missing() -> None:
    tree = etree.fromstring(render("votable", [Column("a", "int")], [[(1,)]], infos=[("QUERY", "q", None)]))
    names = [(i.get("name"), i.get("value")) for i in tree.iterfind("v:RESOURCE/v:INFO", NS)]
    assert names == [("QUERY_STATUS", "OK"), ("QUERY", "q")]


def test_characters_xml_cannot_carry_never_break_the_document(
    assert_schema_valid: Callable[[bytes], None],
) -> None:
    nasty = "a\x00b\x01c\x1bd\ud800e\ufffef\r\ng\t&<>]]>"
    columns = [Column("s", "unicodeChar", "*", description=nasty), Column(nasty, "char", "*")]
    for fmt in SERIALIZATIONS:
        document = render(fmt, columns, [[(nasty, "ok")]], infos=[("QUERY", nasty, nasty)], table_name=nasty)
        assert_schema_valid(document)
        value = parse_votable(document).get_first_table().array["s"][0]
        if fmt == "votable":
            assert value == "abcd?e?f\r\ng\t&<>]]>"


def test_timestamps_are_dali_utc_without_zone() -> None:
    zone = datetime.timezone(datetime.timedelta(hours=2))
    values = [
        datetime.datetime(2020, 1, 2, 3, 4, 5),
        datetime.datetime(2020, 1, 2, 3, 4, 5, 120000),
        datetime.datetime(2020, 1, 2, 3, 4, 5, 123456),
        datetime.datetime(2020, 1, 2, 5, 4, 5, tzinfo=zone),
        datetime.date(2020, 1, 2),
        "2020-01-02T03:04:05",
        None,
    ]
    column = Column("t", "char", "*", xtype="timestamp")
    expected = [
        "2020-01-02T03:04:05",
        "2020-01-02T03:04:05.120",
        "2020-01-02T03:04:05.123456",
        "2020-01-02T03:04:05",
        "2020-01-02",
        "2020-01-02T03:04:05",
        "",
    ]
    for fmt in SERIALIZATIONS:
        array = parse_votable(render(fmt, [column], [[(v,) for v in values]])).get_first_table().array
        assert [str(v) if not np.ma.is_masked(v) else "" for v in array["t"]] == expected


@pytest.mark.parametrize(
    "value", [0.1, 1 / 3, 1e-310, 5e-324, 1.7976931348623157e308, 123456789.123456789, -0.0]
)
def test_doubles_round_trip_exactly_in_tabledata(value: float) -> None:
    column = Column("x", "double")
    got = parse_votable(render("votable", [column], [[(value,)]])).get_first_table().array["x"][0]
    assert float(got) == value and np.signbit(got) == np.signbit(value)


def test_floats_are_written_in_their_shortest_form() -> None:
    document = render("votable", [Column("x", "float")], [[(0.1,), (np.float32(0.1).item(),), (1e-45,)]])
    assert b"<TD>0.1</TD>" in document
    assert document.count(b"<TD>0.1</TD>") == 2


def test_char_outside_ascii_in_binary_becomes_question_mark() -> None:
    column = Column("s", "char", "*")
    for fmt in ["votable/b2", "application/x-votable+xml;serialization=BINARY"]:
        array = parse_votable(render(fmt, [column], [[("Ångström",)]])).get_first_table().array
        assert array["s"][0] == "?ngstr?m"


def test_unsupported_columns_are_refused_before_any_output() -> None:
    with pytest.raises(ValueError, match="arrays are not supported"):
        resolve_format("votable").stream([Column("b", "boolean", "3")], [], status=ResultStatus())
    with pytest.raises(ValueError, match="at least one column"):
        resolve_format("votable/b2").stream([], [], status=ResultStatus())


def test_floats_beyond_float32_become_infinities() -> None:
    columns = [Column("x", "float"), Column("v", "float", "2")]
    rows = [(1e39, [1e39, -1e39]), (-1e39, (1.0, 2.0))]
    for fmt in SERIALIZATIONS:
        array = parse_votable(render(fmt, columns, [rows])).get_first_table().array
        assert array["x"].tolist() == [np.inf, -np.inf]
        assert list(array["v"][0]) == [np.inf, -np.inf]


def test_bit_columns() -> None:
    """A scalar bit is a one-bit array: in binary its value is the most significant bit of one byte (VOTable
    1.4 section 5; astropy 8 reads bit 3 instead, so only TABLEDATA is read back with it here)."""
    columns = [Column("b", "bit"), Column("i", "short")]
    rows = [(1, 1), (0, 2), (True, 3)]
    array = parse_votable(render("votable", columns, [rows])).get_first_table().array
    assert array["b"].tolist() == [True, False, True]
    stream = _stream_bytes(render("votable/b2", columns, [rows]))
    assert stream == bytes.fromhex("00 80 0001 00 00 0002 00 80 0003".replace(" ", ""))
