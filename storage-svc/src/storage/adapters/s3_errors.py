"""The ways an S3 call fails, as seen by storage-svc: missing object, changed object (a conditional read),
endpoint unreachable, anything else."""

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    ConnectionError,
    HTTPClientError,
)

from storage.ports import BlobStoreUnavailable, SourceChanged

NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
UNAVAILABLE_CODES = frozenset({"ServiceUnavailable", "SlowDown", "RequestTimeout", "InternalError"})


class S3Error(Exception):
    """An S3 request failed; ``code`` is the S3 error code (``AccessDenied``, ``NoSuchBucket``...) if any."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class S3Unavailable(S3Error, BlobStoreUnavailable):
    """The S3 endpoint cannot be reached, timed out, or said it is unavailable: callers answer 503."""


class S3Changed(S3Error, SourceChanged):
    """A conditional read found the object changed: its ETag is not the one asked for (412)."""


class S3NotFound(S3Error, KeyError):
    """No object under this key."""

    def __init__(self, key: str | None) -> None:
        super().__init__(f"no S3 object {key!r}", "NoSuchKey")
        self.key = key

    def __str__(self) -> str:
        return str(self.args[0])


@contextmanager
def s3_errors(operation: str, key: str | None = None) -> Iterator[None]:
    """Translate botocore exceptions raised inside the block into :class:`S3Error` and its subclasses."""
    try:
        yield
    except (ConnectionError, HTTPClientError) as error:
        raise S3Unavailable(f"S3 endpoint unreachable during {operation}: {error}") from error
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in NOT_FOUND_CODES:
            raise S3NotFound(key) from error
        if code == "PreconditionFailed" or status == 412:
            raise S3Changed(
                f"S3 object {key!r} changed: its ETag is not the one {operation} asked for", code
            ) from error
        if status in (500, 503) or code in UNAVAILABLE_CODES:
            raise S3Unavailable(f"S3 unavailable during {operation}: {code or status}", code) from error
        message = error.response.get("Error", {}).get("Message", "")
        raise S3Error(f"S3 {operation} failed ({code or status}): {message}", code) from error
