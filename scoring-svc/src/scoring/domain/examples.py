"""The card's example code: which snippet is run for reproducibility, and the automatic fixes tried when it fails.

Extraction (``extract_example``): the example is the card's quick-start, the **first** fenced code block whose
info string starts with ``python``, ``py``, ``python3`` or ``pycon`` (fences of three or more backticks or tildes, as
in CommonMark; ``python title="demo.py"`` and ``{python}`` count) and whose body is real code. A body is not real
code when every line is blank, a ``#`` comment, or an install/shell line (``pip install``, ``!pip``, ``%pip``,
``%%capture``, ``$ ...``, ``conda install``, ``git clone``...): such a block tells the reader what to install, it
shows no use of the model, so the next block is considered instead. YAML front matter (a leading ``---`` block) is
ignored, an unclosed fence runs to the end of the card, and the common indentation of the body (a block nested in a
list) is removed.

Automatic fixes (``automatic_fixes``), applied in this order, each mechanical and deterministic, each named in
``Fixed.applied`` when it changed something:

- ``strip_doctest_prompts``: a block written as an interactive session (a line starts with ``>>>``) keeps only its
  ``>>> `` and ``... `` lines, without the prompts; the other lines are the session's printed output and are dropped.
- ``drop_shell_lines``: notebook magics and shell commands are removed: lines starting with ``!``, ``%`` (``%pip``,
  ``%%capture``) or ``$ ``, and bare ``pip``/``pip3``/``conda``/``mamba``/``uv``/``apt-get`` install lines,
  ``python -m pip ...``, ``git clone``/``git lfs`` and ``huggingface-cli`` lines. Such a line inside an indented
  block becomes ``pass`` so the block stays valid.
- ``move_to_cpu``: the sandbox has no GPU, so every string literal naming a CUDA device (``"cuda"``,
  ``'cuda:0'``) becomes ``"cpu"``, ``.cuda()`` becomes ``.cpu()``, ``device_map="auto"`` becomes
  ``device_map="cpu"`` and ``device=0`` (a pipeline's first GPU) becomes ``device="cpu"``.
- ``add_stdlib_imports``: when the code parses and uses one of ``json``, ``os``, ``sys``, ``re``, ``math``,
  ``time``, ``random``, ``io`` or ``Path`` (from ``pathlib``) without importing or assigning it anywhere, the missing
  import is added at the top (after any ``from __future__`` import).

Imports (``imported_modules``): the top-level modules an example imports (absolute imports only, each once; code
that does not parse imports nothing), so the sandbox can tell beforehand whether the
example's libraries are installed.

Why: a card earns the full score only when its example runs as written; these fixes are the edits any reader would
make without thinking (copy-paste residue, no GPU, a forgotten import), so an example that needs only them still
shows the model can be reproduced, at half the score. Nothing else is changed: no package is installed, no argument
renamed, no model substituted.
"""

import ast
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

_FRONT_MATTER: Final = re.compile(r"\A---\s*\n.*?\n---\s*(\n|\Z)", re.DOTALL)
_FENCE_OPEN: Final = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_PYTHON_INFO: Final = re.compile(r"^\{?\.?(python3|python|pycon|py)(?![\w+-])", re.I)
_SHELL_LINE: Final = re.compile(
    r"^\s*(!|%|\$\s|"
    r"(sudo\s+)?(pip3?|conda|mamba|uv(\s+pip)?|apt(-get)?)\s+install\b|"
    r"python3?\s+-m\s+pip\b|git\s+(clone|lfs)\b|huggingface-cli\b)"
)
_DOCTEST_PROMPT: Final = re.compile(r"^\s*>>>( |$)")
_CUDA_LITERAL: Final = re.compile(r"""(?P<q>["'])cuda(:\d+)?(?P=q)""")
_CUDA_CALL: Final = re.compile(r"\.cuda\(\s*\)")
_DEVICE_MAP_AUTO: Final = re.compile(r"""\bdevice_map\s*=\s*(?P<q>["'])auto(?P=q)""")
_DEVICE_ZERO: Final = re.compile(r"\bdevice\s*=\s*0\b(?!\.)")

STDLIB_IMPORTS: Final = {
    "json": "import json",
    "os": "import os",
    "sys": "import sys",
    "re": "import re",
    "math": "import math",
    "time": "import time",
    "random": "import random",
    "io": "import io",
    "Path": "from pathlib import Path",
}


@dataclass(frozen=True, slots=True)
class Fixed:
    """Code after the automatic fixes, and the names of the fixes that changed it (empty: nothing changed)."""

    code: str
    applied: tuple[str, ...]


def extract_example(markdown: str) -> str | None:
    """The card's quick-start: the body of its first Python code block that holds real code, or None."""
    lines = _FRONT_MATTER.sub("", markdown).splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening["fence"]
        end = _closing_line(lines, index + 1, fence)
        body = textwrap.dedent("\n".join(lines[index + 1 : end])).strip("\n")
        if _PYTHON_INFO.match(opening["info"].strip()) and _is_real_code(body):
            return body + "\n"
        index = end + 1
    return None


def _closing_line(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing a fence opened with ``fence``; the end of the card when it is never closed."""
    closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    return next((i for i in range(start, len(lines)) if closing.match(lines[i])), len(lines))


def _is_real_code(body: str) -> bool:
    """Whether some line is neither blank, nor a comment, nor an install or shell command."""
    return any(
        line.strip() and not line.strip().startswith("#") and not _SHELL_LINE.match(line) for line in body.splitlines()
    )


def automatic_fixes(code: str) -> Fixed:
    """Apply every documented fix in order; ``applied`` names those that changed the code."""
    applied: list[str] = []
    for name, fix in _FIXES:
        fixed = fix(code)
        if fixed != code:
            applied.append(name)
            code = fixed
    return Fixed(code=code, applied=tuple(applied))


def strip_doctest_prompts(code: str) -> str:
    """An interactive-session block without prompts and printed output; other code is returned as it is."""
    lines = code.splitlines()
    if not any(_DOCTEST_PROMPT.match(line) for line in lines):
        return code
    kept: list[str] = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith((">>> ", "... ")):
            kept.append(stripped[4:])
        elif stripped in (">>>", "..."):
            kept.append("")
    return _join(kept)


def drop_shell_lines(code: str) -> str:
    """The code without notebook magics and shell commands (``pass`` where the line was inside a block)."""
    kept: list[str] = []
    for line in code.splitlines():
        if not _SHELL_LINE.match(line):
            kept.append(line)
        elif indent := line[: len(line) - len(line.lstrip())]:
            kept.append(f"{indent}pass")
    return _join(kept) if kept != code.splitlines() else code


def move_to_cpu(code: str) -> str:
    """The code with every CUDA device replaced by the CPU."""
    code = _CUDA_LITERAL.sub(lambda m: f"{m['q']}cpu{m['q']}", code)
    code = _CUDA_CALL.sub(".cpu()", code)
    code = _DEVICE_MAP_AUTO.sub(lambda m: f"device_map={m['q']}cpu{m['q']}", code)
    return _DEVICE_ZERO.sub('device="cpu"', code)


def add_stdlib_imports(code: str) -> str:
    """The code with an import added for each name of ``STDLIB_IMPORTS`` it uses but never binds."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    loaded, bound = _names(tree)
    missing = [STDLIB_IMPORTS[name] for name in STDLIB_IMPORTS if name in loaded and name not in bound]
    if not missing:
        return code
    futures = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
    after = max((node.end_lineno or node.lineno for node in futures), default=0)
    lines = code.splitlines()
    return _join([*lines[:after], *missing, *lines[after:]])


def imported_modules(code: str) -> tuple[str, ...]:
    """The top-level modules ``code`` imports, each once (``import a.b`` and ``from a.b import c`` give ``a``)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    found: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found[node.module.split(".")[0]] = None
    return tuple(found)


def _names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The names a module reads, and the names it binds anywhere (imports, assignments, definitions, arguments)."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    return loaded, bound


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"


_FIXES: Final[tuple[tuple[str, Callable[[str], str]], ...]] = (
    ("strip_doctest_prompts", strip_doctest_prompts),
    ("drop_shell_lines", drop_shell_lines),
    ("move_to_cpu", move_to_cpu),
    ("add_stdlib_imports", add_stdlib_imports),
)
