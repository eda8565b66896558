"""UWS 1.1 XML documents (``uws:job``, ``uws:jobs``, ``uws:results``, ``uws:parameters``), built with lxml.

Why not vo-models: its job model writes an empty ``runId`` when there is none, takes ``jobInfo`` as text (the
schema wants elements: progress is an element here) and wants one parameters class per job kind; the documents
are small enough to write directly, and the tests validate every one against ``UWS-v1.1.xsd``.

Rules: namespace ``http://www.ivoa.net/xml/UWS/v1.0`` with ``version="1.1"`` on the roots; children in schema
order; times ISO 8601 UTC with ``Z``; ``ownerId``, ``quote``, ``startTime``, ``endTime`` and ``destruction``
written as ``xsi:nil="true"`` when unset; xlink hrefs absolute (from ``JobUrls``, built from the public base
URL of the job list).  ``jobInfo`` carries ``<mmvo:progress fraction="0.25">message</mmvo:progress>`` in the
``PROGRESS_NS`` namespace while a run reports progress.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from uws.models import Job, JobRef

__all__ = [
    "PROGRESS_NS",
    "UWS_NS",
    "JobUrls",
    "iso_time",
    "job_document",
    "jobs_document",
    "parameters_document",
    "results_document",
]

UWS_NS = "http://www.ivoa.net/xml/UWS/v1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: Namespace of MMVO's ``jobInfo`` content.
PROGRESS_NS = "urn:mmvo:uws:jobinfo"
_NSMAP = {"uws": UWS_NS, "xlink": XLINK_NS, "xsi": XSI_NS}
_NIL = f"{{{XSI_NS}}}nil"
_HREF = f"{{{XLINK_NS}}}href"
_TYPE = f"{{{XLINK_NS}}}type"
#: Characters XML 1.0 cannot carry; replaced so that any parameter value gives a well-formed document.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class JobUrls:
    """Absolute URLs under one job list (``base``: its public URL, e.g. ``https://host/tap/async``)."""

    base: str

    def job(self, job_id: str) -> str:
        return f"{self.base.rstrip('/')}/{quote(job_id, safe='')}"

    def result(self, job_id: str, result_id: str) -> str:
        return f"{self.job(job_id)}/results/{quote(result_id, safe='')}"

    def parameter(self, job_id: str, name: str) -> str:
        return f"{self.job(job_id)}/parameters/{quote(name, safe='')}"


def iso_time(value: dt.datetime) -> str:
    """``2030-01-31T12:00:00.000Z``: UTC to the millisecond."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _uws(tag: str) -> str:
    return f"{{{UWS_NS}}}{tag}"


def _root(tag: str, *, version: bool = True) -> etree._Element:
    root = etree.Element(_uws(tag), nsmap=_NSMAP)
    if version:
        root.set("version", "1.1")
    return root


def _child(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _uws(tag))
    if text is not None:
        element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _nillable(parent: etree._Element, tag: str, text: str | None) -> None:
    element = _child(parent, tag, text)
    if text is None:
        element.set(_NIL, "true")


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else iso_time(value)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _fill_parameters(parent: etree._Element, job: Job, urls: JobUrls) -> None:
    for p in job.parameters:
        if p.by_reference:
            element = _child(parent, "parameter", urls.parameter(job.job_id, p.value))
            element.set("byReference", "true")
        else:
            element = _child(parent, "parameter", p.value)
        element.set("id", p.name)


def _fill_results(parent: etree._Element, job: Job, urls: JobUrls) -> None:
    for r in job.results:
        element = _child(parent, "result")
        element.set("id", r.id)
        element.set(_TYPE, "simple")
        element.set(_HREF, urls.result(job.job_id, r.id))
        if r.size is not None:
            element.set("size", str(r.size))
        if r.mime_type is not None:
            element.set("mime-type", r.mime_type)


def _job_info(parent: etree._Element, job: Job) -> None:
    if job.progress is None:
        return
    info = _child(parent, "jobInfo")
    progress = etree.SubElement(info, f"{{{PROGRESS_NS}}}progress", nsmap={"mmvo": PROGRESS_NS})
    if job.progress.fraction is not None:
        progress.set("fraction", f"{job.progress.fraction:.4g}")
    if job.progress.message is not None:
        progress.text = _NOT_XML.sub("\ufffd", job.progress.message)


def job_document(job: Job, urls: JobUrls) -> bytes:
    """``uws:job``: the whole job, as ``GET {jobs}/{id}`` returns it."""
    root = _root("job")
    _child(root, "jobId", job.job_id)
    if job.run_id is not None:
        _child(root, "runId", job.run_id)
    _nillable(root, "ownerId", job.owner)
    _child(root, "phase", job.phase.value)
    _nillable(root, "quote", _time(job.quote))
    _child(root, "creationTime", iso_time(job.creation_time))
    _nillable(root, "startTime", _time(job.start_time))
    _nillable(root, "endTime", _time(job.end_time))
    _child(root, "executionDuration", str(job.execution_duration))
    _nillable(root, "destruction", _time(job.destruction))
    _fill_parameters(_child(root, "parameters"), job, urls)
    _fill_results(_child(root, "results"), job, urls)
    if job.error is not None:
        summary = _child(root, "errorSummary")
        summary.set("type", job.error.type)
        summary.set("hasDetail", "true")
        _child(summary, "message", job.error.message)
    _job_info(root, job)
    return _serialise(root)


def jobs_document(refs: Iterable[JobRef], urls: JobUrls) -> bytes:
    """``uws:jobs``: the job list."""
    root = _root("jobs")
    for ref in refs:
        element = _child(root, "jobref")
        element.set("id", ref.job_id)
        element.set(_TYPE, "simple")
        element.set(_HREF, urls.job(ref.job_id))
        _child(element, "phase", ref.phase.value)
        if ref.run_id is not None:
            _child(element, "runId", ref.run_id)
        _nillable(element, "ownerId", ref.owner)
        _child(element, "creationTime", iso_time(ref.creation_time))
    return _serialise(root)


def results_document(job: Job, urls: JobUrls) -> bytes:
    """``uws:results`` of ``{job}/results``."""
    root = _root("results", version=False)
    _fill_results(root, job, urls)
    return _serialise(root)


def parameters_document(job: Job, urls: JobUrls) -> bytes:
    """``uws:parameters`` of ``{job}/parameters``."""
    root = _root("parameters", version=False)
    _fill_parameters(root, job, urls)
    return _serialise(root)
