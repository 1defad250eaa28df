"""Target addresses checked where they are resolved: at subscription, and by the resolver deliveries connect with.

aiohttp connects to exactly the addresses its resolver returns, so ``CheckedResolver`` refusing a private one
means the address that was checked is the address used (no second lookup an attacker's DNS could answer
differently).
"""

import asyncio
import errno
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

from webhooks.domain.targets import IPNetwork, RefusedTarget, check_address, parse_target

# A name that takes longer to resolve is refused (the caller's request waits for it).
RESOLVE_SECONDS = 5.0


async def resolve_checked(host: str, port: int, family: int, allowed: tuple[IPNetwork, ...]) -> list[ResolveResult]:
    """Every address of ``host``, or ``RefusedTarget`` when it has none or any is not allowed."""
    loop = asyncio.get_running_loop()
    try:
        lookup = loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        infos = await asyncio.wait_for(lookup, RESOLVE_SECONDS)
    except TimeoutError as error:
        raise RefusedTarget(f"the host {host!r} cannot be resolved within {RESOLVE_SECONDS:g} s") from error
    except OSError as error:
        raise RefusedTarget(f"the host {host!r} cannot be resolved: {error}") from error
    results: list[ResolveResult] = []
    for fam, _, proto, _, sockaddr in infos:
        address = str(sockaddr[0])
        try:
            check_address(address, allowed)
        except RefusedTarget as refused:
            raise RefusedTarget(f"the host {host!r} resolves to {refused}") from None
        results.append(
            ResolveResult(hostname=host, host=address, port=int(sockaddr[1]), family=fam, proto=proto, flags=0)
        )
    if not results:
        raise RefusedTarget(f"the host {host!r} has no address")
    return results


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver for deliveries: refuses (``OSError``) hosts with addresses webhooks may not reach."""

    def __init__(self, allowed: tuple[IPNetwork, ...]) -> None:
        self._allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses, all allowed."""
        try:
            return await resolve_checked(host, port, family, self._allowed)
        except RefusedTarget as refused:
            # aiohttp reports a resolver's failure by its strerror: the refusal's reason
            raise OSError(errno.EACCES, f"refused: {refused}") from None

    async def close(self) -> None:
        """Nothing to release."""


class ResolvingTargets:
    """``Targets``: a URL is allowed when it is http(s) and every address of its host is."""

    def __init__(self, allowed: tuple[IPNetwork, ...]) -> None:
        self._allowed = allowed

    async def check(self, url: str) -> None:
        """``RefusedTarget`` with the reason, or nothing."""
        host, literal = parse_target(url)
        if literal is not None:
            check_address(literal, self._allowed)
            return
        await resolve_checked(host, 0, socket.AF_UNSPEC, self._allowed)
