"""The whole UWS resource tree over real HTTP: the toy application served by uvicorn, driven with httpx."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from tests.uws.conftest import ToyServer
from tests.xmlschema import assert_valid

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0", "xlink": "http://www.w3.org/1999/xlink"}
HREF = f"{{{NS['xlink']}}}href"
ACCEPT = {"Accept": "application/xml,text/plain"}


@pytest.fixture
def client(toy: ToyServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=toy.url, headers=ACCEPT, timeout=30) as client:
        yield client


class Jobs:
    """Helpers over the toy job list, validating every UWS document they read."""

    def __init__(self, client: httpx.Client, schemas: Path) -> None:
        self.client = client
        self.schemas = schemas

    def create(self, **params: str) -> str:
        response = self.client.post("/toy", data=params)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert location.startswith(f"{str(self.client.base_url).rstrip('/')}/toy/")
        return location.rsplit("/", 1)[1]

    def document(self, path: str, **params: str) -> etree._Element:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return assert_valid(response.content, self.schemas, "UWS-v1.1.xsd")

    def job(self, job_id: str, **params: str) -> etree._Element:
        return self.document(f"/toy/{job_id}", **params)

    def phase(self, job_id: str) -> str:
        response = self.client.get(f"/toy/{job_id}/phase")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
        return response.text

    def finish(self, job_id: str) -> etree._Element:
        for _ in range(100):
            job = self.job(job_id, WAIT="-1")
            if job.findtext("uws:phase", namespaces=NS) not in {"PENDING", "QUEUED", "EXECUTING"}:
                return job
        raise AssertionError(f"job {job_id} did not finish")

    def listed(self, *params: tuple[str, str]) -> list[str]:
        response = self.client.get("/toy", params=list(params))
        assert response.status_code == 200, response.text
        root = assert_valid(response.content, self.schemas, "UWS-v1.1.xsd")
        return [ref.get("id", "") for ref in root.findall("uws:jobref", NS)]


@pytest.fixture
def jobs(client: httpx.Client, schemas: Path) -> Jobs:
    return Jobs(client, schemas)


def test_life_of_a_job(jobs: Jobs, client: httpx.Client, toy: ToyServer) -> None:
    job_id = jobs.create(DURATION="0.2", runid="my run", Extra="x")
    job = jobs.job(job_id)
    assert job.findtext("uws:phase", namespaces=NS) == "PENDING"
    assert job.findtext("uws:runId", namespaces=NS) == "my run"
    params = {p.get("id"): p.text for p in job.findall("uws:parameters/uws:parameter", NS)}
    assert params == {"duration": "0.2", "extra": "x"}
    run = client.post(f"/toy/{job_id}/phase", data={"phase": "run"})
    assert run.status_code == 303 and run.headers["location"] == f"{toy.url}/toy/{job_id}"
    assert jobs.phase(job_id) in {"QUEUED", "EXECUTING"}
    job = jobs.finish(job_id)
    assert job.findtext("uws:phase", namespaces=NS) == "COMPLETED"
    assert job.find("uws:startTime", NS).text and job.find("uws:endTime", NS).text  # type: ignore[union-attr]
    progress = job.find("uws:jobInfo/{urn:mmvo:uws:jobinfo}progress", NS)
    assert progress is not None and progress.get("fraction") == "1"
    results = jobs.document(f"/toy/{job_id}/results").findall("uws:result", NS)
    assert [r.get(HREF) for r in results] == [f"{toy.url}/toy/{job_id}/results/result"]
    result = client.get(results[0].get(HREF, ""))
    assert result.status_code == 200 and result.text.startswith(f"{job_id} attempt 1")
    assert result.headers["content-type"].startswith("text/plain")
    assert int(results[0].get("size", "0")) == len(result.content)
    assert client.get(f"/toy/{job_id}/error").status_code == 404
    assert client.get(f"/toy/{job_id}/quote").text == ""
    assert client.get(f"/toy/{job_id}/owner").text == ""
    owner = jobs.job(job_id).find("uws:ownerId", NS)
    assert owner is not None and owner.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    deleted = client.post(f"/toy/{job_id}", data={"ACTION": "DELETE"})
    assert deleted.status_code == 303 and deleted.headers["location"] == f"{toy.url}/toy"
    assert client.get(f"/toy/{job_id}").status_code == 404
    assert not (toy.data_dir / "jobs" / job_id).exists()


def test_run_at_creation_answers_after_queueing(jobs: Jobs, client: httpx.Client) -> None:
    for _ in range(5):
        job_id = jobs.create(DURATION="0.05", PHASE="RUN")
        assert jobs.phase(job_id) != "PENDING"
    external = jobs.create(EXTERNAL="https://elsewhere.example/data.fits", PHASE="RUN")
    jobs.finish(external)
    redirect = client.get(f"/toy/{external}/results/external")
    assert (
        redirect.status_code == 303 and redirect.headers["location"] == "https://elsewhere.example/data.fits"
    )
    assert client.delete(f"/toy/{external}").status_code == 303
    assert client.get(f"/toy/{external}/phase").status_code == 404


def test_wait(jobs: Jobs, client: httpx.Client) -> None:
    pending = jobs.create()
    started = time.monotonic()
    jobs.job(pending, WAIT="1")  # a PENDING job does not change: WAIT times out
    assert 0.9 < time.monotonic() - started < 3
    started = time.monotonic()
    jobs.job(pending, WAIT="-1")  # capped by the server (1.5 s for the toy)
    assert 1.3 < time.monotonic() - started < 4
    started = time.monotonic()
    jobs.job(pending, WAIT="30", PHASE="QUEUED")  # not in the phase given: at once
    assert time.monotonic() - started < 0.5
    running = jobs.create(DURATION="0.6", PHASE="RUN")
    job = jobs.job(running, WAIT="30", PHASE="QUEUED")
    assert job.findtext("uws:phase", namespaces=NS) in {"EXECUTING", "COMPLETED"}
    started = time.monotonic()
    job = jobs.job(running, WAIT="30", PHASE="EXECUTING")  # returns when it completes, well before 30 s
    assert job.findtext("uws:phase", namespaces=NS) == "COMPLETED" and time.monotonic() - started < 2
    started = time.monotonic()
    jobs.job(running, WAIT="30")  # a finished job never blocks
    assert time.monotonic() - started < 0.5
    assert client.get(f"/toy/{running}", params={"WAIT": "soon"}).status_code == 400


def test_job_list_filters(jobs: Jobs, client: httpx.Client) -> None:
    first = jobs.create()
    time.sleep(0.01)
    cut = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    time.sleep(0.01)
    second, third = jobs.create(), jobs.create(PHASE="RUN")
    aborted = jobs.create()
    assert client.post(f"/toy/{aborted}/phase", data={"PHASE": "ABORT"}).status_code == 303
    jobs.finish(third)
    everything = jobs.listed()
    assert {first, second, third, aborted} <= set(everything)
    assert set(jobs.listed(("AFTER", cut))) == {second, third, aborted}
    assert jobs.listed(("PHASE", "ABORTED"), ("AFTER", cut)) == [aborted]
    assert set(jobs.listed(("phase", "aborted"), ("PHASE", "COMPLETED"), ("after", cut))) == {aborted, third}
    assert jobs.listed(("LAST", "1")) == [aborted]
    assert jobs.listed(("PHASE", "ARCHIVED")) == []
    for bad, name in (
        (("LAST", "0"), "LAST"),
        (("AFTER", "yesterday"), "AFTER"),
        (("PHASE", "DONE"), "PHASE"),
    ):
        response = client.get("/toy", params=[bad])
        assert response.status_code == 400 and name in response.text


def test_execution_duration(jobs: Jobs, client: httpx.Client) -> None:
    job_id = jobs.create(DURATION="5")
    assert client.get(f"/toy/{job_id}/executionduration").text == "3600"
    changed = client.post(f"/toy/{job_id}/executionduration", data={"EXECUTIONDURATION": "1"})
    assert changed.status_code == 303 and changed.headers["location"].endswith(f"/toy/{job_id}")
    assert client.get(f"/toy/{job_id}/executionduration").text == "1"
    started = time.monotonic()
    client.post(f"/toy/{job_id}/phase", data={"PHASE": "RUN"})
    job = jobs.finish(job_id)
    assert time.monotonic() - started < 3
    assert job.findtext("uws:phase", namespaces=NS) == "ERROR"
    assert "time limit" in (job.findtext("uws:errorSummary/uws:message", namespaces=NS) or "")
    error = client.get(f"/toy/{job_id}/error")
    assert error.status_code == 200 and "execution duration is 1 s" in error.text
    assert error.headers["content-type"].startswith("text/plain")
    late = client.post(f"/toy/{job_id}/executionduration", data={"EXECUTIONDURATION": "10"})
    assert late.status_code == 409
    bad = client.post(f"/toy/{job_id}/executionduration", data={"EXECUTIONDURATION": "-3"})
    assert bad.status_code == 400 and "EXECUTIONDURATION" in bad.text


def test_destruction_and_the_reaper(jobs: Jobs, client: httpx.Client) -> None:
    job_id = jobs.create()
    destruction = dt.datetime.fromisoformat(client.get(f"/toy/{job_id}/destruction").text)
    assert dt.timedelta(days=6.9) < destruction - dt.datetime.now(dt.UTC) < dt.timedelta(days=7.1)
    sooner = client.post(f"/toy/{job_id}/destruction", data={"DESTRUCTION": "2030-01-01T00:00:00Z"})
    assert sooner.status_code == 303  # later than the lifetime: capped at creation + 7 days
    assert client.get(f"/toy/{job_id}/destruction").text == destruction.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{destruction.microsecond // 1000:03d}Z"
    )
    assert client.post(f"/toy/{job_id}/destruction", data={"DESTRUCTION": "never"}).status_code == 400
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    assert client.post(f"/toy/{job_id}/destruction", data={"DESTRUCTION": past}).status_code == 303
    for _ in range(50):  # the toy's reaper runs every 0.3 s
        if client.get(f"/toy/{job_id}").status_code == 404:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the reaper did not destroy the job")


def test_parameters_while_pending_only(jobs: Jobs, client: httpx.Client, toy: ToyServer) -> None:
    job_id = jobs.create(DURATION="0.1", A="1")
    added = client.post(f"/toy/{job_id}/parameters", data={"a": "2", "B": "3"})
    assert added.status_code == 303 and added.headers["location"].endswith(f"/toy/{job_id}")
    params = jobs.document(f"/toy/{job_id}/parameters").findall("uws:parameter", NS)
    assert [(p.get("id"), p.text) for p in params] == [("duration", "0.1"), ("a", "2"), ("b", "3")]
    refused = client.post(f"/toy/{job_id}/parameters", data={"DURATION": "nonsense"})
    assert refused.status_code == 400 and "DURATION" in refused.text
    client.post(f"/toy/{job_id}/phase", data={"PHASE": "RUN"})
    late = client.post(f"/toy/{job_id}/parameters", data={"a": "4"})
    assert late.status_code == 409 and "PENDING" in late.text
    assert client.post(f"/toy/{job_id}", data={"a": "4"}).status_code == 400  # never parameters on the job


def test_inline_uploads_are_kept_by_reference(jobs: Jobs, client: httpx.Client, toy: ToyServer) -> None:
    created = client.post("/toy", data={"UPLOAD": "t1,param:t1"}, files={"t1": ("t1.vot", b"<VOTABLE/>")})
    assert created.status_code == 303
    job_id = created.headers["location"].rsplit("/", 1)[1]
    params = jobs.job(job_id).findall("uws:parameters/uws:parameter", NS)
    upload = next(p for p in params if p.get("id") == "t1")
    assert upload.get("byReference") == "true" and upload.text == f"{toy.url}/toy/{job_id}/parameters/t1"
    assert client.get(upload.text).content == b"<VOTABLE/>"
    client.post(f"/toy/{job_id}/phase", data={"PHASE": "RUN"})
    jobs.finish(job_id)
    assert client.get(f"/toy/{job_id}/results/result").text.endswith("uploads t1\n")


def test_abort(jobs: Jobs, client: httpx.Client) -> None:
    job_id = jobs.create(DURATION="5", PHASE="RUN")
    jobs.job(job_id, WAIT="5", PHASE="QUEUED")
    assert client.post(f"/toy/{job_id}/phase", data={"PHASE": "ABORT"}).status_code == 303
    assert jobs.phase(job_id) == "ABORTED"
    assert client.post(f"/toy/{job_id}/phase", data={"PHASE": "RUN"}).status_code == 409
    assert client.post(f"/toy/{job_id}/phase", data={"PHASE": "SUSPEND"}).status_code == 400


def test_owners(jobs: Jobs, client: httpx.Client) -> None:
    alice = {"X-Toy-User": "alice"}
    created = client.post("/toy", data={"A": "1"}, headers=alice)
    job_id = created.headers["location"].rsplit("/", 1)[1]
    assert client.get(f"/toy/{job_id}/owner", headers=alice).text == "alice"
    assert client.get(f"/toy/{job_id}", headers={"X-Toy-User": "bob"}).status_code == 403
    assert client.get(f"/toy/{job_id}").status_code == 403  # anonymous is not alice
    assert client.post(f"/toy/{job_id}/phase", data={"PHASE": "RUN"}).status_code == 403
    assert job_id not in jobs.listed()
    response = client.get("/toy", headers=alice)
    assert [r.get("id") for r in etree.fromstring(response.content).findall("uws:jobref", NS)] == [job_id]


def test_not_found(jobs: Jobs, client: httpx.Client) -> None:
    job_id = jobs.create()
    for path in (
        "/toy/nosuchjob",
        "/toy/nosuchjob/phase",
        "/toy/../etc",
        f"/toy/{job_id}/nosuchchild",
        f"/toy/{job_id}/results/nosuchresult",
        f"/toy/{job_id}/parameters/nosuchupload",
        f"/toy/{job_id}/error",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content  # a short document saying what is missing
    assert client.post("/toy", data={"DURATION": "forever"}).status_code == 400
    assert client.post("/toy", data={"PHASE": "ABORT"}).status_code == 400
