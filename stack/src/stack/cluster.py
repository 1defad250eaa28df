"""``python -m stack --cluster`` (``make run-cluster``): the production topology as processes on one machine.

What changes from ``make run``:

- NATS is a cluster of three nodes (client ports ``REGISTRY_NATS_PORT`` and the next two, route ports
  ``REGISTRY_NATS_ROUTE_PORT`` and the next two, all on 127.0.0.1); the routes authenticate with a password of
  their own, and the copy-job stream is replicated on all three (``STORAGE_STREAM_REPLICAS=3``), so one node can
  die without losing a queued copy. Every process connects with the three URLs and fails over between them.
- Every service runs on PostgreSQL: ``REGISTRY_DATABASE_URL`` (default the local server's ``registry`` database,
  created when missing); the services share it, each with its own tables and Alembic version table.
- Two replicas of every service (``REGISTRY_REPLICAS``, default 2 here) and two gateways sharing the gateway's port
  through ``SO_REUSEPORT``: the kernel spreads connections over them, so no load balancer process is needed on one
  machine (in compose and k8s nginx or a Service does this).
- SeaweedFS stays one ``weed mini`` process: on one machine and one disk, separate master, volume, filer and S3
  processes would add start-up time and memory but no redundancy.
"""

import asyncio
import os
from pathlib import Path

import asyncpg

from stack.natsd import NatsCluster, prepare_nats_cluster
from stack.ports import PortClaim
from stack.processes import Child, wait_for_port
from stack.supervisor import INFRA, Supervisor

NODES = 3
DEFAULT_ROUTE_PORT = 16222
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/registry"
DEFAULT_REPLICAS = "2"
GATEWAYS = 2


def nats_ports(first_client: int) -> tuple[list[int], list[int]]:
    """The client and route ports of the three nodes."""
    first_route = int(os.environ.get("REGISTRY_NATS_ROUTE_PORT", DEFAULT_ROUTE_PORT))
    return [first_client + i for i in range(NODES)], [first_route + i for i in range(NODES)]


def nats_claims(first_client: int) -> list[PortClaim]:
    """Every port the NATS cluster listens on."""
    clients, routes = nats_ports(first_client)
    return [
        *(PortClaim(port, f"NATS node {i} clients", "REGISTRY_NATS_PORT") for i, port in enumerate(clients, 1)),
        *(PortClaim(port, f"NATS node {i} routes", "REGISTRY_NATS_ROUTE_PORT") for i, port in enumerate(routes, 1)),
    ]


def start_nats_cluster(supervisor: Supervisor, root: Path, first_client: int) -> NatsCluster:
    """Start the three nodes and wait until each takes clients."""
    clients, routes = nats_ports(first_client)
    cluster = prepare_nats_cluster(root, clients, routes)
    children = [Child(f"nats-{i}", node.argv) for i, node in enumerate(cluster.nodes, 1)]
    for child in children:
        supervisor.start(child, INFRA)
    for child, node in zip(children, cluster.nodes, strict=True):
        wait_for_port(node.port, child=child)
    return cluster


def database_env() -> dict[str, str]:
    """Every service's database URL: the one PostgreSQL database of the cluster (created when missing)."""
    url = os.environ.get("REGISTRY_DATABASE_URL", DEFAULT_DATABASE_URL)
    asyncio.run(_ensure_database(url))
    return {f"{service}_DATABASE_URL": url for service in ("CATALOG", "STORAGE", "LINEAGE", "SCORING", "WEBHOOK")}


async def _ensure_database(url: str) -> None:
    """Create the database ``url`` names if the server does not have it (connecting to ``postgres`` to do so)."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    base, _, name = plain.rpartition("/")
    name = name.split("?", 1)[0]
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
