"""The connection to NATS: who a process is on the bus (``BusAuth``), and connecting as it, with refused credentials
a crash naming the role and requests in flight failed at once when the connection drops."""

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import AuthorizationError, NoServersError

from contracts.bus import inbox_prefix

log = structlog.get_logger()


@dataclass(frozen=True)
class BusAuth:
    """How a process proves who it is to NATS: its role's user and password, and the CA of the servers' TLS."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    tls_ca: Path | None = None

    def inbox_prefix(self) -> str:
        """Reply subjects of this role (``contracts.bus.inbox_prefix``); the default ``_INBOX`` when anonymous."""
        return inbox_prefix(self.user) if self.user else "_INBOX"

    def tls_context(self) -> ssl.SSLContext | None:
        """A client TLS context trusting ``tls_ca`` (servers are verified by name), or None."""
        return ssl.create_default_context(cafile=str(self.tls_ca)) if self.tls_ca else None


async def _report_error(error: Exception) -> None:
    """Asynchronous errors of the connection (permission violations included), logged instead of lost."""
    log.warning("nats_error", error=str(error) or type(error).__name__)


class BusRefused(Exception):
    """The NATS server refused this process's credentials (a wrong NATS_USER or NATS_PASSWORD)."""


async def connect(url: str, name: str, *, auth: BusAuth | None = None, attempts: int = 60, wait: float = 0.5) -> NATS:
    """Connect to NATS as ``auth``'s role, retrying while the server is still starting; reconnects forever after.

    Refused credentials end the first connection at once with ``BusRefused`` (nats-py would retry them forever),
    so a wrong password is a crash naming the role, not a silent hang.
    """
    auth = auth or BusAuth()
    for attempt in range(1, attempts + 1):
        try:
            return await _connect_once(url, name, auth)
        except (NoServersError, OSError) as error:
            if attempt == attempts:
                raise
            log.warning("nats_connect_retry", url=url, attempt=attempt, error=str(error))
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def _fail_requests_in_flight(nc: NATS) -> None:
    """The connection dropped: a request sent through it cannot get its answer any more (the reply would come to the
    server that is gone), so each one still waiting fails now, not at its timeout. nats-py keeps the pending
    answers of its shared request inbox in ``_resp_map`` (checked by ``tests/svckit/test_transport.py``)."""
    pending: dict[str, asyncio.Future[Msg]] = getattr(nc, "_resp_map", {})
    for future in list(pending.values()):
        if not future.done():
            future.set_exception(nats.errors.ConnectionReconnectingError())


async def _connect_once(url: str, name: str, auth: BusAuth) -> NATS:
    refused = asyncio.Event()
    connected: list[NATS] = []

    async def on_disconnect() -> None:
        for nc in connected:
            _fail_requests_in_flight(nc)

    async def on_error(error: Exception) -> None:
        if isinstance(error, AuthorizationError) or "authorization violation" in str(error).lower():
            refused.set()
        await _report_error(error)

    connecting = asyncio.create_task(
        nats.connect(
            servers=url.split(","),
            name=name,
            user=auth.user,
            password=auth.password,
            tls=auth.tls_context(),
            inbox_prefix=auth.inbox_prefix(),
            error_cb=on_error,
            disconnected_cb=on_disconnect,
            connect_timeout=2,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
        )
    )
    watching = asyncio.create_task(refused.wait())
    await asyncio.wait({connecting, watching}, return_when=asyncio.FIRST_COMPLETED)
    watching.cancel()
    if connecting.done():
        connected.append(connecting.result())
        return connected[0]
    connecting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await connecting
    who = f"user {auth.user!r}" if auth.user else "an anonymous client"
    raise BusRefused(f"NATS at {url} refused {who}: check NATS_USER and NATS_PASSWORD")
