"""A corpus of hostile card examples, rated through the real path: ``rating_compute`` with the real bubblewrap sandbox.

Each example attacks the host the way a stranger publishing a model card would: the network (a TCP listener and a
UDP listener this test opens, on loopback and on this host's other addresses, through ``socket`` and through libc
called by address, which no audit hook sees), the scoring process's environment and data, files outside the run,
and the machine's processes, memory and time. Each attempt must fail and the rating must still be produced, with
reproducibility 0 and the reason. Each test also proves the failure from the outside: the listeners received
nothing, no file appeared, the secret is in no output, the host's process and memory use stayed within the limits,
the run ended on time and left no process behind.

This module attacks the network; ``test_hostile_files.py`` the environment, data and files,
``test_hostile_resources.py`` processes, memory and time; ``hostile.py`` holds what they share.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.scoring.hostile import Listeners, Rater, host_addresses, libc_example, open_listeners, open_rater
from tests.scoring.sandboxes import needs_isolation

pytestmark = needs_isolation


@pytest.fixture
async def rate(tmp_path: Path) -> AsyncIterator[Rater]:
    """Rates with fakes of the Hub and GitHub, the real SQLite store, the real sandbox and the real model copy."""
    async with open_rater(tmp_path) as rater:
        yield rater


@pytest.fixture
async def listeners() -> AsyncIterator[Listeners]:
    async with open_listeners() as opened:
        yield opened


def _targets() -> list[str]:
    return ["127.0.0.1", *host_addresses()]


async def test_connecting_through_socket_is_refused(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        rated = await rate(f"import socket\nsocket.create_connection(({host!r}, {listeners.tcp_port}), timeout=2)\n")
        assert rated.note.applicable
        assert rated.note.detail == "failed: the example failed: PermissionError"
    await asyncio.sleep(0.2)
    assert listeners.received == []


async def test_connecting_through_libc_by_address_finds_no_network(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        body = (
            "connect = by_address('connect', ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)\n"
            "sock = socket.socket()\n"
            f"address = sockaddr({host!r}, {listeners.tcp_port})\n"
            "if connect(sock.fileno(), address, len(address)) != 0:\n"
            "    failed('connect')\n"
            "sock.sendall(b'stolen')\n"
        )
        rated = await rate(libc_example(body))
        # Loopback is the sandbox's own (nothing listens there); any other address has no route.
        assert rated.note.detail in (
            "failed: the example failed: ConnectionRefusedError",
            "failed: the example failed: OSError",
        ), rated.output
    await asyncio.sleep(0.2)
    assert listeners.received == []


async def test_libc_connect_through_dlsym_is_refused(rate: Rater, listeners: Listeners) -> None:
    code = "import _ctypes, ctypes\n_ctypes.dlsym(ctypes.CDLL(None)._handle, 'connect')\n"
    rated = await rate(code)
    assert rated.note.detail == "failed: the example failed: PermissionError"
    assert "ctypes.dlsym/handle of 'connect'" in rated.output
    assert listeners.received == []


async def test_datagrams_to_any_host_go_nowhere(rate: Rater, listeners: Listeners) -> None:
    for host in _targets():
        body = (
            "sendto = by_address('sendto', ctypes.c_ssize_t, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,"
            " ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)\n"
            "sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"address = sockaddr({host!r}, {listeners.udp_port})\n"
            "for _ in range(3):\n"
            "    sent = sendto(sock.fileno(), b'stolen', 6, 0, address, len(address))\n"
            "if sent < 0:\n"
            "    failed('sendto')\n"
            "raise RuntimeError('no answer')\n"
        )
        rated = await rate(libc_example(body))
        assert rated.note.detail in ("failed: the example failed: OSError", "failed: the example failed: RuntimeError")
    await asyncio.sleep(0.3)
    assert listeners.received == []


@pytest.mark.parametrize(
    "code",
    [
        "import socket\nsocket.getaddrinfo('huggingface.co', 443)\n",
        (
            "import ctypes\nresult = ctypes.c_void_p()\n"
            "status = ctypes.CDLL(None).getaddrinfo(b'huggingface.co', b'443', None, ctypes.byref(result))\n"
            "if status != 0:\n    raise OSError(f'getaddrinfo: {status}')\n"
        ),
    ],
)
async def test_names_of_outside_hosts_do_not_resolve(rate: Rater, code: str) -> None:
    rated = await rate(code)
    assert rated.note.detail in ("failed: the example failed: PermissionError", "failed: the example failed: OSError")
