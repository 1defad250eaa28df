"""The library under the CLI: the sync and async clients send the same operations, follow pages, and raise one
error type carrying the status, the message and the request id."""

import pytest

from registry_client import AsyncRegistryClient, RegistryClient, RegistryError, ops
from registry_client.models import ArtifactQuery, ArtifactType
from tests.api import ADMIN, ADMIN_PASSWORD
from tests.client.conftest import Ran
from tests.harness import RegistryStack


def test_the_sync_client_reads_what_the_cli_registered(client_registry: RegistryStack, mini: tuple[str, Ran]) -> None:
    with RegistryClient(client_registry.base_url) as client:
        client.login(ADMIN, ADMIN_PASSWORD, is_admin=True)
        artifact = client.run(ops.find(mini[0]))
        assert artifact.metadata.name == "orchard-mini" and artifact.metadata.type is ArtifactType.MODEL
        assert client.send(ops.rate(mini[0])).license == 1.0
        view = client.send(ops.package(ArtifactType.MODEL, mini[0]))
        assert view.settled and view.status.files_total == 5
        link = client.send(ops.download_link(mini[0], "all"))
        assert link.sha256 == next(a.sha256 for a in view.archives if a.part == "all")
        assert client.calls == 4


async def test_the_async_client_follows_every_page(client_registry: RegistryStack, mini: tuple[str, Ran]) -> None:
    async with AsyncRegistryClient(client_registry.base_url) as client:
        await client.login(ADMIN, ADMIN_PASSWORD, is_admin=True)
        first = await client.send(ops.list_page([ArtifactQuery(name="*")]))
        assert len(first.items) <= 2, "the stack serves pages of two"
        everything = await client.run(ops.list_all([ArtifactQuery(name="*")]))
        assert mini[0] in {item.id for item in everything}
        assert len({item.id for item in everything}) == len(everything)


async def test_errors_carry_status_message_and_request_id(client_registry: RegistryStack) -> None:
    async with AsyncRegistryClient(client_registry.base_url, token="bearer not-a-token") as client:
        with pytest.raises(RegistryError) as refused:
            await client.send(ops.rate("123456789"))
    assert refused.value.status == 403 and refused.value.message
    assert refused.value.request_id and refused.value.request_id in str(refused.value)


def test_an_unreachable_registry_is_a_registry_error_with_status_0() -> None:
    with RegistryClient("http://127.0.0.1:9") as client, pytest.raises(RegistryError) as unreachable:
        client.send(ops.authenticate(ADMIN, ADMIN_PASSWORD))
    assert unreachable.value.status == 0 and "got no answer" in unreachable.value.message
