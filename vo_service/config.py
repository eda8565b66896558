"""The service configuration: one object, read once from ``MMVO_*`` environment variables (or a ``.env``).

It is built at start-up and passed down; no other module reads the environment, so tests build a ``Config``
with the values they need and two apps with different settings can live in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Config"]


class Config(BaseSettings):
    """Settings of one MMVO service instance."""

    model_config = SettingsConfigDict(env_prefix="MMVO_", env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("data"), description="Where the SQLite file, job results and archive live"
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means an SQLite file in data_dir, postgresql+psycopg://... selects PostgreSQL",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public root URL used in links, capabilities and records"
    )
    authority: str = Field(default="mmvo.example", description="IVOA authority of the service's identifiers")
    publisher: str = Field(
        default="MMVO", description="Who publishes the service, as its registry records name the publisher"
    )
    contact_email: str = Field(
        default="contact@mmvo.example",
        description="Contact address in the registry records and OAI-PMH Identify",
    )
    maxrec_default: int = Field(default=100_000, ge=0, description="MAXREC when the client gives none")
    maxrec_hard: int = Field(default=20_000_000, ge=1, description="Largest MAXREC a client may ask for")
    query_timeout: float = Field(
        default=600.0, gt=0, description="Seconds before a synchronous query is stopped"
    )
    upload_limit_bytes: int = Field(default=100_000_000, gt=0, description="Largest accepted upload")
    job_destruction_days: float = Field(
        default=7.0, gt=0, description="Lifetime of a job before it is destroyed"
    )
    job_execution_duration: int = Field(default=3600, ge=0, description="Default run-time limit of a job (s)")
    job_execution_duration_hard: int = Field(default=86_400, ge=0, description="Largest allowed run-time (s)")
    analysis_workers: int = Field(
        default=2, ge=1, description="Worker processes running analysis jobs, per server process"
    )
    dask_scheduler: str | None = Field(
        default=None,
        description="Address of a Dask distributed scheduler (tcp://host:8786) running the analysis jobs; "
        "empty: worker processes of this server",
    )
    analysis_jobs_per_owner: int = Field(
        default=0,
        ge=0,
        description="Analysis jobs an owner may have queued or executing at once (0: no limit; anonymous "
        "callers count as one owner)",
    )
    demo_sources: int = Field(default=100_000, ge=100, description="Rows of mmvo.sources in the demo data")
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Made absolute once, here: worker processes and product paths must not depend on a working directory."""
        return value.resolve()

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to ``data_dir/mmvo.sqlite``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mmvo.sqlite').resolve()}"

    @property
    def dialect(self) -> Literal["sqlite", "postgresql"]:
        return "postgresql" if self.sqlalchemy_url.startswith("postgresql") else "sqlite"

    def url(self, path: str) -> str:
        """Absolute public URL of a service path (``/tap/sync`` -> ``http://host/tap/sync``)."""
        return f"{self.base_url}/{path.lstrip('/')}"
