"""The registry a command talks to, and the stored login it uses (whose call count it keeps up to date)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from registry_client import session as stored
from registry_client.cli.output import Exit, fail
from registry_client.client import RegistryClient, registry_url


def target_url() -> str:
    """``REGISTRY_URL`` when set, else the registry of the stored login, else the local default."""
    if os.environ.get("REGISTRY_URL"):
        return registry_url()
    login = stored.load()
    return registry_url(login.url if login else None)


@contextmanager
def registry(authenticated: bool = True, url: str | None = None) -> Iterator[RegistryClient]:
    """A client of the target registry, with the stored token when ``authenticated``; the calls it makes are
    counted against the stored token's uses."""
    url = url or target_url()
    login = stored.load() if authenticated else None
    if authenticated:
        if login is None or login.url != url:
            fail(Exit.AUTH, f"not logged in to {url}: run `registry login --user NAME --password-stdin`")
        if login.expired():
            fail(Exit.AUTH, f"the token of {login.user} at {url} has expired: run `registry login` again")
    client = RegistryClient(url, login.token if login else None)
    try:
        yield client
    finally:
        client.close()
        if login is not None and client.calls:
            login.calls_used += client.calls
            stored.save(login)
