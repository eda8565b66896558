"""INTEGRAL: time conventions, spectral models, and the IBIS/ISGRI coded-mask imaging core."""
