"""Benchmarks run by `make bench`: each module measures one thing against a reference timed in the same run.

A module exposes ``main(argv: list[str] | None = None) -> int``, prints its figures (and their ratio to the
reference) as plain lines, and can be run alone with ``python -m benchmarks.<module>``.
"""
