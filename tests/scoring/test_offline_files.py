"""Which of a model's files are copied for its example (``select_offline_files``)."""

from scoring.domain.offline_files import select_offline_files

MB = 1 << 20
BERT = [
    (".gitattributes", 491),
    ("README.md", 10_500),
    ("config.json", 570),
    ("tokenizer.json", 466_062),
    ("tokenizer_config.json", 48),
    ("vocab.txt", 231_508),
    ("model.safetensors", 440_449_768),
    ("pytorch_model.bin", 440_473_133),
    ("tf_model.h5", 536_063_208),
    ("onnx/model.onnx", 437_950_021),
    ("coreml/fill-mask/float32_model.mlpackage/Manifest.json", 617),
]
SUPPORT = {"config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"}


def test_support_files_and_one_weight_format_are_copied_when_they_fit() -> None:
    chosen = select_offline_files(BERT, 1024 * MB)
    assert set(chosen.paths) == SUPPORT | {
        "model.safetensors",
        "coreml/fill-mask/float32_model.mlpackage/Manifest.json",
    }
    assert chosen.incomplete is None
    assert chosen.bytes == sum(size for path, size in BERT if path in chosen.paths)


def test_weights_over_the_cap_are_left_out_and_named() -> None:
    chosen = select_offline_files(BERT, 64 * MB)
    assert "model.safetensors" not in chosen.paths and set(chosen.paths) >= SUPPORT
    assert chosen.incomplete == "its safetensors weights (420 MB) exceed the 64 MB cap"


def test_shards_come_together_in_the_preferred_format() -> None:
    files = [
        ("model-00001-of-00002.safetensors", 3 * MB),
        ("model-00002-of-00002.safetensors", 2 * MB),
        ("model.safetensors.index.json", 20_000),
        ("pytorch_model.bin", 5 * MB),
        ("training_args.bin", 4_000),
    ]
    chosen = select_offline_files(files, 16 * MB)
    assert chosen.paths == (
        "model.safetensors.index.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    )
    assert chosen.incomplete is None


def test_weights_not_wanted_make_the_copy_incomplete_only_when_there_are_weights() -> None:
    assert select_offline_files(BERT, 1024 * MB, with_weights=False).incomplete == "its weights were not copied"
    assert select_offline_files([("config.json", 10)], MB, with_weights=False).incomplete is None


def test_support_files_are_taken_smallest_first_within_the_cap() -> None:
    files = [("big.json", 3 * MB), ("small.json", 10), ("medium.txt", MB)]
    chosen = select_offline_files(files, 2 * MB)
    assert chosen.paths == ("small.json", "medium.txt")
    assert chosen.incomplete == "1 configuration file over the 2 MB cap"


def test_files_of_unknown_size_and_unsafe_paths_are_never_copied() -> None:
    files = [("config.json", None), ("../escape.json", 10), ("/etc/passwd.txt", 10), ("a//b.json", 10), ("ok.json", 1)]
    chosen = select_offline_files(files, MB)
    assert chosen.paths == ("ok.json",)
    assert chosen.incomplete == "1 file of unknown size"
