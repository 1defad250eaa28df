"""Which of a Hub model's files are copied for its card example, which runs offline (the sandbox has no network).

Inputs: the repository's files with their sizes (``(path, bytes)``, as the Hub lists them), whether the weights are
wanted, and a byte cap (``SANDBOX_MODEL_MAX_MB``).

Rule: first every *support* file — configuration, tokenizer and vocabulary, generation settings, the index of
sharded weights, custom code (``SUPPORT_SUFFIXES``) — smallest first, while the total fits the cap; then, when
wanted, one copy of the weights: every file of the first format of ``weights.PREFERENCE`` the repository has
(safetensors before PyTorch pickles before GGUF...; all shards), all or nothing, when they fit in what is left. Every
other file is left out: other weight formats, images, READMEs, data.

Output (``OfflineSelection``): the paths to copy, their bytes, and why the copy is incomplete (None when it holds
everything an example loading the model can need): weights over the cap, support files over the cap, files whose
size the Hub did not give, weights not wanted.

Edge cases: a repository without weight files is complete with its support files alone; a path that is absolute, or
climbs (``..``), or is empty is never copied.

Why: ``from_pretrained`` and ``hf_hub_download`` read the configuration, the tokenizer and one weight format, so
those are what the example can need; the cap bounds the download and disk of one rating, and an example whose model
is past it could not load it within the sandbox's memory and time limits anyway.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from scoring.domain.weights import PREFERENCE, weight_format

SUPPORT_SUFFIXES: Final = (".json", ".txt", ".model", ".tiktoken", ".py", ".yaml", ".yml", ".vocab", ".spm", ".jinja")
_MB: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class OfflineSelection:
    """The files to copy, their total bytes, and why the copy is incomplete (None: complete)."""

    paths: tuple[str, ...]
    bytes: int
    incomplete: str | None


def select_offline_files(
    files: Iterable[tuple[str, int | None]], max_bytes: int, with_weights: bool = True
) -> OfflineSelection:
    """The support files that fit in ``max_bytes``, then one copy of the weights when wanted and it fits."""
    listed = [(path, size) for path, size in files if _safe(path)]
    unknown = [path for path, size in listed if size is None]
    sized = [(path, size) for path, size in listed if size is not None]
    support = sorted((size, path) for path, size in sized if _is_support(path))
    chosen: list[str] = []
    total, left_out = 0, 0
    for size, path in support:
        if total + size <= max_bytes:
            chosen.append(path)
            total += size
        else:
            left_out += 1
    reasons = [f"{_files(left_out, 'configuration file')} over the {max_bytes // _MB} MB cap"] if left_out else []
    weights = _preferred_weights(sized)
    if weights is not None:
        fmt, paths, size = weights
        if not with_weights:
            reasons.append("its weights were not copied")
        elif total + size > max_bytes:
            reasons.append(f"its {fmt} weights ({size / _MB:.0f} MB) exceed the {max_bytes // _MB} MB cap")
        else:
            chosen.extend(paths)
            total += size
    if unknown:
        reasons.append(f"{_files(len(unknown), 'file')} of unknown size")
    return OfflineSelection(tuple(chosen), total, "; ".join(reasons) or None)


def _preferred_weights(files: list[tuple[str, int]]) -> tuple[str, list[str], int] | None:
    """``(format, paths, bytes)`` of the preferred weight format present, or None."""
    by_format: dict[str, list[tuple[str, int]]] = {}
    for path, size in files:
        fmt = weight_format(path)
        if fmt is not None:
            by_format.setdefault(fmt, []).append((path, size))
    for fmt, _ in PREFERENCE:
        if fmt in by_format:
            members = sorted(by_format[fmt])
            return fmt, [path for path, _ in members], sum(size for _, size in members)
    return None


def _files(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _is_support(path: str) -> bool:
    return path.lower().endswith(SUPPORT_SUFFIXES) and weight_format(path) is None


def _safe(path: str) -> bool:
    """A relative path without empty, ``.`` or ``..`` parts (nothing else can be laid out in the cache)."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    parts = PurePosixPath(path).parts
    return bool(parts) and all(part not in ("", ".", "..") for part in parts) and path == "/".join(parts)
