"""One module per use case: a plain async function of (request, deps)."""
