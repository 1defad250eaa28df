"""Handlers grouped by spec tag; each decodes, calls one service subject, encodes."""
