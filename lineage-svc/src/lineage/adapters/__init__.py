"""Adapters: the graph store, upstream metadata, storage sizes."""
