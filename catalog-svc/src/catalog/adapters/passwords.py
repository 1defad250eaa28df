"""Argon2id password hashing in a bounded pool of threads sized to the cores, at a lower priority than the
event loop (it is deliberately slow: a burst of sign-ins must not delay token leases).

An unknown user name costs the same as a known one: its password is checked against a decoy hash made with
the same parameters, so the time of a refusal says nothing about which names exist.
"""

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from catalog.cores import available_cores, yield_to_requests

T = TypeVar("T")


class Argon2Hasher:
    """``PasswordHasher`` port backed by argon2-cffi (which releases the GIL while it hashes)."""

    def __init__(self, workers: int | None = None) -> None:
        self._hasher = PasswordHasher()
        self._pool = ThreadPoolExecutor(
            max_workers=workers or available_cores(), thread_name_prefix="argon2", initializer=yield_to_requests
        )
        self._decoy: str | None = None

    async def hash(self, password: str) -> str:
        """A salted argon2id hash of ``password``."""
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches ``password_hash``; None (an unknown user) does the same work and is
        never valid."""
        if password_hash is None:
            if self._decoy is None:
                self._decoy = await self.hash(secrets.token_urlsafe(32))
            await self._check(self._decoy, password)
            return False
        return await self._check(password_hash, password)

    def close(self) -> None:
        """Stop the hashing threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _check(self, password_hash: str, password: str) -> bool:
        try:
            return await self._run(self._hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _run(self, function: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)
