"""catalog-svc: artifact metadata, README/card text for search, the audit trail, users and tokens."""
