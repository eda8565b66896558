"""Errors an analysis core raises to end its run with a message for the user.

They are plain exceptions that survive pickling (a run happens in a worker process, later perhaps on a Dask
worker, and the error travels back), and they say nothing about HTTP or UWS: the service maps them onto its
job errors, a notebook simply sees them raised.
"""

from __future__ import annotations

__all__ = ["InstrumentError", "InstrumentFatalError", "InstrumentTransientError", "InstrumentUsageError"]


class InstrumentError(Exception):
    """Base of the errors of analysis cores.

    ``message`` is what the user reads (it names the parameter or the data at fault); ``detail`` a longer
    explanation (a log excerpt, the list of rejected science windows), None when the message says it all.
    """

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[InstrumentError], tuple[str, str | None]]:
        return (type(self), (self.message, self.detail))


class InstrumentUsageError(InstrumentError):
    """The request cannot be answered as asked (a parameter out of range, no data in the selection)."""


class InstrumentFatalError(InstrumentError):
    """The analysis failed for good (corrupt data, a fit that cannot converge)."""


class InstrumentTransientError(InstrumentError):
    """The analysis failed for a reason that may go away (an archive not reachable); trying later may work."""
