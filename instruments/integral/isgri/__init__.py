"""IBIS/ISGRI: the coded-mask imager, from shadowgrams to sky images, source lists and mosaics."""
