"""The rules of the model-file security scan: which files are pickles, a file's verdict, and when a model is refused."""

import pytest

from scoring.domain.pickle_safety import (
    PickleRead,
    ScannedFile,
    hub_level,
    is_pickle_based,
    judge,
    printable,
    refusal,
    summary,
)

DANGEROUS = ScannedFile("pytorch_model.bin", "dangerous", ("os.system", "builtins.exec"))
UNSCANNED = ScannedFile("optimizer.pt", "unscanned", detail="not a pickle")
SAFE = ScannedFile("training_args.bin", "safe")


@pytest.mark.parametrize(
    ("path", "pickle"),
    [
        ("pytorch_model.bin", True), ("sub/model.PT", True), ("x.pth", True), ("m.pkl", True), ("last.ckpt", True),
        ("clf.joblib", True), ("a.pickle", True), ("model.safetensors", False), ("model.onnx", False),
        ("tf_model.h5", False), ("README.md", False), ("bin", False),
    ],
)  # fmt: skip
def test_pickle_based_files_are_known_by_their_extension(path: str, pickle: bool) -> None:
    assert is_pickle_based(path) is pickle


def test_a_dangerous_import_makes_the_file_dangerous_even_if_parsing_stopped_after_it() -> None:
    reads = [PickleRead("archive/data.pkl", stopped="parsing stopped at byte 90", dangerous=("os.system",))]
    assert judge(reads) == ("dangerous", "archive/data.pkl imports os.system: loading the file can run it")


def test_a_pickle_not_read_to_its_end_leaves_the_file_unscanned_with_the_reason() -> None:
    assert judge([PickleRead("", stopped="not a pickle (...)")]) == ("unscanned", "not a pickle (...)")
    verdict, detail = judge([PickleRead("a/data.pkl"), PickleRead("a/constants.pkl", stopped="cap")])
    assert verdict == "unscanned" and detail == "a/constants.pkl: cap"
    assert judge([], problem="could not be read: 503") == ("unscanned", "could not be read: 503")


def test_every_pickle_read_to_its_end_without_a_dangerous_import_is_safe() -> None:
    verdict, detail = judge([PickleRead("archive/data.pkl", other=("transformers.TrainingArguments",))])
    assert verdict == "safe" and detail == "1 pickle (archive/data.pkl) read to the end: no dangerous import"


def test_a_dangerous_file_refuses_the_model_naming_the_file_and_its_imports() -> None:
    message = refusal([SAFE, DANGEROUS, UNSCANNED], [], refuse_unscanned=False)
    assert message == (
        "Not registered: the model-file security scan refuses it: pytorch_model.bin imports os.system, builtins.exec "
        "(loading it can run that code)."
    )


def test_an_unscanned_file_refuses_only_when_the_operator_asks() -> None:
    assert refusal([SAFE, UNSCANNED], [], refuse_unscanned=False) is None
    message = refusal([SAFE, UNSCANNED], [], refuse_unscanned=True)
    assert message is not None and "optimizer.pt could not be scanned (not a pickle)" in message


def test_a_file_the_hub_marks_unsafe_refuses_the_model() -> None:
    message = refusal([SAFE], ["model.h5"], refuse_unscanned=False)
    assert message is not None and "the Hub's own scan marks model.h5 unsafe" in message


def test_names_from_the_repository_cannot_break_a_message() -> None:
    evil = ScannedFile("a\r\nX-Injected: 1\x00.bin", "dangerous", ("os.system\n",))
    message = refusal([evil], [], refuse_unscanned=False)
    assert message is not None and "\n" not in message and "\r" not in message and "\x00" not in message
    assert printable("x" * 500).endswith("...") and len(printable("x" * 500)) == 203


def test_the_hubs_level_for_a_file() -> None:
    issues = {"pytorch_model.bin": "unsafe"}
    assert hub_level("pytorch_model.bin", True, issues) == "unsafe"
    assert hub_level("optimizer.pt", True, issues) == "safe"
    assert hub_level("optimizer.pt", False, issues) is None


def test_the_summary_counts_verdicts() -> None:
    assert summary([]) == "no pickle-based file"
    assert summary(["safe", "unscanned", "safe"]) == "3 pickle-based files: 1 unscanned, 2 safe"
