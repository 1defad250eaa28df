"""Pure rules of storage: no I/O here."""
