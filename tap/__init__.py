"""TAP 1.1: table metadata, ADQL translation, output formats, query runner and HTTP handlers."""
