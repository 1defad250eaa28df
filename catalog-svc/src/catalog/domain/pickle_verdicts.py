"""The package view's per-file pickle verdicts: the model-file security scan of a model's rating, joined to the files
of its stored package by path.

A file scanned itself (a Hub model's ``pytorch_model.bin``, an uploaded ``weights.pt``) carries its own verdict. An
uploaded archive carries its pickle-based members together: the worst verdict of any (dangerous, then unscanned,
then safe), every dangerous import, and each member's detail; a problem reading the archive itself counts as an
unscanned part. Files the scan did not cover (not pickle-based, not a model) carry nothing.
"""

from collections.abc import Sequence
from typing import Final, Literal

from contracts.scoring import PickleFileScan, PickleScanReport
from contracts.storage import FilePickleScan, StoredFile

_ORDER: Final = ("dangerous", "unscanned", "safe")
MAX_DETAILS: Final = 5


def with_pickle_verdicts(files: Sequence[StoredFile], scan: PickleScanReport | None) -> list[StoredFile]:
    """``files``, each with the scan's verdict on it where the scan covered it."""
    if scan is None or not scan.files:
        return list(files)
    return [_with(file, scan.files) for file in files]


def _with(file: StoredFile, scans: Sequence[PickleFileScan]) -> StoredFile:
    own = [scan for scan in scans if scan.archive is None and scan.path == file.path]
    members = [scan for scan in scans if scan.archive == file.path]
    if members:
        verdict = _aggregate(own + members, members)
    elif own:
        verdict = FilePickleScan(
            verdict=own[0].verdict.value, detail=own[0].detail, dangerous_imports=list(own[0].dangerous_imports)
        )
    else:
        return file
    return file.model_copy(update={"pickle_scan": verdict})


def _aggregate(parts: Sequence[PickleFileScan], members: Sequence[PickleFileScan]) -> FilePickleScan:
    worst: Literal["safe", "dangerous", "unscanned"] = "safe"
    for level in reversed(_ORDER):
        if any(part.verdict.value == level for part in parts):
            worst = level
    imports = list(dict.fromkeys(name for part in parts for name in part.dangerous_imports))
    noted = [part for part in parts if part.verdict.value != "safe"] or list(parts)
    details = [f"{_member(part)}: {part.detail}" for part in noted[:MAX_DETAILS]]
    if len(noted) > MAX_DETAILS:
        details.append(f"and {len(noted) - MAX_DETAILS} more")
    counts = ", ".join(
        f"{sum(1 for m in members if m.verdict.value == level)} {level}"
        for level in _ORDER
        if any(m.verdict.value == level for m in members)
    )
    noun = "member" if len(members) == 1 else "members"
    return FilePickleScan(
        verdict=worst,
        detail=f"{len(members)} pickle-based {noun} ({counts}); " + "; ".join(details),
        dangerous_imports=imports,
        members=[_member(member) for member in members],
    )


def _member(scan: PickleFileScan) -> str:
    """The member's path inside its archive (the archive itself for a problem reading it)."""
    prefix = f"{scan.archive}/"
    return scan.path[len(prefix) :] if scan.archive and scan.path.startswith(prefix) else "the archive"
