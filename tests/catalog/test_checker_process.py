"""The catalog's pattern checker runs in a child process that ends with the catalog, even when the catalog is killed
with SIGKILL and cannot shut its pool down (each such kill used to leave the worker and its resource tracker)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

CATALOG = """
import asyncio, multiprocessing, sys
from catalog.adapters.pattern_checker import PatternChecker

async def main() -> None:
    checker = PatternChecker()
    print(repr(await checker.check("a+b", 100, 10_000)), flush=True)
    print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_catalog_killed_with_sigkill_leaves_no_checker_process() -> None:
    with subprocess.Popen([sys.executable, "-c", CATALOG], stdout=subprocess.PIPE, text=True) as catalog:
        try:
            assert catalog.stdout is not None
            assert catalog.stdout.readline().strip() == "'a+b'"  # the checked pattern, as the checker returns it
            workers = [int(pid) for pid in catalog.stdout.readline().split()]
            assert workers and all(_alive(pid) for pid in workers)
        finally:
            catalog.send_signal(signal.SIGKILL)
            catalog.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"checker processes {workers} outlived the catalog"
        time.sleep(0.05)
