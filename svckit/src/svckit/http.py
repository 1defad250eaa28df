"""HTTP client helpers shared by services that read upstream APIs."""

import aiohttp


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body, or its first ``limit`` bytes (``StreamReader.read(n)`` may return fewer than ``n``)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 << 10):
        parts.append(chunk[: limit - size])
        size += len(parts[-1])
        if size >= limit:
            break
    return b"".join(parts)
