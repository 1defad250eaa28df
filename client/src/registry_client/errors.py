"""The one exception this client raises, and how it reads the registry's error bodies."""

import json

import httpx

REQUEST_ID_HEADER = "X-Request-Id"


class RegistryError(Exception):
    """A call that did not succeed: the HTTP ``status`` (0 when the registry could not be reached or the client
    refused what it received), the registry's ``message`` and the ``request_id`` its logs hold it under."""

    def __init__(self, status: int, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        prefix = f"{self.status}: " if self.status else ""
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"{prefix}{self.message}{suffix}"


class ChecksumMismatch(RegistryError):
    """Received bytes whose sha256 differs from the one the registry published; nothing was kept under their name."""

    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(0, message, request_id)


def from_response(response: httpx.Response) -> RegistryError:
    """The error a non-successful answer stands for: its JSON ``{status, message, request_id}`` body when it has
    one (every 4xx/5xx of the gateway does), else its status line."""
    request_id = response.headers.get(REQUEST_ID_HEADER) or response.request.headers.get(REQUEST_ID_HEADER)
    message = response.reason_phrase or "error"
    try:
        body = json.loads(response.content) if response.content else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
        text = response.text.strip()
        message = text[:300] if text else message
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("description") or message)
        request_id = str(body.get("request_id") or request_id or "") or None
    elif isinstance(body, str):
        message = body
    return RegistryError(response.status_code, " ".join(message.split()), request_id)


def from_transport(error: httpx.HTTPError, request: httpx.Request) -> RegistryError:
    """The error for a request that got no answer (connection refused, timeout, dropped)."""
    reason = str(error) or type(error).__name__
    return RegistryError(
        0, f"{request.method} {request.url} got no answer: {reason}", request.headers.get(REQUEST_ID_HEADER)
    )
