"""Pure rules of lineage: no I/O here."""
