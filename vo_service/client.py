"""A Python client of MMVO's asynchronous services: submit an analysis (or any UWS job), follow its progress,
fetch its products as astropy objects.

It speaks only the public UWS 1.1 HTTP interface, exactly as pyvo or a shell script would, so it works against
any deployment and tests the service as its users see it.  pyvo's ``AsyncTAPJob`` is TAP-specific (it sends
``LANG``/``QUERY`` and knows a single ``result``); analyses need free parameters, several named products and
the progress MMVO publishes in ``uws:jobInfo``, hence this small module::

    from vo_service.client import MMVOClient

    with MMVOClient("http://127.0.0.1:8000") as mmvo:
        job = mmvo.submit("isgri", "image", {"src_name": "Crab", "RA": 83.633, "DEC": 22.0145})
        job.wait(on_progress=print)
        image = job.product("image")          # astropy.io.fits.HDUList
        catalog = job.product("catalog")      # astropy.table.Table
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
from lxml import etree

__all__ = ["JobFailed", "JobStatus", "MMVOClient", "RemoteJob", "ServiceRefused"]

UWS_NS = "http://www.ivoa.net/xml/UWS/v1.0"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PROGRESS_TAG = "{urn:mmvo:uws:jobinfo}progress"
FINAL_PHASES = frozenset({"COMPLETED", "ERROR", "ABORTED", "ARCHIVED"})
#: Longest single blocking WAIT asked of the server (it answers at once on a phase change); the client loops
#: until its deadline.  With a progress callback the step is shorter: UWS WAIT wakes on phase changes only,
#: so progress within EXECUTING is seen at most this often.
WAIT_STEP = 30
PROGRESS_STEP = 2

Progress = Callable[["JobStatus"], None]


class ServiceRefused(ValueError):
    """The service refused a request (bad parameter, unknown analysis); the message is the service's own."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


def _refusal(response: httpx.Response) -> ServiceRefused:
    """The service's message: the QUERY_STATUS INFO of a VOTable error document, else the body's text."""
    message = response.text.strip()
    try:
        root = etree.fromstring(
            response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return ServiceRefused(response.status_code, message[:2000])
    for info in root.iter("{*}INFO"):
        if info.get("name") == "QUERY_STATUS" and info.get("value") == "ERROR":
            return ServiceRefused(response.status_code, (info.text or "").strip())
    return ServiceRefused(response.status_code, message[:2000])


class JobFailed(RuntimeError):
    """The job ended in ERROR or ABORTED; the message is the service's ``errorSummary``."""

    def __init__(self, status: JobStatus) -> None:
        super().__init__(f"job {status.job_id} ended {status.phase}: {status.error or 'no reason given'}")
        self.status = status


@dataclass(frozen=True)
class JobStatus:
    """What the UWS job document says."""

    job_id: str
    phase: str
    fraction: float | None = None
    message: str | None = None
    error: str | None = None
    results: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.phase in FINAL_PHASES

    def __str__(self) -> str:
        done = "" if self.fraction is None else f" {100 * self.fraction:3.0f}%"
        return f"{self.job_id} {self.phase}{done}" + (f" {self.message}" if self.message else "")


def parse_job(document: bytes) -> JobStatus:
    """Reads a ``uws:job`` document.

    Raises:
        ValueError: not a UWS job document.
    """
    root = etree.fromstring(document, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if root.tag != f"{{{UWS_NS}}}job":
        raise ValueError(f"not a UWS job document: {root.tag}")
    ns = {"uws": UWS_NS}
    progress = root.find(f"uws:jobInfo/{PROGRESS_TAG}", ns)
    fraction = progress.get("fraction") if progress is not None else None
    error = root.find("uws:errorSummary/uws:message", ns)
    return JobStatus(
        job_id=root.findtext("uws:jobId", "", ns),
        phase=root.findtext("uws:phase", "", ns),
        fraction=float(fraction) if fraction is not None else None,
        message=progress.text if progress is not None else None,
        error=error.text if error is not None else None,
        results={r.get("id", ""): r.get(XLINK_HREF, "") for r in root.iterfind("uws:results/uws:result", ns)},
    )


class RemoteJob:
    """One job on the service, by its URL."""

    def __init__(self, http: httpx.Client, url: str) -> None:
        self._http = http
        self.url = url

    def status(self) -> JobStatus:
        response = self._http.get(self.url)
        if response.status_code != 200:
            raise _refusal(response)
        return parse_job(response.content)

    def run(self) -> None:
        self._post(f"{self.url}/phase", {"PHASE": "RUN"})

    def abort(self) -> None:
        self._post(f"{self.url}/phase", {"PHASE": "ABORT"})

    def delete(self) -> None:
        self._post(self.url, {"ACTION": "DELETE"})

    def _post(self, url: str, data: dict[str, str]) -> None:
        """A UWS action, answered with 303 to the job (or the list).

        Raises:
            ServiceRefused: the service refused it.
        """
        response = self._http.post(url, data=data)
        if response.status_code not in {200, 303}:
            raise _refusal(response)

    def wait(self, timeout: float | None = None, on_progress: Progress | None = None) -> JobStatus:
        """Blocks (with UWS WAIT, no polling loop) until the job is final; returns its status.

        ``on_progress`` is called with every status seen, progress included.

        Raises:
            JobFailed: the job ended in ERROR or ABORTED.
            TimeoutError: ``timeout`` seconds passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        step = WAIT_STEP if on_progress is None else PROGRESS_STEP
        status = self.status()
        while True:
            if on_progress is not None:
                on_progress(status)
            if status.final:
                break
            left = step if deadline is None else min(step, deadline - time.monotonic())
            if left <= 0:
                raise TimeoutError(f"job {status.job_id} still {status.phase} after {timeout} s")
            response = self._http.get(
                self.url, params={"WAIT": str(max(1, int(left))), "PHASE": status.phase}, timeout=left + 30
            )
            if response.status_code != 200:
                raise _refusal(response)
            status = parse_job(response.content)
        if status.phase != "COMPLETED":
            raise JobFailed(status)
        return status

    def fetch(self, result_id: str) -> httpx.Response:
        """The product ``result_id`` as an HTTP response (its ``content`` and ``headers``).

        Raises:
            KeyError: the job has no such result.
        """
        results = self.status().results
        if result_id not in results:
            raise KeyError(f"job has no result {result_id!r}; it has {sorted(results)}")
        response = self._http.get(results[result_id], follow_redirects=True)
        response.raise_for_status()
        return response

    def product(self, result_id: str) -> Any:
        """The product as an astropy object: ``HDUList`` for FITS, ``Table`` for a VOTable, else the bytes."""
        response = self.fetch(result_id)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in {"application/fits", "image/fits", "application/x-fits"}:
            from astropy.io import fits

            return fits.open(io.BytesIO(response.content))
        if kind in {"application/x-votable+xml", "text/xml", "application/xml"}:
            from astropy.io.votable import parse_single_table

            return parse_single_table(io.BytesIO(response.content)).to_table()
        return response.content


class MMVOClient:
    """The service at ``base_url`` (its root, e.g. ``http://127.0.0.1:8000``)."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)

    def __enter__(self) -> MMVOClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def submit(
        self, instrument: str, product: str, parameters: Mapping[str, object], *, run: bool = True
    ) -> RemoteJob:
        """Creates a job of the analysis ``/analysis/{instrument}/{product}`` (started unless ``run=False``).

        Raises:
            ServiceRefused: the service refused the parameters (its message names the parameter).
        """
        return self.submit_to(f"analysis/{instrument}/{product}", parameters, run=run)

    def submit_to(self, job_list: str, parameters: Mapping[str, object], *, run: bool = True) -> RemoteJob:
        """Creates a job in any UWS job list of the service (``tap/async`` too), given relative to the root.

        Raises:
            ServiceRefused: the service refused the request.
        """
        data = {name: str(value) for name, value in parameters.items()}
        if run:
            data["PHASE"] = "RUN"
        response = self._http.post(f"{self.base_url}/{job_list.strip('/')}", data=data)
        if response.status_code != 303:
            raise _refusal(response)
        return RemoteJob(self._http, response.headers["location"])
