"""pyvo's asynchronous TAP client drives a job list made with the UWS machinery."""

from __future__ import annotations

import pytest
import pyvo
import requests

from tests.uws.conftest import ToyServer


# pyvo leaves the sockets of streamed responses to the garbage collector, which may run inside the test
@pytest.mark.usefixtures("pyvo_sockets")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pyvo_async_job(toy: ToyServer) -> None:
    with requests.Session() as session:
        _drive(toy, session)


def _drive(toy: ToyServer, session: requests.Session) -> None:
    job = pyvo.dal.AsyncTAPJob.create(f"{toy.url}/pyvo", "SELECT 42 AS x", maxrec=10, session=session)
    assert job.phase == "PENDING"
    assert job.query == "SELECT 42 AS x"
    job.execution_duration = 30
    assert job.execution_duration.to_value("s") == 30
    job.run()
    job.wait(timeout=20)
    assert job.phase == "COMPLETED"
    job.raise_if_error()
    assert job.result_uri == f"{job.url}/results/result"
    table = job.fetch_result().to_table()
    assert list(table["x"]) == [42]
    assert job.owner is None and job.uws_version == "1.1"
    job.delete()
