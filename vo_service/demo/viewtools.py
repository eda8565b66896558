"""Portable building blocks for the SELECTs behind the demo's views (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from vo_service.db.ddl import HPX_COLUMN

__all__ = ["spatial_index_passthrough", "text_literal"]


def text_literal(value: str) -> sa.Cast[str]:
    """A typed string constant (``CAST('...' AS VARCHAR)``), so view columns get a text type on PostgreSQL."""
    return sa.cast(sa.literal(value), sa.String())


def spatial_index_passthrough(base: sa.Table) -> list[sa.Label[Any]]:
    """``[base._hpx]`` when the base table has the hidden HEALPix column (SQLite), else nothing.

    A view with a position must end with that column on SQLite so that cone searches through the view are
    prefiltered by the base table's index; on PostgreSQL the GiST index of the base table serves directly.
    """
    return [base.c[HPX_COLUMN].label(HPX_COLUMN)] if HPX_COLUMN in base.c else []
