"""pyvo's UWS client on an analysis job list: pyvo creates only TAP jobs, but its job object drives any UWS 1.1
job (phase, RUN, WAIT, results, execution duration, DELETE), which is what a pyvo user does with an analysis."""

from __future__ import annotations

import io

import httpx
import pytest
import pyvo
from astropy.io import fits
from astropy.io.votable import parse
from astropy.wcs import WCS
from pyvo.dal.exceptions import DALQueryError, DALServiceError

from tests.e2e.conftest import LiveService
from tests.e2e.test_isgri import REQUEST, _separation_arcmin

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


def test_pyvo_drives_the_crab_image(live: LiveService) -> None:
    """The acceptance's Crab image through pyvo: created with a POST (pyvo creates TAP jobs only), then run,
    awaited, read and deleted through pyvo's job object; the catalogue read with astropy from its result URL."""
    created = httpx.post(f"{live.url}/analysis/isgri/image", data=REQUEST, timeout=30)
    assert created.status_code == 303
    job = pyvo.dal.AsyncTAPJob(created.headers["location"])
    assert job.phase == "PENDING"
    job.run()
    job.wait(timeout=180)
    job.raise_if_error()
    assert job.phase == "COMPLETED"
    results = {result.id_: result.href for result in job.results}
    assert {"image", "catalog", "preview"} <= set(results)
    with fits.open(io.BytesIO(httpx.get(results["image"], timeout=30).content)) as hdus:
        assert WCS(hdus["FLUX"].header).has_celestial
    catalog = httpx.get(results["catalog"], timeout=30).content
    rows = parse(io.BytesIO(catalog), verify="exception").get_first_table().to_table()
    crab = rows[rows["name"] == "Crab"]
    offset = _separation_arcmin(float(crab["ra"][0]), float(crab["dec"][0]))
    print(f"through pyvo: Crab {offset:.3f} arcmin from its position")
    assert offset < 1.0
    job.delete()
    with pytest.raises(DALServiceError):
        _ = job.phase
