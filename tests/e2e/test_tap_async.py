"""TAP async as pyvo and plain HTTP clients drive it, on both engines."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
import pyvo
from astropy.io.votable import parse
from astropy.table import Table as AstropyTable

from tests.e2e.conftest import LiveService
from tests.xmlschema import assert_valid

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("pyvo_sockets"),
    # pyvo leaves sockets open; a collection inside a test must not fail it (the fixture collects the rest)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

UWS = "{http://www.ivoa.net/xml/UWS/v1.0}"
CRAB = (83.6331, 22.0145)


def test_run_async_returns_the_rows(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.run_async("SELECT TOP 12 source_id, name FROM mmvo.sources ORDER BY source_id")
    assert len(result) == 12
    assert list(result["source_id"]) == sorted(result["source_id"])


def test_submit_wait_fetch_delete(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    job = service.submit_job("SELECT COUNT(*) AS n FROM integral.revolutions")
    job.run()
    job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=60)
    assert job.phase == "COMPLETED"
    assert job.result_uri.endswith("/results/result")
    assert int(job.fetch_result()["n"][0]) == 2886
    url = job.url
    job.delete()
    assert httpx.get(url).status_code == 404


def test_maxrec_overflow_through_async(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.run_async("SELECT source_id FROM mmvo.sources", maxrec=7)
    assert len(result) == 7 and result.query_status == "OVERFLOW"


def test_syntax_error_is_a_dal_query_error(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    with pytest.raises(pyvo.dal.DALQueryError, match="line 1"):
        service.run_async("SELECT TOP 3 FROM mmvo.sources WHERE")


def test_upload_join_through_async(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    mine = AstropyTable({"id": [1], "ra": [CRAB[0]], "dec": [CRAB[1]]})
    result = service.run_async(
        "SELECT s.name FROM TAP_UPLOAD.mine AS u JOIN mmvo.sources AS s "
        "ON 1 = CONTAINS(POINT('ICRS', s.ra, s.dec), CIRCLE('ICRS', u.ra, u.dec, 0.05))",
        uploads={"mine": mine},
    )
    assert "Crab" in [str(n) for n in result["name"]]


def test_plain_http_job_documents_are_schema_valid(live: LiveService, schemas: Path) -> None:
    with httpx.Client(timeout=60) as client:
        created = client.post(
            f"{live.tap}/async", data={"LANG": "ADQL", "QUERY": "SELECT TOP 1 * FROM mmvo.sources"}
        )
        assert created.status_code == 303
        job = created.headers["location"]
        root = assert_valid(client.get(job).content, schemas, "UWS-v1.1.xsd")
        assert root.findtext(f"{UWS}phase") == "PENDING"
        run = client.post(f"{job}/phase", data={"PHASE": "RUN"})
        assert run.status_code == 303
        done = client.get(job, params={"WAIT": "30"})
        root = assert_valid(done.content, schemas, "UWS-v1.1.xsd")
        assert root.findtext(f"{UWS}phase") in {"QUEUED", "EXECUTING", "COMPLETED"}
        final = client.get(job, params={"WAIT": "30", "PHASE": "EXECUTING"})
        root = assert_valid(final.content, schemas, "UWS-v1.1.xsd")
        assert root.findtext(f"{UWS}phase") == "COMPLETED"
        result = client.get(f"{job}/results/result")
        assert result.status_code == 200
        assert len(parse(io.BytesIO(result.content), verify="exception").get_first_table().array) == 1
        assert_valid(client.get(f"{live.tap}/async").content, schemas, "UWS-v1.1.xsd")
        assert client.post(job, data={"ACTION": "DELETE"}).status_code == 303
        assert client.get(job).status_code == 404


def test_failed_job_has_an_error_votable(live: LiveService) -> None:
    with httpx.Client(timeout=60) as client:
        created = client.post(
            f"{live.tap}/async",
            data={"LANG": "ADQL", "QUERY": "SELECT nothing FROM mmvo.sources", "PHASE": "RUN"},
        )
        job = created.headers["location"]
        client.get(job, params={"WAIT": "30", "PHASE": "QUEUED"})
        client.get(job, params={"WAIT": "30", "PHASE": "EXECUTING"})
        assert client.get(f"{job}/phase").text.strip() == "ERROR"
        error = client.get(f"{job}/error")
        assert error.status_code == 200
        votable = parse(io.BytesIO(error.content), verify="exception")
        info = next(i for i in votable.resources[0].infos if i.name == "QUERY_STATUS")
        assert info.value == "ERROR" and "nothing" in info.content
