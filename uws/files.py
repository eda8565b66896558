"""The files of jobs: one directory per job under ``Config.data_dir / "jobs"``.

``{job_id}/results/`` is where a run function writes its results (``RunContext.results_dir``);
``{job_id}/uploads/{name}`` holds the blobs of by-reference parameters (inline uploads), served at
``{job}/parameters/{name}``.  The directory goes when the job is destroyed.  Names are checked so that no
request can reach outside a job's directory.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from uws.errors import JobNotFoundError
from vo_service.errors import UsageError

__all__ = ["JobFiles"]

_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_BLOB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


class JobFiles:
    """Paths and blob storage of the jobs under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def job_dir(self, job_id: str) -> Path:
        """The job's directory (not created).

        Raises:
            JobNotFoundError: ``job_id`` is not a possible job id.
        """
        if not _JOB_ID.fullmatch(job_id):
            raise JobNotFoundError(f"no job {job_id}")
        return self.root / job_id

    def results_dir(self, job_id: str) -> Path:
        return self.job_dir(job_id) / "results"

    def prepare(self, job_id: str) -> Path:
        """Creates the job's results directory (idempotent) and returns the job's directory."""
        self.results_dir(job_id).mkdir(parents=True, exist_ok=True)
        return self.job_dir(job_id)

    def store_blob(self, job_id: str, name: str, content: bytes) -> None:
        """Keeps ``content`` as the blob ``name`` of the job, replacing an earlier one.

        Raises:
            UsageError: ``name`` is not a plain name (letters, digits, ``_.-``, starting with a letter).
        """
        if not _BLOB_NAME.fullmatch(name):
            raise UsageError(f"upload part name {name!r} must be a letter followed by letters, digits, _ . -")
        folder = self.job_dir(job_id) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.part"
        partial.write_bytes(content)
        partial.replace(folder / name)

    def blob_path(self, job_id: str, name: str) -> Path:
        """The file of the blob ``name``.

        Raises:
            JobNotFoundError: no such blob.
        """
        path = self.job_dir(job_id) / "uploads" / name
        if not _BLOB_NAME.fullmatch(name) or not path.is_file():
            raise JobNotFoundError(f"job {job_id} has no uploaded parameter {name}")
        return path

    def result_path(self, job_id: str, relative: str) -> Path:
        """The file of a stored result (relative to the results directory).

        Raises:
            JobNotFoundError: the file is missing or lies outside the results directory.
        """
        base = self.results_dir(job_id).resolve()
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            raise JobNotFoundError(f"the result file of job {job_id} is missing")
        return path

    def remove(self, job_id: str) -> None:
        """Deletes the job's directory and everything in it (nothing when absent)."""
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
