"""The route table: one line per page or action, named (the names label metrics and mark public routes)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from ui.handlers import (
    admin,
    artifact_actions,
    artifact_page,
    artifacts,
    auth,
    dashboard,
    ops,
    register,
    upload,
    webhooks,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ARTIFACT = "/artifacts/{type:model|dataset|code}/{id:[A-Za-z0-9-]{1,64}}"
MODEL = "/artifacts/model/{id:[A-Za-z0-9-]{1,64}}"
USER = "/admin/users/{name}"

TABLE: list[tuple[str, str, str, Handler]] = [
    ("GET", "/", "home", ops.home),
    ("GET", "/healthz", "healthz", ops.healthz),
    ("GET", "/metrics", "metrics", ops.metrics),
    ("GET", "/sign-in", "sign_in_form", auth.sign_in_form),
    ("POST", "/sign-in", "sign_in", auth.sign_in),
    ("POST", "/sign-out", "sign_out", auth.sign_out),
    ("GET", "/artifacts", "artifacts", artifacts.list_page),
    ("GET", ARTIFACT, "artifact", artifact_page.show),
    ("GET", ARTIFACT + "/progress.json", "artifact_progress", artifact_page.progress),
    ("GET", ARTIFACT + "/download", "artifact_download", artifact_actions.download),
    ("GET", ARTIFACT + "/edit", "artifact_edit_form", artifact_actions.edit_form),
    ("POST", ARTIFACT + "/edit", "artifact_edit", artifact_actions.edit),
    ("GET", ARTIFACT + "/delete", "artifact_delete_form", artifact_actions.delete_form),
    ("POST", ARTIFACT + "/delete", "artifact_delete", artifact_actions.delete),
    ("POST", MODEL + "/license-check", "license_check", artifact_actions.license_check),
    ("GET", "/register", "register_form", register.form_page),
    ("POST", "/register", "register_submit", register.submit),
    ("GET", "/upload", "upload_form", upload.form_page),
    ("POST", "/upload", "upload_submit", upload.submit),
    ("GET", "/admin/users", "users", admin.users_page),
    ("POST", "/admin/users", "user_create", admin.create_user),
    ("POST", USER + "/permissions", "user_grant", admin.grant),
    ("GET", USER + "/delete", "user_delete_form", admin.delete_user_form),
    ("POST", USER + "/delete", "user_delete", admin.delete_user),
    ("GET", "/admin/reset", "reset_form", admin.reset_form),
    ("POST", "/admin/reset", "reset", admin.reset),
    ("GET", "/dashboard", "dashboard", dashboard.page),
    ("GET", "/webhooks", "webhooks", webhooks.page),
    ("POST", "/webhooks", "webhook_create", webhooks.create),
    ("GET", "/webhooks/{id:[A-Za-z0-9_-]{1,64}}", "webhook_deliveries", webhooks.deliveries),
    ("POST", "/webhooks/{id:[A-Za-z0-9_-]{1,64}}/delete", "webhook_delete", webhooks.delete),
]


def setup_routes(app: web.Application) -> None:
    """Register every route of the table and the static files."""
    for method, path, name, handler in TABLE:
        app.router.add_route(method, path, handler, name=name)
    app.router.add_static("/static", Path(__file__).parent / "static", name="static")
