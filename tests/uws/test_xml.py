"""Every UWS document is valid against UWS-v1.1.xsd, with nils, order, times and hrefs as the standard says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from tests.xmlschema import assert_valid
from uws.models import ErrorInfo, Job, JobRef, Parameter, Progress, Result
from uws.phases import Phase
from uws.xml import (
    PROGRESS_NS,
    JobUrls,
    iso_time,
    job_document,
    jobs_document,
    parameters_document,
    results_document,
)

NS = {"uws": "http://www.ivoa.net/xml/UWS/v1.0", "xlink": "http://www.w3.org/1999/xlink"}
NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
URLS = JobUrls("https://vo.example/toy")
T0 = dt.datetime(2030, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC)


def _bare() -> Job:
    return Job(
        job_id="abc",
        kind="toy",
        owner=None,
        run_id=None,
        phase=Phase.PENDING,
        creation_time=T0,
        start_time=None,
        end_time=None,
        execution_duration=0,
        destruction=None,
    )


def _full() -> Job:
    return Job(
        job_id="def",
        kind="toy",
        owner="alice",
        run_id="my run",
        phase=Phase.ERROR,
        creation_time=T0,
        start_time=T0 + dt.timedelta(seconds=1),
        end_time=T0 + dt.timedelta(seconds=2),
        execution_duration=60,
        destruction=T0 + dt.timedelta(days=7),
        quote=T0 + dt.timedelta(seconds=3),
        parameters=(Parameter("query", "SELECT <1> & \x01"), Parameter("t1", "t1", by_reference=True)),
        results=(
            Result("result", "r.txt", None, "text/plain", 12),
            Result("ext", None, "https://x.example/", None, None),
        ),
        error=ErrorInfo("transient", "backend down"),
        progress=Progress(0.25, "step 1 of 4"),
    )


def _children(root: etree._Element) -> list[str]:
    return [etree.QName(c).localname for c in root]


def test_bare_job_has_the_required_nils(schemas: Path) -> None:
    root = assert_valid(job_document(_bare(), URLS), schemas, "UWS-v1.1.xsd")
    assert root.get("version") == "1.1"
    assert _children(root) == [
        "jobId", "ownerId", "phase", "quote", "creationTime", "startTime", "endTime",
        "executionDuration", "destruction", "parameters", "results",
    ]  # fmt: skip
    for tag in ("ownerId", "quote", "startTime", "endTime", "destruction"):
        assert root.find(f"uws:{tag}", NS).get(NIL) == "true", tag  # type: ignore[union-attr]
    assert root.findtext("uws:creationTime", namespaces=NS) == "2030-01-02T03:04:05.006Z"


def test_full_job(schemas: Path) -> None:
    root = assert_valid(job_document(_full(), URLS), schemas, "UWS-v1.1.xsd")
    assert _children(root)[-3:] == ["results", "errorSummary", "jobInfo"]
    assert root.findtext("uws:runId", namespaces=NS) == "my run"
    summary = root.find("uws:errorSummary", NS)
    assert summary is not None and summary.get("type") == "transient" and summary.get("hasDetail") == "true"
    params = root.findall("uws:parameters/uws:parameter", NS)
    assert params[0].text == "SELECT <1> & \ufffd"
    assert (
        params[1].get("byReference") == "true"
        and params[1].text == "https://vo.example/toy/def/parameters/t1"
    )
    results = root.findall("uws:results/uws:result", NS)
    assert [r.get(f"{{{NS['xlink']}}}href") for r in results] == [
        "https://vo.example/toy/def/results/result",
        "https://vo.example/toy/def/results/ext",
    ]
    assert results[0].get("size") == "12" and results[0].get("mime-type") == "text/plain"
    progress = root.find(f"uws:jobInfo/{{{PROGRESS_NS}}}progress", NS)
    assert progress is not None and progress.get("fraction") == "0.25" and progress.text == "step 1 of 4"


def test_job_list(schemas: Path) -> None:
    refs = [JobRef("a", Phase.QUEUED, None, None, T0), JobRef("b", Phase.ARCHIVED, "r", "bob", T0)]
    root = assert_valid(jobs_document(refs, URLS), schemas, "UWS-v1.1.xsd")
    assert root.get("version") == "1.1"
    first, second = root.findall("uws:jobref", NS)
    assert first.get(f"{{{NS['xlink']}}}href") == "https://vo.example/toy/a"
    assert _children(first) == ["phase", "ownerId", "creationTime"]
    assert _children(second) == ["phase", "runId", "ownerId", "creationTime"]
    assert_valid(jobs_document([], URLS), schemas, "UWS-v1.1.xsd")


def test_results_and_parameters(schemas: Path) -> None:
    for job in (_bare(), _full()):
        assert_valid(results_document(job, URLS), schemas, "UWS-v1.1.xsd")
        assert_valid(parameters_document(job, URLS), schemas, "UWS-v1.1.xsd")


def test_times_are_utc_with_z() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert iso_time(dt.datetime(2030, 1, 1, 1, 0, tzinfo=paris)) == "2030-01-01T00:00:00.000Z"
