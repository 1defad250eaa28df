"""Argon2id password hashing, run off the event loop (it is deliberately slow)."""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """``PasswordHasher`` port backed by argon2-cffi."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    async def hash(self, password: str) -> str:
        """A salted argon2id hash of ``password``."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches ``password_hash``."""
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
