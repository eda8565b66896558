"""The simulated archive: a hidden truth catalogue, lazily generated chunks, cached and reproducible."""
