"""DataLink 1.1: links to product files, previews and provenance."""
