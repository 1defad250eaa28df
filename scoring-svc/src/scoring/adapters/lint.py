"""Lint density for ``code_quality``: the diagnostics that ruff reports on the ``.py`` files, a syntax error included.
Command:
``python -m ruff check --isolated --config "include = ['*.py']" --config "exclude = []" --no-respect-gitignore
--select E4,E7,E9,F --statistics --output-format json --exit-zero --no-cache .`` in the repository root.
``--isolated`` ignores the archive's own ruff configuration, which could otherwise switch rules off or exclude
files and so grade itself; ``include``/``exclude``/``--no-respect-gitignore`` make ruff check exactly the ``.py``
files that ``python_lines`` counts. The rules are ruff's defaults (``E4``, ``E7``, ``E9``: imports, statements,
syntax and I/O errors; ``F``: pyflakes, e.g. unused imports and undefined names): defects, not formatting taste,
so the density compares projects whatever their style. No ``--target-version`` is given: ruff then flags no
syntax as too new for some Python version, so modern code is not penalised. ``--statistics`` prints one count per
rule, small however many issues there are. In-line ``# noqa`` comments are honoured: unlike a configuration
file, they sit next to the code they excuse, where a reviewer sees them. Ruff runs only when there is Python code,
with a timeout (60 s by default); on expiry it is killed and ``LintFailed`` is raised, as when ruff fails.
"""

import asyncio
import json
import sys
from pathlib import Path
from typing import Final

LINT_RULES: Final = "E4,E7,E9,F"


class LintFailed(Exception):
    """Ruff failed or did not finish in time."""


def ruff_command() -> list[str]:
    """The ruff invocation counting lint issues of the ``.py`` files below the working directory."""
    return [
        *(sys.executable, "-m", "ruff", "check", "--isolated", "--no-respect-gitignore", "--no-cache"),
        *("--config", "include = ['*.py']", "--config", "exclude = []", "--select", LINT_RULES),
        *("--statistics", "--output-format", "json", "--exit-zero", "."),
    ]


async def lint_python(root: Path, timeout: float) -> int:
    """The number of ruff diagnostics on the ``.py`` files below ``root``; ``LintFailed`` on error or timeout."""
    proc = await asyncio.create_subprocess_exec(
        *ruff_command(), cwd=root, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        raise LintFailed(f"ruff did not finish within {timeout:g} s") from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise LintFailed(f"ruff exited with {proc.returncode}: {err.decode(errors='replace')[-500:]}")
    try:
        return sum(int(rule["count"]) for rule in json.loads(out or b"[]"))
    except (ValueError, TypeError, KeyError) as exc:
        raise LintFailed(f"unexpected ruff output: {out[:200]!r}") from exc
