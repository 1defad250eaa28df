"""Reproduction: run the card's example in a sandbox, unchanged and then after the automatic fixes.

The outcome feeds ``scoring.domain.reproducibility``: the example runs unchanged → ``ran_unchanged``; it fails
unchanged but runs once the fixes of ``scoring.domain.examples`` changed something → ``ran_after_fixes``; it still
fails (error, time or memory limit) → ``failed``; the card has no Python example → ``no_code``; the sandbox cannot
isolate code on this machine (``Sandbox.unavailable``), so the example is not run at all → ``not_run``.

The sandbox has no network: an example that loads the model gets it from an offline copy of the model's files
(``OfflineModel``, a read-only Hugging Face cache made for this reproduction by the ``offline`` factory). The copy
includes the weights only when every module the example imports is installed in the sandbox's interpreter (one
short sandbox run asks): an example that cannot import its libraries cannot load weights either, and the download
would be wasted.

``Reproduction.applicable`` says whether the result judges the model: it is False when there is no example, when it
was not run, when the run stopped on a ``ModuleNotFoundError`` for a third-party package that the sandbox's
interpreter lacks (a gap of the sandbox environment, not a fault of the card), and when it failed while the offline
copy lacked part of the model (over ``SANDBOX_MODEL_MAX_MB``, files not as published, not a Hub model): the example
did not get what it needs. A missing *standard-library* module (``distutils``, ``imp``) stays applicable: the
example was written for an interpreter that no longer exists.

The detail never quotes the example's output (it reaches users in 424 messages and reports, and an untrusted example
could print secrets there): a failure is explained by the limit it hit, or by the class name of the exception it
ended with, and for ``ModuleNotFoundError`` by the module's name, both validated as dotted identifiers.
"""

import builtins
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from scoring.domain.examples import Fixed, automatic_fixes, extract_example, imported_modules
from scoring.domain.reproducibility import RunOutcome
from scoring.ports import OfflineModel

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
    """Runs a Python snippet isolated from this host: no network, no secrets, within time, memory and process limits."""

    @property
    def unavailable(self) -> str | None:
        """Why snippets cannot run here (None: they can); a sandbox never runs one without its isolation."""
        ...

    async def run(self, code: str, cache: Path | None = None) -> SandboxRun:
        """Run ``code`` as the ``__main__`` script of a fresh interpreter, ``cache`` mounted read-only as its
        Hugging Face hub cache, and report how it ended."""
        ...


# Makes the offline copy of the model for one reproduction: given a check of whether the example's libraries are
# installed (asked only when the model has weights to copy), a context yielding the copy.
OfflineCopy = Callable[[Callable[[], Awaitable[bool]]], AbstractAsyncContextManager[OfflineModel]]


@asynccontextmanager
async def no_model(_libraries_installed: Callable[[], Awaitable[bool]]) -> AsyncIterator[OfflineModel]:
    """No copy, and none needed: the reproduction of a card rated without its model (tests, tools)."""
    yield OfflineModel(cache=None, incomplete=None)


@dataclass(frozen=True, slots=True)
class Reproduction:
    """The reproducibility evidence: the outcome, a one-line human explanation, and whether it judges the model."""

    outcome: RunOutcome
    detail: str
    applicable: bool


async def reproduce(card_markdown: str, sandbox: Sandbox, offline: OfflineCopy = no_model) -> Reproduction:
    """Run the card's example unchanged, then after the automatic fixes when they change it, and judge the result."""
    example = extract_example(card_markdown)
    if example is None:
        return Reproduction(RunOutcome.NO_CODE, "the card has no Python example", applicable=False)
    reason = sandbox.unavailable
    if reason is not None:
        return Reproduction(RunOutcome.NOT_RUN, f"the example was not run: {reason}", applicable=False)
    fixed = automatic_fixes(example)
    async with offline(lambda: libraries_installed(sandbox, example, fixed)) as model:
        return await _runs(example, fixed, sandbox, model)


async def _runs(example: str, fixed: Fixed, sandbox: Sandbox, model: OfflineModel) -> Reproduction:
    first = await sandbox.run(example, model.cache)
    if first.status == "ok":
        detail = f"the example ran unchanged in {first.seconds:.1f} s"
        return Reproduction(RunOutcome.RAN_UNCHANGED, detail, applicable=True)
    if not fixed.applied:
        return _failed(first, "", model)
    second = await sandbox.run(fixed.code, model.cache)
    fixes = ", ".join(fixed.applied)
    if second.status == "ok":
        detail = f"the example ran after automatic fixes ({fixes}) in {second.seconds:.1f} s"
        return Reproduction(RunOutcome.RAN_AFTER_FIXES, detail, applicable=True)
    return _failed(second, f" after automatic fixes ({fixes})", model)


async def libraries_installed(sandbox: Sandbox, example: str, fixed: Fixed) -> bool:
    """Whether every module the example (as written or fixed) imports is installed in the sandbox's interpreter."""
    modules = sorted({*imported_modules(example), *imported_modules(fixed.code)})
    if not modules:
        return True
    check = f"import importlib.util\nprint(*[m for m in {modules!r} if importlib.util.find_spec(m) is None])\n"
    run = await sandbox.run(check)
    return run.status == "ok" and not run.stdout_tail.strip()


def _failed(run: SandboxRun, after: str, model: OfflineModel) -> Reproduction:
    """A failed reproduction, explained by the last run; not applicable when a third-party package is missing, or
    when the example ran without the model's complete files."""
    missing = _module_name(run.missing_module)
    if missing is not None and missing.split(".")[0] not in sys.stdlib_module_names:
        detail = f"needs {missing}, not installed in the sandbox"
        return Reproduction(RunOutcome.FAILED, detail, applicable=False)
    if model.incomplete is not None:
        detail = (
            f"the example failed{after}: {failure_reason(run)}, without the model's complete files ({model.incomplete})"
        )
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
