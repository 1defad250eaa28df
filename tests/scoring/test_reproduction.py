"""reproduce() on model cards, with the real sandbox (and a recording fake for the bookkeeping)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scoring.adapters.sandbox import SandboxLimits
from scoring.domain.reproducibility import RunOutcome
from scoring.evidence.reproduction import SandboxRun, reproduce
from scoring.ports import OfflineModel
from tests.scoring.sandboxes import needs_isolation, sandbox

SANDBOX = sandbox(SandboxLimits(wall_seconds=1.5, cpu_seconds=10, memory_bytes=256 << 20))


def card(code: str, info: str = "python") -> str:
    return f"---\nlicense: mit\n---\n# Tiny model\n\n## Quick start\n\n```{info}\n{code}```\n"


@dataclass
class RecordingSandbox:
    """A sandbox that answers from a script and records the code it was given."""

    answers: list[SandboxRun]
    ran: list[str] = field(default_factory=list)
    caches: list[Path | None] = field(default_factory=list)
    unavailable: str | None = None

    async def run(self, code: str, cache: Path | None = None) -> SandboxRun:
        self.ran.append(code)
        self.caches.append(cache)
        return self.answers[len(self.ran) - 1]


@dataclass
class RecordingCopy:
    """An offline copy factory that records whether the weights were wanted."""

    incomplete: str | None = None
    wanted_weights: list[bool] = field(default_factory=list)

    @asynccontextmanager
    async def __call__(self, libraries_installed: Callable[[], Awaitable[bool]]) -> AsyncIterator[OfflineModel]:
        self.wanted_weights.append(await libraries_installed())
        yield OfflineModel(cache=Path("/copies/hub"), incomplete=self.incomplete)


def ok(stdout: str = "") -> SandboxRun:
    return SandboxRun(status="ok", exit_code=0, seconds=0.1, stderr_tail="", stdout_tail=stdout)


def error(stderr: str, missing: str | None = None) -> SandboxRun:
    return SandboxRun(status="error", exit_code=1, seconds=0.1, stderr_tail=stderr, missing_module=missing)


@needs_isolation
async def test_an_example_that_runs_unchanged() -> None:
    result = await reproduce(card("print('hello')\n"), SANDBOX)
    assert result.outcome is RunOutcome.RAN_UNCHANGED
    assert result.applicable
    assert result.detail.startswith("the example ran unchanged")


@needs_isolation
async def test_a_doctest_example_runs_after_its_prompts_are_stripped() -> None:
    result = await reproduce(card(">>> total = sum([1, 2])\n>>> print(total)\n3\n"), SANDBOX)
    assert result.outcome is RunOutcome.RAN_AFTER_FIXES
    assert result.applicable
    assert "strip_doctest_prompts" in result.detail


@needs_isolation
async def test_a_gpu_example_runs_after_moving_to_the_cpu() -> None:
    code = (
        'model = dict(device="cuda")\nif model["device"] != "cpu":\n    raise RuntimeError("Found no NVIDIA driver")\n'
    )
    result = await reproduce(card(code), SANDBOX)
    assert result.outcome is RunOutcome.RAN_AFTER_FIXES
    assert result.detail.startswith("the example ran after automatic fixes (move_to_cpu)")


@needs_isolation
async def test_an_example_missing_a_stdlib_import_runs_after_adding_it() -> None:
    result = await reproduce(card("print(json.dumps({'ok': True}))\n"), SANDBOX)
    assert result.outcome is RunOutcome.RAN_AFTER_FIXES
    assert "add_stdlib_imports" in result.detail


@needs_isolation
async def test_an_example_that_raises_fails() -> None:
    result = await reproduce(card("raise ValueError('checkpoint is corrupt')\n"), SANDBOX)
    assert result.outcome is RunOutcome.FAILED
    assert result.applicable
    assert result.detail == "the example failed: ValueError"


@needs_isolation
async def test_an_example_that_still_raises_after_fixes_names_them() -> None:
    result = await reproduce(card(">>> raise KeyError('label')\n"), SANDBOX)
    assert result.outcome is RunOutcome.FAILED
    assert result.detail == "the example failed after automatic fixes (strip_doctest_prompts): KeyError"


@needs_isolation
async def test_an_example_that_loops_forever_fails_on_the_time_limit() -> None:
    result = await reproduce(card("while True:\n    pass\n"), SANDBOX)
    assert result.outcome is RunOutcome.FAILED
    assert result.applicable
    assert result.detail.startswith("the example failed: timed out after ")


async def test_a_card_without_python_code_is_no_code_and_not_applicable() -> None:
    result = await reproduce(card("pip install tiny\n", info="bash"), SANDBOX)
    assert result.outcome is RunOutcome.NO_CODE
    assert not result.applicable
    assert result.detail == "the card has no Python example"


@needs_isolation
async def test_a_package_missing_from_the_sandbox_is_not_the_models_fault() -> None:
    code = "import transformers\nmodel = transformers.AutoModel.from_pretrained('acme/tiny')\n"
    result = await reproduce(card(code), SANDBOX)
    assert result.outcome is RunOutcome.FAILED
    assert not result.applicable
    assert result.detail == "needs transformers, not installed in the sandbox"


async def test_a_missing_standard_library_module_is_the_examples_fault() -> None:
    sandbox = RecordingSandbox([error("ModuleNotFoundError: No module named 'distutils'", missing="distutils.util")])
    result = await reproduce(card("from distutils.util import strtobool\n"), sandbox)
    assert result.outcome is RunOutcome.FAILED
    assert result.applicable
    assert result.detail == "the example failed: ModuleNotFoundError: distutils"


async def test_a_forged_missing_module_name_is_not_quoted() -> None:
    forged = error("ModuleNotFoundError: No module named 'pass word'", missing="pass word")
    result = await reproduce(card("import x\n"), RecordingSandbox([forged]))
    assert result.outcome is RunOutcome.FAILED
    assert result.applicable
    assert result.detail == "the example failed: ModuleNotFoundError"


async def test_output_that_is_no_exception_gives_the_exit_code() -> None:
    result = await reproduce(card("import x\n"), RecordingSandbox([error("db password is hunter2")]))
    assert result.detail == "the example failed: exit code 1"


async def test_the_example_is_not_run_again_when_no_fix_applies() -> None:
    sandbox = RecordingSandbox([error("NameError: name 'model' is not defined")])
    await reproduce(card("print(model)\n"), sandbox)
    assert sandbox.ran == ["print(model)\n"]


async def test_the_fixed_code_is_what_runs_the_second_time() -> None:
    ok = SandboxRun(status="ok", exit_code=0, seconds=0.1, stderr_tail="")
    sandbox = RecordingSandbox([error("SyntaxError: invalid syntax"), ok])
    await reproduce(card("!pip install tiny\nimport tiny\n"), sandbox)
    assert sandbox.ran == ["!pip install tiny\nimport tiny\n", "import tiny\n"]


async def test_a_run_killed_by_a_limit_says_so() -> None:
    killed = SandboxRun(status="killed", exit_code=-24, seconds=1.0, stderr_tail="")
    result = await reproduce(card("spin()\n"), RecordingSandbox([killed]))
    assert result.detail == "the example failed: killed by SIGXCPU (CPU or memory limit) after 1.0 s"


async def test_an_example_is_not_run_where_the_sandbox_cannot_isolate_it() -> None:
    unavailable = RecordingSandbox([], unavailable="bubblewrap could not start")
    result = await reproduce(card("print('hello')\n"), unavailable)
    assert result.outcome is RunOutcome.NOT_RUN and not result.applicable
    assert result.detail == "the example was not run: bubblewrap could not start"
    assert unavailable.ran == []


async def test_the_offline_copy_is_mounted_for_every_run() -> None:
    sandbox = RecordingSandbox([error("SyntaxError: invalid syntax"), ok()])
    result = await reproduce(card(">>> print(1)\n1\n"), sandbox, RecordingCopy())
    assert result.outcome is RunOutcome.RAN_AFTER_FIXES
    assert sandbox.caches == [Path("/copies/hub"), Path("/copies/hub")]


async def test_weights_are_wanted_only_when_the_examples_libraries_are_installed() -> None:
    copy = RecordingCopy()
    sandbox = RecordingSandbox([ok("transformers\n"), ok(), ok(""), ok()])
    await reproduce(card("import json, transformers\n"), sandbox, copy)
    await reproduce(card("import json\nfrom huggingface_hub import hf_hub_download\n"), sandbox, copy)
    assert copy.wanted_weights == [False, True]
    assert "['json', 'transformers']" in sandbox.ran[0] and "['huggingface_hub', 'json']" in sandbox.ran[2]


async def test_a_failure_without_the_complete_model_is_not_applicable() -> None:
    copy = RecordingCopy(incomplete="its safetensors weights (1300 MB) exceed the 512 MB cap")
    result = await reproduce(card("print(model)\n"), RecordingSandbox([error("OSError: no file")]), copy)
    assert result.outcome is RunOutcome.FAILED and not result.applicable
    assert result.detail == (
        "the example failed: OSError, without the model's complete files "
        "(its safetensors weights (1300 MB) exceed the 512 MB cap)"
    )


async def test_an_example_that_runs_without_the_complete_model_still_counts() -> None:
    copy = RecordingCopy(incomplete="its weights were not copied")
    result = await reproduce(card("print('no model needed')\n"), RecordingSandbox([ok()]), copy)
    assert result.outcome is RunOutcome.RAN_UNCHANGED and result.applicable
