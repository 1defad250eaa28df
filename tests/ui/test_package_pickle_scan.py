"""The package section of a model's page shows each pickle-based file's security verdict beside its copy state."""

import re
from types import SimpleNamespace
from typing import Any

import aiohttp_jinja2
import jinja2
import pytest

from ui.app import init_app
from ui.handlers.artifact_page import page_context
from ui.outcome import Outcome
from ui.settings import UiSettings

ARTIFACT = {
    "metadata": {"name": "digits", "id": "7", "type": "model"},
    "data": {"url": "upload://0/digits.tar", "download_url": "http://registry/download/7"},
}
READY = {"state": "ready", "bytes_done": 8, "bytes_total": 8, "files_done": 2, "files_total": 2}
SCAN = {
    "verdict": "dangerous",
    "detail": "1 pickle-based member (1 dangerous); digits/pytorch_model.bin: archive/data.pkl imports os.system",
    "dangerous_imports": ["os.system"],
    "members": ["digits/pytorch_model.bin"],
}


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    """The template environment ``init_app`` sets up."""
    return aiohttp_jinja2.get_env(init_app(UiSettings()))


def _page(env: jinja2.Environment, files: list[dict[str, Any]]) -> str:
    outcomes: dict[str, Outcome[Any]] = {
        "package": Outcome(value={"status": READY, "files": files}),
        "cost": Outcome(value={"7": {"total_cost": 0.0002}}),
        "closure": Outcome(value={"7": {"standalone_cost": 0.0002, "total_cost": 0.0002}}),
        "audit": Outcome(value=[]),
        "report": Outcome(error="No rated model with this id.", status=404),
        "lineage": Outcome(value={"nodes": [{"artifact_id": "7", "name": "digits", "metadata": {}}], "edges": []}),
    }
    page = {"request": SimpleNamespace(path="/artifacts/model/7"), "user": "alice", "csrf": "c" * 64, "flash": None}
    return env.get_template("artifact.html").render({**page, **page_context(ARTIFACT, outcomes)})


def _cells(html: str, path: str) -> list[str]:
    row = re.search(rf'<th scope="row" class="path">{re.escape(path)}</th>(.*?)</tr>', html, re.S)
    assert row is not None, html
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def test_each_file_shows_its_pickle_verdict_and_the_imports_that_refuse_it(env: jinja2.Environment) -> None:
    files = [
        {"path": "digits.tar", "part": "weights", "size": 4, "stored": True, "sha256": "a" * 64, "pickle_scan": SCAN},
        {"path": "README.md", "part": "docs", "size": 4, "stored": True, "sha256": "b" * 64},
    ]
    html = _page(env, files)
    assert '<th scope="col">Pickle scan</th>' in html
    assert _cells(html, "digits.tar")[-1] == f"<strong>dangerous</strong> (imports os.system): {SCAN['detail']}"
    assert _cells(html, "README.md")[-1] == "not pickle-based"


def test_a_package_without_verdicts_has_no_pickle_column(env: jinja2.Environment) -> None:
    html = _page(env, [{"path": "README.md", "part": "docs", "size": 4, "stored": True, "sha256": "b" * 64}])
    assert "Pickle scan" not in html and len(_cells(html, "README.md")) == 5
