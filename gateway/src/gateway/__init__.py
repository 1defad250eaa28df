"""The HTTP gateway: validates requests, checks tokens, and fans out to services over NATS."""
