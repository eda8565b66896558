"""TAP UPLOAD against the running service on both engines: inline multipart, by URL, with pyvo, and refusals."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
import pyvo
from astropy.io.votable import parse
from astropy.table import Table

from tests.e2e.conftest import LiveService
from tests.local_http import QuietHandler, serving
from tests.upload_samples import ALL_TYPES, assert_round_trip, first_table, reserialised, votable_document
from vo_service.demo.reference import REFERENCE_SOURCES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("pyvo_sockets"),
    # pyvo leaves sockets open; a collection inside a test must not fail it (the fixture collects the rest)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

B2 = "application/x-votable+xml;serialization=BINARY2"
KNOWN = [s for s in REFERENCE_SOURCES if s.name in {"Crab", "Cyg X-1", "Sco X-1", "Vela X-1"}]
#: The known sources, and one position where the demo catalogue has nothing.
POSITIONS = votable_document(
    '<FIELD name="Tag" datatype="char" arraysize="*"/>'
    '<FIELD name="RA" datatype="double" unit="deg" ucd="pos.eq.ra;meta.main"/>'
    '<FIELD name="DEC" datatype="double" unit="deg" ucd="pos.eq.dec;meta.main"/>',
    "".join(f"<TR><TD>{s.name}</TD><TD>{s.ra!r}</TD><TD>{s.dec!r}</TD></TR>" for s in KNOWN)
    + "<TR><TD>nothing</TD><TD>1.0</TD><TD>-1.0</TD></TR>",
)
CROSSMATCH = (
    "SELECT u.tag, s.name FROM TAP_UPLOAD.mine AS u JOIN mmvo.sources AS s "
    "ON 1 = CONTAINS(POINT('ICRS', s.ra, s.dec), CIRCLE('ICRS', u.ra, u.dec, 0.01)) ORDER BY u.tag"
)


def _post(live: LiveService, query: str, upload: str, fmt: str = "votable", **files: bytes) -> httpx.Response:
    data = {"LANG": "ADQL", "QUERY": query, "UPLOAD": upload, "RESPONSEFORMAT": fmt}
    parts = {name: (f"{name}.vot", content, "application/x-votable+xml") for name, content in files.items()}
    return httpx.post(f"{live.tap}/sync", data=data, files=parts or None, timeout=60)


def _error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text[:500]
    votable = parse(io.BytesIO(response.content), verify="ignore")
    info = next(i for i in votable.resources[0].infos if i.name == "QUERY_STATUS")
    assert info.value == "ERROR"
    return str(info.content)


def test_inline_upload_finds_real_sources(live: LiveService) -> None:
    response = _post(live, CROSSMATCH, "mine,param:table", table=POSITIONS)
    assert response.status_code == 200, response.text[:500]
    rows = [tuple(r) for r in first_table(response.content).array.tolist()]
    assert rows == sorted((s.name, s.name) for s in KNOWN)


def test_distance_crossmatch_and_cone_on_the_upload(live: LiveService) -> None:
    distance = (
        "SELECT u.tag, s.name, DISTANCE(POINT('ICRS', u.ra, u.dec), POINT('ICRS', s.ra, s.dec)) AS sep "
        "FROM tap_upload.Mine AS u, mmvo.sources AS s "
        "WHERE DISTANCE(POINT('ICRS', u.ra, u.dec), POINT('ICRS', s.ra, s.dec)) < 0.01 ORDER BY u.tag"
    )
    response = _post(live, distance, "Mine,param:t", fmt=B2, t=POSITIONS)
    assert response.status_code == 200, response.text[:500]
    table = first_table(response.content)
    assert [(t, n) for t, n, _ in table.array.tolist()] == sorted((s.name, s.name) for s in KNOWN)
    assert max(table.array["sep"]) < 1e-6
    cone = "SELECT tag FROM TAP_UPLOAD.mine WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 1, -1, 0.5))"
    response = _post(live, cone, "mine,param:t", t=POSITIONS)
    assert first_table(response.content).array["tag"].tolist() == ["nothing"]


@pytest.mark.parametrize("serialization", ["tabledata", "binary", "binary2"])
def test_every_column_type_round_trips(live: LiveService, serialization: str) -> None:
    document = ALL_TYPES if serialization == "tabledata" else reserialised(ALL_TYPES, serialization)
    for fmt in ("votable", B2):
        response = _post(live, "SELECT * FROM TAP_UPLOAD.every", "every,param:doc", fmt=fmt, doc=document)
        assert response.status_code == 200, response.text[:500]
        assert_round_trip(document, response.content)


def test_several_uploads_in_one_value_and_repeated(live: LiveService) -> None:
    query = (
        "SELECT a.tag FROM TAP_UPLOAD.a AS a JOIN TAP_UPLOAD.b AS b ON a.tag = b.tag "
        "JOIN TAP_UPLOAD.c AS c ON c.tag = b.tag ORDER BY a.tag"
    )
    data = {"LANG": "ADQL", "QUERY": query, "UPLOAD": ["a,param:x;b,param:y", "c,param:x"]}
    files = [("x", ("x.vot", POSITIONS)), ("y", ("y.vot", POSITIONS))]
    response = httpx.post(f"{live.tap}/sync", data=data, files=files, timeout=60)
    assert response.status_code == 200, response.text[:500]
    assert len(first_table(response.content).array) == len(KNOWN) + 1


class _Files(QuietHandler):
    """Serves ``/positions.vot`` from the test process, as a data centre would."""

    def do_GET(self) -> None:
        if self.path != "/positions.vot":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-votable+xml")
        self.send_header("Content-Length", str(len(POSITIONS)))
        self.end_headers()
        self.wfile.write(POSITIONS)


@pytest.fixture(scope="module")
def files_url() -> Iterator[str]:
    with serving(_Files) as url:
        yield url


def test_upload_by_http_url(live: LiveService, files_url: str) -> None:
    response = httpx.get(
        f"{live.tap}/sync",
        params={"LANG": "ADQL", "QUERY": CROSSMATCH, "UPLOAD": f"mine,{files_url}/positions.vot"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    assert len(first_table(response.content).array) == len(KNOWN)
    missing = httpx.get(
        f"{live.tap}/sync",
        params={"LANG": "ADQL", "QUERY": CROSSMATCH, "UPLOAD": f"mine,{files_url}/missing.vot"},
        timeout=60,
    )
    assert "upload mine:" in _error(missing) and "404" in _error(missing)


def test_pyvo_uploads_an_astropy_table(live: LiveService) -> None:
    mine = Table(
        {
            "name": [s.name for s in KNOWN],
            "ra": [s.ra for s in KNOWN],
            "dec": [s.dec for s in KNOWN],
            "bright": [s.flux is not None and s.flux > 250 for s in KNOWN],
        }
    )
    service = pyvo.dal.TAPService(live.tap)
    result = service.run_sync(
        "SELECT u.name AS mine, u.bright, s.name FROM TAP_UPLOAD.mine AS u JOIN mmvo.sources AS s "
        "ON 1 = CONTAINS(POINT('ICRS', s.ra, s.dec), CIRCLE('ICRS', u.ra, u.dec, 0.01)) ORDER BY u.name",
        uploads={"mine": mine},
    ).to_table()
    assert list(result["mine"]) == sorted(s.name for s in KNOWN) == list(result["name"])
    assert [bool(b) for b in result["bright"]] == [
        s.flux is not None and s.flux > 250 for s in sorted(KNOWN, key=lambda s: s.name)
    ]


def test_uploads_are_never_published(live: LiveService) -> None:
    response = _post(live, "SELECT COUNT(*) AS n FROM TAP_SCHEMA.tables WHERE schema_name = 'tap_upload'",
                     "mine,param:t", t=POSITIONS)  # fmt: skip
    assert first_table(response.content).array["n"].tolist() == [0]
    assert "tap_upload" not in httpx.get(f"{live.tap}/tables", timeout=30).text.lower()
    later = httpx.get(f"{live.tap}/sync", params={"LANG": "ADQL", "QUERY": "SELECT * FROM TAP_UPLOAD.mine"})
    assert "mine" in _error(later)


def test_capabilities_declare_the_upload_methods_and_limit(live: LiveService) -> None:
    text = httpx.get(f"{live.tap}/capabilities", timeout=30).text
    for method in ("upload-inline", "upload-http", "upload-https"):
        assert f'ivo-id="ivo://ivoa.net/std/TAPRegExt#{method}"' in text
    assert "<uploadLimit>" in text and 'unit="byte"' in text


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE VOTABLE [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    b'<VOTABLE><RESOURCE><TABLE><FIELD name="x" datatype="char" arraysize="*"/><DATA><TABLEDATA>'
    b"<TR><TD>&d;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>"
)


@pytest.mark.parametrize(
    ("upload", "files", "message"),
    [
        ("mine,param:t", {"t": BILLION_LAUGHS}, "upload mine: DOCTYPE"),
        ("mine,param:t", {"t": b"ra,dec\n1,2\n"}, "upload mine: not a VOTable"),
        ("mine,param:absent", {"t": POSITIONS}, "upload mine: the request has no file part named 'absent'"),
        ("mine,file:///etc/passwd", {}, "upload mine: URI scheme 'file' is not supported"),
        ("my-table,param:t", {"t": POSITIONS}, "regular identifier"),
        ("mine,param:t;MINE,param:t", {"t": POSITIONS}, "given more than once"),
    ],
)
def test_refused_uploads_are_400_votable_errors(
    live: LiveService, upload: str, files: dict[str, bytes], message: str
) -> None:
    assert message in _error(_post(live, "SELECT * FROM TAP_UPLOAD.mine", upload, **files))
