"""ADBC helpers shared by the database layer and the SQLite reader processes.

Kept light on purpose (nothing here imports the rest of the service): a reader process imports only this
package, pyarrow and the driver, so it starts in a fraction of a second.
"""
