"""Pages rendered by the app's own template environment from the handlers' pure view functions (no server)."""

import re
from types import SimpleNamespace
from typing import Any

import aiohttp_jinja2
import jinja2
import pytest

from ui.app import init_app
from ui.dashboard import dashboard_view
from ui.handlers.artifact_page import page_context
from ui.outcome import Outcome
from ui.settings import UiSettings

ARTIFACT = {
    "metadata": {"name": "tiny", "id": "42", "type": "model"},
    "data": {"url": "https://huggingface.co/acme/tiny", "download_url": "http://registry/download/42"},
}
COPYING = {
    "status": {"state": "copying", "bytes_done": 50, "bytes_total": 200, "files_done": 1, "files_total": 2},
    "files": [
        {"path": "README.md", "part": "docs", "size": 50, "stored": True, "sha256": "a" * 64},
        {"path": "model.bin", "part": "weights", "size": 150, "stored": False, "note": ""},
    ],
}


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    """The template environment ``init_app`` sets up."""
    return aiohttp_jinja2.get_env(init_app(UiSettings()))


def _render(env: jinja2.Environment, template: str, context: dict[str, Any], path: str = "/") -> str:
    page = {"request": SimpleNamespace(path=path), "user": "alice", "csrf": "c" * 64, "flash": None}
    return env.get_template(template).render({**page, **context})


def _outcomes(**values: Any) -> dict[str, Outcome[Any]]:
    base: dict[str, Outcome[Any]] = {
        "package": Outcome(value=COPYING),
        "cost": Outcome(value={"42": {"total_cost": 0.0002}}),
        "closure": Outcome(value={"42": {"standalone_cost": 0.0002, "total_cost": 0.0002}}),
        "audit": Outcome(value=[]),
        "report": Outcome(error="No rated model with this id.", status=404),
        "lineage": Outcome(value={"nodes": [{"artifact_id": "42", "name": "tiny", "metadata": {}}], "edges": []}),
    }
    return {**base, **values}


def test_a_copy_in_progress_has_a_labelled_progress_bar_a_live_region_and_a_refresh_link(
    env: jinja2.Environment,
) -> None:
    html = _render(env, "artifact.html", page_context(ARTIFACT, _outcomes()), "/artifacts/model/42")
    assert '<label for="copy-progress">Copy progress</label>' in html
    assert '<progress id="copy-progress" max="100" value="25">' in html
    assert 'aria-live="polite"' in html and 'href="/artifacts/model/42#package">Refresh' in html
    assert 'data-progress-url="/artifacts/model/42/progress.json" data-done="false"' in html
    assert 'href="/artifacts/model/42/download?part=all">Download whole package</a>' in html  # streamed meanwhile


def test_a_section_the_registry_cannot_answer_shows_its_message_and_the_rest_renders(env: jinja2.Environment) -> None:
    html = _render(env, "artifact.html", page_context(ARTIFACT, _outcomes()), "/artifacts/model/42")
    assert "The rating is not available: No rated model with this id." in html
    assert 'class="lineage" id="lineage-42"' in html and '<h2 id="audit-heading">Audit trail</h2>' in html


def test_every_page_has_one_h1_a_unique_title_and_landmarks(env: jinja2.Environment) -> None:
    pages = {
        "artifact.html": page_context(ARTIFACT, _outcomes()),
        "dashboard.html": {**dashboard_view(60, None, None), "errors": {}},
        "sign_in.html": {"next": "/", "notice": None, "errors": {}, "name": ""},
        "admin_reset.html": {"error": "Type the word reset to confirm."},
    }
    titles = set()
    for template, context in pages.items():
        html = _render(env, template, context)
        assert html.count("<h1") == 1, template
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html and "<footer" in html
        assert '<html lang="en">' in html and not re.search(r'tabindex="[1-9]', html)
        titles.add(re.search(r"<title>(.*?)</title>", html).group(1))  # type: ignore[union-attr]
    assert len(titles) == len(pages)


def test_field_errors_are_tied_to_their_inputs(env: jinja2.Environment) -> None:
    html = _render(env, "admin_reset.html", {"error": "Type the word reset to confirm."})
    assert 'aria-describedby="confirm-error" aria-invalid="true"' in html
    assert '<p class="field-error" id="confirm-error">' in html


def test_the_rating_shows_each_pickle_files_verdict_and_the_hubs_scan(env: jinja2.Environment) -> None:
    scan = {
        "scanned": True,
        "detail": "1 pickle-based file scanned: none dangerous.",
        "files": [{"path": "pytorch_model.bin", "verdict": "safe", "detail": "archive/data.pkl: 3 safe imports",
                   "dangerous_imports": [], "hub_status": "safe"}],
    }  # fmt: skip
    report = {"rating": {"name": "tiny", "category": "MODEL", "net_score": 0.5}, "notes": [], "pickle_scan": scan}
    html = _render(env, "artifact.html", page_context(ARTIFACT, _outcomes(report=Outcome(value=report))))
    assert "<h3>Model-file security scan</h3>" in html and "1 pickle-based file scanned: none dangerous." in html
    row = re.search(r'<th scope="row" class="path">pytorch_model.bin</th>(.*?)</tr>', html, re.S)
    assert row is not None and re.findall(r"<td>(.*?)</td>", row.group(1)) == [
        "safe", "none", "safe", "archive/data.pkl: 3 safe imports"
    ]  # fmt: skip


def test_the_details_name_the_owner_who_may_change_the_artifact(env: jinja2.Environment) -> None:
    owned = _outcomes(package=Outcome(value={**COPYING, "owner": "alice"}))
    html = _render(env, "artifact.html", page_context(ARTIFACT, owned))
    assert "<dt>Owner</dt><dd>alice (they and administrators may update or delete it)</dd>" in html
    unknown = _render(env, "artifact.html", page_context(ARTIFACT, _outcomes(package=Outcome(value=COPYING))))
    assert "<dt>Owner</dt><dd>unknown: registered before owners were recorded" in unknown
