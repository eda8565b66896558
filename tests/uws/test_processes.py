"""Several processes around one database: WAIT woken from elsewhere, a shared queue, and a SIGKILL survived."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree

from tests.uws.conftest import ToyServer
from uws.notify import Publisher
from uws.phases import Actor, Phase
from uws.store import JobStore

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0"}
FINAL = {"COMPLETED", "ERROR", "ABORTED"}


def _create(client: httpx.Client, base: str, **params: str) -> str:
    response = client.post(f"{base}/toy", data=params)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def _phase(client: httpx.Client, base: str, job_id: str, **params: str) -> str:
    response = client.get(f"{base}/toy/{job_id}", params=params)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content).findtext("uws:phase", namespaces=NS) or ""


def _wait_final(client: httpx.Client, base: str, job_id: str, limit: float = 30) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        phase = _phase(client, base, job_id, WAIT="-1")
        if phase in FINAL:
            return phase
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def outside_store(toy: ToyServer) -> Iterator[JobStore]:
    """A store of another process: same database, same notification directory."""
    engine = sa.create_engine(toy.database_url)
    publisher = Publisher(toy.data_dir / "run")
    try:
        yield JobStore(engine, on_change=publisher.publish)
    finally:
        publisher.close()
        engine.dispose()


def test_wait_returns_at_once_when_another_process_changes_the_job(
    toy: ToyServer, outside_store: JobStore
) -> None:
    latencies: list[float] = []
    with httpx.Client(timeout=30) as client:
        for _ in range(5):
            job_id = _create(client, toy.url)
            answered: list[float] = []

            def wait(job_id: str = job_id, answered: list[float] = answered) -> None:
                assert _phase(client, toy.url, job_id, WAIT="30") == "ABORTED"
                answered.append(time.perf_counter())

            waiter = threading.Thread(target=wait)
            waiter.start()
            time.sleep(0.3)  # the request is blocked in WAIT by now
            changed = time.perf_counter()
            outside_store.transition(job_id, Phase.ABORTED, by=Actor.CLIENT)
            waiter.join(10)
            assert answered, "WAIT did not return"
            latencies.append(answered[0] - changed)
    print(f"WAIT latency after a change in another process: {[round(t * 1000, 1) for t in latencies]} ms")
    assert statistics.median(latencies) < 0.05 and max(latencies) < 0.5


def _claims(database_url: str) -> list[tuple[str, str, int, str | None]]:
    engine = sa.create_engine(database_url)
    try:
        jobs = JobStore(engine).tables.jobs
        with engine.connect() as conn:
            rows = conn.execute(sa.select(jobs.c.job_id, jobs.c.phase, jobs.c.attempt, jobs.c.runner))
            return [(r.job_id, r.phase, r.attempt, r.runner) for r in rows]
    finally:
        engine.dispose()


def test_two_server_processes_share_the_queue(toy: ToyServer, tmp_path: Path) -> None:
    other = ToyServer(toy.data_dir, TOY_WORKERS="4")
    other.log = tmp_path / "other.log"
    other.start()
    try:
        with httpx.Client(timeout=30) as client:
            ids = [
                _create(client, (toy.url, other.url)[i % 2], DURATION="0.1", PHASE="RUN") for i in range(16)
            ]
            for job_id in ids:
                assert _wait_final(client, toy.url, job_id) == "COMPLETED"
    finally:
        other.stop()
    claims = {
        job_id: (phase, attempt, runner) for job_id, phase, attempt, runner in _claims(toy.database_url)
    }
    assert all(claims[j][:2] == ("COMPLETED", 1) for j in ids)  # each job claimed exactly once
    assert len({claims[j][2] for j in ids}) == 2  # both processes took some


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_jobs_survive_a_sigkill(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    database_url = request.getfixturevalue("pg_database") if engine == "postgresql" else None
    server = ToyServer(tmp_path, database_url=database_url, TOY_WORKERS="2")
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            ids = [_create(client, server.url, DURATION="0.5", PHASE="RUN") for _ in range(6)]
            deadline = time.monotonic() + 10
            while sum(_phase(client, server.url, j) == "EXECUTING" for j in ids) < 2:
                assert time.monotonic() < deadline, "the jobs did not start"
                time.sleep(0.02)
            before = {j: _phase(client, server.url, j) for j in ids}
            server.kill()
            assert sorted(before.values()).count("EXECUTING") == 2
            server.start()
            for job_id in ids:
                phase = _wait_final(client, server.url, job_id)
                if phase == "COMPLETED":
                    text = client.get(f"/toy/{job_id}/results/result").text
                    interrupted = before[job_id] == "EXECUTING"
                    assert text.startswith(f"{job_id} attempt {2 if interrupted else 1} ")
                else:
                    assert phase == "ERROR" and client.get(f"/toy/{job_id}/error").text
            listed = etree.fromstring(client.get("/toy").content).findall("uws:jobref", NS)
            assert {ref.get("id") for ref in listed} == set(ids)  # no job lost
    finally:
        server.stop()
