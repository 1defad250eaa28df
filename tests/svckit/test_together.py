"""Several services in one process (``svckit.together``): each reads its own settings, logs under its own name,
and one failing stops the others and the process."""

import asyncio
import os
from collections.abc import Iterator

import pytest
import structlog

from svckit.logging import configure_logging, recent_events
from svckit.runner import ServiceEntry
from svckit.settings import RuntimeSettings
from svckit.together import NotTogether, environment, load, parse_together, serve_together


@pytest.fixture
def logging_configured() -> Iterator[None]:
    configure_logging("services", log_format="json", level="info")
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def test_the_variable_must_map_each_module_to_its_own_string_variables() -> None:
    assert parse_together('{"catalog": {"NATS_USER": "catalog"}, "lineage": {}}') == {
        "catalog": {"NATS_USER": "catalog"},
        "lineage": {},
    }
    for raw, says in [
        ("", "is not JSON"),
        ("[]", "must be an object"),
        ("{}", "must be an object"),
        ('{"catalog": {"METRICS_PORT": 9101}}', "the variables of 'catalog' must be an object of strings"),
    ]:
        with pytest.raises(NotTogether, match=says):
            parse_together(raw)


def test_an_overlay_is_set_only_while_its_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATS_USER", "shared")
    monkeypatch.delenv("METRICS_PORT", raising=False)
    with environment({"NATS_USER": "catalog", "METRICS_PORT": "9101"}):
        settings = RuntimeSettings()
    assert (settings.nats_user, settings.metrics_port) == ("catalog", 9101)
    assert os.environ["NATS_USER"] == "shared" and "METRICS_PORT" not in os.environ


def test_each_service_reads_its_settings_under_its_own_variables() -> None:
    loaded = load({"lineage": {"NATS_USER": "lineage", "METRICS_PORT": "9103"}, "webhooks": {"NATS_USER": "webhooks"}})
    assert [(entry.process, settings.nats_user) for entry, settings in loaded] == [
        ("lineage-svc", "lineage"),
        ("webhook-svc", "webhooks"),
    ]
    assert loaded[0][1].metrics_port == 9103 and loaded[1][1].metrics_port == 0


def test_a_service_needing_its_own_loop_or_not_installed_is_refused() -> None:
    with pytest.raises(NotTogether, match="scoring-svc needs asyncio's own loop"):
        load({"scoring": {}})
    with pytest.raises(NotTogether, match="nosuch is not installed here"):
        load({"nosuch": {}})


@pytest.mark.usefixtures("logging_configured")
async def test_each_service_logs_under_its_name_and_sees_only_its_own_recent_events() -> None:
    seen: dict[str, list[str]] = {}

    def entry(process: str) -> ServiceEntry[RuntimeSettings]:
        async def run(_settings: RuntimeSettings, stop: asyncio.Event) -> None:
            structlog.get_logger().warning("something_odd", where=process)
            await stop.wait()
            seen[process] = [event["detail"] for event in recent_events()]

        return ServiceEntry(process, RuntimeSettings, run)

    stop = asyncio.Event()
    served = asyncio.create_task(
        serve_together([(entry("a-svc"), RuntimeSettings()), (entry("b-svc"), RuntimeSettings())], stop)
    )
    await asyncio.sleep(0.05)
    stop.set()
    await served
    assert seen == {"a-svc": ["where=a-svc"], "b-svc": ["where=b-svc"]}


async def test_the_first_service_to_fail_stops_the_others_and_fails_the_whole() -> None:
    stopped: list[str] = []

    async def steady(_settings: RuntimeSettings, stop: asyncio.Event) -> None:
        await stop.wait()
        stopped.append("steady")

    async def broken(_settings: RuntimeSettings, _stop: asyncio.Event) -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("cannot reach its database")

    entries = [
        (ServiceEntry("steady-svc", RuntimeSettings, steady), RuntimeSettings()),
        (ServiceEntry("broken-svc", RuntimeSettings, broken), RuntimeSettings()),
    ]
    with pytest.raises(RuntimeError, match="cannot reach its database"):
        await asyncio.wait_for(serve_together(entries, asyncio.Event()), timeout=5)
    assert stopped == ["steady"]


async def test_a_service_that_returns_unasked_stops_the_others_and_fails_the_whole() -> None:
    stopped: list[str] = []

    async def steady(_settings: RuntimeSettings, stop: asyncio.Event) -> None:
        await stop.wait()
        stopped.append("steady")

    async def quitter(_settings: RuntimeSettings, _stop: asyncio.Event) -> None:
        await asyncio.sleep(0.01)

    entries = [
        (ServiceEntry("steady-svc", RuntimeSettings, steady), RuntimeSettings()),
        (ServiceEntry("quitter-svc", RuntimeSettings, quitter), RuntimeSettings()),
    ]
    with pytest.raises(RuntimeError, match="quitter-svc ended before it was asked to stop"):
        await asyncio.wait_for(serve_together(entries, asyncio.Event()), timeout=5)
    assert stopped == ["steady"]
