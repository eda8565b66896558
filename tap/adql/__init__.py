"""ADQL 2.1: parsing, checking and translation to SQLite and PostgreSQL+pgSphere SQL."""
