"""The regex pattern checker's own process: RE2 holds the GIL while it compiles, up to tens of milliseconds for a
pattern far over the program-size cap, which must not stall the catalog's event loop."""

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from catalog.cores import checker_process_start
from catalog.domain.search import InvalidPattern, check_pattern


class PatternChecker:
    """Runs ``check_pattern`` in a child process at a lower priority (a crash there costs only that process)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def check(self, pattern: str, longest_text: int, max_program: int) -> str:
        """``check_pattern`` in the child process (started at the first call)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=checker_process_start
            )
        try:
            return await asyncio.wrap_future(self._pool.submit(check_pattern, pattern, longest_text, max_program))
        except BrokenProcessPool as error:
            self.close()
            raise InvalidPattern("invalid regex: it could not be compiled") from error

    def close(self) -> None:
        """Stop the child process (it is started again by the next check)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
