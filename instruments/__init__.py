"""Instrument plugins and archive backends: pure numpy/astropy code, independent of the service."""
