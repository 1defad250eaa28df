"""Benchmark of the registry backbone (gateway → NATS → catalog-svc → SQLite) against a bare aiohttp server.

Run with ``python -m bench`` (or ``make bench``); ``python -m bench --quick`` is a small smoke run.
"""
