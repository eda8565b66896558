"""Analysis jobs on the running service, over plain HTTP, on both engines: the UWS life of a job, bad input
refused by name, ABORT and the execution duration killing the worker process, and a SIGKILL of the server
with jobs queued and running survived."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from astropy.io.votable import parse
from lxml import etree

from tests.conftest import create_pg_database
from tests.e2e.conftest import LiveService, free_port, service_environment, start_server, stop_server

pytestmark = pytest.mark.e2e

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0", "mmvo": "urn:mmvo:uws:jobinfo"}
FINAL = {"COMPLETED", "ERROR", "ABORTED"}


def _job(client: httpx.Client, url: str, **params: str) -> etree._Element:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def _phase(job: etree._Element) -> str:
    return job.findtext("uws:phase", namespaces=NS) or ""


def _final(client: httpx.Client, url: str, limit: float = 120) -> etree._Element:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = _job(client, url, WAIT="10")
        if _phase(job) in FINAL:
            return job
    raise AssertionError(f"{url} did not end")


def _worker_pid(client: httpx.Client, url: str) -> int:
    """The worker process of a running noop job, from the progress message in its jobInfo."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = _job(client, url).findtext("uws:jobInfo/mmvo:progress", namespaces=NS) or ""
        if message.startswith("sleeping in process "):
            return int(message.split()[3].rstrip(":"))
        time.sleep(0.05)
    raise AssertionError(f"{url} never reported its process")


def _gone_within(pid: int, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"process {pid} still there {seconds} s later")


@pytest.fixture
def client(live: LiveService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/analysis/noop/sleep", timeout=60) as client:
        yield client


def test_job_lifecycle(client: httpx.Client) -> None:
    created = client.post("", data={"duration": "0.5", "RUNID": "e2e"})
    assert created.status_code == 303
    job_url = str(created.headers["location"])
    assert _phase(_job(client, job_url)) == "PENDING"
    run = client.post(f"{job_url}/phase", data={"PHASE": "RUN"})
    assert run.status_code == 303 and run.headers["location"] == job_url
    job = _final(client, job_url)
    assert _phase(job) == "COMPLETED"
    (result,) = job.findall("uws:results/uws:result", NS)
    assert (result.get("id"), result.get("mime-type")) == ("echo", "application/json")
    echo = json.loads(client.get(f"{job_url}/results/echo").content)
    assert echo["parameters"] == {"duration": 0.5, "fail": "no"} and echo["pid"] != os.getpid()
    listed = etree.fromstring(client.get("").content).xpath("//uws:jobref/@id", namespaces=NS)
    assert job_url.rsplit("/", 1)[1] in listed


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"duration": "7200"}, "parameter duration must be a number between 0 and 3600 s, not '7200'"),
        ({"fail": "maybe"}, "parameter fail must be one of no, usage, fatal, transient, exit, not 'maybe'"),
        ({"durations": "1"}, "unknown parameter DURATIONS: the parameters are duration, fail"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    client: httpx.Client, params: dict[str, str], message: str
) -> None:
    response = client.post("", data={**params, "PHASE": "RUN"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/x-votable+xml")
    (status,) = [
        i for i in parse(io.BytesIO(response.content)).resources[0].infos if i.name == "QUERY_STATUS"
    ]
    assert (status.value, status.content) == ("ERROR", message)


def test_abort_kills_the_worker_process(client: httpx.Client) -> None:
    job_url = str(client.post("", data={"duration": "600", "PHASE": "RUN"}).headers["location"])
    pid = _worker_pid(client, job_url)
    assert client.post(f"{job_url}/phase", data={"PHASE": "ABORT"}).status_code == 303
    print(f"worker process gone {_gone_within(pid, 2.0) * 1000:.0f} ms after ABORT")
    assert _phase(_job(client, job_url)) == "ABORTED"


def test_execution_duration_is_enforced(client: httpx.Client) -> None:
    job_url = str(
        client.post("", data={"duration": "600", "EXECUTIONDURATION": "2", "PHASE": "RUN"}).headers[
            "location"
        ]
    )
    pid = _worker_pid(client, job_url)
    job = _final(client, job_url, limit=30)
    assert _phase(job) == "ERROR"
    assert job.findtext("uws:errorSummary/uws:message", namespaces=NS) == (
        "the job reached its time limit: its execution duration is 2 s"
    )
    _gone_within(pid, 2.0)


def test_identical_requests_reuse_products(client: httpx.Client) -> None:
    echo = str(client.base_url).replace("/noop/sleep", "/noop/echo")
    message = f"reuse {time.time()}"  # not asked for before on this server
    jobs, finals = [], []
    for _ in range(2):  # one after the other: the second comes once the first has its products
        jobs.append(str(client.post(echo, data={"message": message, "PHASE": "RUN"}).headers["location"]))
        finals.append(_final(client, jobs[-1]))
    first, second = finals
    assert _phase(first) == _phase(second) == "COMPLETED"
    assert first.find("uws:jobInfo", NS) is None
    note = second.findtext("uws:jobInfo/mmvo:progress", namespaces=NS) or ""
    assert note.startswith(f"products reused from job {first.findtext('uws:jobId', namespaces=NS)}")
    assert client.get(f"{jobs[0]}/results/echo").content == client.get(f"{jobs[1]}/results/echo").content


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_jobs_survive_a_sigkill_of_the_server(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    drop = None
    database_url = None
    if engine == "postgresql":
        database_url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    port = free_port()
    env = service_environment(tmp_path, port, database_url) | {"MMVO_ANALYSIS_WORKERS": "2"}
    try:
        server = start_server(env, port, tmp_path / "server.log")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/analysis/noop/sleep", timeout=60) as client:
            jobs = [
                str(client.post("", data={"duration": "1", "PHASE": "RUN"}).headers["location"])
                for _ in range(20)
            ]
            pids = {_worker_pid(client, jobs[0]), _worker_pid(client, jobs[1])}
            before = [_phase(_job(client, job)) for job in jobs]
            assert before.count("EXECUTING") == 2 and "QUEUED" in before, before

            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
            for pid in pids:  # the workers end with the server
                _gone_within(pid, 5.0)
            server = start_server(env, port, tmp_path / "server.log")
            try:
                finals = [_final(client, job) for job in jobs]
                for job in finals:
                    assert _phase(job) in {"COMPLETED", "ERROR"}
                    if _phase(job) == "ERROR":
                        assert job.findtext("uws:errorSummary/uws:message", namespaces=NS)
                    else:
                        assert job.find("uws:results/uws:result", NS) is not None
                assert [_phase(job) for job in finals].count("COMPLETED") >= 18
                # no orphan result files: every file in a job's results directory is one of its results
                for job_url, job in zip(jobs, finals, strict=True):
                    job_id = job_url.rsplit("/", 1)[1]
                    listed = {r.get("id") for r in job.iterfind("uws:results/uws:result", NS)}
                    on_disk = tmp_path / "jobs" / job_id / "results"
                    files = {p.name for p in on_disk.iterdir()} if on_disk.is_dir() else set()
                    assert len(files) == len(listed), (job_id, _phase(job), files, listed)
                known = {url.rsplit("/", 1)[1] for url in jobs}
                assert {p.name for p in (tmp_path / "jobs").iterdir()} <= known
            finally:
                stop_server(server)
    finally:
        if drop is not None:
            drop()
