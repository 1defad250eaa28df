"""lineage-svc: the lineage graph, download cost with dependencies, and licence compatibility."""
