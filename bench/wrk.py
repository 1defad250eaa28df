"""Drive one HTTP scenario with wrk (a native load generator) and read its summary.

Each scenario is a Lua script generated here: every request picks a path from a file of paths (or builds a new
regex body), and authenticated scenarios rotate tokens so that no token is used more than ``budget`` times: each
wrk thread owns every ``threads``-th token of the token file and moves to its next one after ``budget`` calls.
wrk's ``done`` hook prints one JSON line, parsed into :class:`WrkResult`.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARK = "WRKJSON "

_LUA = r"""
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  if path == "" then return out end
  for line in io.lines(path) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function init(args)
  tokens = lines(TOKENS)
  paths = lines(PATHS)
  math.randomseed(1000 + tid)
end

function request()
  counter = counter + 1
  local headers = {}
  if #tokens > 0 then
    local slot = math.floor((counter - 1) / BUDGET) * THREADS + tid + 1
    headers["X-Authorization"] = tokens[slot] or "bearer exhausted"
  end
  local body = nil
  if BODY ~= "" then
    headers["Content-Type"] = "application/json"
    body = BODY
  end
  if REGEX then
    headers["Content-Type"] = "application/json"
    body = string.format('{"regex": "(?i)checkpoint-%d-%d|fine-?tuned on squad"}', tid, counter)
  end
  return wrk.format(METHOD, paths[math.random(#paths)], headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "status": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class WrkMissing(RuntimeError):
    """wrk is not installed (``apt-get install wrk``)."""


@dataclass(frozen=True)
class Load:
    """What to send: ``METHOD`` to one of ``paths`` (a file, one path per line) on ``base_url``."""

    name: str
    method: str
    paths: Path
    tokens: Path | None = None  # one token per line; none: unauthenticated
    body: str = ""
    new_regex: bool = False  # a regex body never sent before, on every request


@dataclass(frozen=True)
class WrkResult:
    """wrk's summary of one run."""

    requests: int
    seconds: float
    non_2xx: int  # answers outside 2xx/3xx
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def script(load: Load, workdir: Path, budget: int, threads: int) -> Path:
    """The Lua script for ``load`` (written under ``workdir``)."""
    header = (
        f"METHOD = {json.dumps(load.method)}\nPATHS = {json.dumps(str(load.paths))}\n"
        f"TOKENS = {json.dumps(str(load.tokens) if load.tokens else '')}\nBODY = {json.dumps(load.body)}\n"
        f"REGEX = {'true' if load.new_regex else 'false'}\nBUDGET = {budget}\nTHREADS = {threads}\n"
    )
    path = workdir / f"{load.name}.lua"
    path.write_text(header + _LUA)
    return path


def run_wrk(
    load: Load, base_url: str, workdir: Path, *, seconds: float, connections: int, threads: int, budget: int
) -> WrkResult:
    """Run wrk for ``seconds`` at ``connections`` connections over ``threads`` threads; its summary."""
    binary = shutil.which("wrk")
    if binary is None:
        raise WrkMissing("wrk is not installed: apt-get install wrk")
    argv = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script(load, workdir, budget, threads)),
        base_url,
    ]
    finished = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{finished.stdout}\n{finished.stderr}")
    raw = json.loads(line.removeprefix(MARK))
    return WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        non_2xx=raw["status"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
    )
