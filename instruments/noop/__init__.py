"""``noop``: an instrument without science, for tests and for measuring what a job costs the service.

Its one analysis, ``sleep``, waits ``duration`` seconds in small steps (reporting progress, with the id of its
process in the message so that tests can watch the process), then writes a small JSON product ``echo`` with the
parameters it got.  ``fail`` makes it end in one of the ways a real core can: a usage, fatal or transient error,
or the death of its process (``exit``).  ``echo`` writes its ``message``: its products depend on the
parameters alone, so the service reuses them for identical requests.
"""

from instruments.noop.sleep import Echo, EchoParameters, Noop, Sleep, SleepParameters

__all__ = ["Echo", "EchoParameters", "Noop", "Sleep", "SleepParameters"]
