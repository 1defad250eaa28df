"""The ports ``make run`` needs, checked before anything starts: a stack never shares a port, or a bus, with another.

A port held by another process (a second stack, a stopping stack's NATS) would otherwise make one of our servers
fail while its clients reach the other process instead; ``make run`` refuses to start and names the port, what it
is for and the variable that chooses another.
"""

import errno
import socket
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PortClaim:
    """A port the stack will listen on, what for, and the environment variable that chooses it."""

    port: int
    purpose: str
    variable: str

    def explain(self) -> str:
        """One line for the operator: which port is taken and how to choose another."""
        return (
            f"port {self.port} ({self.purpose}) is already in use on 127.0.0.1: stop what holds it "
            f"(`ss -ltnp 'sport = :{self.port}'` shows it) or choose another with {self.variable}=<port>"
        )


def in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on ``host:port`` (a bind as our servers do it, SO_REUSEADDR on, fails)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
        return False


def taken(claims: Iterable[PortClaim]) -> list[PortClaim]:
    """The claims whose port is in use now (port 0, "any free port", never is)."""
    return [claim for claim in claims if claim.port and in_use(claim.port)]
