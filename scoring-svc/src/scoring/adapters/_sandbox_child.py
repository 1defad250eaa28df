"""The sandbox's child side: install the audit hook, then run the example as ``__main__``.

``SubprocessSandbox`` passes this file's source to the sandboxed interpreter with ``-c``, followed by two arguments:
the example's path and a JSON policy ``{"endpoints": [[host, port], ...], "workdir": path, "limits": {name: n}}``.
The limits (``RLIMIT_*`` names and values) are set here, before the hook, rather than between fork and exec: a
``preexec_fn`` makes the parent run its at-fork handlers in the child, and a library's handler taking a lock held by
another thread of the service (huggingface_hub closes its HTTP session there) deadlocks the child before it starts.
It uses the standard library only, since the sandbox's interpreter may not have this package installed.

The hook (``sys.addaudithook``, installed before any line of the example runs; hooks cannot be removed) raises
``PermissionError`` for:

- a connection or datagram to anything but the allowed endpoints (``socket.connect``, ``connect_ex``, ``sendto``,
  ``sendmsg``); the endpoints' names are resolved once here so both the name and its addresses are accepted, and
  only on the endpoint's port;
- a name lookup (``getaddrinfo``, ``gethostbyname``...) of another host, which would leak data through DNS;
- a new process (``subprocess.Popen``, ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn``, ``os.fork``,
  ``pty.spawn``) and a signal to another process (``os.kill``, ``os.killpg``); ``_posixsubprocess.fork_exec``, which
  ``multiprocessing.util.spawnv_passfds`` calls without an audit event, is replaced by a refusal, and importing
  ``_posixsubprocess`` afresh (to get the original back) is refused;
- loading a native library with ``ctypes`` from outside the interpreter's installation (the interpreter itself and
  the libraries installed packages ship stay loadable: ``import ctypes`` and PyTorch need them), and looking up a
  libc function that starts processes, opens connections or makes raw system calls;
- writing, creating, renaming or deleting files outside the run's working directory, and a hard or symbolic link
  in it to a file outside (which ``open`` would then write through);
- changing the resource limits (``resource.setrlimit``, ``resource.prlimit``);
- listing the interpreter's objects (``gc.get_objects``, ``get_referrers``, ``get_referents``), which would reach
  the hook itself.

The hook keeps its policy in closure variables of immutable values and binds every function it calls (builtins
included) when it is made, and this module's globals are emptied before the example runs: an example reaching this
module through ``sys._getframe(1).f_globals`` finds nothing to change. This is defence in depth only: code in the
same process can still step around an audit hook (``ctypes`` memory writes, patching the standard library the hook's
path checks use); the isolation boundary is the ``bwrap`` sandbox ``SubprocessSandbox`` starts this in.
"""

import builtins
import json
import os
import resource
import socket
import sys
import sysconfig
import types
from collections.abc import Callable
from typing import Any

Hook = Callable[[str, tuple[Any, ...]], None]


def _policy_hook(endpoints: frozenset[tuple[str, int]], workdir: str, library_roots: tuple[str, ...]) -> Hook:
    """The audit hook: refuse (raise ``PermissionError``) what the policy does not allow, let every other event by.

    Every name the hook uses is a closure variable bound here, not a global or builtin looked up per call.
    """
    spawn = frozenset(
        {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "pty.spawn"}
    )
    send = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
    lookup = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"})
    reverse_lookup = frozenset({"socket.gethostbyaddr", "socket.getnameinfo"})
    introspection = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents"})
    denied_symbols = frozenset(
        {"system", "popen", "fork", "vfork", "clone", "clone3", "execv", "execve", "execvp", "execvpe", "execl"}
        | {"execle", "execlp", "execveat", "fexecve", "posix_spawn", "posix_spawnp", "connect", "sendto", "sendmsg"}
        | {"syscall", "dlopen", "ptrace", "kill"}
    )
    # Event → positions of the path arguments it changes (or, for links, makes writable); "open" only when it writes.
    file_changes = types.MappingProxyType(
        {
            "open": (0,),
            "os.remove": (0,),
            "os.rmdir": (0,),
            "os.rename": (0, 1),
            "os.truncate": (0,),
            "os.chmod": (0,),
            "os.chown": (0,),
            "os.mkdir": (0,),
            "os.symlink": (0, 1),
            "os.link": (0, 1),
            "os.utime": (0,),
            "shutil.rmtree": (0,),
        }
    )
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    hosts = frozenset(host for host, _ in endpoints)
    allowed = tuple(sorted(endpoints))
    own_pid = os.getpid()
    realpath, fsdecode, dirname, join, sep, devnull = (
        os.path.realpath,
        os.fsdecode,
        os.path.dirname,
        os.path.join,
        os.sep,
        os.devnull,
    )
    is_instance, length, to_str, denied = isinstance, len, str, PermissionError
    text_types, path_types = (str, bytes), (str, bytes, os.PathLike)

    def refuse(reason: str) -> None:
        raise denied("sandbox: " + reason)

    def host(name: Any) -> str:
        text = fsdecode(name) if is_instance(name, text_types) else to_str(name)
        return text.strip("[]").lower()

    def reachable(address: Any) -> bool:
        if not is_instance(address, tuple) or length(address) < 2 or not is_instance(address[0], text_types):
            return False
        return (host(address[0]), address[1]) in endpoints

    def library(name: Any) -> bool:
        if not is_instance(name, text_types) or "/" not in fsdecode(name):
            return False
        real = realpath(fsdecode(name))
        return any(real.startswith(root + sep) for root in library_roots)

    def inside(path: Any, base: str = "") -> bool:
        if is_instance(path, int):
            return True  # an open file descriptor, already checked when it was opened
        if not is_instance(path, path_types):
            return False
        real = realpath(join(base, fsdecode(path)) if base else fsdecode(path))
        return real in (devnull, workdir) or real.startswith(workdir + sep)

    def changes(event: str, args: tuple[Any, ...]) -> bool:
        if event != "open":
            return True
        mode, flags = args[1], args[2]
        if is_instance(mode, str) and any(c in mode for c in "wax+"):
            return True
        return is_instance(flags, int) and bool(flags & write_flags)

    def outside_paths(event: str, args: tuple[Any, ...]) -> list[object]:
        found = []
        for i in file_changes[event]:
            # A symbolic link's target is relative to the link's directory.
            base = (
                dirname(fsdecode(args[1]))
                if event == "os.symlink" and i == 0 and is_instance(args[1], path_types)
                else ""
            )
            if not inside(args[i], base):
                found.append(args[i])
        return found

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in spawn:
            refuse(f"{event}: the sandbox allows no new process")
        elif event in send and args[1] is not None and not reachable(args[1]):
            refuse(f"{event} to {args[1]!r}: only {allowed} are reachable")
        elif event in lookup and args[0] is not None and host(args[0]) not in hosts:
            refuse(f"{event} of {args[0]!r}: only {tuple(sorted(hosts))} may be resolved")
        elif event in reverse_lookup:
            refuse(f"{event}: the sandbox allows no reverse lookup")
        elif event in ("resource.setrlimit", "resource.prlimit"):
            refuse(f"{event}: the sandbox's resource limits are fixed")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, own_pid):
            refuse(f"{event}: the sandbox may signal only itself")
        elif event == "ctypes.dlopen" and args[0] is not None and not library(args[0]):
            refuse(f"{event} of {args[0]!r}: only libraries of the installed packages may be loaded")
        elif event == "ctypes.dlsym" and args[1] in denied_symbols:
            refuse(f"{event} of {args[1]!r}: not available in the sandbox")
        elif event in introspection:
            refuse(f"{event}: not available in the sandbox")
        elif event == "import" and args[0] == "_posixsubprocess":
            refuse("import of _posixsubprocess: the sandbox allows no new process")
        elif event in file_changes and changes(event, args):
            outside = outside_paths(event, args)
            if outside:
                refuse(f"{event} of {outside[0]!r}: files may change only in {workdir}")

    return hook


def _allowed_endpoints(endpoints: list[list[Any]]) -> frozenset[tuple[str, int]]:
    """The endpoints by name and by every address their names resolve to now."""
    allowed: set[tuple[str, int]] = set()
    for host, port in endpoints:
        allowed.add((str(host).strip("[]").lower(), int(port)))
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            continue
        allowed.update((str(info[4][0]).strip("[]").lower(), int(port)) for info in infos)
    return frozenset(allowed)


def _disarm_fork_exec() -> None:
    """Replace ``_posixsubprocess.fork_exec`` (no audit event) by a refusal; the hook refuses re-importing it."""
    import _posixsubprocess

    def fork_exec(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("sandbox: fork_exec: the sandbox allows no new process")

    _posixsubprocess.fork_exec = fork_exec  # type: ignore[assignment]


def main() -> None:
    """Read the example and the policy from ``sys.argv``, install the hook, run the example as ``__main__``."""
    path, policy = sys.argv[1], json.loads(sys.argv[2])
    with open(path, encoding="utf-8") as handle:
        code = compile(handle.read(), path, "exec")
    sys.dont_write_bytecode = True
    for name, value in policy["limits"].items():
        limit = getattr(resource, name)
        resource.setrlimit(limit, (value, value + 1 if name == "RLIMIT_CPU" else value))
    library_roots = tuple(
        os.path.realpath(root)
        for root in {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
    )
    _disarm_fork_exec()
    sys.addaudithook(
        _policy_hook(_allowed_endpoints(policy["endpoints"]), os.path.realpath(policy["workdir"]), library_roots)
    )
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __builtins__=builtins)
    sys.modules["__main__"] = module
    sys.argv = [path]
    run, namespace = exec, module.__dict__
    globals().clear()  # nothing of this module is left for the example to change (the hook needs none of it)
    run(code, namespace)


if __name__ == "__main__":
    main()
