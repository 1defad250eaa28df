"""Artifacts through the UI against a real registry: register, list, search, the artifact page, downloads, uploads."""

import asyncio
import hashlib
import io
import re
import tarfile

import aiohttp
import pytest

from tests.ui.browser import Browser

BERT = "https://huggingface.co/google-bert/bert-base-uncased"
ARTIFACT_PATH = re.compile(r"/artifacts/(model|dataset|code)/([A-Za-z0-9-]+)$")


async def _register(browser: Browser, kind: str, url: str) -> str:
    """Register through the form (or find the artifact when it exists) and return its page's path."""
    page = await browser.post("/register", {"type": kind, "url": url, "name": ""})
    if page.status == 409:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        listing = await browser.get(f"/artifacts?name={name}&type={kind}")
        found = re.search(rf'href="(/artifacts/{kind}/[A-Za-z0-9-]+)"', listing.text)
        assert found, listing.text
        return found.group(1)
    assert page.status == 200 and ARTIFACT_PATH.search(page.path), (page.status, page.path, page.text[:2000])
    return page.path


async def _settled(browser: Browser, path: str, timeout: float = 60.0) -> dict[str, object]:
    """Poll the page's progress.json until the copy has ended."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with browser.session.get(f"{browser.base_url}{path}/progress.json") as response:
            assert response.status == 200
            status: dict[str, object] = await response.json()
        if status["done"]:
            return status
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.2)


async def _download(browser: Browser, path: str, part: str) -> tuple[str | None, bytes]:
    """Follow the UI's download link: a redirect to a presigned URL fetched without any cookie."""
    async with browser.session.get(f"{browser.base_url}{path}/download?part={part}", allow_redirects=False) as reply:
        assert reply.status == 303, await reply.text()
        location, sha = reply.headers["Location"], reply.headers.get("X-Content-SHA256")
    assert not location.startswith(browser.base_url)
    async with aiohttp.ClientSession() as anonymous, anonymous.get(location) as presigned:
        assert presigned.status == 200
        return sha, await presigned.read()


@pytest.fixture
async def bert(admin: Browser) -> str:
    """bert-base-uncased registered through the UI: its page's path."""
    return await _register(admin, "model", BERT)


async def test_registering_redirects_to_the_artifact_page_with_its_copy_progress(admin: Browser, bert: str) -> None:
    page = await admin.get(bert)
    assert page.status == 200
    assert (
        "<h1>bert-base-uncased" in page.text
        and "<title>bert-base-uncased (model) · Model registry</title>" in page.text
    )
    assert f'data-progress-url="{bert}/progress.json"' in page.text and 'aria-live="polite"' in page.text
    status = await _settled(admin, bert)
    assert status["state"] == "partial" and "of 16 files" in str(status["summary"])


async def test_the_list_pages_filters_by_type_and_searches_names_exactly(admin: Browser, bert: str) -> None:
    listing = await admin.get("/artifacts")
    assert f'href="{bert}"' in listing.text and "<caption" in listing.text
    assert f'href="{bert}"' in (await admin.get("/artifacts?type=model&name=bert-base-uncased")).text
    assert f'href="{bert}"' not in (await admin.get("/artifacts?type=dataset")).text
    assert f'href="{bert}"' not in (await admin.get("/artifacts?name=BERT-base-uncased")).text


async def test_pages_follow_the_registrys_cursor_forwards_and_back(admin: Browser) -> None:
    for url in (
        "https://huggingface.co/datasets/rajpurkar/squad",
        "https://huggingface.co/datasets/bookcorpus/bookcorpus",
    ):
        await _register(admin, "dataset", url)
    await _register(admin, "code", "https://github.com/huggingface/lerobot")
    seen: list[str] = []
    page, path = None, "/artifacts"
    while True:
        page = await admin.get(path)
        found = re.findall(r'<th scope="row"><a href="(/artifacts/[^"]+)"', page.text)
        assert len(found) <= 2
        seen += found
        following = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', page.text)
        if not following:
            break
        path = following.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) >= 3 and "Page " in page.text
    back = re.search(r'<a href="([^"]+)" rel="prev">Previous page</a>', page.text)
    assert back is not None
    previous = await admin.get(back.group(1).replace("&amp;", "&"))
    end = len(seen) - len(found)
    assert re.findall(r'<th scope="row"><a href="(/artifacts/[^"]+)"', previous.text) == seen[end - 2 : end]


async def test_regex_search_finds_matches_and_explains_no_match_and_bad_patterns(admin: Browser, bert: str) -> None:
    assert f'href="{bert}"' in (await admin.get("/artifacts?regex=bert-.*-uncased")).text
    none = await admin.get("/artifacts?regex=zz-no-such-thing")
    assert none.status == 200 and "No artifact name or README matches zz-no-such-thing." in none.text
    bad = await admin.get("/artifacts?regex=(unclosed")
    assert bad.status == 400 and 'aria-describedby="regex-hint regex-error"' in bad.text
    assert 'id="regex-error"' in bad.text


async def test_the_model_page_shows_rating_lineage_cost_and_audit(admin: Browser, bert: str) -> None:
    page = (await admin.get(bert)).text
    ident = bert.rsplit("/", 1)[1]
    assert f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="rating-{ident}"' in page
    assert "Rating of each metric, from 0 to 1" in page and "Size score per device" in page
    assert re.search(r"<th scope=\"row\">Licence</th>\s*<td class=\"num\">1.00</td>", page)
    assert "apache-2.0 in the card metadata" in page  # the explanation from /rate/report
    assert f'class="lineage" id="lineage-{ident}"' in page and f'href="/artifacts/model/{ident}"' in page
    assert re.search(r"This model alone</dt><dd>[0-9,.]+ MB</dd>", page)
    assert re.search(r"<td>[^<]+</td><td>ece30861defaultadminuser</td><td>yes</td><td>CREATE</td>", page)


async def test_a_part_downloads_from_a_presigned_url_with_the_listed_bytes(admin: Browser, bert: str) -> None:
    await _settled(admin, bert)
    page = (await admin.get(bert)).text
    assert f'href="{bert}/download?part=docs"' in page
    assert f'href="{bert}/download?part=all"' not in page  # weights over this deployment's limit were not stored
    sha, body = await _download(admin, bert, "docs")
    assert sha == hashlib.sha256(body).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}  # type: ignore[union-attr]
    assert set(members) == {"README.md", "LICENSE"}
    for content in members.values():
        assert f"<code>{hashlib.sha256(content).hexdigest()}</code>" in page


async def test_the_licence_check_shows_the_verdict_and_its_reason(admin: Browser, bert: str) -> None:
    ident = bert.rsplit("/", 1)[1]
    result = await admin.post(
        f"/artifacts/model/{ident}/license-check", {"github_url": "https://github.com/google-research/bert"}
    )
    assert result.status == 200 and "Compatible (true)" in result.text and "permissive" in result.text
    empty = await admin.post(f"/artifacts/model/{ident}/license-check", {"github_url": ""})
    assert empty.status == 400 and 'aria-invalid="true"' in empty.text


async def test_an_upload_with_a_card_is_stored_and_downloads_with_the_shown_sha256(admin: Browser) -> None:
    content = b"tiny weights\n" * 1000
    form = aiohttp.FormData()
    form.add_field("csrf", admin.csrf)
    form.add_field("type", "model")
    form.add_field("name", "ui-uploaded-model")
    form.add_field("card", "---\nlicense: mit\n---\n# A tiny uploaded model\n")
    form.add_field("file", content, filename="weights.bin", content_type="application/octet-stream")
    page = await admin.post("/upload", form)
    assert page.status == 200 and ARTIFACT_PATH.search(page.path), page.text[:2000]
    assert "Uploaded weights.bin as the model ui-uploaded-model." in page.text
    assert (await _settled(admin, page.path))["state"] == "ready"
    shown = (await admin.get(page.path)).text
    expected = hashlib.sha256(content).hexdigest()
    assert f'<code data-sha256="all">{expected}</code>' in shown
    sha, body = await _download(admin, page.path, "all")
    assert body == content and sha == expected


async def test_an_upload_without_a_csrf_token_is_refused_before_any_byte_is_stored(admin: Browser) -> None:
    form = aiohttp.FormData()
    form.add_field("type", "model")
    form.add_field("name", "forged")
    form.add_field("file", b"x", filename="x.bin")
    page = await admin.post("/upload", form)
    assert page.status == 403 and "This form has expired" in page.text


async def test_updating_and_deleting_go_through_their_forms(admin: Browser) -> None:
    path = await _register(admin, "code", "https://github.com/openai/whisper")
    edit = await admin.get(path + "/edit")
    assert edit.status == 200 and 'value="https://github.com/openai/whisper"' in edit.text
    updated = await admin.post(path + "/edit", {"url": "https://github.com/openai/whisper/tree/main"})
    assert updated.status == 200 and "The source was updated." in updated.text
    assert "https://github.com/openai/whisper/tree/main" in updated.text
    confirm = await admin.get(path + "/delete")
    assert "Yes, delete openai-whisper" in confirm.text
    deleted = await admin.post(path + "/delete", {})
    assert deleted.status == 200 and deleted.path == "/artifacts" and "was deleted" in deleted.text
    assert (await admin.get(path)).status == 404
