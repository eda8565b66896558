"""The database layer: engines, DDL from table metadata, bulk loading and the published catalogue."""

from vo_service.db.catalog import load_catalog, publish, unpublish
from vo_service.db.ddl import build_indexes, create_table, create_view, drop_table, sa_table
from vo_service.db.engine import Database, make_engine, prepare_database
from vo_service.db.load import insert_chunks

__all__ = [
    "Database",
    "build_indexes",
    "create_table",
    "create_view",
    "drop_table",
    "insert_chunks",
    "load_catalog",
    "make_engine",
    "prepare_database",
    "publish",
    "sa_table",
    "unpublish",
]
