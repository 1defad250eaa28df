"""Model-file security: which files are pickles, what a static scan of them concludes, and when that refuses a model.

Loading a pickle runs the code its opcodes name: ``GLOBAL os system`` followed by ``REDUCE`` is ``os.system(...)``.
So every pickle-based file of a model is read opcode by opcode (never unpickled) and the imports it makes are judged
by picklescan's lists: *dangerous* (``os``, ``subprocess``, ``builtins.eval``, ``runpy``, ...), *safe*
(``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2``, the ``torch.*Storage`` types, ...), or *other*
(a library's own classes: their code runs on load, so they are listed, but do not refuse the model).

Verdict of a file (``judge``), from what each of its pickles showed:

- **dangerous**: a dangerous import anywhere in what was parsed, even in a pickle whose parsing stopped early (the
  loader runs every opcode before the point where it fails);
- **unscanned**: some pickle a loader unpickles was not read to its ``STOP`` opcode — not a pickle at all (its first
  byte is no opcode), parsing stopped (an invalid opcode, truncated data), the byte cap was reached, or the file
  could not be read; the detail says which;
- **safe**: every such pickle was read to its end and none imports anything dangerous.

Refusal (``refusal``): a dangerous file refuses the model, and so does a file the Hub's own scan marks ``unsafe``.
An unscanned file refuses it only when the operator asks for that (``refuse_unscanned``), because the common causes
are harmless for code execution: bytes that are not a pickle make every loader fail at the first byte, before
anything runs, and a loader that meets an invalid opcode stops at the same byte the scan did, after running only the
opcodes the scan judged. What stays unproven is the part past the byte cap and pickles inside a zip Python could
not open; the report names those files so a reader can decide.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

# Files a loader may unpickle: PyTorch (zip or legacy), plain pickles, joblib, Lightning checkpoints.
PICKLE_SUFFIXES: Final = (".bin", ".pt", ".pth", ".pkl", ".ckpt", ".joblib", ".pickle")
# The pickles torch.load (and torch.jit.load) unpickles inside a zip checkpoint; tensor storages are raw bytes.
ZIP_PICKLE_SUFFIXES: Final = (".pkl", ".pickle")
MAX_NAMED_IMPORTS: Final = 10
MAX_NAMED_FILES: Final = 5
MAX_NAME_CHARS: Final = 200

Verdict = Literal["safe", "dangerous", "unscanned"]


def printable(text: str) -> str:
    """``text`` safe to show and to carry in a header: control characters as "?", at most ``MAX_NAME_CHARS``.

    File names come from the repository and import names from the pickle: both are the uploader's words.
    """
    shown = "".join(char if char.isprintable() else "?" for char in text[:MAX_NAME_CHARS])
    return shown if len(text) <= MAX_NAME_CHARS else shown + "..."


def is_pickle_based(path: str) -> bool:
    """Whether the file at ``path`` is of a kind a loader unpickles (by its extension, as loaders pick files)."""
    return path.lower().endswith(PICKLE_SUFFIXES)


def is_zip_pickle(member: str) -> bool:
    """Whether a zip checkpoint's member is a pickle a loader unpickles (``archive/data.pkl``, ``constants.pkl``)."""
    return member.lower().endswith(ZIP_PICKLE_SUFFIXES)


@dataclass(frozen=True)
class PickleRead:
    """What parsing one pickle stream showed.

    ``name``: the zip member (``archive/data.pkl``), "" for a file that is one pickle, ``pickle 1`` ... ``pickle 5``
    for the pickles of a legacy PyTorch file; ``stopped``: why it was not read to its STOP opcode (None: it was);
    ``dangerous`` / ``other``: imports as ``module.name``.
    """

    name: str
    stopped: str | None = None
    dangerous: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


def judge(reads: Sequence[PickleRead], problem: str | None = None) -> tuple[Verdict, str]:
    """The file's verdict and a sentence saying why, from its pickles and a problem reading the file itself."""
    dangerous = imports_of(reads, "dangerous")
    if dangerous:
        where = _listed([_where(read) for read in reads if read.dangerous])
        them = "it" if len(dangerous) == 1 else "them"
        return "dangerous", f"{where} imports {_listed(dangerous)}: loading the file can run {them}"
    if problem is not None:
        return "unscanned", problem
    stopped = [read for read in reads if read.stopped is not None]
    if stopped:
        return "unscanned", "; ".join(
            f"{printable(read.name)}: {read.stopped}" if read.name else str(read.stopped) for read in stopped
        )
    if not reads:
        return "safe", "a zip archive holding no pickle"
    count = "1 pickle" if len(reads) == 1 else f"{len(reads)} pickles"
    return "safe", f"{count} ({_listed([_where(read) for read in reads])}) read to the end: no dangerous import"


def _where(read: PickleRead) -> str:
    return printable(read.name) if read.name else "the file's pickle"


def imports_of(reads: Iterable[PickleRead], kind: Literal["dangerous", "other"]) -> list[str]:
    """The imports of one kind over ``reads``, each once, in first-seen order."""
    found = (name for read in reads for name in (read.dangerous if kind == "dangerous" else read.other))
    return list(dict.fromkeys(found))


def hub_level(path: str, scans_done: bool, with_issues: Mapping[str, str]) -> str | None:
    """The Hub's scan level for ``path``: as listed among its files with issues; "safe" when its scans are done
    and the file is not listed; None when it has not said."""
    if path in with_issues:
        return with_issues[path]
    return "safe" if scans_done else None


@dataclass(frozen=True)
class ScannedFile:
    """The verdict of one file, for the refusal."""

    path: str
    verdict: str
    dangerous: tuple[str, ...] = ()
    detail: str = ""


def refusal(files: Sequence[ScannedFile], hub_unsafe: Sequence[str], refuse_unscanned: bool) -> str | None:
    """Why the model is refused at ingest (None: it is not): its dangerous files with their imports, the files the
    Hub marks unsafe, and (only with ``refuse_unscanned``) the files that could not be scanned."""
    reasons = [
        f"{printable(file.path)} imports {_listed(list(file.dangerous))} (loading it can run that code)"
        for file in files
        if file.verdict == "dangerous"
    ]
    reasons += [f"the Hub's own scan marks {printable(path)} unsafe" for path in hub_unsafe]
    if refuse_unscanned:
        reasons += [
            f"{printable(file.path)} could not be scanned ({printable(file.detail)})"
            for file in files
            if file.verdict == "unscanned"
        ]
    if not reasons:
        return None
    shown = "; ".join(reasons[:MAX_NAMED_FILES])
    if len(reasons) > MAX_NAMED_FILES:
        shown += f"; and {len(reasons) - MAX_NAMED_FILES} more"
    return f"Not registered: the model-file security scan refuses it: {shown}."


def summary(verdicts: Iterable[Verdict]) -> str:
    """The count of files per verdict, e.g. "3 pickle-based files: 1 unscanned, 2 safe"."""
    counted = list(verdicts)
    if not counted:
        return "no pickle-based file"
    parts = [f"{counted.count(v)} {v}" for v in ("dangerous", "unscanned", "safe") if v in counted]
    noun = "file" if len(counted) == 1 else "files"
    return f"{len(counted)} pickle-based {noun}: " + ", ".join(parts)


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(printable(name) for name in names[:MAX_NAMED_IMPORTS])
    return shown if len(names) <= MAX_NAMED_IMPORTS else f"{shown} and {len(names) - MAX_NAMED_IMPORTS} more"
