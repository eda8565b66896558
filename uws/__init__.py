"""UWS 1.1: the asynchronous job machinery shared by TAP async and the analyses.

One module per concern: ``phases`` (the transitions table), ``models`` (domain objects), ``tables`` and
``store`` (the persistent truth), ``files`` (job directories), ``notify`` (cross-process change notification),
``kinds`` and ``worker`` (the run-function contract), ``executor`` and ``dispatcher`` (running jobs),
``recovery`` and ``reaper`` (durability and clean-up), ``service`` (UWS operations), ``xml`` (documents),
``handlers`` (HTTP) and ``runtime`` (assembling it all for one server process).  See docs/architecture.md,
section "UWS".
"""

from uws.errors import JobFatalError, JobTransientError, JobUsageError
from uws.kinds import JobKind, KindRegistry, RunFunction
from uws.models import JobSpec, ResultSpec
from uws.phases import Phase
from uws.runtime import UWSRuntime
from uws.service import UWSSettings
from uws.worker import RunContext

__all__ = [
    "JobFatalError",
    "JobKind",
    "JobSpec",
    "JobTransientError",
    "JobUsageError",
    "KindRegistry",
    "Phase",
    "ResultSpec",
    "RunContext",
    "RunFunction",
    "UWSRuntime",
    "UWSSettings",
]
