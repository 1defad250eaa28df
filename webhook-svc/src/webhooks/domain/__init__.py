"""Pure rules of webhook-svc: who hears what, target addresses, retry timing."""
