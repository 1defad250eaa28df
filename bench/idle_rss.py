"""``python -m bench.idle_rss [--idle SECONDS]``: the resident memory of the ``make run`` stack at rest.

Starts ``python -m stack`` as ``make run`` does (a temporary ``REGISTRY_DATA_DIR``, every port it claims free),
waits until the gateway's ``/health/components`` reports every service, leaves it idle, then reads ``VmRSS`` of
the supervisor and each of its descendants from ``/proc`` and prints one line per process and the total against
the target. Shared pages (the interpreter, shared libraries) count once per process, as ``ps`` counts them.
Exits 0 under the target, 1 over it, 2 when the stack did not start.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import service_replicas
from stack.processes import Child, free_port, wait_for_port

TARGET_BYTES = 600 << 20
SERVICES = ("catalog", "storage", "lineage", "scoring", "webhooks")
# Every port ``python -m stack`` claims (``stack.__main__.port_claims``), each given a free one.
PORT_VARIABLES = (
    "GATEWAY_PORT",
    "UI_PORT",
    "STORAGE_HTTP_PORT",
    "REGISTRY_NATS_PORT",
    "REGISTRY_S3_PORT",
    *(f"{service.upper()}_METRICS_PORT" for service in SERVICES),
)


def idle_rss(root_pid: int) -> list[tuple[str, int]]:
    """``(name, VmRSS bytes)`` of ``root_pid`` and every descendant, root first, then by name.

    A grandchild is named after its parent too (``catalog > multiprocessing.spawn``).
    """
    names = process_tree(root_pid)
    table = [(name, rss) for pid, name in names.items() if (rss := _vm_rss(pid)) is not None]
    return table[:1] + sorted(table[1:])


def process_name(pid: int) -> str:
    """``catalog`` for ``python -m catalog``, ``weed mini`` for ``weed mini ...``, ``multiprocessing.spawn`` for
    ``python -c "from multiprocessing.spawn import ..."``, the program's name otherwise."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    program = os.path.basename(argv[0])
    for flag in ("-m", "-c") if program.startswith("python") else ():
        if flag in argv[:-1]:
            value = argv[argv.index(flag) + 1]
            return value if flag == "-m" else value.removeprefix("from ").split(" ", 1)[0]
    return f"{program} {argv[1]}" if len(argv) > 1 and argv[1] and not argv[1].startswith("-") else program


def format_table(table: list[tuple[str, int]]) -> str:
    """One line per process, largest first, and the total against the target."""
    total = sum(rss for _, rss in table)
    width = max(len(name) for name, _ in [*table, ("process", 0)]) + 2
    lines = [f"{'process':<{width}}{'VmRSS MB':>10}"]
    lines += [f"{name:<{width}}{rss / 2**20:>10.1f}" for name, rss in sorted(table, key=lambda row: -row[1])]
    verdict = "met" if total < TARGET_BYTES else "MISSED"
    lines.append(f"{'total':<{width}}{total / 2**20:>10.1f}   target < {TARGET_BYTES >> 20} MB: {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Start the stack, measure it at rest, print the table; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.idle_rss", description=__doc__)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds at rest before measuring (default: 10)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed for the start (default: 120)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="idle-rss-") as workdir:
        stack = _stack_child(Path(workdir))
        stack.start()
        try:
            _wait_ready(stack, int(stack.env["GATEWAY_PORT"]), args.timeout)
        except (RuntimeError, TimeoutError) as error:
            sys.stderr.write(f"bench.idle_rss: the stack did not start: {error}\n{_tail(Path(workdir))}\n")
            stack.stop()
            return 2
        try:
            time.sleep(args.idle)
            assert stack.pid is not None
            table = idle_rss(stack.pid)
        finally:
            stack.stop(timeout=30)
    print(format_table(table))
    return 0 if sum(rss for _, rss in table) < TARGET_BYTES else 1


def _stack_child(workdir: Path) -> Child:
    env = {variable: str(free_port()) for variable in PORT_VARIABLES}
    env |= {"REGISTRY_DATA_DIR": str(workdir / "data"), "REGISTRY_ADMIN_PASSWORD": "idle-rss-admin-password"}
    return Child("stack", [sys.executable, "-m", "stack"], env, log_file=workdir / "stack.log")


def _wait_ready(stack: Child, gateway_port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    wait_for_port(gateway_port, timeout=timeout, child=stack)
    while time.monotonic() < deadline:
        if all(service_replicas(gateway_port).get(name) == 1 for name in SERVICES):
            return
        if not stack.alive():
            raise RuntimeError(f"python -m stack exited with {stack.exit_code()}")
        time.sleep(0.2)
    raise TimeoutError(f"the gateway did not report every service after {timeout}s")


def _tail(workdir: Path, size: int = 4000) -> str:
    log = workdir / "stack.log"
    return log.read_bytes()[-size:].decode(errors="replace") if log.exists() else ""


def _parent_pid(entry: Path) -> int | None:
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the parent pid follows its last ")".
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _vm_rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def process_tree(root_pid: int) -> dict[int, str]:
    """Each process of ``root_pid``'s tree (itself included) and its name, as ``idle_rss`` names it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := _parent_pid(entry)) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    names = {root_pid: process_name(root_pid)}
    pending = [root_pid]
    while pending:
        parent = pending.pop()
        for pid in children.get(parent, []):
            own = process_name(pid)
            names[pid] = own if parent == root_pid else f"{names[parent]} > {own}"
            pending.append(pid)
    return names


if __name__ == "__main__":
    sys.exit(main())
