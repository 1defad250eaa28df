"""Adapters of webhook-svc: its store, the event stream, the HTTP sender."""
