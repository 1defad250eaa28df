"""Request handlers, by page group."""
