"""Argon2 hashing: in a bounded pool off the event loop, and a decoy check for unknown names."""

import asyncio
import time

from catalog.adapters.passwords import Argon2Hasher


async def test_the_decoy_is_never_valid_and_costs_as_much_as_a_real_check() -> None:
    hasher = Argon2Hasher(workers=1)
    try:
        stored = await hasher.hash("the-password")
        assert await hasher.verify(stored, "the-password")
        assert not await hasher.verify(None, "the-password")
        assert not await hasher.verify(None, "")
        known, unknown = [], []
        for _ in range(3):
            started = time.perf_counter()
            await hasher.verify(stored, "wrong")
            known.append(time.perf_counter() - started)
            started = time.perf_counter()
            await hasher.verify(None, "wrong")
            unknown.append(time.perf_counter() - started)
        assert min(unknown) > 0.5 * min(known)
    finally:
        hasher.close()


async def test_hashing_runs_off_the_event_loop() -> None:
    hasher = Argon2Hasher(workers=2)
    try:
        checks = asyncio.gather(*(hasher.hash(f"password-{i}") for i in range(8)))
        gaps = []
        while not checks.done():
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - started)
        assert len(await checks) == 8
        # Hashing on the loop would stop it for all 8 hashes at once (0.4 s at least); threads leave it free.
        assert max(gaps) < 0.3, gaps
    finally:
        hasher.close()
