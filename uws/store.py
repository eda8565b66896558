"""The persistent job store: the only truth about jobs, shared by every server process through the database.

SQLAlchemy Core on the application's engine (an SQLite file or PostgreSQL), tables from ``uws.tables``.  Every
method is blocking and thread-safe (call it from worker threads, or through ``anyio.to_thread`` from async
code) and returns domain objects from ``uws.models``.

Phase changes go through ``transition`` only: one conditional ``UPDATE ... WHERE phase IN (allowed sources)``
checked against ``uws.phases.TRANSITIONS``, so of two processes racing for one job exactly one wins on both
engines (PostgreSQL re-checks the condition after a concurrent update commits; SQLite serialises writers).
The other mutations are conditional on the phase as well: parameters change while PENDING only, progress and
results are recorded while the reporting run still owns the job (its ``attempt``).

After each committed change of phase (and after a deletion) the store calls ``on_change(job_id)``; the
application wires it to ``uws.notify.Publisher.publish`` so waiting requests and dispatchers in every process
hear about it.  Write transactions start with their write, so SQLite takes its write lock first and never
fails a lock upgrade.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from uws.errors import JobNotFoundError, PhaseConflictError
from uws.models import ErrorInfo, ErrorType, Job, JobFilter, JobRef, Parameter, Progress, Result, utc_now
from uws.phases import FINAL, IDEMPOTENT, Actor, Phase, sources
from uws.tables import UwsTables, create_tables, uws_tables

__all__ = ["JobStore", "RunningJob"]

_log = logging.getLogger("mmvo.uws.store")
_UNCHANGED: Any = object()


def _to_db(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def _from_db(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC)


class RunningJob(NamedTuple):
    """An EXECUTING job, the process running it and its attempt number, for the recovery sweep."""

    job_id: str
    runner: str | None
    attempt: int


class JobStore:
    """Jobs, parameters and results in the database; see the module docstring for the guarantees."""

    def __init__(self, engine: sa.Engine, *, on_change: Callable[[str], None] | None = None) -> None:
        self.engine = engine
        self.tables: UwsTables = uws_tables(engine.dialect.name)
        self._on_change = on_change

    def create_tables(self) -> None:
        """Creates the job tables if missing (idempotent; safe when several processes start together)."""
        create_tables(self.engine)

    # ----------------------------------------------------------------- reading

    def find(self, job_id: str) -> Job | None:
        """The job, or None when there is none by that id."""
        with self.engine.connect() as conn:
            return self._load(conn, job_id)

    def get(self, job_id: str) -> Job:
        """The job.

        Raises:
            JobNotFoundError: no job by that id.
        """
        job = self.find(job_id)
        if job is None:
            raise JobNotFoundError(f"no job {job_id}")
        return job

    def list_jobs(self, *, kind: str, owner: str | None, filter: JobFilter) -> list[JobRef]:
        """The jobs of ``kind`` owned by ``owner`` (None: anonymous) passing ``filter``, most recent first."""
        jobs = self.tables.jobs
        query = sa.select(
            jobs.c.job_id, jobs.c.phase, jobs.c.run_id, jobs.c.owner, jobs.c.creation_time
        ).where(jobs.c.kind == kind, jobs.c.owner.is_(None) if owner is None else jobs.c.owner == owner)
        if filter.phases is None:
            query = query.where(jobs.c.phase != Phase.ARCHIVED.value)
        else:
            query = query.where(jobs.c.phase.in_(sorted(p.value for p in filter.phases)))
        if filter.after is not None:
            query = query.where(jobs.c.creation_time > _to_db(filter.after))
        query = query.order_by(jobs.c.creation_time.desc(), jobs.c.job_id.desc())
        if filter.last is not None:
            query = query.limit(filter.last)
        with self.engine.connect() as conn:
            return [
                JobRef(r.job_id, Phase(r.phase), r.run_id, r.owner, r.creation_time.replace(tzinfo=dt.UTC))
                for r in conn.execute(query)
            ]

    def queued(self, kinds: Iterable[str], limit: int) -> list[str]:
        """Ids of up to ``limit`` QUEUED jobs of ``kinds``, in the order they were queued."""
        jobs = self.tables.jobs
        query = (
            sa.select(jobs.c.job_id)
            .where(jobs.c.phase == Phase.QUEUED.value, jobs.c.kind.in_(sorted(kinds)))
            .order_by(jobs.c.queued_time, jobs.c.job_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def executing(self) -> list[RunningJob]:
        """Every EXECUTING job with the process running it and its attempt number."""
        jobs = self.tables.jobs
        query = sa.select(jobs.c.job_id, jobs.c.runner, jobs.c.attempt).where(
            jobs.c.phase == Phase.EXECUTING.value
        )
        with self.engine.connect() as conn:
            return [RunningJob(r.job_id, r.runner, r.attempt) for r in conn.execute(query)]

    def expired(self, now: dt.datetime) -> list[str]:
        """Ids of the jobs whose destruction time has passed."""
        jobs = self.tables.jobs
        query = sa.select(jobs.c.job_id).where(jobs.c.destruction <= _to_db(now))
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    # ----------------------------------------------------------------- writing

    def create(
        self,
        *,
        kind: str,
        owner: str | None,
        run_id: str | None,
        parameters: Sequence[Parameter],
        execution_duration: int,
        destruction: dt.datetime | None,
        job_id: str | None = None,
        creation_time: dt.datetime | None = None,
    ) -> Job:
        """Stores a new PENDING job and returns it (a fresh random id unless ``job_id`` is given).

        ``creation_time`` defaults to now; callers computing the destruction time from it pass it.
        """
        job_id = job_id or secrets.token_hex(8)
        values = {
            "job_id": job_id,
            "kind": kind,
            "owner": owner,
            "run_id": run_id,
            "phase": Phase.PENDING.value,
            "creation_time": _to_db(creation_time or utc_now()),
            "execution_duration": execution_duration,
            "destruction": _to_db(destruction),
            "attempt": 0,
        }
        with self.engine.begin() as conn:
            conn.execute(self.tables.jobs.insert().values(values))
            self._insert_parameters(conn, job_id, parameters, start=0)
            job = self._load(conn, job_id)
        assert job is not None
        return job

    def transition(
        self,
        job_id: str,
        to: Phase,
        *,
        by: Actor = Actor.SERVER,
        attempt: int | None = None,
        runner: str | None = None,
        error: ErrorInfo | None = None,
        results: Sequence[Result] = (),
    ) -> Job:
        """Moves the job to phase ``to`` if ``TRANSITIONS`` allows it from its current phase for ``by``.

        ``attempt`` (when given) must match the job's: a run reports its outcome with the attempt it claimed, so
        a stale run is refused.  Fields follow the phase: EXECUTING sets ``startTime``, increments the attempt
        and records ``runner``; QUEUED records the queueing time; final phases set ``endTime``; ``error`` and
        ``results`` are stored with the change, in the same transaction.

        Returns the job after the change, or unchanged when it already is in ``to`` and ``to`` is idempotent.

        Raises:
            JobNotFoundError: no such job.
            PhaseConflictError: the change is not allowed from the job's phase (or the attempt is stale).
        """
        jobs = self.tables.jobs
        allowed = sources(to, by)
        now = _to_db(utc_now())
        values: dict[str, Any] = {"phase": to.value}
        if to is Phase.EXECUTING:
            values |= {"start_time": now, "runner": runner, "attempt": jobs.c.attempt + 1}
            values |= {"progress_fraction": None, "progress_message": None, "end_time": None}
        elif to is Phase.QUEUED:
            values |= {"queued_time": now, "runner": None}
        elif to in FINAL and to is not Phase.ARCHIVED:
            values["end_time"] = sa.func.coalesce(jobs.c.end_time, now)
        if error is not None:
            values |= {"error_type": error.type, "error_message": error.message, "error_detail": error.detail}
        condition = sa.and_(jobs.c.job_id == job_id, jobs.c.phase.in_(sorted(p.value for p in allowed)))
        if attempt is not None:
            condition = sa.and_(condition, jobs.c.attempt == attempt)
        with self.engine.begin() as conn:
            changed = (
                bool(allowed) and conn.execute(jobs.update().where(condition).values(values)).rowcount == 1
            )
            if changed:
                self._insert_results(conn, job_id, results)
            job = self._load(conn, job_id)
        if job is None:
            raise JobNotFoundError(f"no job {job_id}")
        if changed:
            self._notify(job_id)
            return job
        if job.phase is to and to in IDEMPOTENT:
            return job
        stale = f" (attempt {attempt} is not the current one)" if attempt not in (None, job.attempt) else ""
        raise PhaseConflictError(
            f"job {job_id} is {job.phase}: it cannot go to {to}{stale}",
            job_id=job_id,
            phase=job.phase,
            target=to,
        )

    def record(
        self, job_id: str, *, attempt: int, progress: Progress | None = None, results: Sequence[Result] = ()
    ) -> bool:
        """Records progress and/or results of the run ``attempt`` while the job is EXECUTING under it.

        Returns False (and stores nothing) when the job has moved on (aborted, timed out, reclaimed).
        """
        jobs = self.tables.jobs
        values: dict[str, Any] = {"attempt": attempt}
        if progress is not None:
            values |= {"progress_fraction": progress.fraction, "progress_message": progress.message}
        condition = sa.and_(
            jobs.c.job_id == job_id, jobs.c.phase == Phase.EXECUTING.value, jobs.c.attempt == attempt
        )
        with self.engine.begin() as conn:
            if conn.execute(jobs.update().where(condition).values(values)).rowcount != 1:
                return False
            self._insert_results(conn, job_id, results)
        return True

    def update_parameters(self, job_id: str, parameters: Sequence[Parameter]) -> Job:
        """Adds parameters, replacing every earlier value of the names given; PENDING jobs only.

        Raises:
            JobNotFoundError: no such job.
            PhaseConflictError: the job is no longer PENDING.
        """
        params = self.tables.parameters
        names = sorted({p.name for p in parameters})
        with self.engine.begin() as conn:
            self._require_phase(conn, job_id, {Phase.PENDING}, "its parameters cannot change")
            conn.execute(params.delete().where(params.c.job_id == job_id, params.c.name.in_(names)))
            last = conn.scalar(sa.select(sa.func.max(params.c.position)).where(params.c.job_id == job_id))
            self._insert_parameters(conn, job_id, parameters, start=0 if last is None else last + 1)
            job = self._load(conn, job_id)
        assert job is not None
        return job

    def update_times(
        self,
        job_id: str,
        *,
        execution_duration: int | None = None,
        destruction: dt.datetime | None = _UNCHANGED,
        phases: Iterable[Phase] = tuple(Phase),
    ) -> Job:
        """Changes the execution duration and/or destruction time while the job is in one of ``phases``.

        Raises:
            JobNotFoundError: no such job.
            PhaseConflictError: the job's phase is not one of ``phases``.
        """
        values: dict[str, Any] = {}
        if execution_duration is not None:
            values["execution_duration"] = execution_duration
        if destruction is not _UNCHANGED:
            values["destruction"] = _to_db(destruction)
        with self.engine.begin() as conn:
            self._require_phase(conn, job_id, set(phases), "it cannot change", values)
            job = self._load(conn, job_id)
        assert job is not None
        return job

    def delete(self, job_id: str) -> bool:
        """Forgets the job, its parameters and results (not its files: see ``uws.files``); False if unknown."""
        t = self.tables
        with self.engine.begin() as conn:
            gone = conn.execute(t.jobs.delete().where(t.jobs.c.job_id == job_id)).rowcount == 1
            conn.execute(t.parameters.delete().where(t.parameters.c.job_id == job_id))
            conn.execute(t.results.delete().where(t.results.c.job_id == job_id))
        if gone:
            self._notify(job_id)
        return gone

    # ----------------------------------------------------------------- helpers

    def _notify(self, job_id: str) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(job_id)
        except Exception:  # a lost notification delays a waiter; it must not fail the change itself
            _log.exception("notifying the change of job %s failed", job_id)

    def _require_phase(
        self,
        conn: sa.Connection,
        job_id: str,
        phases: set[Phase],
        why: str,
        values: dict[str, Any] | None = None,
    ) -> None:
        jobs = self.tables.jobs
        # an UPDATE first, even of nothing, takes SQLite's write lock before any read
        condition = sa.and_(jobs.c.job_id == job_id, jobs.c.phase.in_(sorted(p.value for p in phases)))
        if conn.execute(jobs.update().where(condition).values(values or {"job_id": job_id})).rowcount == 1:
            return
        phase = conn.scalar(sa.select(jobs.c.phase).where(jobs.c.job_id == job_id))
        if phase is None:
            raise JobNotFoundError(f"no job {job_id}")
        raise PhaseConflictError(f"job {job_id} is {phase}: {why}", job_id=job_id, phase=Phase(phase))

    def _insert_parameters(
        self, conn: sa.Connection, job_id: str, parameters: Sequence[Parameter], *, start: int
    ) -> None:
        if parameters:
            rows = [
                {"job_id": job_id, "position": start + i, "name": p.name, "value": p.value}
                | {"by_reference": p.by_reference}
                for i, p in enumerate(parameters)
            ]
            conn.execute(self.tables.parameters.insert(), rows)

    def _insert_results(self, conn: sa.Connection, job_id: str, results: Sequence[Result]) -> None:
        if not results:
            return
        table = self.tables.results
        known = set(conn.scalars(sa.select(table.c.result_id).where(table.c.job_id == job_id)))
        count = len(known)
        rows: list[dict[str, Any]] = []
        for r in results:
            if r.id in known:  # a result reported twice (while running, then at the end) is kept once
                continue
            known.add(r.id)
            rows.append(
                {"job_id": job_id, "result_id": r.id, "position": count + len(rows), "path": r.path}
                | {"url": r.url, "mime_type": r.mime_type, "size": r.size}
            )
        if rows:
            conn.execute(table.insert(), rows)

    def _load(self, conn: sa.Connection, job_id: str) -> Job | None:
        t = self.tables
        row = conn.execute(sa.select(t.jobs).where(t.jobs.c.job_id == job_id)).one_or_none()
        if row is None:
            return None
        params = conn.execute(
            sa.select(t.parameters).where(t.parameters.c.job_id == job_id).order_by(t.parameters.c.position)
        )
        results = conn.execute(
            sa.select(t.results).where(t.results.c.job_id == job_id).order_by(t.results.c.position)
        )
        error = None
        if row.error_message is not None:
            kind: ErrorType = "transient" if row.error_type == "transient" else "fatal"
            error = ErrorInfo(kind, row.error_message, row.error_detail)
        progress = None
        if row.progress_fraction is not None or row.progress_message is not None:
            progress = Progress(row.progress_fraction, row.progress_message)
        creation = _from_db(row.creation_time)
        assert creation is not None
        return Job(
            job_id=row.job_id,
            kind=row.kind,
            owner=row.owner,
            run_id=row.run_id,
            phase=Phase(row.phase),
            creation_time=creation,
            start_time=_from_db(row.start_time),
            end_time=_from_db(row.end_time),
            execution_duration=row.execution_duration,
            destruction=_from_db(row.destruction),
            quote=_from_db(row.quote),
            parameters=tuple(Parameter(p.name, p.value, bool(p.by_reference)) for p in params),
            results=tuple(Result(r.result_id, r.path, r.url, r.mime_type, r.size) for r in results),
            error=error,
            progress=progress,
            attempt=row.attempt,
            runner=row.runner,
        )
