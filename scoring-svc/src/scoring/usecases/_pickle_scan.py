"""The model-file security scan of a rating: every pickle-based file's verdict beside what the Hub's own scan says
(a Hugging Face model), or every pickle-based file and archive member of an uploaded package, read in the registry's
bucket; and the refusal at ingest (docs/metrics.md, "Model-file security scan")."""

import time
from typing import Final

from contracts.scoring import PickleFileScan, PickleScanReport
from scoring.deps import PicklePolicy
from scoring.domain.pickle_safety import ScannedFile, hub_level, is_pickle_based, printable, refusal, summary
from scoring.evidence.sources import Evidence
from scoring.ports import HubModel, SourceUnavailable

NOT_READ: Final = "neither a Hugging Face model nor an upload: its files are not read at ingest"


async def scan_pickles(evidence: Evidence) -> PickleScanReport:
    """Scan the model's pickle-based files; never raises for a source that cannot be read (the metrics report that)."""
    started = time.perf_counter()
    try:
        stored = await evidence.stored_pickle_files()
        if stored is not None:
            return _stored_report(stored, time.perf_counter() - started)
        model = await evidence.hub_model()
        if model is None:
            return PickleScanReport(scanned=False, detail=NOT_READ)
        files = await evidence.pickle_files(model)
    except SourceUnavailable as error:
        return PickleScanReport(scanned=False, detail=f"the model's files could not be listed: {error}")
    files = _with_hub_levels(model, files)
    security = model.security
    unsafe = [path for path, level in security.files_with_issues.items() if level == "unsafe"] if security else []
    return PickleScanReport(
        scanned=True,
        detail=summary(file.verdict.value for file in files),
        files=files,
        hub_scans_done=security.scans_done if security else None,
        hub_unsafe=[printable(path) for path in sorted(unsafe)],
        seconds=round(time.perf_counter() - started, 6),
    )


def _stored_report(files: list[PickleFileScan], seconds: float) -> PickleScanReport:
    """An upload's scan: its files as stored in the registry (the Hub has no say)."""
    return PickleScanReport(
        scanned=True, detail=summary(file.verdict.value for file in files), files=files, seconds=round(seconds, 6)
    )


def _with_hub_levels(model: HubModel, files: list[PickleFileScan]) -> list[PickleFileScan]:
    """Each file with the Hub's level for it (the scanner answers in the order of ``model.files``)."""
    security = model.security
    if security is None:
        return files
    paths = [path for path, _ in model.files if is_pickle_based(path)]
    return [
        file.model_copy(update={"hub_status": hub_level(path, security.scans_done, security.files_with_issues)})
        for path, file in zip(paths, files, strict=True)
    ]


def pickle_refusal(report: PickleScanReport, policy: PicklePolicy) -> str | None:
    """The 424 message when the scan refuses the model at ingest (None: it does not, or the refusal is off)."""
    if not policy.gate:
        return None
    files = [ScannedFile(f.path, f.verdict.value, tuple(f.dangerous_imports), f.detail) for f in report.files]
    return refusal(files, report.hub_unsafe, policy.refuse_unscanned)
