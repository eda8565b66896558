"""The JEM-X image analysis on the running service over plain HTTP, as any UWS client speaks it: a mosaic of
five Crab pointings of revolution 665 seen by unit 2, its FITS image, VOTable catalogue and PNG preview."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import httpx
import pytest
from astropy.io import fits
from astropy.io.votable import parse
from lxml import etree

from tests.e2e.conftest import LiveService
from tests.e2e.test_isgri import CRAB, NS, PNG_SIGNATURE, _job, _phase, _separation_arcmin

pytestmark = pytest.mark.e2e

REQUEST = {
    "src_name": "Crab",
    "RA": str(CRAB[0]),
    "DEC": str(CRAB[1]),
    "T1": "2008-03-24T13:30:00",
    "T2": "2008-03-27T13:00:00",
    "max_pointings": "5",
    "jemx_num": "2",
}


@pytest.fixture
def client(live: LiveService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/analysis/jemx/image", timeout=60) as client:
        yield client


def test_crab_jemx_image_job(client: httpx.Client) -> None:
    started = time.monotonic()
    created = client.post("", data=REQUEST)
    assert created.status_code == 303, created.text
    job_url = str(created.headers["location"])
    assert client.post(f"{job_url}/phase", data={"PHASE": "RUN"}).status_code == 303
    job = _job(client, job_url)
    deadline = time.monotonic() + 120
    while _phase(job) not in {"COMPLETED", "ERROR", "ABORTED"} and time.monotonic() < deadline:
        job = _job(client, job_url, WAIT="10")
    assert _phase(job) == "COMPLETED", etree.tostring(job).decode()
    print(f"jemx/image of 5 ScWs: COMPLETED {time.monotonic() - started:.1f} s after creation")

    results = {
        r.get("id"): (r.get(f"{{{NS['xlink']}}}href") or "", r.get("mime-type"))
        for r in job.findall("uws:results/uws:result", NS)
    }
    assert set(results) == {"image", "catalog", "preview", "region"}
    with fits.open(io.BytesIO(client.get(results["image"][0]).content)) as hdus:
        assert hdus["FLUX"].header["INSTRUME"] == "JMX2"
        assert hdus["FLUX"].header["NAXIS"] == 2
    catalog = client.get(results["catalog"][0])
    rows = parse(io.BytesIO(catalog.content), verify="exception").get_first_table().to_table()
    print("JEM-X2 sources:", ", ".join(f"{r['name']} ({r['significance']:.0f} sigma)" for r in rows))
    crab = rows[rows["name"] == "Crab"]
    assert len(crab) == 1
    offset = _separation_arcmin(float(crab["ra"][0]), float(crab["dec"][0]))
    print(
        f"JEM-X2 Crab found {offset:.3f} arcmin from its position, at {float(crab['significance'][0]):.0f} sigma"
    )
    assert offset < 1.0
    assert client.get(results["preview"][0]).content.startswith(PNG_SIGNATURE)


def test_bad_unit_refused_by_name(client: httpx.Client) -> None:
    created = client.post("", data={**REQUEST, "jemx_num": "3"})
    assert created.status_code == 400
    assert "jemx_num" in created.text


def _completed(client: httpx.Client, path: str, request: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """The results (href, mime-type) by id of a job run to COMPLETED on ``path``."""
    created = client.post(path, data={**request, "PHASE": "RUN"})
    assert created.status_code == 303, created.text
    job_url = str(created.headers["location"])
    job = _job(client, job_url)
    deadline = time.monotonic() + 120
    while _phase(job) not in {"COMPLETED", "ERROR", "ABORTED"} and time.monotonic() < deadline:
        job = _job(client, job_url, WAIT="10")
    assert _phase(job) == "COMPLETED", etree.tostring(job).decode()
    return {
        str(r.get("id")): (r.get(f"{{{NS['xlink']}}}href") or "", r.get("mime-type"))
        for r in job.findall("uws:results/uws:result", NS)
    }


def test_crab_jemx_spectrum_job(live: LiveService) -> None:
    with httpx.Client(base_url=f"{live.url}/analysis/jemx", timeout=60) as client:
        results = _completed(client, "spectrum", {**REQUEST, "max_pointings": "3"})
        assert set(results) == {"spectrum", "arf", "rmf", "preview"}
        assert {mime for _, mime in results.values()} == {"application/fits", "image/png"}
        with fits.open(io.BytesIO(client.get(results["spectrum"][0]).content)) as hdus:
            header = hdus["SPECTRUM"].header
            print(
                f"JEM-X2 Crab spectrum over HTTP: index {header['PL_INDEX']:.3f} +- {header['PL_IDXER']:.3f}"
            )
            assert header["INSTRUME"] == "JMX2" and header["TIMESYS"] == "TT"
            assert abs(header["PL_INDEX"] - 2.0) < 0.1
        preview = client.get(results["preview"][0])
        assert preview.headers["content-type"] == "image/png" and preview.content.startswith(PNG_SIGNATURE)


def test_crab_jemx_lightcurve_job(live: LiveService) -> None:
    with httpx.Client(base_url=f"{live.url}/analysis/jemx", timeout=60) as client:
        results = _completed(client, "lightcurve", {**REQUEST, "max_pointings": "2", "time_bin": "500"})
        assert set(results) == {"lightcurve", "preview"}
        with fits.open(io.BytesIO(client.get(results["lightcurve"][0]).content)) as hdus:
            rate = hdus["RATE"]
            assert rate.header["INSTRUME"] == "JMX2" and rate.header["TIMESYS"] == "TT"
            assert rate.data["TIMEDEL"] == pytest.approx(500.0 / 86400.0)
            print(
                f"JEM-X2 Crab light curve over HTTP: {len(rate.data)} bins, mean {rate.data['RATE'].mean():.1f}"
            )
            assert len(rate.data) > 4 and (rate.data["RATE"] > 0).all()
        preview = client.get(results["preview"][0])
        assert preview.headers["content-type"] == "image/png" and preview.content.startswith(PNG_SIGNATURE)
