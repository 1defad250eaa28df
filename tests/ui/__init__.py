"""Tests of the web UI: pure chart/layout/view functions, and the UI process against a real registry."""
