"""Every API operation as data: the request to send and how to read its answer.

Both clients (``RegistryClient``, ``AsyncRegistryClient``) only send what an ``Op`` describes and hand the answer
back to it, so request building and response parsing live here once, free of I/O.
"""

import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from registry_client.errors import REQUEST_ID_HEADER, RegistryError, from_response
from registry_client.hooks import Delivery, EventType, NewWebhook, Webhook
from registry_client.models import (
    Artifact,
    ArtifactMetadata,
    ArtifactQuery,
    ArtifactType,
    AuditEntry,
    Cost,
    DownloadLink,
    LineageGraph,
    ModelRating,
    NewUser,
    PackageView,
    Page,
    Permission,
    RatingReport,
    UserInfo,
)

T = TypeVar("T")
TOKEN_HEADER = "X-Authorization"  # noqa: S105 (a header name)


@dataclass(frozen=True)
class Op(Generic[T]):
    """One call: method, path (below the registry's base URL), query, JSON body, the statuses that mean success,
    and ``parse`` that reads a successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    ok: tuple[int, ...] = (200,)
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    authenticated: bool = True

    def request(self, http: httpx.Client | httpx.AsyncClient, token: str | None) -> httpx.Request:
        """The HTTP request, with a fresh request id (the registry logs under it and echoes it in errors)."""
        headers = {REQUEST_ID_HEADER: uuid.uuid4().hex}
        if self.authenticated and token:
            headers[TOKEN_HEADER] = token
        return http.build_request(self.method, self.path, params=self.params, json=self.body, headers=headers)

    def finish(self, response: httpx.Response) -> T:
        """The parsed answer, or ``RegistryError`` for any other status."""
        if response.status_code not in self.ok:
            raise from_response(response)
        try:
            return self.parse(response)
        except (ValidationError, KeyError, ValueError) as error:
            request_id = response.headers.get(REQUEST_ID_HEADER)
            first = str(error).splitlines()[:3]
            message = f"{self.method} {self.path}: the answer does not match the API schema: {' '.join(first)}"
            raise RegistryError(0, message, request_id) from error


def _model(adapter: TypeAdapter[T]) -> Callable[[httpx.Response], T]:
    return lambda response: adapter.validate_json(response.content)


def _nothing(response: httpx.Response) -> None:
    return None


_ARTIFACT = _model(TypeAdapter(Artifact))
_METADATA_LIST = _model(TypeAdapter(list[ArtifactMetadata]))
_USER = _model(TypeAdapter(UserInfo))
_WEBHOOK = _model(TypeAdapter(Webhook))


def _seg(value: str) -> str:
    return quote(value, safe="")


def authenticate(user: str, password: str, is_admin: bool = False) -> Op[str]:
    """``PUT /authenticate``: the token (``bearer ...``) to send as ``X-Authorization``."""
    body = {"user": {"name": user, "is_admin": is_admin}, "secret": {"password": password}}
    return Op("PUT", "/authenticate", _model(TypeAdapter(str)), body=body, authenticated=False)


def create_artifact(artifact_type: ArtifactType, url: str, name: str | None = None) -> Op[Artifact]:
    """``POST /artifact/{type}``: register a source; 424 when the quality gate refuses a model."""
    body = {"url": url} if name is None else {"url": url, "name": name}
    return Op("POST", f"/artifact/{artifact_type.value}", _ARTIFACT, ok=(201,), body=body)


def _page(response: httpx.Response) -> Page:
    items = TypeAdapter(list[ArtifactMetadata]).validate_json(response.content)
    offset = response.headers.get("offset")
    more = response.headers.get("X-Has-More")
    last = more == "false" if more is not None else not items or offset is None
    return Page(items=items, next_offset=None if last else offset)


def list_page(queries: Sequence[ArtifactQuery], offset: str | None = None) -> Op[Page]:
    """``POST /artifacts``: one page; ``Page.next_offset`` is the cursor of the next (None after the last)."""
    body = [q.model_dump(mode="json", exclude_none=True) for q in queries]
    return Op("POST", "/artifacts", _page, params={"offset": offset} if offset else {}, body=body)


def _matches(response: httpx.Response) -> list[ArtifactMetadata]:
    return [] if response.status_code == 404 else _METADATA_LIST(response)


def search(regex: str) -> Op[list[ArtifactMetadata]]:
    """``POST /artifact/byRegEx`` over names and cards; no match is an empty list (the API answers 404)."""
    return Op("POST", "/artifact/byRegEx", _matches, ok=(200, 404), body={"regex": regex})


def by_name(name: str) -> Op[list[ArtifactMetadata]]:
    """``GET /artifact/byName/{name}``: every artifact with exactly this name (404 when none)."""
    return Op("GET", f"/artifact/byName/{_seg(name)}", _METADATA_LIST)


def get_artifact(artifact_type: ArtifactType, artifact_id: str) -> Op[Artifact]:
    """``GET /artifacts/{type}/{id}``."""
    return Op("GET", f"/artifacts/{artifact_type.value}/{_seg(artifact_id)}", _ARTIFACT)


def rate(artifact_id: str) -> Op[ModelRating]:
    """``GET /artifact/model/{id}/rate``."""
    return Op("GET", f"/artifact/model/{_seg(artifact_id)}/rate", _model(TypeAdapter(ModelRating)))


def rating_report(artifact_id: str) -> Op[RatingReport]:
    """``GET /artifact/model/{id}/rate/report``: the rating with each metric's evidence."""
    return Op("GET", f"/artifact/model/{_seg(artifact_id)}/rate/report", _model(TypeAdapter(RatingReport)))


def lineage(artifact_id: str) -> Op[LineageGraph]:
    """``GET /artifact/model/{id}/lineage``."""
    return Op("GET", f"/artifact/model/{_seg(artifact_id)}/lineage", _model(TypeAdapter(LineageGraph)))


def cost(artifact_type: ArtifactType, artifact_id: str, dependencies: bool = False) -> Op[dict[str, Cost]]:
    """``GET /artifact/{type}/{id}/cost``: MB per artifact (the dependency closure with ``dependencies``)."""
    path = f"/artifact/{artifact_type.value}/{_seg(artifact_id)}/cost"
    params = {"dependency": "true"} if dependencies else {}
    return Op("GET", path, _model(TypeAdapter(dict[str, Cost])), params=params)


def license_check(artifact_id: str, github_url: str) -> Op[bool]:
    """``POST /artifact/model/{id}/license-check``: whether the model's licence allows using it with the repo's."""
    path = f"/artifact/model/{_seg(artifact_id)}/license-check"
    return Op("POST", path, _model(TypeAdapter(bool)), body={"github_url": github_url})


def audit(artifact_type: ArtifactType, artifact_id: str) -> Op[list[AuditEntry]]:
    """``GET /artifact/{type}/{id}/audit``."""
    path = f"/artifact/{artifact_type.value}/{_seg(artifact_id)}/audit"
    return Op("GET", path, _model(TypeAdapter(list[AuditEntry])))


def package(artifact_type: ArtifactType, artifact_id: str) -> Op[PackageView]:
    """``GET /artifacts/{type}/{id}/package``: copy progress, files with sha256, archives."""
    path = f"/artifacts/{artifact_type.value}/{_seg(artifact_id)}/package"
    return Op("GET", path, _model(TypeAdapter(PackageView)))


def _link(response: httpx.Response) -> DownloadLink:
    size = response.headers.get("X-Content-Length")
    return DownloadLink(
        url=str(response.url.join(response.headers["Location"])), size=int(size) if size else None,
        sha256=response.headers.get("X-Content-SHA256") or None,
    )  # fmt: skip


def download_link(artifact_id: str, part: str = "all") -> Op[DownloadLink]:
    """``GET /download/{id}?part=``: the time-limited URL it redirects to, with length and sha256 when known."""
    return Op("GET", f"/download/{_seg(artifact_id)}", _link, ok=(302,), params={"part": part})


def list_users() -> Op[list[UserInfo]]:
    """``GET /users`` (admins)."""
    return Op("GET", "/users", _model(TypeAdapter(list[UserInfo])))


def create_user(user: NewUser) -> Op[UserInfo]:
    """``POST /users`` (admins)."""
    return Op("POST", "/users", _USER, ok=(201,), body=user.model_dump(mode="json"))


def delete_user(name: str) -> Op[None]:
    """``DELETE /users/{name}`` (admins): the user's tokens stop working at once."""
    return Op("DELETE", f"/users/{_seg(name)}", _nothing)


def grant(name: str, permissions: Sequence[Permission]) -> Op[UserInfo]:
    """``PUT /users/{name}/permissions`` (admins): replace the user's permissions."""
    body = {"permissions": [p.value for p in permissions]}
    return Op("PUT", f"/users/{_seg(name)}/permissions", _USER, body=body)


def reset() -> Op[None]:
    """``DELETE /reset`` (admins): empty the registry."""
    return Op("DELETE", "/reset", _nothing)


def add_webhook(url: str, events: Sequence[EventType], secret: str | None = None) -> Op[Webhook]:
    """``POST /webhooks``: the subscription, with its secret (shown only here)."""
    body = NewWebhook(url=url, events=list(events), secret=secret).model_dump(mode="json", exclude_none=True)
    return Op("POST", "/webhooks", _WEBHOOK, ok=(201,), body=body)


def list_webhooks() -> Op[list[Webhook]]:
    """``GET /webhooks``: the caller's subscriptions (an admin's: all)."""
    return Op("GET", "/webhooks", _model(TypeAdapter(list[Webhook])))


def delete_webhook(webhook_id: str) -> Op[None]:
    """``DELETE /webhooks/{id}``."""
    return Op("DELETE", f"/webhooks/{_seg(webhook_id)}", _nothing)


def deliveries(webhook_id: str) -> Op[list[Delivery]]:
    """``GET /webhooks/{id}/deliveries``: newest first."""
    return Op("GET", f"/webhooks/{_seg(webhook_id)}/deliveries", _model(TypeAdapter(list[Delivery])))


Flow = Generator[Op[Any], Any, T]
"""A call made of several: it yields each ``Op``, receives its answer (or its ``RegistryError`` thrown in), and
returns the result. Both clients run flows with ``run``, so multi-call logic is written once too."""


def list_all(queries: Sequence[ArtifactQuery]) -> Flow[list[ArtifactMetadata]]:
    """Every artifact the queries match, following the pagination cursor to the last page."""
    items: list[ArtifactMetadata] = []
    offset: str | None = None
    while True:
        page: Page = yield list_page(queries, offset)
        items.extend(page.items)
        if page.next_offset is None or page.next_offset == offset:
            return items
        offset = page.next_offset


def find(artifact_id: str) -> Flow[Artifact]:
    """The artifact with this id, whatever its type (the API's reads name the type: each is tried in turn)."""
    for artifact_type in ArtifactType:
        try:
            found: Artifact = yield get_artifact(artifact_type, artifact_id)
        except RegistryError as error:
            if error.status == 404:
                continue
            raise
        return found
    raise RegistryError(404, f"No artifact has the id {artifact_id!r}.")
