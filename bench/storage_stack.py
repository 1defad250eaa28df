"""The storage benchmark's stack: NATS, SeaweedFS, the upstream mirror, every service and the gateway.

The same real processes the e2e tests start (``tests/harness.py``), one of each, on free ports, with every
log under ``workdir/logs``; stopped newest first (SeaweedFS and NATS last). Registration records a lineage node
and rates the model, so lineage-svc and scoring-svc run too; the quality gate is off (the uploaded weights come
without a model card: what is measured is storage, not ratings). storage-svc serves its byte endpoint (the downloads S3 cannot serve alone) on a port of its own,
its links signed with a link key given to it as a deployment does.
"""

import secrets
import sys
from collections import Counter
from pathlib import Path

import botocore.session  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from bench.servers import ADMIN_NAME, ADMIN_PASSWORD, ProcessGroup, StackFailed, repo_pythonpath
from stack.processes import Child, free_port
from stack.seaweed import SeaweedS3, start_seaweed

BUCKET = "registry-bench"
MAX_FILE_BYTES = 200 << 20
# A deployment calls GitHub with a token; the mirror accepts any.
GITHUB_TOKEN = "ghp_registry_bench"


class StorageStack(ProcessGroup):
    """Every process the storage path needs, with SeaweedFS's S3 credentials kept for the baseline."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self._s3: SeaweedS3 | None = None
        self.mirror_url = ""
        self.byte_url = ""

    @property
    def s3(self) -> SeaweedS3:
        """How to reach SeaweedFS (after ``start``)."""
        if self._s3 is None:
            raise RuntimeError("the stack is not started")
        return self._s3

    def bucket_usage(self) -> dict[str, tuple[int, int]]:
        """Objects and bytes in the bucket per top-level prefix (``blobs``, ``uploads``...), listed over S3."""
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        client = botocore.session.get_session().create_client(
            "s3", self.s3.region, endpoint_url=self.s3.endpoint_url, aws_access_key_id=self.s3.access_key,
            aws_secret_access_key=self.s3.secret_key, config=config,
        )  # fmt: skip
        objects: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        try:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.s3.bucket):
                for item in page.get("Contents", []):
                    prefix = str(item["Key"]).split("/", 1)[0]
                    objects[prefix] += 1
                    sizes[prefix] += int(item["Size"])
        finally:
            client.close()
        return {prefix: (objects[prefix], sizes[prefix]) for prefix in sorted(objects)}

    def disk_bytes(self) -> int:
        """Bytes SeaweedFS keeps on disk (deleted objects stay in its volumes until they are vacuumed)."""
        files = (self.workdir / "seaweed" / "data").rglob("*")
        return sum(path.stat().st_size for path in files if path.is_file())

    def _start_all(self, timeout: float) -> None:
        nats_url = self._start_nats()
        try:
            seaweed, self._s3 = start_seaweed(self.workdir / "seaweed", BUCKET, log_file=self._log("seaweed"))
        except (RuntimeError, OSError) as error:
            raise StackFailed(str(error)) from error
        self._adopt(seaweed)
        mirror_port = free_port()
        mirror_argv = [sys.executable, "-m", "tests.mirror", "--host", "127.0.0.1", "--port", str(mirror_port)]
        self._listening(Child("mirror", mirror_argv, repo_pythonpath(), log_file=self._log("mirror")), mirror_port)
        mirror = self.mirror_url = f"http://127.0.0.1:{mirror_port}"
        env = {
            "NATS_URL": nats_url,
            "REGISTRY_DATA_DIR": str(self.data_dir),
            "HF_ENDPOINT": f"{mirror}/hf",
            "GITHUB_API_URL": f"{mirror}/gh",
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "warning",
            "PYTHONUNBUFFERED": "1",
            "UPSTREAM_TIMEOUT": "15",
            "TOKEN_MAX_USES": "1000",
            "METRICS_PORT": "0",
            "REGISTRY_ADMIN_NAME": ADMIN_NAME,
            "REGISTRY_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "S3_ENDPOINT_URL": self.s3.endpoint_url,
            "S3_ACCESS_KEY_ID": self.s3.access_key,
            "S3_SECRET_ACCESS_KEY": self.s3.secret_key,
            "S3_REGION": self.s3.region,
            "S3_BUCKET": self.s3.bucket,
            "STORAGE_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
            "SCORING_GATE": "false",
        }
        byte_port = free_port()
        self.byte_url = f"http://127.0.0.1:{byte_port}"
        downloads = {
            "STORAGE_HTTP_PORT": str(byte_port),
            "STORAGE_PUBLIC_URL": self.byte_url,
            "STORAGE_LINK_KEY": secrets.token_urlsafe(32),
        }
        services = ["catalog", "storage", "lineage", "scoring"]
        for name in services:
            child_env = {**env, **self.role_env(name), **(downloads if name == "storage" else {})}
            self._spawn(Child(name, [sys.executable, "-m", name], child_env, log_file=self._log(name)))
        self._start_gateway(env, timeout)
        self._wait_replicas(dict.fromkeys(services, 1), timeout)
