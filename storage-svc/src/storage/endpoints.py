"""storage-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import BeginUpload, PackageRef, PreparePackage, RangeLinksQuery, RequestDownload, SizesQuery
from storage.deps import Deps
from storage.ports import BlobStoreUnavailable
from storage.usecases.package_delete import package_delete
from storage.usecases.package_download import package_download
from storage.usecases.package_files import package_files
from storage.usecases.package_prepare import package_prepare
from storage.usecases.package_range_links import package_range_links
from storage.usecases.package_sizes import package_sizes
from storage.usecases.package_status import package_status
from storage.usecases.storage_reset import storage_reset
from storage.usecases.upload_begin import upload_begin
from svckit.host import Endpoint, bind


def _unavailable(error: Exception) -> ServiceFailure | None:
    """S3 unreachable is the one adapter error callers must see as such: 503."""
    if isinstance(error, BlobStoreUnavailable):
        return ServiceFailure(ErrorCode.UNAVAILABLE, f"Artifact storage is unavailable: {error}")
    return None


def storage_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject storage-svc answers."""
    return [
        bind(subjects.PACKAGE_PREPARE, PreparePackage, package_prepare, deps, _unavailable),
        bind(subjects.PACKAGE_STATUS, PackageRef, package_status, deps, _unavailable),
        bind(subjects.PACKAGE_FILES, PackageRef, package_files, deps, _unavailable),
        bind(subjects.PACKAGE_DOWNLOAD, RequestDownload, package_download, deps, _unavailable),
        bind(subjects.PACKAGE_SIZES, SizesQuery, package_sizes, deps, _unavailable),
        bind(subjects.PACKAGE_RANGE_LINKS, RangeLinksQuery, package_range_links, deps, _unavailable),
        bind(subjects.UPLOAD_BEGIN, BeginUpload, upload_begin, deps, _unavailable),
        bind(subjects.PACKAGE_DELETE, PackageRef, package_delete, deps, _unavailable),
        bind(subjects.reset_subject(subjects.STORAGE), ResetRequest, storage_reset, deps, _unavailable),
    ]
