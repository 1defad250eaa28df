"""The static scan of one pickle-based file: what each kind of file is read for, and its verdict. Every payload here
is assembled opcode by opcode (``tests.mirror.pickle_fixtures``) and never unpickled."""

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from scoring.adapters.pickle_scan import FileRead, scan_file
from scoring.adapters.range_file import RangeFile
from scoring.domain.pickle_safety import imports_of, is_pickle_based, judge
from tests.mirror import pickle_fixtures as pf
from tests.mirror.http_util import filler_bytes, filler_pattern

MB = 1 << 20
HF_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "hf"


def _scan(data: bytes, cap: int = MB) -> tuple[str, str, FileRead]:
    read = scan_file(io.BytesIO(data), cap)
    verdict, detail = judge(read.reads, read.problem)
    return verdict, detail, read


def _ranged(data: bytes, block: int = 256 << 10) -> RangeFile:
    return RangeFile(lambda start, end: data[start:end], len(data), budget=64 * MB, block=block)


def test_a_torch_zip_checkpoint_of_tensors_is_safe() -> None:
    verdict, detail, read = _scan(pf.digits_checkpoint(malicious=False))
    assert verdict == "safe" and "archive/data.pkl" in detail
    assert [r.name for r in read.reads] == ["archive/data.pkl"] and imports_of(read.reads, "other") == []


def test_a_torch_zip_checkpoint_calling_os_system_is_dangerous_and_named() -> None:
    verdict, detail, read = _scan(pf.digits_checkpoint(malicious=True))
    assert verdict == "dangerous"
    assert imports_of(read.reads, "dangerous") == ["os.system"]
    assert detail == "archive/data.pkl imports os.system: loading the file can run it"


def test_a_legacy_torch_file_is_read_for_its_five_pickles_and_not_its_storages() -> None:
    data = pf.legacy_torch(pf.state_dict(pf.TENSORS), b"\x00" * (8 * MB))
    remote = _ranged(data, block=64 << 10)
    read = scan_file(remote, MB)
    assert [r.name for r in read.reads] == [f"pickle {n}" for n in range(1, 6)]
    assert judge(read.reads)[0] == "safe"
    assert remote.fetched == 64 << 10, "one block: the storages after the fifth pickle are never fetched"


def test_a_legacy_torch_file_with_a_payload_in_its_object_pickle_is_dangerous() -> None:
    data = pf.legacy_torch(pf.state_dict(pf.TENSORS, before=pf.os_system()), pf.float_storage(650))
    verdict, detail, _ = _scan(data)
    assert verdict == "dangerous" and detail.startswith("pickle 4 imports os.system")


def test_a_payload_in_place_of_the_magic_number_is_dangerous() -> None:
    magic = len(pf.pickle_of(pf.integer(pf.TORCH_MAGIC)))
    data = pf.pickle_of(pf.os_system()) + pf.legacy_torch(pf.state_dict(pf.TENSORS), b"")[magic:]
    assert _scan(data)[0] == "dangerous"


def test_an_import_hidden_behind_the_memo_is_found() -> None:
    def unicode(value: bytes) -> bytes:
        return b"\x8c" + bytes([len(value)]) + value

    memo = unicode(b"os") + b"\x94" + unicode(b"system") + b"\x94" + b"00" + b"h\x00h\x01\x93"
    body = b"\x80\x04" + memo + b"(" + pf.text("id") + b"tR."
    verdict, _, read = _scan(body)
    assert verdict == "dangerous" and imports_of(read.reads, "dangerous") == ["os.system"]


def test_builtins_eval_is_dangerous_and_a_librarys_class_is_listed_but_not_refused() -> None:
    assert _scan(pf.pickle_of(pf.call("builtins", "eval", pf.text("1+1"))))[0] == "dangerous"
    verdict, _, read = _scan(pf.pickle_of(pf.call("sklearn.linear_model", "LogisticRegression")))
    assert verdict == "safe" and imports_of(read.reads, "other") == ["sklearn.linear_model.LogisticRegression"]


def test_a_dangerous_import_before_the_point_where_parsing_stops_still_counts() -> None:
    verdict, _, read = _scan(b"\x80\x02" + pf.os_system() + b"\xff garbage")
    assert verdict == "dangerous" and read.reads[0].stopped is not None


def test_bytes_that_are_not_a_pickle_are_unscanned_not_dangerous() -> None:
    verdict, detail, _ = _scan(b"\x00\x01\x02" * 1000)
    assert verdict == "unscanned" and detail.startswith("not a pickle")


def test_a_truncated_pickle_is_unscanned_with_where_it_stopped() -> None:
    data = pf.state_dict(pf.TENSORS)[:-40]
    verdict, detail, _ = _scan(data)
    assert verdict == "unscanned" and "pickle exhausted before seeing STOP" in detail


def test_a_pickle_over_the_cap_is_unscanned_and_the_rest_is_never_read() -> None:
    big = b"\x80\x04\x8e" + struct.pack("<Q", 2 * MB) + b"\x00" * (2 * MB) + b"."
    verdict, detail, _ = _scan(big, cap=MB)
    assert verdict == "unscanned" and "past the 1 MB scan cap" in detail


def test_a_decompression_bomb_inside_a_zip_stops_at_the_cap() -> None:
    payload = b"\x80\x04\x8e" + struct.pack("<Q", 32 * MB) + b"\x00" * (32 * MB) + b"."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", payload)
    assert len(buffer.getvalue()) < MB
    verdict, detail, _ = _scan(buffer.getvalue(), cap=MB)
    assert verdict == "unscanned" and "archive/data.pkl" in detail and "cap" in detail


def test_data_after_a_complete_pickle_is_not_read_as_code_but_a_second_pickle_is() -> None:
    clean = pf.state_dict(pf.TENSORS)
    assert _scan(clean + b"\x00trailing data")[0] == "safe"
    verdict, detail, _ = _scan(clean + pf.pickle_of(pf.os_system()))
    assert verdict == "dangerous" and detail.startswith("pickle 2 imports os.system")


def test_a_zip_python_cannot_open_is_unscanned_and_one_without_pickles_is_safe() -> None:
    verdict, detail, _ = _scan(b"PK\x03\x04" + b"\x00" * 100)
    assert verdict == "unscanned" and "could not be opened" in detail
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("weights/data/0", b"\x00" * 64)
    assert _scan(buffer.getvalue())[:2] == ("safe", "a zip archive holding no pickle")


def test_a_big_zip_checkpoint_costs_its_directory_and_its_pickle_not_its_tensors() -> None:
    data = pf.torch_zip(pf.state_dict(pf.TENSORS), [b"\x00" * (32 * MB), pf.float_storage(10)])
    remote = _ranged(data)
    read = scan_file(remote, 64 * MB)
    assert judge(read.reads)[0] == "safe"
    assert remote.fetched <= 2 * (256 << 10) and remote.requests <= 2


def _recorded_pickles() -> list[tuple[str, str, int]]:
    found = []
    for tree in sorted(HF_FIXTURES.glob("*/*/*/tree.json")):
        repo = tree.parent
        mirror = json.loads((repo / "mirror.json").read_text()) if (repo / "mirror.json").exists() else {}
        for entry in json.loads(tree.read_text()):
            path = entry["path"]
            if entry["type"] != "file" or not is_pickle_based(path) or (repo / "files" / path).exists():
                continue
            repo_id = repo.relative_to(HF_FIXTURES).as_posix().split("/", 1)[1]
            seed = (
                f"{repo_id}/{path}"
                if mirror.get("consistent_filler")
                else entry.get("lfs", {}).get("oid") or entry["oid"]
            )
            found.append((f"{repo_id}/{path}", seed, int(entry["size"])))
    return found


@pytest.mark.parametrize(("name", "seed", "size"), _recorded_pickles(), ids=lambda v: str(v)[:60])
def test_the_mirrors_filler_weights_are_never_dangerous(name: str, seed: str, size: int) -> None:
    pattern = filler_pattern(seed)
    remote = RangeFile(lambda start, end: filler_bytes(pattern, start, end - 1), size, budget=64 * MB)
    read = scan_file(remote, 64 * MB)
    assert judge(read.reads, read.problem)[0] == "unscanned", name
    assert remote.fetched <= 256 << 10
