"""Composition root of storage-svc: the one place that wires real adapters to the use cases."""

import asyncio
import secrets
from contextlib import AsyncExitStack

import structlog
from prometheus_client import CollectorRegistry

from contracts.services import describe
from contracts.storage import CopyJob
from contracts.subjects import STORAGE
from storage.adapters.engine import open_index_engine
from storage.adapters.fetchers import UpstreamFetcher
from storage.adapters.index_store import SqlPackageIndex
from storage.adapters.jobs import JetStreamJobs
from storage.adapters.queue_depth import QueueDepth
from storage.adapters.s3 import S3BlobStore, open_s3
from storage.adapters.sweeper import Sweeper
from storage.adapters.upload_fetcher import RoutingFetcher, UploadFetcher
from storage.byte_endpoint import bind_socket, serve_byte_endpoint
from storage.deps import Deps, Policy
from storage.endpoints import storage_endpoints
from storage.settings import StorageSettings
from storage.usecases.copy_package import copy_package, give_up_copy
from storage.usecases.sweep_storage import sweep_storage
from svckit.connection import connect
from svckit.host import host_endpoints
from svckit.upstream_client import open_upstream

VERSION = "0.1.0"

log = structlog.get_logger()


def _link_key(settings: StorageSettings) -> bytes:
    """The key signing download links: the configured one, or a random one that only this replica knows."""
    if settings.storage_link_key is not None:
        return settings.storage_link_key.get_secret_value().encode()
    log.warning("storage_link_key_random", reason="STORAGE_LINK_KEY is unset: links work only on this replica")
    return secrets.token_bytes(32)


async def run_storage(settings: StorageSettings, stop: asyncio.Event) -> None:
    """Serve storage subjects and run copy jobs until ``stop`` is set, then drain and close."""
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_index_engine(settings.database_url()))
        client = await stack.enter_async_context(open_upstream(settings.upstream()))
        secret = settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
        s3 = await stack.enter_async_context(
            open_s3(settings.s3_endpoint_url, settings.s3_access_key_id, secret, settings.s3_region)
        )
        nc = await connect(settings.nats_url, name=STORAGE, auth=settings.bus_auth())
        stack.push_async_callback(nc.drain)
        jobs = JetStreamJobs(nc, ack_wait=settings.storage_ack_wait, replicas=settings.storage_stream_replicas)
        await jobs.setup()
        presigner = None
        if settings.s3_public_endpoint_url:
            presigner = await stack.enter_async_context(
                open_s3(settings.s3_public_endpoint_url, settings.s3_access_key_id, secret, settings.s3_region)
            )
        blobs = S3BlobStore(s3, settings.s3_bucket, presigner)
        sock = bind_socket(settings.storage_http_host, settings.storage_http_port)
        stack.callback(sock.close)
        bound = sock.getsockname()[1]
        byte_url = settings.storage_public_url or f"http://{settings.storage_http_host}:{bound}"
        upstream = UpstreamFetcher(client)
        deps = Deps(
            blobs=blobs,
            index=SqlPackageIndex(engine),
            fetcher=RoutingFetcher(upstream, UploadFetcher(blobs)),
            jobs=jobs,
            policy=Policy(
                max_file_bytes=settings.storage_max_file_bytes,
                capacity_bytes=settings.storage_capacity_bytes,
                link_seconds=settings.download_link_seconds,
                verify_attempts=settings.storage_verify_attempts,
                retry_seconds=settings.storage_retry_seconds,
                stale_seconds=settings.storage_stale_seconds,
                upload_max_bytes=settings.storage_upload_max_bytes,
                upload_quota_bytes=settings.storage_upload_quota_bytes,
                byte_url=byte_url,
                link_key=_link_key(settings),
            ),
        )
        await stack.enter_async_context(serve_byte_endpoint(sock, deps))
        registry = CollectorRegistry()
        depth = QueueDepth(registry, jobs.depth)
        await stack.enter_async_context(depth.sampling())
        sweeper = Sweeper(registry, lambda: sweep_storage(deps), settings.storage_sweep_seconds)
        await stack.enter_async_context(sweeper.running())
        await host_endpoints(
            stack,
            nc,
            settings,
            name=STORAGE,
            version=VERSION,
            description=describe(STORAGE),
            endpoints=storage_endpoints(deps),
            registry=registry,
            extra_stats=depth.stats,
        )

        async def handle(job: CopyJob) -> None:
            await copy_package(job, deps)

        async def give_up(job: CopyJob, reason: str) -> None:
            await give_up_copy(job, reason, deps)

        log.info("storage_ready", bucket=settings.s3_bucket, endpoint=settings.s3_endpoint_url or "aws")
        if settings.storage_copy_concurrency:
            await jobs.work(handle, give_up, stop, settings.storage_copy_concurrency)
        else:  # a replica that only serves: the queued copies wait for one that runs them
            await stop.wait()
