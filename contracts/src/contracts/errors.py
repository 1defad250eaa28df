"""Error codes carried in the ``Nats-Service-Error-Code`` header.

The codes are HTTP status numbers on purpose: a service states what went wrong in the vocabulary the
gateway answers with, and the gateway maps code to status in exactly one place.
"""

from enum import IntEnum


class ErrorCode(IntEnum):
    """What a service can answer instead of a result."""

    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    FORBIDDEN = 403
    NOT_FOUND = 404
    CONFLICT = 409
    GONE = 410
    TOO_LARGE = 413
    FAILED_DEPENDENCY = 424
    TOO_MANY_REQUESTS = 429
    INTERNAL = 500
    UPSTREAM_FAILED = 502
    UNAVAILABLE = 503
    TIMEOUT = 504
    INSUFFICIENT_STORAGE = 507


class ServiceFailure(Exception):
    """A domain-level failure with a code and a message meant for the end user."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ServiceFailure({self.code.name}, {self.message!r})"
