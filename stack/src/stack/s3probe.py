"""A signed S3 ``HeadBucket`` for readiness checks: AWS Signature Version 4 with the standard library alone.

The supervisor of ``make run`` asks this once per start, then lives as long as the stack: botocore's client would
keep its S3 service description and some 140 modules in that process (about 30 MB) for one request. Only what a
``HEAD`` on a path-style bucket needs is signed: the method, the path, ``host``, ``x-amz-content-sha256`` (of the
empty body) and ``x-amz-date``, as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html describes.
"""

import hashlib
import hmac
import http.client
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class S3Credentials:
    """An access key pair and the region requests are signed for."""

    access_key: str
    secret_key: str = field(repr=False)
    region: str


def sign_head(host: str, path: str, credentials: S3Credentials, at: datetime) -> dict[str, str]:
    """The headers of a ``HEAD`` on ``path`` (URI-encoded) at ``host`` (``name:port``), signed at time ``at``."""
    amz_date = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": host, "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": amz_date}
    names = ";".join(sorted(headers))
    canonical_headers = "".join(f"{name}:{headers[name]}\n" for name in sorted(headers))
    canonical = f"HEAD\n{path}\n\n{canonical_headers}\n{names}\n{EMPTY_SHA256}"
    scope = f"{amz_date[:8]}/{credentials.region}/s3/aws4_request"
    to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"AWS4{credentials.secret_key}".encode()
    for part in (amz_date[:8], credentials.region, "s3", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.new(key, to_sign.encode(), "sha256").hexdigest()
    credential = f"{credentials.access_key}/{scope}"
    headers["authorization"] = f"{ALGORITHM} Credential={credential}, SignedHeaders={names}, Signature={signature}"
    return headers


def head_bucket(endpoint_url: str, bucket: str, credentials: S3Credentials, timeout: float = 2.0) -> int:
    """The status of a signed ``HEAD /<bucket>`` at ``endpoint_url``: 200 when the bucket exists and the
    credentials are accepted. Raises ``OSError`` when nothing answers, ``http.client.HTTPException`` when
    something that is not HTTP does."""
    url = urlsplit(endpoint_url)
    host = url.hostname or ""
    connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(host, url.port, timeout=timeout)
    path = f"{url.path.rstrip('/')}/{quote(bucket, safe='-_.~')}"
    try:
        connection.request("HEAD", path, headers=sign_head(url.netloc, path, credentials, datetime.now(UTC)))
        return connection.getresponse().status
    finally:
        connection.close()
