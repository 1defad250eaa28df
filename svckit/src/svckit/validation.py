"""One wording for invalid input, used by the HTTP edge and the NATS endpoints alike."""

from pydantic import ValidationError

MAX_LISTED = 5


def describe(error: ValidationError, what: str = "request") -> str:
    """A one-line summary naming up to five offending fields: ``Invalid request: url: Field required.``"""
    parts = []
    for item in error.errors(include_url=False)[:MAX_LISTED]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return f"Invalid {what}: " + "; ".join(parts) + "."
