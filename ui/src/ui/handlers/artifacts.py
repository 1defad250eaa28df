"""The artifact list: type filter, exact name search, regex search, pages following the API's cursor."""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from ui.context import registry, token
from ui.outcome import attempt
from ui.pages import ARTIFACT_TYPES, render

MAX_QUERY = 1024


def _cursor(raw: str | None) -> str | None:
    return raw if raw and raw.isdigit() and len(raw) <= 18 else None


def _list_url(name: str, types: list[str], offset: str | None, previous: list[str]) -> str:
    query: list[tuple[str, str]] = [("name", name)] if name else []
    query += [("type", t) for t in types]
    if offset:
        query.append(("offset", offset))
    if previous:
        query.append(("prev", ",".join(previous)))
    return "/artifacts" + ("?" + urlencode(query) if query else "")


async def list_page(request: web.Request) -> web.Response:
    """``GET /artifacts[?name=&type=&offset=&prev=]`` or ``?regex=``: one page of artifacts."""
    query = request.query
    types = [t for t in query.getall("type", []) if t in ARTIFACT_TYPES]
    name = query.get("name", "").strip()[:MAX_QUERY]
    context: dict[str, Any] = {"types": types, "name": name, "regex": None, "errors": {}, "items": None}
    if "regex" in query:
        return await _regex(request, context, query.get("regex", "")[:MAX_QUERY])
    offset = _cursor(query.get("offset"))
    previous = [p for p in query.get("prev", "").split(",") if _cursor(p)][:500]
    outcome = await attempt(registry(request).list_artifacts(token(request), name or "*", types, offset))
    if outcome.value is None:
        context["errors"]["name"] = outcome.error
        return render(request, "artifacts.html", context, status=outcome.status or 502)
    page = outcome.value
    context["items"] = page.items
    if page.has_more:
        context["next_url"] = _list_url(name, types, page.offset, [*previous, offset or "0"])
    if offset:
        back = previous[-1] if previous else "0"
        context["previous_url"] = _list_url(name, types, None if back == "0" else back, previous[:-1])
    context["page_number"] = len(previous) + 1
    return render(request, "artifacts.html", context)


async def _regex(request: web.Request, context: dict[str, Any], regex: str) -> web.Response:
    context["regex"] = regex
    if not regex:
        context["errors"]["regex"] = "Enter a regular expression."
        return render(request, "artifacts.html", context, status=400)
    outcome = await attempt(registry(request).by_regex(token(request), regex))
    if outcome.value is not None:
        context["items"] = outcome.value
    elif outcome.status == 404:
        context["items"] = []
        context["no_match"] = f"No artifact name or README matches {regex}."
    else:
        context["errors"]["regex"] = outcome.error
        return render(request, "artifacts.html", context, status=outcome.status or 502)
    return render(request, "artifacts.html", context)
