"""UPLOAD parameters and uploaded VOTables: every datatype, NULLs, serialisations, names, and every refusal."""

from __future__ import annotations

import base64
import time

import pytest

from tap.params import DaliParams
from tap.schema import UPLOAD_SCHEMA, Column, StaticCatalog, Table
from tap.upload_votable import UnreadableUpload, read_votable
from tap.uploads import parse_uploads, upload_references
from tests.upload_samples import (
    ALL_TYPES,
    ALL_TYPES_COLUMNS,
    ALL_TYPES_ROWS,
    assert_same_cells,
    reserialised,
    votable_document,
)
from vo_service.errors import UsageError

SMALL = votable_document(
    '<FIELD name="ra" datatype="double" unit="deg"/><FIELD name="dec" datatype="double" unit="deg"/>',
    "<TR><TD>83.6331</TD><TD>22.0145</TD></TR><TR><TD>299.5903</TD><TD>35.2016</TD></TR>",
)
LIMIT = 1_000_000


def _params(*uploads: str, **files: bytes) -> DaliParams:
    return DaliParams.from_pairs([("UPLOAD", u) for u in uploads], files)


def _no_fetch(url: str, limit: int) -> bytes:
    raise AssertionError(f"unexpected fetch of {url}")


def _refusal(document: bytes, max_rows: int = 100) -> str:
    with pytest.raises(UnreadableUpload) as caught:
        read_votable(document, max_rows=max_rows)
    return str(caught.value)


# ------------------------------------------------------------------------------------------------- metadata


def test_every_column_type_keeps_its_metadata() -> None:
    content = read_votable(ALL_TYPES, max_rows=10)
    assert content.rows == len(ALL_TYPES_ROWS)
    assert content.description == "Every column type"
    got = [(c.name, c.datatype, c.arraysize, c.xtype, c.unit, c.ucd, c.utype) for c in content.columns]
    assert got == [c[1:] for c in ALL_TYPES_COLUMNS]
    assert content.columns[0].description == "column id"


@pytest.mark.parametrize("serialization", ["tabledata", "binary", "binary2"])
def test_every_value_is_decoded_in_every_serialization(serialization: str) -> None:
    document = ALL_TYPES if serialization == "tabledata" else reserialised(ALL_TYPES, serialization)
    content = read_votable(document, max_rows=10)
    names = [c.name for c in content.columns]
    for index, expected in enumerate(ALL_TYPES_ROWS):
        for name, values in zip(names, content.values, strict=True):
            want = (
                0
                if serialization == "binary" and name == "bits" and expected[name] is None
                else expected[name]
            )
            assert_same_cells(values[index], want, f"{serialization} row {index} {name}")


def test_values_are_ready_for_the_database() -> None:
    content = read_votable(ALL_TYPES, max_rows=10)
    values = dict(zip((c.name for c in content.columns), content.values, strict=True))
    assert values["bits"] == [1, None, 0] and all(type(v) is int for v in values["bits"] if v is not None)
    assert values["flag"] == [True, None, False]
    assert values["big"] == [9007199254740993, None, -9223372036854775808]
    assert values["label"] == ["Crab nebula", None, "<&>\"'"]
    assert values["seen"] == ["2003-01-02T03:04:05.678", None, "1999-12-31T23:59:59"]
    assert values["outline"][0] == [10.0, 20.0, 11.0, 20.0, 11.5, 21.25] and values["outline"][1] is None
    assert values["matrix"][2] == [-1.5, 2.5, -3.5, 4.5]


def test_scalar_bits_of_binary2_are_read_from_their_byte() -> None:
    # rows: null flags, then the bit's byte; VOTable puts a scalar bit in the most significant bit, astropy in bit 3
    rows = bytes([0, 0x80, 0, 0x00, 0x80, 0x00, 0, 0x08])
    document = votable_document('<FIELD name="b" datatype="bit"/>', "").replace(
        b"<TABLEDATA></TABLEDATA>",
        b"<BINARY2><STREAM encoding='base64'>" + base64.b64encode(rows) + b"</STREAM></BINARY2>",
    )
    assert read_votable(document, max_rows=10).values == ([1, 0, None, 1],)


def test_timestamps_are_stored_in_their_dali_spelling() -> None:
    document = votable_document(
        '<FIELD name="t" datatype="char" arraysize="*" xtype="timestamp"/>',
        "".join(
            f"<TR><TD>{t}</TD></TR>"
            for t in (
                "2010-05-06",
                "2010-05-06T07:08:09Z",
                "2010-05-06T07:08:09.500000",
                "2010-05-06T07:08:09.1234567",
            )
        ),
    )
    assert read_votable(document, max_rows=10).values[0] == [
        "2010-05-06T00:00:00",
        "2010-05-06T07:08:09",
        "2010-05-06T07:08:09.500",
        "2010-05-06T07:08:09.123456",
    ]


def test_an_empty_table_has_columns_and_no_rows() -> None:
    content = read_votable(votable_document('<FIELD name="x" datatype="int"/>', ""), max_rows=10)
    assert content.rows == 0 and content.values == ([],)


def test_stc_s_regions_are_kept_as_text() -> None:
    document = votable_document(
        '<FIELD name="s_region" datatype="char" arraysize="*" xtype="adql:REGION"/>',
        "<TR><TD>Circle ICRS 10 20 1</TD></TR>",
    )
    content = read_votable(document, max_rows=10)
    assert content.columns[0].xtype is None and content.values[0] == ["Circle ICRS 10 20 1"]


# ------------------------------------------------------------------------------------------------- refusals


def test_billion_laughs_is_refused_quickly() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    document = (
        f'<?xml version="1.0"?><!DOCTYPE VOTABLE [{entities}]>'
        '<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="char" arraysize="*"/>'
        "<DATA><TABLEDATA><TR><TD>&lol9;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>"
    ).encode()
    started = time.monotonic()
    assert "DOCTYPE" in _refusal(document)
    assert time.monotonic() - started < 1


def test_external_entities_never_read_files(tmp_path: pytest.TempPathFactory) -> None:
    secret = tmp_path / "secret.txt"  # type: ignore[operator]
    secret.write_text("do not read me")
    for declaration in (
        f'<!DOCTYPE VOTABLE [<!ENTITY xxe SYSTEM "file://{secret}">]>',
        f'<!DOCTYPE VOTABLE SYSTEM "file://{secret}">',
    ):
        document = (
            f'<?xml version="1.0"?>{declaration}<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="char" '
            'arraysize="*"/><DATA><TABLEDATA><TR><TD>&xxe;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>'
        ).encode()
        message = _refusal(document)
        assert "DOCTYPE" in message and "do not read me" not in message
    undeclared = votable_document(
        '<FIELD name="x" datatype="char" arraysize="*"/>', "<TR><TD>&xxe;</TD></TR>"
    )
    assert "undefined entity" in _refusal(undeclared)


def test_data_from_elsewhere_is_refused(tmp_path: pytest.TempPathFactory) -> None:
    fields = '<FIELD name="x" datatype="int"/>'
    stream = votable_document(fields, "").replace(
        b"<DATA><TABLEDATA></TABLEDATA></DATA>",
        b'<DATA><BINARY><STREAM href="file:///etc/passwd"/></BINARY></DATA>',
    )
    assert "href" in _refusal(stream)
    fits = votable_document(fields, "").replace(
        b"<DATA><TABLEDATA></TABLEDATA></DATA>", b"<DATA><FITS><STREAM>AAAA</STREAM></FITS></DATA>"
    )
    assert "FITS" in _refusal(fits)
    gzip = votable_document(fields, "").replace(
        b"<DATA><TABLEDATA></TABLEDATA></DATA>",
        b'<DATA><BINARY><STREAM encoding="gzip">AAAA</STREAM></BINARY></DATA>',
    )
    assert "base64" in _refusal(gzip)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "not well-formed"),
        (b"SELECT 1", "not well-formed"),
        (b"ra,dec\n1,2\n", "not well-formed"),
        (b"<html><body>hello</body></html>", "root element is <html>"),
        (b"<VOTABLE><RESOURCE/></VOTABLE>", "no TABLE"),
        (b"<VOTABLE><RESOURCE><TABLE/></RESOURCE></VOTABLE>", "no FIELD"),
        (
            b"<VOTABLE><RESOURCE><TABLE><FIELD name='a' datatype='int'/></TABLE><TABLE/></RESOURCE></VOTABLE>",
            "more than one TABLE",
        ),
        (b"<VOTABLE><RESOURCE><TABLE><FIELD name='a' datatype='int'/>", "not well-formed"),
    ],
)
def test_documents_that_are_not_votables_are_refused(document: bytes, message: str) -> None:
    assert message in _refusal(document)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('<FIELD datatype="int"/>', "no name"),
        ('<FIELD name="a&#9;b" datatype="int"/>', "control characters"),
        (f'<FIELD name="{"x" * 64}" datatype="int"/>', "longer than 63 bytes"),
        ('<FIELD name="a" datatype="int"/><FIELD name="A" datatype="int"/>', "two columns are named 'a'"),
        (
            '<FIELD name="a b" datatype="int"/><FIELD name="A B" datatype="int"/>',
            "two columns are named 'A B'",
        ),
        ('<FIELD name="z" datatype="doubleComplex"/>', "datatype 'doubleComplex' is not supported"),
        ('<FIELD name="z" datatype="boolean" arraysize="3"/>', "arrays of boolean"),
        ('<FIELD name="z" datatype="char" arraysize="3x*"/>', "arrays of strings"),
        ('<FIELD name="z" datatype="int" arraysize="x3"/>', "not VOTable syntax"),
        ('<FIELD name="z" datatype="double" xtype="timestamp"/>', "timestamp needs datatype char"),
        ('<FIELD name="z" datatype="double" arraysize="3" xtype="point"/>', "xtype point needs"),
        ('<FIELD name="z" datatype="int" arraysize="2" xtype="point"/>', "xtype point needs"),
        ('<FIELD name="z" datatype="double" arraysize="2x*" xtype="polygon"/>', "xtype polygon needs"),
    ],
)
def test_unusable_fields_are_refused(field: str, message: str) -> None:
    assert message in _refusal(votable_document(field, ""))


@pytest.mark.parametrize(
    ("field", "cell", "message"),
    [
        (
            '<FIELD name="t" datatype="char" arraysize="*" xtype="timestamp"/>',
            "yesterday",
            "'yesterday' is not a DALI timestamp",
        ),
        (
            '<FIELD name="t" datatype="char" arraysize="*" xtype="timestamp"/>',
            "2010-13-01",
            "not a DALI timestamp",
        ),
        (
            '<FIELD name="p" datatype="double" arraysize="*" xtype="polygon"/>',
            "1 2 3 4",
            "not a DALI polygon",
        ),
        ('<FIELD name="i" datatype="int"/>', "one", "could not be read"),
    ],
)
def test_bad_values_are_refused_naming_the_column(field: str, cell: str, message: str) -> None:
    assert message in _refusal(votable_document(field, f"<TR><TD>{cell}</TD></TR>"))


def test_row_limit_is_enforced_in_every_serialization() -> None:
    assert "more than 2 rows" in _refusal(ALL_TYPES, max_rows=2)
    assert "more than 2 rows" in _refusal(reserialised(ALL_TYPES, "binary2"), max_rows=2)
    assert read_votable(ALL_TYPES, max_rows=3).rows == 3


# ------------------------------------------------------------------------------------------------- UPLOAD


def test_upload_pairs_repeated_and_joined_by_semicolons() -> None:
    params = _params("a,param:one;B,http://example.org/b.xml", " c , https://example.org/c?x=1 ;")
    assert upload_references(params) == [
        ("a", "param:one"),
        ("b", "http://example.org/b.xml"),
        ("c", "https://example.org/c?x=1"),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mine", "must be name,URI"),
        ("mine,", "must be name,URI"),
        ("1st,param:a", "regular identifier"),
        ("my-table,param:a", "regular identifier"),
        ("_x,param:a", "regular identifier"),
        ("mine,param:a;MINE,param:b", "given more than once"),
    ],
)
def test_bad_upload_values_are_refused(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_uploads(_params(value), limit=LIMIT, fetch=_no_fetch)


def test_inline_upload_becomes_a_tap_upload_table_with_a_position() -> None:
    [upload] = parse_uploads(_params("Mine,param:part", part=SMALL), limit=LIMIT, fetch=_no_fetch)
    assert upload.name == "mine"
    table = upload.table
    assert (table.schema, table.name, table.position, table.nrows) == (
        UPLOAD_SCHEMA,
        "mine",
        ("ra", "dec"),
        2,
    )
    assert table.sql_name("postgresql") == ("pg_temp", "mine")
    assert table.sql_name("sqlite") == (None, "tap_upload.mine")
    assert [dict(chunk) for chunk in upload.chunks] == [
        {"ra": [83.6331, 299.5903], "dec": [22.0145, 35.2016]}
    ]


def test_position_from_ucds_and_none_without_degrees() -> None:
    by_ucd = votable_document(
        '<FIELD name="alpha" datatype="double" ucd="pos.eq.ra;meta.main"/>'
        '<FIELD name="delta" datatype="float" ucd="POS.EQ.DEC;META.MAIN"/>',
        "",
    )
    in_hours = votable_document(
        '<FIELD name="ra" datatype="double" unit="h"/><FIELD name="dec" datatype="double"/>', ""
    )
    uploads = parse_uploads(
        _params("a,param:a", "b,param:b", a=by_ucd, b=in_hours), limit=LIMIT, fetch=_no_fetch
    )
    assert [u.table.position for u in uploads] == [("alpha", "delta"), None]


def test_no_position_when_a_column_takes_the_hidden_index_name() -> None:
    document = votable_document(
        '<FIELD name="ra" datatype="double"/><FIELD name="dec" datatype="double"/><FIELD name="_HPX" datatype="long"/>',
        "<TR><TD>1</TD><TD>2</TD><TD>3</TD></TR>",
    )
    [upload] = parse_uploads(_params("a,param:a", a=document), limit=LIMIT, fetch=_no_fetch)
    assert upload.table.position is None and [c.name for c in upload.table.columns] == ["ra", "dec", "_HPX"]


def test_uploads_are_chunked_for_the_database() -> None:
    rows = "".join(f"<TR><TD>{i}</TD></TR>" for i in range(120_000))
    document = votable_document('<FIELD name="n" datatype="int"/>', rows)
    [upload] = parse_uploads(_params("big,param:p", p=document), limit=10 * len(document), fetch=_no_fetch)
    assert [len(chunk["n"]) for chunk in upload.chunks] == [50_000, 50_000, 20_000]
    assert upload.chunks[2]["n"][-1] == 119_999


def test_upload_tables_join_the_published_catalogue_only_in_the_query() -> None:
    published = StaticCatalog([Table("mmvo", "sources", (Column("ra", "double"), Column("dec", "double")))])
    [upload] = parse_uploads(_params("mine,param:p", p=SMALL), limit=LIMIT, fetch=_no_fetch)
    overlay = published.with_tables([upload.table])
    assert overlay.table("tap_upload", "mine") is upload.table and overlay.table(None, "sources") is not None
    assert published.table("tap_upload", "mine") is None


def test_http_uploads_are_fetched_within_the_remaining_limit() -> None:
    asked: list[tuple[str, int]] = []

    def fetch(url: str, limit: int) -> bytes:
        asked.append((url, limit))
        return SMALL

    uploads = parse_uploads(
        _params("a,param:p;b,http://127.0.0.1:9/b.vot", "c,HTTPS://example.org/c", p=SMALL),
        limit=10 * len(SMALL),
        fetch=fetch,
    )
    assert [u.name for u in uploads] == ["a", "b", "c"]
    assert asked == [("http://127.0.0.1:9/b.vot", 9 * len(SMALL)), ("HTTPS://example.org/c", 8 * len(SMALL))]


def test_uploads_together_larger_than_the_limit_are_refused() -> None:
    params = _params("a,param:p", "b,param:q", p=SMALL, q=SMALL)
    assert len(parse_uploads(params, limit=2 * len(SMALL), fetch=_no_fetch)) == 2
    with pytest.raises(UsageError, match=f"upload b: the uploads are larger than {2 * len(SMALL) - 1} bytes"):
        parse_uploads(params, limit=2 * len(SMALL) - 1, fetch=_no_fetch)


def test_fetch_failures_name_the_upload() -> None:
    def failing(url: str, limit: int) -> bytes:
        raise UsageError(f"{url} answered with HTTP status 404")

    with pytest.raises(UsageError, match=r"^upload mine: http://h/x answered with HTTP status 404$"):
        parse_uploads(_params("mine,http://h/x"), limit=LIMIT, fetch=failing)


def test_unreadable_uploads_name_the_upload() -> None:
    with pytest.raises(
        UsageError, match=r"^upload mine: not a VOTable: the document's root element is <html>$"
    ):
        parse_uploads(_params("mine,param:p", p=b"<html/>"), limit=LIMIT, fetch=_no_fetch)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("file:///etc/passwd", "URI scheme 'file' is not supported"),
        ("vos://example.org/x", "URI scheme 'vos' is not supported"),
        ("ftp://example.org/x", "URI scheme 'ftp' is not supported"),
        ("nothing", "is not a URI"),
        ("param:absent", "no file part named 'absent'"),
    ],
)
def test_bad_uris_are_refused_naming_the_upload(uri: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        parse_uploads(_params(f"mine,{uri}"), limit=LIMIT, fetch=_no_fetch)
    assert str(caught.value).startswith("upload mine: ")
