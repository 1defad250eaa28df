"""The package view's per-file pickle verdicts: a model rating's security scan joined to its package files by path."""

from catalog.domain.pickle_verdicts import with_pickle_verdicts
from contracts.scoring import PickleFileScan, PickleScanReport, PickleVerdict
from contracts.storage import FilePickleScan, Part, StoredFile


def _file(path: str) -> StoredFile:
    return StoredFile(path=path, part=Part.WEIGHTS, size=10, stored=True)


def _scan(
    path: str, verdict: PickleVerdict, imports: list[str] | None = None, archive: str | None = None
) -> PickleFileScan:
    return PickleFileScan(
        path=path, verdict=verdict, detail=f"{verdict.value} detail", dangerous_imports=imports or [], archive=archive
    )


def test_a_scanned_file_carries_its_verdict_and_a_file_the_scan_did_not_cover_carries_none() -> None:
    report = PickleScanReport(
        scanned=True, detail="", files=[_scan("pytorch_model.bin", PickleVerdict.DANGEROUS, ["os.system"])]
    )
    weights, config = with_pickle_verdicts([_file("pytorch_model.bin"), _file("config.json")], report)
    assert weights.pickle_scan == FilePickleScan(
        verdict="dangerous", detail="dangerous detail", dangerous_imports=["os.system"]
    )
    assert config.pickle_scan is None


def test_an_uploaded_archive_carries_its_worst_member_and_every_dangerous_import() -> None:
    members = [
        _scan("model.tar/a/safe.pt", PickleVerdict.SAFE, archive="model.tar"),
        _scan("model.tar/a/pytorch_model.bin", PickleVerdict.DANGEROUS, ["os.system"], archive="model.tar"),
        _scan("model.tar/a/args.bin", PickleVerdict.UNSCANNED, archive="model.tar"),
    ]
    [package] = with_pickle_verdicts([_file("model.tar")], PickleScanReport(scanned=True, detail="", files=members))
    assert package.pickle_scan is not None
    assert package.pickle_scan.verdict == "dangerous" and package.pickle_scan.dangerous_imports == ["os.system"]
    assert package.pickle_scan.members == ["a/safe.pt", "a/pytorch_model.bin", "a/args.bin"]
    assert package.pickle_scan.detail == (
        "3 pickle-based members (1 dangerous, 1 unscanned, 1 safe); a/pytorch_model.bin: dangerous detail; "
        "a/args.bin: unscanned detail"
    )


def test_without_a_scan_the_files_are_unchanged() -> None:
    files = [_file("pytorch_model.bin")]
    assert with_pickle_verdicts(files, None) == files
    assert with_pickle_verdicts(files, PickleScanReport(scanned=False, detail="not read")) == files
