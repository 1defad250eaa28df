"""The sandbox's child side: install the audit hook, then run the example as ``__main__``.

``SubprocessSandbox`` passes this file's source to the sandboxed interpreter with ``-c``, followed by two arguments:
the example's path and a JSON policy ``{"endpoints": [[host, port], ...], "workdir": path, "limits": {name: n}}``.
The limits (``RLIMIT_*`` names and values) are set here, before the hook, rather than between fork and exec: a
``preexec_fn`` makes the parent run its at-fork handlers in the child, and a library's handler taking a lock held by
another thread of the service (huggingface_hub closes its HTTP session there) deadlocks the child before it starts. It uses the standard
library only, since the sandbox's interpreter may not have this package installed.

The hook (``sys.addaudithook``, installed before any line of the example runs; hooks cannot be removed) raises
``PermissionError`` for:

- a connection or datagram to anything but the allowed endpoints (``socket.connect``, ``connect_ex``, ``sendto``,
  ``sendmsg``); the endpoints' names are resolved once here so both the name and its addresses are accepted, and
  only on the endpoint's port;
- a name lookup (``getaddrinfo``, ``gethostbyname``...) of another host, which would leak data through DNS;
- a new process (``subprocess.Popen``, ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn``, ``os.fork``,
  ``pty.spawn``) and a signal to another process (``os.kill``, ``os.killpg``);
- loading a native library with ``ctypes`` from outside the interpreter's installation (the interpreter itself and
  the libraries installed packages ship stay loadable: ``import ctypes`` and PyTorch need them), and looking up a
  libc function that starts processes, opens connections or makes raw system calls;
- writing, creating, renaming or deleting files outside the run's working directory;
- changing the resource limits (``resource.setrlimit``, ``resource.prlimit``).
"""

import builtins
import json
import os
import resource
import socket
import sys
import sysconfig
import types
from typing import Any, Final

_SPAWN: Final = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "pty.spawn"}
)
_SEND: Final = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_LOOKUP: Final = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"})
_REVERSE_LOOKUP: Final = frozenset({"socket.gethostbyaddr", "socket.getnameinfo"})
_DENIED_SYMBOLS: Final = frozenset(
    {"system", "popen", "fork", "vfork", "clone", "clone3", "execv", "execve", "execvp", "execvpe", "execl", "execle"}
    | {"execlp", "execveat", "fexecve", "posix_spawn", "posix_spawnp", "connect", "sendto", "sendmsg", "syscall"}
    | {"dlopen", "ptrace", "kill"}
)
# Event → positions of the path arguments it changes; "open" only counts when it writes.
_FILE_CHANGES: Final = {
    "open": (0,),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.rename": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.mkdir": (0,),
    "os.symlink": (1,),
    "os.link": (1,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
}
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class Policy:
    """The audit hook: what the example may reach, load and change."""

    def __init__(self, endpoints: set[tuple[str, int]], workdir: str) -> None:
        self.endpoints = endpoints
        self.hosts = {host for host, _ in endpoints}
        self.workdir = os.path.realpath(workdir)
        self.library_roots = tuple(
            os.path.realpath(root)
            for root in {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
        )

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        """Refuse (raise ``PermissionError``) what the policy does not allow; let every other event through."""
        if event in _SPAWN:
            _refuse(f"{event}: the sandbox allows no new process")
        elif event in _SEND and args[1] is not None and not self._reachable(args[1]):
            _refuse(f"{event} to {args[1]!r}: only {sorted(self.endpoints)} are reachable")
        elif event in _LOOKUP and args[0] is not None and _host(args[0]) not in self.hosts:
            _refuse(f"{event} of {args[0]!r}: only {sorted(self.hosts)} may be resolved")
        elif event in _REVERSE_LOOKUP:
            _refuse(f"{event}: the sandbox allows no reverse lookup")
        elif event in ("resource.setrlimit", "resource.prlimit"):
            _refuse(f"{event}: the sandbox's resource limits are fixed")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, os.getpid()):
            _refuse(f"{event}: the sandbox may signal only itself")
        elif event == "ctypes.dlopen" and args[0] is not None and not self._library(args[0]):
            _refuse(f"{event} of {args[0]!r}: only libraries of the installed packages may be loaded")
        elif event == "ctypes.dlsym" and args[1] in _DENIED_SYMBOLS:
            _refuse(f"{event} of {args[1]!r}: not available in the sandbox")
        elif event in _FILE_CHANGES and _changes(event, args):
            outside = [args[i] for i in _FILE_CHANGES[event] if not self._inside(args[i])]
            if outside:
                _refuse(f"{event} of {outside[0]!r}: files may change only in {self.workdir}")

    def _reachable(self, address: object) -> bool:
        if not isinstance(address, tuple) or len(address) < 2 or not isinstance(address[0], str | bytes):
            return False
        return (_host(address[0]), address[1]) in self.endpoints

    def _library(self, name: object) -> bool:
        if not isinstance(name, str | bytes) or "/" not in os.fsdecode(name):
            return False
        real = os.path.realpath(os.fsdecode(name))
        return any(real.startswith(root + os.sep) for root in self.library_roots)

    def _inside(self, path: object) -> bool:
        if isinstance(path, int):
            return True  # an open file descriptor, already checked when it was opened
        if not isinstance(path, str | bytes | os.PathLike):
            return False
        real = os.path.realpath(os.fsdecode(path))
        return real == os.devnull or real == self.workdir or real.startswith(self.workdir + os.sep)


def _changes(event: str, args: tuple[Any, ...]) -> bool:
    if event != "open":
        return True
    mode, flags = args[1], args[2]
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _host(name: object) -> str:
    text = os.fsdecode(name) if isinstance(name, str | bytes) else str(name)
    return text.strip("[]").lower()


def _refuse(reason: str) -> None:
    raise PermissionError(f"sandbox: {reason}")


def _allowed_endpoints(endpoints: list[list[Any]]) -> set[tuple[str, int]]:
    """The endpoints by name and by every address their names resolve to now."""
    allowed: set[tuple[str, int]] = set()
    for host, port in endpoints:
        allowed.add((_host(host), int(port)))
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            continue
        allowed.update((_host(info[4][0]), int(port)) for info in infos)
    return allowed


def main() -> None:
    """Read the example and the policy from ``sys.argv``, install the hook, run the example as ``__main__``."""
    path, policy = sys.argv[1], json.loads(sys.argv[2])
    with open(path, encoding="utf-8") as handle:
        code = compile(handle.read(), path, "exec")
    sys.dont_write_bytecode = True
    for name, value in policy["limits"].items():
        limit = getattr(resource, name)
        resource.setrlimit(limit, (value, value + 1 if name == "RLIMIT_CPU" else value))
    sys.addaudithook(Policy(_allowed_endpoints(policy["endpoints"]), policy["workdir"]))
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __builtins__=builtins)
    sys.modules["__main__"] = module
    sys.argv = [path]
    exec(code, module.__dict__)  # noqa: S102 - running the example is the point; the hook above guards it


if __name__ == "__main__":
    main()
