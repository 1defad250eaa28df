"""The route table: one line per spec operation (named by its operationId), its permission and the subject its
handler sends: from an operationId, the subject leads to the service's endpoint table and so to the use case."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from contracts import subjects as s
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

# method, path, operationId, handler, permission (None: public), the subject the handler sends (None: answered
# here). The subject's service answers it in its endpoint table (``<service>/endpoints.py``), bound to its use case.
TABLE: list[tuple[str, str, str, Handler, Permission | None, str | None]] = [
    ("GET", "/health", "RegistryHealthHeartbeat", health.registry_health_heartbeat, None, None),
    ("GET", "/health/components", "RegistryHealthComponents", health.registry_health_components, None, None),
    ("GET", "/health/dashboard", "RegistryHealthDashboard", dashboard.registry_health_dashboard, SEARCH, None),
    ("GET", "/tracks", "GetTracks", admin.get_tracks, None, None),
    ("PUT", "/authenticate", "CreateAuthToken", auth.create_auth_token, None, s.AUTH_LOGIN),
    ("DELETE", "/reset", "RegistryReset", admin.registry_reset, ADMIN, s.CATALOG_RESET),
    ("POST", "/artifacts", "ArtifactsList", artifacts.artifacts_list, SEARCH, s.ARTIFACT_QUERY),
    ("POST", "/artifact/byRegEx", "ArtifactByRegExGet", artifacts.artifact_by_regex_get, SEARCH, s.ARTIFACT_BY_REGEX),
    (
        "GET",
        "/artifact/byName/{name:.+}",
        "ArtifactByNameGet",
        artifacts.artifact_by_name_get,
        SEARCH,
        s.ARTIFACT_BY_NAME,
    ),
    (
        "POST",
        "/artifact/{artifact_type}/upload",
        "ArtifactUploadBegin",
        uploads.artifact_upload_begin,
        UPLOAD,
        s.UPLOAD_BEGIN,
    ),
    (
        "POST",
        "/artifact/{artifact_type}/upload/{upload_id}",
        "ArtifactUploadComplete",
        uploads.artifact_upload_complete,
        UPLOAD,
        s.ARTIFACT_REGISTER_UPLOAD,
    ),
    ("POST", "/artifact/{artifact_type}", "ArtifactCreate", artifacts.artifact_create, UPLOAD, s.ARTIFACT_CREATE),
    ("GET", "/artifacts/{artifact_type}/{id}", "ArtifactRetrieve", artifacts.artifact_retrieve, SEARCH, s.ARTIFACT_GET),
    ("PUT", "/artifacts/{artifact_type}/{id}", "ArtifactUpdate", artifacts.artifact_update, UPLOAD, s.ARTIFACT_UPDATE),
    (
        "DELETE",
        "/artifacts/{artifact_type}/{id}",
        "ArtifactDelete",
        artifacts.artifact_delete,
        UPLOAD,
        s.ARTIFACT_DELETE,
    ),
    ("GET", "/artifact/model/{id}/rate", "ModelArtifactRate", rating.model_artifact_rate, SEARCH, s.RATING_READ),
    (
        "GET",
        "/artifact/model/{id}/rate/report",
        "ModelRatingReport",
        rating.model_rating_report,
        SEARCH,
        s.RATING_REPORT,
    ),
    (
        "GET",
        "/artifact/model/{id}/lineage",
        "ArtifactLineageGet",
        lineage.artifact_lineage_get,
        SEARCH,
        s.LINEAGE_GRAPH,
    ),
    ("GET", "/artifact/{artifact_type}/{id}/cost", "ArtifactCost", lineage.artifact_cost, SEARCH, s.LINEAGE_COST),
    (
        "POST",
        "/artifact/model/{id}/license-check",
        "ArtifactLicenseCheck",
        lineage.artifact_license_check,
        SEARCH,
        s.LINEAGE_LICENSE,
    ),
    (
        "GET",
        "/artifact/{artifact_type}/{id}/audit",
        "ArtifactAuditGet",
        artifacts.artifact_audit_get,
        SEARCH,
        s.ARTIFACT_AUDIT,
    ),
    ("GET", "/download/{id}", "ArtifactDownload", downloads.artifact_download, DOWNLOAD, s.ARTIFACT_DOWNLOAD),
    (
        "GET",
        "/artifacts/{artifact_type}/{id}/package",
        "ArtifactPackage",
        downloads.artifact_package,
        SEARCH,
        s.ARTIFACT_PACKAGE,
    ),
    ("GET", "/users", "UsersList", users.users_list, ADMIN, s.USER_LIST),
    ("POST", "/users", "UserCreate", users.user_create, ADMIN, s.USER_CREATE),
    ("DELETE", "/users/{name}", "UserDelete", users.user_delete, ADMIN, s.USER_DELETE),
    ("PUT", "/users/{name}/permissions", "UserGrant", users.user_grant, ADMIN, s.USER_GRANT),
    ("POST", "/webhooks", "WebhookCreate", webhooks.webhook_create, SEARCH, s.WEBHOOK_CREATE),
    ("GET", "/webhooks", "WebhooksList", webhooks.webhooks_list, SEARCH, s.WEBHOOK_LIST),
    ("DELETE", "/webhooks/{webhook_id}", "WebhookDelete", webhooks.webhook_delete, SEARCH, s.WEBHOOK_DELETE),
    (
        "GET",
        "/webhooks/{webhook_id}/deliveries",
        "WebhookDeliveries",
        webhooks.webhook_deliveries,
        SEARCH,
        s.WEBHOOK_DELIVERIES,
    ),
    ("GET", "/", "RegistryFrontDoor", docs.registry_front_door, None, None),
    ("GET", "/openapi.yaml", "OpenApiDocument", docs.open_api_document, None, None),
    ("GET", "/docs", "ApiDocs", docs.api_docs, None, None),
    ("GET", "/docs/static/init.js", "ApiDocsInit", docs.api_docs_init, None, None),
]


def setup_routes(app: web.Application) -> None:
    """Register every route of the table, plus Swagger UI's static files."""
    info: dict[str, RouteInfo] = {}
    for method, path, name, handler, permission, subject in TABLE:
        app.router.add_route(method, path, handler, name=name)
        info[name] = RouteInfo(permission=permission, subject=subject)
    app.router.add_static("/docs/static", docs.swagger_static_dir(), name="ApiDocsStatic")
    app[ROUTES] = info
