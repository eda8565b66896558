"""The analysis job lists over HTTP, on a server of their own (SQLite) with one worker and a limit of two
active jobs per owner: the index in its three formats, the limit, and runs that fail in each way."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from astropy.io.votable import parse
from lxml import etree

from tests.e2e.conftest import free_port, service_environment, start_server, stop_server

pytestmark = pytest.mark.e2e

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0"}
FINAL = {"COMPLETED", "ERROR", "ABORTED"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir = tmp_path_factory.mktemp("analysis-http")
    port = free_port()
    env = service_environment(data_dir, port, None)
    env |= {"MMVO_ANALYSIS_WORKERS": "1", "MMVO_ANALYSIS_JOBS_PER_OWNER": "2"}
    server = start_server(env, port, data_dir / "server.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/analysis", timeout=60) as client:
            yield client
    finally:
        stop_server(server)


def _create(client: httpx.Client, **params: str) -> str:
    response = client.post("/noop/sleep", data=params)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _job(client: httpx.Client, url: str, **params: str) -> etree._Element:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def _final(client: httpx.Client, url: str) -> etree._Element:
    for _ in range(30):
        job = _job(client, url, WAIT="5")
        if job.findtext("uws:phase", namespaces=NS) in FINAL:
            return job
    raise AssertionError(f"{url} did not end")


def _error(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/x-votable+xml")
    (info,) = [i for i in parse(io.BytesIO(response.content)).resources[0].infos if i.name == "QUERY_STATUS"]
    return str(info.content)


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ({}, "text/html,application/xhtml+xml", "text/html"),
        ({}, "application/json", "application/json"),
        ({}, "*/*", "application/x-votable+xml"),
        ({"RESPONSEFORMAT": "json"}, "text/html", "application/json"),
        ({"responseformat": "votable"}, "text/html", "application/x-votable+xml"),
    ],
)
def test_index_formats(client: httpx.Client, query: dict[str, str], accept: str, media_type: str) -> None:
    for path in ("", "/"):
        response = client.get(path, params=query, headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
        assert "noop/sleep" in response.text


def test_unknown_format_and_analysis(client: httpx.Client) -> None:
    response = client.get("", params={"RESPONSEFORMAT": "pdf"})
    assert response.status_code == 400 and "RESPONSEFORMAT must be html, json or votable" in _error(response)
    assert client.get("/noop/nothing").status_code == 404


def test_the_owner_limit_refuses_to_queue_a_third_job(client: httpx.Client) -> None:
    running = [_create(client, duration="60", PHASE="RUN") for _ in range(2)]
    refused = client.post("/noop/sleep", data={"duration": "1", "PHASE": "RUN"})
    assert refused.status_code == 403
    assert "anonymous users have 2 analysis jobs queued or executing already" in _error(refused)
    assert "the most allowed at once is 2" in _error(refused)
    pending = _create(client, duration="0")  # a job that is not to run yet is not counted
    assert client.post(f"{pending}/phase", data={"PHASE": "RUN"}).status_code == 403
    assert client.post(f"{running[0]}/phase", data={"PHASE": "ABORT"}).status_code == 303
    assert client.post(f"{pending}/phase", data={"PHASE": "RUN"}).status_code == 303
    assert client.post(f"{running[1]}/phase", data={"PHASE": "ABORT"}).status_code == 303
    assert _final(client, pending).findtext("uws:phase", namespaces=NS) == "COMPLETED"


@pytest.mark.parametrize(
    ("fail", "kind", "message"),
    [
        ("usage", "fatal", "the run failed as asked (fail=usage)"),
        ("transient", "transient", "the run failed as asked (fail=transient)"),
        ("exit", "fatal", "the process running the job ended unexpectedly (exit status 3)"),
    ],
)
def test_runs_failing_end_in_error_with_the_reason(
    client: httpx.Client, fail: str, kind: str, message: str
) -> None:
    job = _final(client, _create(client, fail=fail, PHASE="RUN"))
    assert job.findtext("uws:phase", namespaces=NS) == "ERROR"
    summary = job.find("uws:errorSummary", NS)
    assert summary is not None and summary.get("type") == kind
    assert (summary.findtext("uws:message", namespaces=NS) or "").startswith(message)
    detail = client.get(f"/noop/sleep/{job.findtext('uws:jobId', namespaces=NS)}/error")
    assert detail.status_code == 200 and _error(detail).startswith(message)
