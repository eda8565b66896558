"""The Python client and ``mmvo run`` against the running service, over its public UWS interface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from astropy.io import fits
from astropy.table import Table

from tests.e2e.conftest import LiveService
from vo_service.client import JobFailed, JobStatus, MMVOClient, ServiceRefused, parse_job


def test_a_job_runs_and_its_product_is_an_astropy_table(live: LiveService) -> None:
    seen: list[JobStatus] = []
    with MMVOClient(live.url) as client:
        job = client.submit_to(
            "tap/async", {"LANG": "ADQL", "QUERY": "SELECT TOP 3 name FROM mmvo.sources ORDER BY name"}
        )
        status = job.wait(timeout=60, on_progress=seen.append)
        assert status.phase == "COMPLETED" and list(status.results) == ["result"]
        table = job.product("result")
        assert isinstance(table, Table) and len(table) == 3
        assert seen[-1] == status
        job.delete()


def test_a_failed_job_raises_with_the_service_s_reason(live: LiveService) -> None:
    with MMVOClient(live.url) as client:
        job = client.submit_to("tap/async", {"LANG": "ADQL", "QUERY": "SELECT FROM WHERE"})
        with pytest.raises(JobFailed) as failed:
            job.wait(timeout=60)
        assert failed.value.status.phase == "ERROR" and failed.value.status.error
        job.delete()


def test_an_unknown_analysis_is_refused_with_the_service_s_message(live: LiveService) -> None:
    with MMVOClient(live.url) as client, pytest.raises(ServiceRefused) as refused:
        client.submit("nosuch", "thing", {"RA": 1})
    assert refused.value.status == 404


def test_mmvo_run_reports_a_refusal(live: LiveService) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vo_service.cli", "run", "nosuch", "thing", "--url", live.url, "--RA", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "refused" in done.stderr


def test_mmvo_run_wants_name_value_pairs(live: LiveService) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vo_service.cli", "run", "noop", "sleep", "--url", live.url, "--RA"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "--RA has no value" in done.stderr


def test_job_documents_are_read_with_their_progress() -> None:
    document = b"""<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
      version="1.1"><uws:jobId>j1</uws:jobId><uws:phase>EXECUTING</uws:phase>
      <uws:results><uws:result id="image" xlink:href="http://x/j1/results/image"/></uws:results>
      <uws:jobInfo><p:progress xmlns:p="urn:mmvo:uws:jobinfo" fraction="0.25">decoding 3/12</p:progress>
      </uws:jobInfo></uws:job>"""
    status = parse_job(document)
    assert (status.job_id, status.phase, status.fraction, status.message) == (
        "j1",
        "EXECUTING",
        0.25,
        "decoding 3/12",
    )
    assert status.results == {"image": "http://x/j1/results/image"} and "25%" in str(status)


CRAB_REQUEST = {
    "src_name": "Crab",
    "RA": "83.6331",
    "DEC": "22.0145",
    "T1": "2008-03-24T13:30:00",  # revolution 665, given to the Crab by the simulated plan
    "T2": "2008-03-27T13:00:00",
    "max_pointings": "3",
}


def test_mmvo_run_fetches_the_products_of_an_analysis(live: LiveService, tmp_path: Path) -> None:
    pairs = [f"--{name}={value}" for name, value in CRAB_REQUEST.items()]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vo_service.cli",
            "run",
            "isgri",
            "image",
            *pairs,
            "--url",
            live.url,
            "--wait",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "COMPLETED" in done.stderr and "100%" in done.stderr  # the progress bar
    saved = dict(line.split("\t") for line in done.stdout.splitlines()[1:])
    assert {Path(p).name for p in saved.values()} == {
        "image.fits",
        "catalog.vot",
        "preview.png",
        "region.txt",
    }
    with MMVOClient(live.url) as client:
        job = client.submit("isgri", "image", CRAB_REQUEST)
        job.wait(timeout=300)
        image, catalog = job.product("image"), job.product("catalog")
        assert isinstance(image, fits.HDUList) and "FLUX" in image
        assert isinstance(catalog, Table) and "Crab" in list(catalog["name"])
        assert job.product("preview").startswith(b"\x89PNG")
        image.close()
        job.delete()
