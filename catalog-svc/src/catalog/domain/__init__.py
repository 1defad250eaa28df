"""Pure rules of the catalog: no I/O here."""
