"""Pure formatting helpers, also the templates' filters."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

_UNITS = ("bytes", "kB", "MB", "GB", "TB")


def human_bytes(value: float | None) -> str:
    """``3454097098`` → ``3.45 GB`` (decimal units, as the registry's MB); None → ``unknown``."""
    if value is None:
        return "unknown"
    amount = float(value)
    for unit in _UNITS:
        if abs(amount) < 1000 or unit == _UNITS[-1]:
            return f"{int(amount)} bytes" if unit == "bytes" else f"{amount:.2f} {unit}"
        amount /= 1000
    raise AssertionError("unreachable")


def score(value: float | None) -> str:
    """A score in [0, 1] with two decimals."""
    return "—" if value is None else f"{float(value):.2f}"


def milliseconds(seconds: float | None) -> str:
    """Seconds as milliseconds with one decimal."""
    return "—" if seconds is None else f"{1000 * float(seconds):.1f} ms"


def megabytes(value: float | None) -> str:
    """A cost in MB with two decimals."""
    return "—" if value is None else f"{float(value):,.2f} MB"


def timestamp(value: datetime | str | None) -> str:
    """A UTC time, or its ISO-8601 text, as ``2025-11-26 13:00:56 UTC`` (unparseable text unchanged)."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


FILTERS: dict[str, Callable[..., Any]] = {
    "bytes": human_bytes,
    "score": score,
    "ms": milliseconds,
    "mb": megabytes,
    "timestamp": timestamp,
}
