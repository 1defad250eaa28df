"""storage-svc's NATS endpoints: one line per subject, each a use case."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from contracts import subjects
from contracts.artifacts import ResetRequest
from contracts.base import Contract
from contracts.errors import ErrorCode, ServiceFailure
from contracts.storage import PackageRef, PreparePackage, RequestDownload
from storage.deps import Deps
from storage.ports import BlobStoreUnavailable
from storage.usecases.delete_package import delete_package, reset_storage
from storage.usecases.download_link import download_link
from storage.usecases.prepare_package import prepare_package
from storage.usecases.read_package import package_files, package_status
from svckit.host import Endpoint

Req = TypeVar("Req", bound=Contract)


def _bind(
    subject: str, request: type[Req], usecase: Callable[[Req, Deps], Awaitable[Contract]], deps: Deps
) -> Endpoint[Any]:
    async def handle(payload: Req) -> Contract:
        try:
            return await usecase(payload, deps)
        except BlobStoreUnavailable as error:
            raise ServiceFailure(ErrorCode.UNAVAILABLE, f"Artifact storage is unavailable: {error}") from error

    return Endpoint(subject, request, handle)


def storage_endpoints(deps: Deps) -> list[Endpoint[Any]]:
    """Every subject storage-svc answers."""
    return [
        _bind(subjects.PACKAGE_PREPARE, PreparePackage, prepare_package, deps),
        _bind(subjects.PACKAGE_STATUS, PackageRef, package_status, deps),
        _bind(subjects.PACKAGE_FILES, PackageRef, package_files, deps),
        _bind(subjects.PACKAGE_DOWNLOAD, RequestDownload, download_link, deps),
        _bind(subjects.PACKAGE_DELETE, PackageRef, delete_package, deps),
        _bind(subjects.reset_subject(subjects.STORAGE), ResetRequest, reset_storage, deps),
    ]
