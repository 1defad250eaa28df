"""A registry call's result or its error message, so one failing section does not break a whole page."""

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ui.registry import RegistryError

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """Either ``value`` or ``error`` (the registry's message) with its ``status``."""

    value: T | None = None
    error: str | None = None
    status: int | None = None


async def attempt(call: Awaitable[T]) -> Outcome[T]:
    """Await ``call``; a registry error becomes an ``Outcome`` (an expired session, 403, still raises)."""
    try:
        return Outcome(value=await call)
    except RegistryError as error:
        if error.status == 403:
            raise
        return Outcome(error=error.message, status=error.status)
