"""The supervisor's S3 readiness probe signs its HeadBucket exactly as botocore would."""

from datetime import UTC, datetime

import pytest
from botocore.auth import S3SigV4Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]

from stack.s3probe import S3Credentials, sign_head


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3"])
def test_a_head_bucket_is_signed_as_botocore_signs_it(region: str) -> None:
    credentials = S3Credentials("AKEXAMPLE0000000000", "secret/with+signs=", region)
    request = AWSRequest(method="HEAD", url="http://127.0.0.1:18333/registry-artifacts")
    S3SigV4Auth(Credentials(credentials.access_key, credentials.secret_key), "s3", region).add_auth(request)
    signed_at = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    ours = sign_head("127.0.0.1:18333", "/registry-artifacts", credentials, signed_at)

    assert ours["authorization"] == request.headers["Authorization"]
    assert ours["x-amz-content-sha256"] == request.headers["X-Amz-Content-SHA256"]
