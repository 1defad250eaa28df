"""Adapters: the SQL store, password hashing and upstream look-ups."""
