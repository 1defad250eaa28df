"""Reproduction: run the card's example in a sandbox, unchanged and then after the automatic fixes.

The outcome feeds ``scoring.domain.reproducibility``: the example runs unchanged → ``ran_unchanged``; it fails
unchanged but runs once the fixes of ``scoring.domain.examples`` changed something → ``ran_after_fixes``; it still
fails (error, time or memory limit) → ``failed``; the card has no Python example → ``no_code``.

``Reproduction.applicable`` says whether the result judges the model: it is False when there is no example, and when
the run stopped on a ``ModuleNotFoundError`` for a third-party package that the sandbox's interpreter lacks. That is
a gap of the sandbox environment, not a fault of the card. A missing *standard-library* module (``distutils``,
``imp``) stays applicable: the example was written for an interpreter that no longer exists.

The detail never quotes the example's output (it reaches users in 424 messages and reports, and an untrusted example
could print secrets there): a failure is explained by the limit it hit, or by the class name of the exception it
ended with, and for ``ModuleNotFoundError`` by the module's name, both validated as dotted identifiers.
"""

import builtins
import re
import signal
import sys
from dataclasses import dataclass
from typing import Literal, Protocol

from scoring.domain.examples import automatic_fixes, extract_example
from scoring.domain.reproducibility import RunOutcome

RunStatus = Literal["ok", "error", "timeout", "killed"]

_DOTTED_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_MODULE_NAME = re.compile(_DOTTED_NAME)
_EXCEPTION_LINE = re.compile(rf"({_DOTTED_NAME})(?::.*)?")
_MISSING_MODULE_LINE = re.compile(rf"ModuleNotFoundError: No module named '({_DOTTED_NAME})'")
_MAX_NAME = 100
_BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)


@dataclass(frozen=True, slots=True)
class SandboxRun:
    """What happened to one run of a snippet in a sandbox.

    ``status``: ``ok`` (exit 0), ``error`` (non-zero exit, e.g. an uncaught exception), ``timeout`` (stopped at the
    wall-clock limit) or ``killed`` (ended by a signal, e.g. the CPU or memory limit). ``exit_code`` is the process's
    return code (negative: the signal that ended it). The tails are the last bytes of the output, decoded.
    """

    status: RunStatus
    exit_code: int
    seconds: float
    stderr_tail: str
    stdout_tail: str = ""
    missing_module: str | None = None


class Sandbox(Protocol):
    """Runs a Python snippet isolated from this process, within time, memory and network limits."""

    async def run(self, code: str) -> SandboxRun:
        """Run ``code`` as the ``__main__`` script of a fresh interpreter and report how it ended."""
        ...


@dataclass(frozen=True, slots=True)
class Reproduction:
    """The reproducibility evidence: the outcome, a one-line human explanation, and whether it judges the model."""

    outcome: RunOutcome
    detail: str
    applicable: bool


async def reproduce(card_markdown: str, sandbox: Sandbox) -> Reproduction:
    """Run the card's example unchanged, then after the automatic fixes when they change it, and judge the result."""
    example = extract_example(card_markdown)
    if example is None:
        return Reproduction(RunOutcome.NO_CODE, "the card has no Python example", applicable=False)
    first = await sandbox.run(example)
    if first.status == "ok":
        detail = f"the example ran unchanged in {first.seconds:.1f} s"
        return Reproduction(RunOutcome.RAN_UNCHANGED, detail, applicable=True)
    fixed = automatic_fixes(example)
    if not fixed.applied:
        return _failed(first, "")
    second = await sandbox.run(fixed.code)
    fixes = ", ".join(fixed.applied)
    if second.status == "ok":
        detail = f"the example ran after automatic fixes ({fixes}) in {second.seconds:.1f} s"
        return Reproduction(RunOutcome.RAN_AFTER_FIXES, detail, applicable=True)
    return _failed(second, f" after automatic fixes ({fixes})")


def _failed(run: SandboxRun, after: str) -> Reproduction:
    """A failed reproduction, explained by the last run; not applicable when a third-party package is missing."""
    missing = _module_name(run.missing_module)
    if missing is not None and missing.split(".")[0] not in sys.stdlib_module_names:
        detail = f"needs {missing}, not installed in the sandbox"
        return Reproduction(RunOutcome.FAILED, detail, applicable=False)
    return Reproduction(RunOutcome.FAILED, f"the example failed{after}: {failure_reason(run)}", applicable=True)


def failure_reason(run: SandboxRun) -> str:
    """A short reason for a failed run, never text of its output: the limit it hit, or its exception's class name.

    ``ModuleNotFoundError`` also names the module (``ModuleNotFoundError: transformers``); any other exception is its
    class name alone (``RuntimeError``, ``requests.exceptions.HTTPError``), accepted when it is a built-in exception
    or a dotted identifier ending in ``Error`` or ``Exception``; otherwise the exit code.
    """
    if run.status == "timeout":
        return f"timed out after {run.seconds:.1f} s"
    if run.status == "killed":
        return f"killed by {_signal_name(-run.exit_code)} (CPU or memory limit) after {run.seconds:.1f} s"
    last = next((line.strip() for line in reversed(run.stderr_tail.splitlines()) if line.strip()), "")
    missing = _MISSING_MODULE_LINE.fullmatch(last)
    if missing is not None and len(missing.group(1)) <= _MAX_NAME:
        return f"ModuleNotFoundError: {missing.group(1)}"
    exception = _EXCEPTION_LINE.fullmatch(last)
    if exception is not None and _exception_name(exception.group(1)):
        return exception.group(1)
    return f"exit code {run.exit_code}"


def _exception_name(name: str) -> bool:
    """Whether ``name`` reads as an exception class: a built-in one, or a short name ending in Error/Exception."""
    if len(name) > _MAX_NAME:
        return False
    return name in _BUILTIN_EXCEPTIONS or name.rsplit(".", 1)[-1].endswith(("Error", "Exception"))


def _module_name(name: str | None) -> str | None:
    """``name`` when it is a short dotted identifier, else None (a sandbox's report is not trusted blindly)."""
    if name is None or len(name) > _MAX_NAME or _MODULE_NAME.fullmatch(name) is None:
        return None
    return name


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
