"""An unreachable Hub is reported as such (the spec's 502 path), not as a crash."""

import aiohttp
import pytest

from contracts.artifacts import ArtifactType
from contracts.storage import SourceKind, SourceRef
from lineage.adapters.upstream import HttpUpstream
from lineage.ports import UpstreamUnreachable
from stack.processes import free_port
from svckit.upstream import Upstream
from svckit.upstream_client import UpstreamClient


async def test_an_unreachable_hub_is_upstream_unreachable() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with aiohttp.ClientSession() as session:
        client = UpstreamClient(session, Upstream(hf_endpoint=nowhere, github_api_url=nowhere, timeout=2))
        upstream = HttpUpstream(client)
        with pytest.raises(UpstreamUnreachable, match="unreachable"):
            await upstream.describe(SourceRef(kind=SourceKind.HF_MODEL, repo_id="org/model"), ArtifactType.MODEL)
