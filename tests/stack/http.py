"""A JSON call to a stack's gateway with the standard library (the stack tests run outside any event loop)."""

import json
import urllib.error
import urllib.request


def call(
    port: int,
    method: str,
    path: str,
    body: object = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, object]:
    """``method path`` on 127.0.0.1:``port`` with a JSON body (and ``headers``): the status and the decoded answer
    (0 and the error when nothing answered)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Authorization", token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)
    except OSError as error:
        return 0, str(error)
