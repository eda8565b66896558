"""Starting a query on an ADBC DB-API connection with a reader that keeps the driver's errors.

``Cursor.fetch_record_batch`` hands out the bare pyarrow reader, whose errors while reading are plain
``OSError`` texts; the reader the DB-API cursor itself reads through turns them back into the driver's
exception classes with their SQLSTATE, which is how a statement timeout is told from a refused query.  This
module is kept light: the SQLite reader process imports it.
"""

from __future__ import annotations

from typing import Any

from adbc_driver_manager._reader import AdbcRecordBatchReader

__all__ = ["start_query"]


def start_query(conn: Any, sql: str, options: dict[str, str] | None = None) -> tuple[Any, Any]:
    """Runs ``sql`` on a new cursor of ``conn`` with statement ``options``: (the cursor, a reader of its
    record batches).  Close the reader, then the cursor.

    Raises:
        adbc_driver_manager.Error: the database refused the query.
    """
    cursor = conn.cursor()
    try:
        statement = cursor.adbc_statement
        if options:
            statement.set_options(**options)
        statement.set_sql_query(sql)
        handle, _rows = statement.execute_query()
        return cursor, AdbcRecordBatchReader._import_from_c(handle.address)
    except BaseException:
        cursor.close()
        raise
