"""The catalog's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from catalog.deps import Deps
from catalog.usecases.artifact_audit import artifact_audit
from catalog.usecases.artifact_by_name import artifact_by_name
from catalog.usecases.artifact_by_regex import artifact_by_regex
from catalog.usecases.artifact_create import artifact_create
from catalog.usecases.artifact_delete import artifact_delete
from catalog.usecases.artifact_download import artifact_download
from catalog.usecases.artifact_get import artifact_get
from catalog.usecases.artifact_package import artifact_package
from catalog.usecases.artifact_query import artifact_query
from catalog.usecases.artifact_register_upload import artifact_register_upload
from catalog.usecases.artifact_update import artifact_update
from catalog.usecases.auth_lease import auth_lease
from catalog.usecases.auth_login import auth_login
from catalog.usecases.auth_revocations import auth_revocations
from catalog.usecases.catalog_reset import catalog_reset
from catalog.usecases.user_create import user_create
from catalog.usecases.user_delete import user_delete
from catalog.usecases.user_grant import user_grant
from catalog.usecases.user_list import user_list
from contracts import subjects
from contracts.artifacts import (
    CreateArtifact,
    DeleteArtifact,
    FindByName,
    GetArtifact,
    QueryArtifacts,
    ReadAudit,
    ResetRequest,
    SearchByRegex,
    UpdateArtifact,
)
from contracts.base import Empty
from contracts.storage import DownloadArtifact, ReadPackage, RegisterUpload
from contracts.users import CreateUser, DeleteUser, GrantPermissions, LeaseToken, Login
from svckit.host import Endpoint, bind


def catalog_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject the catalog answers."""
    return [
        bind(subjects.ARTIFACT_CREATE, CreateArtifact, artifact_create, deps),
        bind(subjects.ARTIFACT_GET, GetArtifact, artifact_get, deps),
        bind(subjects.ARTIFACT_UPDATE, UpdateArtifact, artifact_update, deps),
        bind(subjects.ARTIFACT_DELETE, DeleteArtifact, artifact_delete, deps),
        bind(subjects.ARTIFACT_QUERY, QueryArtifacts, artifact_query, deps),
        bind(subjects.ARTIFACT_BY_NAME, FindByName, artifact_by_name, deps),
        bind(subjects.ARTIFACT_BY_REGEX, SearchByRegex, artifact_by_regex, deps),
        bind(subjects.ARTIFACT_AUDIT, ReadAudit, artifact_audit, deps),
        bind(subjects.ARTIFACT_DOWNLOAD, DownloadArtifact, artifact_download, deps),
        bind(subjects.ARTIFACT_PACKAGE, ReadPackage, artifact_package, deps),
        bind(subjects.ARTIFACT_REGISTER_UPLOAD, RegisterUpload, artifact_register_upload, deps),
        bind(subjects.reset_subject(subjects.CATALOG), ResetRequest, catalog_reset, deps),
        bind(subjects.AUTH_LOGIN, Login, auth_login, deps),
        bind(subjects.AUTH_LEASE, LeaseToken, auth_lease, deps),
        bind(subjects.AUTH_REVOCATIONS, Empty, auth_revocations, deps),
        bind(subjects.USER_CREATE, CreateUser, user_create, deps),
        bind(subjects.USER_LIST, Empty, user_list, deps),
        bind(subjects.USER_DELETE, DeleteUser, user_delete, deps),
        bind(subjects.USER_GRANT, GrantPermissions, user_grant, deps),
    ]
