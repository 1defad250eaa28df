"""One module per use case of webhook-svc."""
