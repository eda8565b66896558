"""The ISGRI image analysis on the running service, over plain HTTP as any UWS client speaks it, on both
engines: a mosaic of ten Crab pointings of revolution 665, its FITS image, VOTable catalogue and PNG preview;
bad input refused by name at creation."""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest
from astropy.io import fits
from astropy.io.votable import parse
from astropy.wcs import WCS
from lxml import etree

from tests.e2e.conftest import LiveService

pytestmark = pytest.mark.e2e

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0", "xlink": "http://www.w3.org/1999/xlink"}
CRAB = (83.6331, 22.0145)
REQUEST = {
    "src_name": "Crab",
    "RA": str(CRAB[0]),
    "DEC": str(CRAB[1]),
    # Revolution 665 runs from 2008-03-24T13:26 to 2008-03-27T13:12 (UTC); the plan gives it to the Crab.
    "T1": "2008-03-24T13:30:00",
    "T2": "2008-03-27T13:00:00",
    "max_pointings": "10",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(live: LiveService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live.url}/analysis/isgri/image", timeout=60) as client:
        yield client


def _job(client: httpx.Client, url: str, **params: str) -> etree._Element:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def _phase(job: etree._Element) -> str:
    return job.findtext("uws:phase", namespaces=NS) or ""


def _separation_arcmin(ra: float, dec: float) -> float:
    d1, d2, da = math.radians(dec), math.radians(CRAB[1]), math.radians(ra - CRAB[0])
    cosine = math.sin(d1) * math.sin(d2) + math.cos(d1) * math.cos(d2) * math.cos(da)
    return math.degrees(math.acos(min(1.0, cosine))) * 60.0


def test_crab_image_job(client: httpx.Client) -> None:
    started = time.monotonic()
    created = client.post("", data=REQUEST)
    assert created.status_code == 303
    job_url = str(created.headers["location"])
    assert _phase(_job(client, job_url)) == "PENDING"
    run = client.post(f"{job_url}/phase", data={"PHASE": "RUN"})
    assert run.status_code == 303
    job = _job(client, job_url)
    deadline = time.monotonic() + 120
    while _phase(job) not in {"COMPLETED", "ERROR", "ABORTED"} and time.monotonic() < deadline:
        job = _job(client, job_url, WAIT="10")
    assert _phase(job) == "COMPLETED", etree.tostring(job).decode()
    print(f"isgri/image of 10 ScWs: COMPLETED {time.monotonic() - started:.1f} s after creation")

    results = {
        r.get("id"): (r.get(f"{{{NS['xlink']}}}href") or "", r.get("mime-type"))
        for r in job.findall("uws:results/uws:result", NS)
    }
    assert set(results) == {"image", "catalog", "preview", "region"}
    assert results["preview"][1] == "image/png"

    image = client.get(results["image"][0])
    assert image.status_code == 200
    with fits.open(io.BytesIO(image.content)) as hdus:
        flux = hdus["FLUX"].header
        assert flux["TIMESYS"] == "TT" and flux["MJDREF"] == 51544.0
        wcs = WCS(flux)
        assert wcs.has_celestial
        x, y = wcs.world_to_pixel_values(*CRAB)
        assert hdus["SIGNIFICANCE"].data[round(float(y)), round(float(x))] > 50.0

    catalog = client.get(results["catalog"][0])
    assert catalog.status_code == 200
    rows = parse(io.BytesIO(catalog.content), verify="exception").get_first_table().to_table()
    crab = rows[rows["name"] == "Crab"]
    assert len(crab) == 1
    offset = _separation_arcmin(float(crab["ra"][0]), float(crab["dec"][0]))
    print(f"Crab found {offset:.3f} arcmin from its position, at {float(crab['significance'][0]):.0f} sigma")
    assert offset < 1.0

    assert client.get(results["preview"][0]).content.startswith(PNG_SIGNATURE)

    deleted = client.post(job_url, data={"ACTION": "DELETE"})
    assert deleted.status_code == 303
    assert client.get(job_url).status_code == 404


def test_a_declination_out_of_range_is_refused_by_name(client: httpx.Client) -> None:
    response = client.post("", data={**REQUEST, "DEC": "95"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/x-votable+xml")
    (status,) = [
        i for i in parse(io.BytesIO(response.content)).resources[0].infos if i.name == "QUERY_STATUS"
    ]
    assert status.value == "ERROR" and "parameter DEC" in str(status.content)


def _busy_worker(data_dir: str) -> psutil.Process:
    """The worker process (``uws.process_worker``) of the service on ``data_dir`` that is using the CPU."""
    workers = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "uws.process_worker" in (process.info["cmdline"] or []) and (
                process.environ().get("MMVO_DATA_DIR") == data_dir
            ):
                process.cpu_percent()  # starts the measurement
                workers.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    time.sleep(0.3)
    busy = [p for p in workers if p.is_running() and p.cpu_percent() > 30.0]
    assert len(busy) == 1, f"workers {workers}, busy {busy}"
    return busy[0]


def test_abort_of_a_running_mosaic_kills_its_worker(client: httpx.Client, live: LiveService) -> None:
    created = client.post("", data={**REQUEST, "PHASE": "RUN", "max_pointings": "40"})
    job_url = str(created.headers["location"])
    deadline = time.monotonic() + 60
    message = ""
    while "imaging ScW" not in message and time.monotonic() < deadline:
        message = _job(client, job_url).findtext("uws:jobInfo/{*}progress", namespaces=NS) or ""
        time.sleep(0.05)
    assert "imaging ScW" in message, message
    worker = _busy_worker(live.env["MMVO_DATA_DIR"])
    aborted = time.monotonic()
    assert client.post(f"{job_url}/phase", data={"PHASE": "ABORT"}).status_code == 303
    try:
        worker.wait(timeout=2.0)
    except psutil.TimeoutExpired:
        raise AssertionError(f"the worker {worker.pid} is still running 2 s after ABORT") from None
    print(f"mosaic aborted while {message!r}: worker gone {(time.monotonic() - aborted) * 1000:.0f} ms later")
    assert _phase(_job(client, job_url)) == "ABORTED"
