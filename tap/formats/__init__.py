"""Result serialisations: streaming VOTable (TABLEDATA, BINARY2), CSV, TSV and FITS."""
