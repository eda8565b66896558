"""The ISGRI image analysis on the running service, over plain HTTP as any UWS client speaks it, on both
engines: a mosaic of ten Crab pointings of revolution 665, its FITS image, VOTable catalogue and PNG preview;
bad input refused by name at creation."""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterator

import httpx
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
    assert set(results) == {"image", "catalog", "preview"}
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
