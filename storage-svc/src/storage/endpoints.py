"""storage-svc's NATS endpoints: one line per subject, each a use case."""

from typing import Any

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import BeginUpload, PackageRef, PreparePackage, RangeLinksQuery, RequestDownload, SizesQuery
from storage.deps import Deps
from storage.ports import BlobStoreUnavailable
from storage.usecases.begin_upload import begin_upload
from storage.usecases.delete_package import delete_package
from storage.usecases.download_link import download_link
from storage.usecases.package_sizes import package_sizes
from storage.usecases.prepare_package import prepare_package
from storage.usecases.range_links import range_links
from storage.usecases.read_package import package_files, package_status
from storage.usecases.reset_storage import reset_storage
from svckit.host import Endpoint, bind


def _unavailable(error: Exception) -> ServiceFailure | None:
    """S3 unreachable is the one adapter error callers must see as such: 503."""
    if isinstance(error, BlobStoreUnavailable):
        return ServiceFailure(ErrorCode.UNAVAILABLE, f"Artifact storage is unavailable: {error}")
    return None


def storage_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject storage-svc answers."""
    return [
        bind(subjects.PACKAGE_PREPARE, PreparePackage, prepare_package, deps, _unavailable),
        bind(subjects.PACKAGE_STATUS, PackageRef, package_status, deps, _unavailable),
        bind(subjects.PACKAGE_FILES, PackageRef, package_files, deps, _unavailable),
        bind(subjects.PACKAGE_DOWNLOAD, RequestDownload, download_link, deps, _unavailable),
        bind(subjects.PACKAGE_SIZES, SizesQuery, package_sizes, deps, _unavailable),
        bind(subjects.PACKAGE_RANGE_LINKS, RangeLinksQuery, range_links, deps, _unavailable),
        bind(subjects.UPLOAD_BEGIN, BeginUpload, begin_upload, deps, _unavailable),
        bind(subjects.PACKAGE_DELETE, PackageRef, delete_package, deps, _unavailable),
        bind(subjects.reset_subject(subjects.STORAGE), ResetRequest, reset_storage, deps, _unavailable),
    ]
