"""pyvo's UWS client on an analysis job list: pyvo creates only TAP jobs, but its job object drives any UWS 1.1
job (phase, RUN, WAIT, results, execution duration, DELETE), which is what a pyvo user does with an analysis."""

from __future__ import annotations

import httpx
import pytest
import pyvo
from pyvo.dal.exceptions import DALQueryError, DALServiceError

from tests.e2e.conftest import LiveService

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("pyvo_sockets"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_pyvo_drives_an_analysis_job(live: LiveService) -> None:
    created = httpx.post(f"{live.url}/analysis/noop/sleep", data={"duration": "0.5"}, timeout=30)
    assert created.status_code == 303
    job = pyvo.dal.AsyncTAPJob(created.headers["location"])
    assert job.phase == "PENDING"
    job.execution_duration = 60
    assert job.execution_duration.to_value("s") == 60
    job.run()
    job.wait(timeout=60)
    assert job.phase == "COMPLETED"
    job.raise_if_error()
    assert [result.id_ for result in job.results] == ["echo"]
    job.delete()
    with pytest.raises(DALServiceError):
        _ = job.phase


def test_pyvo_reads_the_reason_of_a_failed_analysis(live: LiveService) -> None:
    created = httpx.post(
        f"{live.url}/analysis/noop/sleep", data={"fail": "fatal", "PHASE": "RUN"}, timeout=30
    )
    job = pyvo.dal.AsyncTAPJob(created.headers["location"])
    job.wait(timeout=60)
    assert job.phase == "ERROR"
    with pytest.raises(DALQueryError, match=r"the run failed as asked \(fail=fatal\)"):
        job.raise_if_error()
    job.delete()
