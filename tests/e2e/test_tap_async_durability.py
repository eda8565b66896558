"""The service killed with SIGKILL while TAP async jobs are queued and executing, then restarted on the same
data: every job is still there and ends in a final phase, with its result or a reason."""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from astropy.io.votable import parse
from lxml import etree

from tests.conftest import create_pg_database
from tests.e2e.conftest import free_port, load_demo, service_environment, start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0"}
FINAL = {"COMPLETED", "ERROR", "ABORTED"}
JOBS = 12
#: Slow enough (a few seconds on either engine) that some jobs are executing and others queued at the kill.
SLOW_QUERY = (
    "SELECT COUNT(*) AS n FROM mmvo.sources AS a, mmvo.sources AS b "
    "WHERE a.source_id < 4000 AND b.source_id < 4000 AND a.flux + b.flux > {threshold}"
)


def _phase(client: httpx.Client, job: str, **params: str) -> str:
    response = client.get(job, params=params)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content).findtext("uws:phase", namespaces=NS) or ""


def _phases(client: httpx.Client, jobs: list[str]) -> list[str]:
    return [_phase(client, job) for job in jobs]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_jobs_survive_sigkill(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    drop = None
    database_url = None
    if engine == "postgresql":
        database_url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    port = free_port()
    env = service_environment(tmp_path, port, database_url)
    base = f"http://127.0.0.1:{port}/tap/async"
    try:
        load_demo(env)
        server = start_server(env, port, tmp_path / "server.log")
        with httpx.Client(timeout=60) as client:
            jobs = []
            for i in range(JOBS):
                created = client.post(
                    base, data={"LANG": "ADQL", "QUERY": SLOW_QUERY.format(threshold=i), "PHASE": "RUN"}
                )
                assert created.status_code == 303
                jobs.append(str(created.headers["location"]))
            deadline = time.monotonic() + 30
            while "EXECUTING" not in _phases(client, jobs) and time.monotonic() < deadline:
                time.sleep(0.05)
            before = _phases(client, jobs)
            assert "EXECUTING" in before and "QUEUED" in before, before

            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
            server = start_server(env, port, tmp_path / "server.log")
            try:
                finals = []
                for job in jobs:
                    phase = _phase(client, job)
                    limit = time.monotonic() + 120
                    while phase not in FINAL and time.monotonic() < limit:
                        phase = _phase(client, job, WAIT="10")
                    finals.append(phase)
                    if phase == "COMPLETED":
                        result = client.get(f"{job}/results/result")
                        table = parse(io.BytesIO(result.content), verify="exception").get_first_table()
                        assert len(table.array) == 1
                    else:
                        assert client.get(f"{job}/error").status_code == 200
                assert set(finals) <= FINAL, finals
                assert "COMPLETED" in finals
                listed = etree.fromstring(client.get(base).content).xpath("//uws:jobref/@id", namespaces=NS)
                assert {job.rsplit("/", 1)[1] for job in jobs} <= set(listed)
            finally:
                stop_server(server)
    finally:
        if drop is not None:
            drop()
