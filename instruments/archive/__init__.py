"""Archive backends: where the analysis cores get their data (simulated by default, a real archive later)."""
