"""The sandbox's child side: become the sandbox's user, set the limits, install the audit hook, run the example.

``SubprocessSandbox`` passes this file's source to the sandboxed interpreter with ``-c``, followed by two arguments:
the example's path and a JSON policy ``{"writable": [path, ...], "limits": {name: n}, "user": [uid, gid] | null}``.

``user`` is set when the service runs as root (see ``scoring.adapters.bwrap``): the bootstrap then starts as root of
the run's user namespace (mapped onto host root, with only ``CAP_SETUID``/``CAP_SETGID`` left) and drops its groups,
gid and uid to the given ones first; leaving root clears every capability, and bubblewrap set ``no_new_privs``, so
nothing can bring root back. The limits (``RLIMIT_*`` names and values; soft = hard) are set next, in the child
rather than between fork and exec: a ``preexec_fn`` makes the parent run its at-fork handlers in the child, and a
library's handler taking a lock held by another thread of the service (huggingface_hub closes its HTTP session
there) deadlocks the child before it starts. ``RLIMIT_NPROC`` counts the processes and threads of the run's user in
the run's own user namespace, so it caps this run alone (a fork bomb ends at the cap). This file uses the standard
library only, since the sandbox's interpreter may not have this package installed.

The hook (``sys.addaudithook``, installed before any line of the example runs; hooks cannot be removed) is a second
layer behind the sandbox's namespaces; it raises ``PermissionError`` for:

- any connection or datagram to an address (``socket.connect``, ``connect_ex``, ``sendto``, ``sendmsg``) and any name
  lookup (``getaddrinfo``, ``gethostbyname``..., reverse lookups): the sandbox has no network at all, so an attempt
  is refused here before the empty network namespace refuses it too;
- a new process (``subprocess.Popen``, ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn``, ``os.fork``,
  ``pty.spawn``) and a signal to another process (``os.kill``, ``os.killpg``); ``_posixsubprocess.fork_exec``, which
  ``multiprocessing.util.spawnv_passfds`` calls without an audit event, is replaced by a refusal, and importing
  ``_posixsubprocess`` afresh (to get the original back) is refused;
- loading a native library with ``ctypes`` from outside the interpreter's installation (the interpreter itself and
  the libraries installed packages ship stay loadable: ``import ctypes`` and PyTorch need them), and looking up a
  libc function that starts processes, opens connections or makes raw system calls, by attribute or through
  ``_ctypes.dlsym`` (event ``ctypes.dlsym/handle``); a function called by its address needs no lookup, which is
  why the hook is not the boundary;
- writing, creating, renaming or deleting files outside the writable directories (the working directory and
  ``/tmp``), and a hard or symbolic link in them to a file outside (which ``open`` would then write through);
- changing the resource limits (``resource.setrlimit``, ``resource.prlimit``);
- listing the interpreter's objects (``gc.get_objects``, ``get_referrers``, ``get_referents``), which would reach
  the hook itself.

The hook keeps its policy in closure variables of immutable values and binds every function it calls (builtins
included) when it is made, and this module's globals are emptied before the example runs: an example reaching this
module through ``sys._getframe(1).f_globals`` finds nothing to change. This is defence in depth only: code in the
same process can step around an audit hook (``ctypes`` function pointers, memory writes); the isolation boundary is
the bubblewrap sandbox ``SubprocessSandbox`` starts this in.
"""

import builtins
import json
import os
import resource
import sys
import sysconfig
import types
from collections.abc import Callable
from typing import Any

Hook = Callable[[str, tuple[Any, ...]], None]


def _policy_hook(writable: tuple[str, ...], library_roots: tuple[str, ...]) -> Hook:
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
    own_pid = os.getpid()
    realpath, fsdecode, dirname, join, sep, devnull = (
        os.path.realpath,
        os.fsdecode,
        os.path.dirname,
        os.path.join,
        os.sep,
        os.devnull,
    )
    is_instance, some, text, whole, truth, denied = isinstance, any, str, int, bool, PermissionError
    text_types, path_types = (str, bytes), (str, bytes, os.PathLike)

    def refuse(reason: str) -> None:
        raise denied("sandbox: " + reason)

    def library(name: Any) -> bool:
        if not is_instance(name, text_types) or "/" not in fsdecode(name):
            return False
        real = realpath(fsdecode(name))
        return some(real.startswith(root + sep) for root in library_roots)

    def inside(path: Any, base: str = "") -> bool:
        if is_instance(path, whole):
            return True  # an open file descriptor, already checked when it was opened
        if not is_instance(path, path_types):
            return False
        real = realpath(join(base, fsdecode(path)) if base else fsdecode(path))
        return real == devnull or some(real == root or real.startswith(root + sep) for root in writable)

    def changes(event: str, args: tuple[Any, ...]) -> bool:
        if event != "open":
            return True
        mode, flags = args[1], args[2]
        if is_instance(mode, text) and some(c in mode for c in "wax+"):
            return True
        return is_instance(flags, whole) and truth(flags & write_flags)

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
        elif event in send and args[1] is not None:
            refuse(f"{event} to {args[1]!r}: the sandbox has no network")
        elif event in lookup and args[0] is not None:
            refuse(f"{event} of {args[0]!r}: the sandbox has no network")
        elif event in reverse_lookup:
            refuse(f"{event}: the sandbox allows no reverse lookup")
        elif event in ("resource.setrlimit", "resource.prlimit"):
            refuse(f"{event}: the sandbox's resource limits are fixed")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, own_pid):
            refuse(f"{event}: the sandbox may signal only itself")
        elif event == "ctypes.dlopen" and args[0] is not None and not library(args[0]):
            refuse(f"{event} of {args[0]!r}: only libraries of the installed packages may be loaded")
        elif event in ("ctypes.dlsym", "ctypes.dlsym/handle") and args[1] in denied_symbols:
            refuse(f"{event} of {args[1]!r}: not available in the sandbox")
        elif event in introspection:
            refuse(f"{event}: not available in the sandbox")
        elif event == "import" and args[0] == "_posixsubprocess":
            refuse("import of _posixsubprocess: the sandbox allows no new process")
        elif event in file_changes and changes(event, args):
            outside = outside_paths(event, args)
            if outside:
                refuse(f"{event} of {outside[0]!r}: files may change only in {' and '.join(writable)}")

    return hook


def _become(uid: int, gid: int) -> None:
    """Leave root of the run's user namespace for ``uid``/``gid``, without supplementary groups (or stop)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise SystemExit("sandbox: could not switch to the sandbox's user")


def _disarm_fork_exec() -> None:
    """Replace ``_posixsubprocess.fork_exec`` (no audit event) by a refusal; the hook refuses re-importing it."""
    import _posixsubprocess

    def fork_exec(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("sandbox: fork_exec: the sandbox allows no new process")

    _posixsubprocess.fork_exec = fork_exec  # type: ignore[assignment]


def main() -> None:
    """Read the example and the policy from ``sys.argv``, install the hook, run the example as ``__main__``."""
    path, policy = sys.argv[1], json.loads(sys.argv[2])
    if policy["user"] is not None:
        _become(*policy["user"])
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
    writable = tuple(os.path.realpath(path) for path in policy["writable"])
    sys.addaudithook(_policy_hook(writable, library_roots))
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __builtins__=builtins)
    sys.modules["__main__"] = module
    sys.argv = [path]
    run, namespace = exec, module.__dict__
    globals().clear()  # nothing of this module is left for the example to change (the hook needs none of it)
    run(code, namespace)


if __name__ == "__main__":
    main()
