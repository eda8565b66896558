"""UWS execution phases and the one table of allowed phase changes.

The state machine is data: ``TRANSITIONS`` lists every allowed (source, target) pair together with who may make
it.  ``JobStore.transition`` turns ``sources(target, actor)`` into a conditional ``UPDATE ... WHERE phase IN
(...)``, so the check and the change are one atomic statement on both engines.

Actors:

* ``CLIENT``: a UWS request (``PHASE=RUN``, ``PHASE=ABORT``);
* ``SERVER``: the dispatcher, the executors and the reaper (claims, outcomes, time limits);
* ``RECOVERY``: the sweep that finds jobs whose server process died while they were executing; it is the only
  actor that may put an EXECUTING job back in the queue, so a late or duplicated claim never does.

``IDEMPOTENT`` lists the targets a job may be asked to reach again without error (running twice, aborting
twice, archiving twice).  Claims (QUEUED -> EXECUTING) and outcomes (-> COMPLETED/ERROR) are deliberately not
idempotent: of two workers claiming one job exactly one wins, and a late outcome after an abort is refused
(ABORTED is sticky).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "ACTIVE",
    "FINAL",
    "IDEMPOTENT",
    "TRANSITIONS",
    "Actor",
    "Phase",
    "Transition",
    "allowed",
    "sources",
]


class Phase(enum.StrEnum):
    """The ten UWS 1.1 execution phases (``uws:ExecutionPhase``)."""

    PENDING = "PENDING"
    QUEUED = "QUEUED"
    EXECUTING = "EXECUTING"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    ABORTED = "ABORTED"
    UNKNOWN = "UNKNOWN"
    HELD = "HELD"
    SUSPENDED = "SUSPENDED"
    ARCHIVED = "ARCHIVED"


class Actor(enum.StrEnum):
    """Who asks for a phase change."""

    CLIENT = "client"
    SERVER = "server"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class Transition:
    """One allowed phase change and the actors that may make it."""

    source: Phase
    target: Phase
    by: frozenset[Actor]


_C = frozenset({Actor.CLIENT})
_S = frozenset({Actor.SERVER})
_CS = frozenset({Actor.CLIENT, Actor.SERVER})
_R = frozenset({Actor.RECOVERY})
_SR = frozenset({Actor.SERVER, Actor.RECOVERY})
P = Phase

#: Every allowed phase change.  Anything not listed is refused.
TRANSITIONS: tuple[Transition, ...] = (
    # client PHASE=RUN; HELD jobs go back to the queue, where a dispatcher claims them
    Transition(P.PENDING, P.QUEUED, _C),
    Transition(P.HELD, P.QUEUED, _C),
    # a dispatcher claims a queued job; held or suspended jobs resume
    Transition(P.QUEUED, P.EXECUTING, _S),
    Transition(P.HELD, P.EXECUTING, _S),
    Transition(P.SUSPENDED, P.EXECUTING, _S),
    # outcomes of a run
    Transition(P.EXECUTING, P.COMPLETED, _S),
    Transition(P.EXECUTING, P.HELD, _S),
    Transition(P.EXECUTING, P.SUSPENDED, _S),
    # client PHASE=ABORT (results so far are kept); the server aborts too (deletion, destruction)
    Transition(P.PENDING, P.ABORTED, _CS),
    Transition(P.QUEUED, P.ABORTED, _CS),
    Transition(P.EXECUTING, P.ABORTED, _CS),
    Transition(P.HELD, P.ABORTED, _CS),
    Transition(P.SUSPENDED, P.ABORTED, _CS),
    # failures: bad parameters found when the job runs, worker errors, time limits, lost runs
    Transition(P.PENDING, P.ERROR, _S),
    Transition(P.QUEUED, P.ERROR, _S),
    Transition(P.EXECUTING, P.ERROR, _SR),
    Transition(P.HELD, P.ERROR, _S),
    Transition(P.SUSPENDED, P.ERROR, _S),
    # a run whose server process died is queued again (once; see uws.recovery)
    Transition(P.EXECUTING, P.QUEUED, _R),
    # archiving at destruction time keeps the metadata of finished jobs
    Transition(P.COMPLETED, P.ARCHIVED, _S),
    Transition(P.ERROR, P.ARCHIVED, _S),
    Transition(P.ABORTED, P.ARCHIVED, _S),
)

#: Targets that a job already in that phase may be asked to reach again: the request succeeds and changes nothing.
IDEMPOTENT: frozenset[Phase] = frozenset({P.QUEUED, P.ABORTED, P.ARCHIVED})

#: Phases in which work is still to come: ``WAIT`` blocks only in these (UWS 1.1, section 2.2.1.1).
ACTIVE: frozenset[Phase] = frozenset({P.PENDING, P.QUEUED, P.EXECUTING})

#: Phases a job never leaves except to be archived or destroyed.
FINAL: frozenset[Phase] = frozenset({P.COMPLETED, P.ERROR, P.ABORTED, P.ARCHIVED})

_SOURCES: dict[tuple[Phase, Actor], frozenset[Phase]] = {
    (target, actor): frozenset(t.source for t in TRANSITIONS if t.target == target and actor in t.by)
    for target in Phase
    for actor in Actor
}


def sources(target: Phase, actor: Actor) -> frozenset[Phase]:
    """The phases from which ``actor`` may move a job to ``target`` (empty when it never may)."""
    return _SOURCES[(target, actor)]


def allowed(source: Phase, target: Phase, actor: Actor) -> bool:
    """Whether ``actor`` may move a job from ``source`` to ``target``."""
    return source in _SOURCES[(target, actor)]
