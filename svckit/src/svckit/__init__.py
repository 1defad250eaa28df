"""Shared runtime for every registry process (gateway and services)."""
