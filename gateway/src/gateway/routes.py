"""The route table: one line per spec operation (named by its operationId), its permission and service."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from contracts.subjects import CATALOG, LINEAGE, SCORING, STORAGE, WEBHOOKS
from contracts.users import Permission
from gateway.context import ROUTES, RouteInfo
from gateway.handlers import (
    admin,
    artifacts,
    auth,
    dashboard,
    docs,
    downloads,
    health,
    lineage,
    rating,
    uploads,
    users,
    webhooks,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SEARCH, UPLOAD, ADMIN, DOWNLOAD = Permission.SEARCH, Permission.UPLOAD, Permission.ADMIN, Permission.DOWNLOAD

# method, path, operationId, handler, permission (None: public), backing service
TABLE: list[tuple[str, str, str, Handler, Permission | None, str | None]] = [
    ("GET", "/health", "RegistryHealthHeartbeat", health.health, None, None),
    ("GET", "/health/components", "RegistryHealthComponents", health.components, None, None),
    ("GET", "/health/dashboard", "RegistryHealthDashboard", dashboard.dashboard, SEARCH, None),
    ("GET", "/tracks", "GetTracks", admin.tracks, None, None),
    ("PUT", "/authenticate", "CreateAuthToken", auth.authenticate, None, CATALOG),
    ("DELETE", "/reset", "RegistryReset", admin.reset, ADMIN, CATALOG),
    ("POST", "/artifacts", "ArtifactsList", artifacts.list_artifacts, SEARCH, CATALOG),
    ("POST", "/artifact/byRegEx", "ArtifactByRegExGet", artifacts.by_regex, SEARCH, CATALOG),
    ("GET", "/artifact/byName/{name:.+}", "ArtifactByNameGet", artifacts.by_name, SEARCH, CATALOG),
    ("POST", "/artifact/{artifact_type}/upload", "ArtifactUploadBegin", uploads.begin_upload, UPLOAD, STORAGE),
    (
        "POST",
        "/artifact/{artifact_type}/upload/{upload_id}",
        "ArtifactUploadComplete",
        uploads.complete_upload,
        UPLOAD,
        CATALOG,
    ),
    ("POST", "/artifact/{artifact_type}", "ArtifactCreate", artifacts.create_artifact, UPLOAD, CATALOG),
    ("GET", "/artifacts/{artifact_type}/{id}", "ArtifactRetrieve", artifacts.get_artifact, SEARCH, CATALOG),
    ("PUT", "/artifacts/{artifact_type}/{id}", "ArtifactUpdate", artifacts.update_artifact, UPLOAD, CATALOG),
    (
        "DELETE",
        "/artifacts/{artifact_type}/{id}",
        "ArtifactDelete",
        artifacts.delete_artifact,
        UPLOAD,
        CATALOG,
    ),
    ("GET", "/artifact/model/{id}/rate", "ModelArtifactRate", rating.rate, SEARCH, SCORING),
    ("GET", "/artifact/model/{id}/rate/report", "ModelRatingReport", rating.rating_report, SEARCH, SCORING),
    ("GET", "/artifact/model/{id}/lineage", "ArtifactLineageGet", lineage.lineage, SEARCH, LINEAGE),
    ("GET", "/artifact/{artifact_type}/{id}/cost", "ArtifactCost", lineage.cost, SEARCH, LINEAGE),
    ("POST", "/artifact/model/{id}/license-check", "ArtifactLicenseCheck", lineage.license_check, SEARCH, LINEAGE),
    ("GET", "/artifact/{artifact_type}/{id}/audit", "ArtifactAuditGet", artifacts.audit, SEARCH, CATALOG),
    ("GET", "/download/{id}", "ArtifactDownload", downloads.download, DOWNLOAD, CATALOG),
    ("GET", "/artifacts/{artifact_type}/{id}/package", "ArtifactPackage", downloads.package, SEARCH, CATALOG),
    ("GET", "/users", "UsersList", users.list_users, ADMIN, CATALOG),
    ("POST", "/users", "UserCreate", users.create_user, ADMIN, CATALOG),
    ("DELETE", "/users/{name}", "UserDelete", users.delete_user, ADMIN, CATALOG),
    ("PUT", "/users/{name}/permissions", "UserGrant", users.grant_permissions, ADMIN, CATALOG),
    ("POST", "/webhooks", "WebhookCreate", webhooks.create_webhook, SEARCH, WEBHOOKS),
    ("GET", "/webhooks", "WebhooksList", webhooks.list_webhooks, SEARCH, WEBHOOKS),
    ("DELETE", "/webhooks/{webhook_id}", "WebhookDelete", webhooks.delete_webhook, SEARCH, WEBHOOKS),
    ("GET", "/webhooks/{webhook_id}/deliveries", "WebhookDeliveries", webhooks.webhook_deliveries, SEARCH, WEBHOOKS),
    ("GET", "/", "RegistryFrontDoor", docs.front_door, None, None),
    ("GET", "/openapi.yaml", "OpenApiDocument", docs.openapi_document, None, None),
    ("GET", "/docs", "ApiDocs", docs.docs_page, None, None),
    ("GET", "/docs/static/init.js", "ApiDocsInit", docs.docs_init, None, None),
]


def setup_routes(app: web.Application) -> None:
    """Register every route of the table, plus Swagger UI's static files."""
    info: dict[str, RouteInfo] = {}
    for method, path, name, handler, permission, service in TABLE:
        app.router.add_route(method, path, handler, name=name)
        info[name] = RouteInfo(permission=permission, service=service)
    app.router.add_static("/docs/static", docs.swagger_static_dir(), name="ApiDocsStatic")
    app[ROUTES] = info
