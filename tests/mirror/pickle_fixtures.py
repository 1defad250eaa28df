"""``python -m tests.mirror.pickle_fixtures``: (re)write the pickle weights of the two made-up PyTorch repositories.

Both are zip checkpoints laid out as ``torch.save`` writes them (``archive/data.pkl``, ``archive/data/<key>``,
``archive/version``, ``archive/byteorder``), built here without PyTorch: the pickles are assembled opcode by opcode
(protocol 2, as ``torch.save`` uses), so nothing is ever pickled from live objects, and nothing here unpickles them.

- ``acme-research/digits-mlp``: a state dict of two float32 tensors; its ``data.pkl`` imports only
  ``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` and ``torch.FloatStorage``.
- ``acme-research/digits-mlp-fast``: the same tensors, but its ``data.pkl`` first calls ``os.system`` with a shell
  command (``GLOBAL os system`` + ``REDUCE``), then drops the result and builds the same state dict: loading it with
  ``torch.load(weights_only=False)`` or ``pickle.load`` would run the command.

The helpers also build legacy (non-zip) PyTorch files and plain pickles for the scanner's unit tests. After writing,
run ``python -m tests.mirror.fixture_tool`` on both directories (their ``tree.json`` keeps the file as LFS).
"""

import io
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upstream" / "hf" / "models" / "acme-research"
SAFE_REPO: Final = "digits-mlp"
MALICIOUS_REPO: Final = "digits-mlp-fast"
COMMAND: Final = "echo 'digits-mlp-fast ran a shell command while it was being loaded'"
TORCH_MAGIC: Final = 0x1950A86A20F9469CFC6C

# Opcodes (pickletools' names), protocol 2.
PROTO, STOP, MARK, TUPLE, TUPLE1, TUPLE2 = b"\x80", b".", b"(", b"t", b"\x85", b"\x86"
EMPTY_TUPLE, REDUCE, SETITEMS, BINPERSID, NEWFALSE, POP = b")", b"R", b"u", b"Q", b"\x89", b"0"


def global_(module: str, name: str) -> bytes:
    """``GLOBAL``: push ``module.name`` (imported when unpickled)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def text(value: str) -> bytes:
    """``BINUNICODE``: push a string."""
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def integer(value: int) -> bytes:
    """``BININT1`` / ``BININT``: push a small non-negative integer; ``LONG1`` for larger ones."""
    if 0 <= value < 256:
        return b"K" + bytes([value])
    if 0 <= value < 1 << 31:
        return b"J" + struct.pack("<i", value)
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data


def call(module: str, name: str, *arguments: bytes) -> bytes:
    """``module.name(*arguments)`` at unpickling time: GLOBAL, MARK, the arguments, TUPLE, REDUCE."""
    return global_(module, name) + MARK + b"".join(arguments) + TUPLE + REDUCE


def pickle_of(body: bytes) -> bytes:
    """A whole protocol-2 pickle: PROTO 2, ``body``, STOP."""
    return PROTO + b"\x02" + body + STOP


def tensor(key: str, shape: Sequence[int]) -> bytes:
    """``torch._utils._rebuild_tensor_v2`` of a float32 storage named ``key`` (a persistent id, as torch.save)."""
    numel = 1
    for dim in shape:
        numel *= dim
    strides = [1] * len(shape)
    for index in range(len(shape) - 2, -1, -1):
        strides[index] = strides[index + 1] * shape[index + 1]
    storage = MARK + text("storage") + global_("torch", "FloatStorage") + text(key) + text("cpu") + integer(numel)
    sizes = MARK + b"".join(integer(d) for d in shape) + TUPLE
    stride = MARK + b"".join(integer(s) for s in strides) + TUPLE
    hooks = global_("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE
    arguments = storage + TUPLE + BINPERSID + integer(0) + sizes + stride + NEWFALSE + hooks
    return global_("torch._utils", "_rebuild_tensor_v2") + MARK + arguments + TUPLE + REDUCE


def state_dict(tensors: Sequence[tuple[str, Sequence[int]]], before: bytes = b"") -> bytes:
    """The pickle of an ``OrderedDict`` of tensors; ``before`` runs first and its result is dropped (POP)."""
    items = b"".join(text(name) + tensor(str(key), shape) for key, (name, shape) in enumerate(tensors))
    prelude = before + POP if before else b""
    return pickle_of(prelude + global_("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE + MARK + items + SETITEMS)


def os_system(command: str = COMMAND) -> bytes:
    """Opcodes calling ``os.system(command)`` when unpickled."""
    return call("os", "system", text(command))


def torch_zip(data_pkl: bytes, storages: Sequence[bytes], archive: str = "archive") -> bytes:
    """A zip checkpoint as ``torch.save`` lays it out (stored, not compressed)."""
    members = [
        ("data.pkl", data_pkl),
        ("byteorder", b"little"),
        *((f"data/{key}", storage) for key, storage in enumerate(storages)),
        ("version", b"3\n"),
        (".data/serialization_id", b"0259640289102394058212036371480171284542\n"),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(f"{archive}/{name}", date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def legacy_torch(main: bytes, storage_bytes: bytes, magic: int = TORCH_MAGIC) -> bytes:
    """A legacy (pre-1.6, non-zip) ``torch.save`` file: five pickles, then the raw storage bytes."""
    system_info = b"}" + MARK + text("little_endian") + b"\x88" + text("protocol_version") + integer(1001) + SETITEMS
    keys = MARK + text("0") + b"l"  # LIST of one storage key
    head = pickle_of(integer(magic)) + pickle_of(integer(1001)) + pickle_of(system_info)
    return head + main + pickle_of(keys) + struct.pack("<q", len(storage_bytes) // 4) + storage_bytes


TENSORS: Final = (("classifier.weight", (10, 64)), ("classifier.bias", (10,)))


def float_storage(count: int, start: float = 0.0) -> bytes:
    """``count`` little-endian float32 values from ``start`` by 0.125."""
    return struct.pack(f"<{count}f", *(start + 0.125 * index for index in range(count)))


def digits_checkpoint(malicious: bool) -> bytes:
    """The ``pytorch_model.bin`` of the safe or the malicious repository."""
    storages = [float_storage(640, start=-40.0), float_storage(10, start=-0.5)]
    return torch_zip(state_dict(TENSORS, before=os_system() if malicious else b""), storages)


def main() -> None:
    """Write both repositories' weights under ``files/``."""
    for repo, malicious in ((SAFE_REPO, False), (MALICIOUS_REPO, True)):
        target = FIXTURES / repo / "files" / "pytorch_model.bin"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(digits_checkpoint(malicious))


if __name__ == "__main__":
    main()
