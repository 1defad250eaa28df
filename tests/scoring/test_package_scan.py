"""The static scan of an uploaded package file: a pickle-based file itself, or the pickle-based members of a zip or
tar a user unpacks before loading, read through byte ranges (only what is parsed is fetched), never unpickled."""

import io
import tarfile
import zipfile
from pathlib import Path

from scoring.adapters.package_scan import may_hold_pickles, scan_package
from scoring.adapters.pickle_scan import FileRead
from scoring.adapters.range_file import RangeFile
from scoring.domain.pickle_safety import imports_of, judge

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf" / "models" / "acme-research"
SAFE = (ACME / "digits-mlp" / "files" / "pytorch_model.bin").read_bytes()
MALICIOUS = (ACME / "digits-mlp-fast" / "files" / "pytorch_model.bin").read_bytes()
CAP = 64 << 20


def _tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _verdicts(parts: list[tuple[str, FileRead]]) -> dict[str, tuple[str, list[str]]]:
    return {name: (judge(read.reads, read.problem)[0], imports_of(read.reads, "dangerous")) for name, read in parts}


def test_an_uploaded_checkpoint_is_scanned_as_a_file() -> None:
    assert _verdicts(scan_package(io.BytesIO(MALICIOUS), "weights.pt", CAP)) == {"": ("dangerous", ["os.system"])}
    assert _verdicts(scan_package(io.BytesIO(SAFE), "weights.pt", CAP)) == {"": ("safe", [])}


def test_a_tar_package_names_its_dangerous_member_and_its_imports() -> None:
    package = _tar({"digits/config.json": b"{}", "digits/pytorch_model.bin": MALICIOUS, "digits/safe.pt": SAFE})
    assert _verdicts(scan_package(io.BytesIO(package), "digits.tar", CAP)) == {
        "digits/pytorch_model.bin": ("dangerous", ["os.system"]),
        "digits/safe.pt": ("safe", []),
    }


def test_a_compressed_tar_and_a_deflated_zip_are_scanned_member_by_member() -> None:
    gz = _tar({"pytorch_model.bin": MALICIOUS}, mode="w:gz")
    assert _verdicts(scan_package(io.BytesIO(gz), "model.tar.gz", CAP)) == {
        "pytorch_model.bin": ("dangerous", ["os.system"])
    }
    deflated = _zip({"model/pytorch_model.bin": MALICIOUS, "model/README.md": b"# digits"})
    assert _verdicts(scan_package(io.BytesIO(deflated), "model.zip", CAP)) == {
        "model/pytorch_model.bin": ("dangerous", ["os.system"])
    }


def test_a_package_that_is_neither_pickle_nor_archive_holds_no_pickle() -> None:
    assert scan_package(io.BytesIO(b"\x00" * 600), "model.safetensors", CAP) == []
    assert may_hold_pickles("model.tar.gz") and may_hold_pickles("w.ckpt") and not may_hold_pickles("model.onnx")


def test_a_large_tar_is_walked_by_ranges_without_fetching_its_other_members() -> None:
    filler = bytes(32 << 20)
    package = _tar({"big.safetensors": filler, "pytorch_model.bin": MALICIOUS, "tail.safetensors": filler})
    ranges = RangeFile(lambda start, end: package[start:end], len(package), budget=CAP, block=64 << 10)
    parts = scan_package(io.BufferedReader(ranges, 64 << 10), "model.tar", CAP)
    assert _verdicts(parts) == {"pytorch_model.bin": ("dangerous", ["os.system"])}
    assert ranges.fetched < 1 << 20 < len(package)  # headers and the one member: not the 64 MB of filler


def test_an_archive_past_the_byte_cap_is_reported_unscanned_not_safe() -> None:
    gz = _tar({"filler.bin": bytes(4 << 20), "pytorch_model.bin": MALICIOUS}, mode="w:gz")
    ranges = RangeFile(lambda start, end: gz[start:end], len(gz), budget=1 << 10, block=1 << 10)
    parts = scan_package(io.BufferedReader(ranges, 1 << 10), "model.tar.gz", 1 << 10)
    assert parts and all(judge(read.reads, read.problem)[0] != "safe" for _, read in parts), parts
