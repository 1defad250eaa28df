"""Message contracts shared by the gateway and every service.

Services never import each other: everything that crosses a process boundary is defined here once —
NATS subjects, request/response payloads (pydantic models with ``extra="forbid"``) and error codes.
"""
