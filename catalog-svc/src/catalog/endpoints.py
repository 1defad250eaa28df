"""The catalog's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from catalog.deps import Deps
from catalog.usecases.authenticate import authenticate
from catalog.usecases.create_user import create_user
from catalog.usecases.delete_artifact import delete_artifact
from catalog.usecases.delete_user import delete_user
from catalog.usecases.download_artifact import download_artifact, read_package
from catalog.usecases.find_by_name import find_by_name
from catalog.usecases.get_artifact import get_artifact
from catalog.usecases.grant_permissions import grant_permissions
from catalog.usecases.lease_token import lease_token
from catalog.usecases.list_users import list_users
from catalog.usecases.query_artifacts import query_artifacts
from catalog.usecases.read_audit import read_audit
from catalog.usecases.read_revocations import read_revocations
from catalog.usecases.register_artifact import register_artifact
from catalog.usecases.register_upload import register_upload
from catalog.usecases.reset_catalog import reset_catalog
from catalog.usecases.search_by_regex import search_by_regex
from catalog.usecases.update_artifact import update_artifact
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
        bind(subjects.ARTIFACT_CREATE, CreateArtifact, register_artifact, deps),
        bind(subjects.ARTIFACT_GET, GetArtifact, get_artifact, deps),
        bind(subjects.ARTIFACT_UPDATE, UpdateArtifact, update_artifact, deps),
        bind(subjects.ARTIFACT_DELETE, DeleteArtifact, delete_artifact, deps),
        bind(subjects.ARTIFACT_QUERY, QueryArtifacts, query_artifacts, deps),
        bind(subjects.ARTIFACT_BY_NAME, FindByName, find_by_name, deps),
        bind(subjects.ARTIFACT_BY_REGEX, SearchByRegex, search_by_regex, deps),
        bind(subjects.ARTIFACT_AUDIT, ReadAudit, read_audit, deps),
        bind(subjects.ARTIFACT_DOWNLOAD, DownloadArtifact, download_artifact, deps),
        bind(subjects.ARTIFACT_PACKAGE, ReadPackage, read_package, deps),
        bind(subjects.ARTIFACT_REGISTER_UPLOAD, RegisterUpload, register_upload, deps),
        bind(subjects.reset_subject(subjects.CATALOG), ResetRequest, reset_catalog, deps),
        bind(subjects.AUTH_LOGIN, Login, authenticate, deps),
        bind(subjects.AUTH_LEASE, LeaseToken, lease_token, deps),
        bind(subjects.AUTH_REVOCATIONS, Empty, read_revocations, deps),
        bind(subjects.USER_CREATE, CreateUser, create_user, deps),
        bind(subjects.USER_LIST, Empty, list_users, deps),
        bind(subjects.USER_DELETE, DeleteUser, delete_user, deps),
        bind(subjects.USER_GRANT, GrantPermissions, grant_permissions, deps),
    ]
