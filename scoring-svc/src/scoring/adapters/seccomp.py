"""A seccomp filter for sandbox runs: no new user namespace, whatever the example calls and however it calls it.

A user namespace gives its creator every capability inside it, which opens much of the kernel (network stack,
mounts) to unprivileged code: the most common door of kernel privilege escalations. Bubblewrap's
``--disable-userns`` closes it when the service is not root; a root service maps the sandbox's user itself (see
``scoring.adapters.bwrap``) and cannot use that option, so this filter closes it in both cases. It refuses
(``EPERM``) ``unshare`` and ``clone`` with ``CLONE_NEWUSER``, answers ``clone3`` with ``ENOSYS`` (its flags are in
memory a filter cannot read; the C library then falls back to ``clone``, as under Docker's default profile), and
refuses every system call of another ABI (x32, 32-bit compatibility), through which the numbers above would differ.
Everything else is allowed. The program is classic BPF, loaded by bubblewrap (``--seccomp``) just before it starts
the interpreter, after ``no_new_privs``.

Only x86-64 and AArch64 are known here; elsewhere ``user_namespace_filter`` returns None and runs go without it.
"""

import errno
import platform
import struct
from typing import Final

# BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
_LOAD_WORD: Final = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JUMP_EQUAL: Final = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_AT_LEAST: Final = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JUMP_BITS_SET: Final = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RETURN: Final = 0x06  # BPF_RET | BPF_K
_ALLOW: Final = 0x7FFF0000
_ERRNO: Final = 0x00050000
_CLONE_NEWUSER: Final = 0x10000000
_X32_BIT: Final = 0x40000000
# seccomp_data: nr at 0, arch at 4, args[0] (its low half on these little-endian machines) at 16.
_NR, _ARCH, _ARG0 = 0, 4, 16
# machine → (audit arch, clone, unshare, clone3)
_ABIS: Final = {
    "x86_64": (0xC000003E, 56, 272, 435),
    "aarch64": (0xC00000B7, 220, 97, 435),
}


def user_namespace_filter(machine: str | None = None) -> bytes | None:
    """The compiled filter (``struct sock_filter`` array) for ``machine`` (default: this one), or None."""
    abi = _ABIS.get((machine or platform.machine()).lower())
    if abi is None:
        return None
    arch, clone, unshare, clone3 = abi
    program = [
        (_LOAD_WORD, 0, 0, _ARCH),
        (_JUMP_EQUAL, 1, 0, arch),
        (_RETURN, 0, 0, _ERRNO | errno.EPERM),  # another ABI
        (_LOAD_WORD, 0, 0, _NR),
        (_JUMP_AT_LEAST, 0, 1, _X32_BIT),
        (_RETURN, 0, 0, _ERRNO | errno.EPERM),  # x32 system calls
        (_JUMP_EQUAL, 0, 1, clone3),
        (_RETURN, 0, 0, _ERRNO | errno.ENOSYS),
        (_JUMP_EQUAL, 2, 0, clone),
        (_JUMP_EQUAL, 1, 0, unshare),
        (_RETURN, 0, 0, _ALLOW),
        (_LOAD_WORD, 0, 0, _ARG0),
        (_JUMP_BITS_SET, 0, 1, _CLONE_NEWUSER),
        (_RETURN, 0, 0, _ERRNO | errno.EPERM),
        (_RETURN, 0, 0, _ALLOW),
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
