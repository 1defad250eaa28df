"""Which files are the model's weights, and how many bytes one copy of them takes (size_score's input).

Repositories often carry the same weights in several formats (bert-base-uncased has safetensors, PyTorch,
TensorFlow, Flax and ONNX copies); summing them would rate a model four or five times its real size. So the files
are grouped by format, and the first format present in ``PREFERENCE`` is the model's size: safetensors, PyTorch
pickles, GGUF, ONNX, TensorFlow/Keras, Flax/msgpack, other checkpoints. Sharded weights (``-00001-of-00004``) are
summed within their format. Files under ``onnx/`` or ``tf/``-style subfolders are grouped by extension like the
rest.

Edge cases: no weight file at all (a config-only or adapter-less repository) → None, the size is unknown.
"""

from collections.abc import Iterable
from typing import Final

PREFERENCE: Final = (
    ("safetensors", (".safetensors",)),
    ("pytorch", (".bin", ".pt", ".pth")),
    ("gguf", (".gguf", ".ggml")),
    ("onnx", (".onnx", ".onnx_data")),
    ("tensorflow", (".h5", ".keras", ".tflite", ".pb")),
    ("flax", (".msgpack",)),
    ("checkpoint", (".ckpt", ".npz", ".joblib", ".pkl", ".mlmodel")),
)
_NOT_WEIGHTS: Final = ("training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth", "scaler.pt")


def weight_format(path: str) -> str | None:
    """The weight format of the file at ``path`` (a name of ``PREFERENCE``), or None when it holds no weights."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in _NOT_WEIGHTS:
        return None
    return next((fmt for fmt, extensions in PREFERENCE if name.endswith(extensions)), None)


def weight_bytes(files: Iterable[tuple[str, int | None]]) -> tuple[str, int] | None:
    """``(format, bytes)`` of the preferred weight format among ``(path, size)`` files; None when there is none."""
    totals: dict[str, int] = {}
    for path, size in files:
        fmt = weight_format(path)
        if size is not None and fmt is not None:
            totals[fmt] = totals.get(fmt, 0) + max(0, size)
    for fmt, _ in PREFERENCE:
        if fmt in totals:
            return fmt, totals[fmt]
    return None
