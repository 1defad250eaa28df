"""The wiring of the bus, checked without starting anything: every subject of ``contracts.subjects`` is answered by
exactly one service's endpoint table or is an event listed in ``contracts.bus.EVENTS``, and the NATS permissions of
``contracts.bus.PERMISSIONS`` allow exactly what the tables say (a service subscribes to what it answers, the
gateway and the services may send what they call, events flow from their publishers to their subscribers)."""

import inspect
import re
from collections.abc import Callable
from typing import Any, cast

import pytest

from catalog.endpoints import catalog_endpoints
from contracts import subjects
from contracts.bus import EVENTS, GATEWAY, PERMISSIONS
from lineage.endpoints import lineage_endpoints
from scoring.endpoints import scoring_endpoints
from storage.endpoints import storage_endpoints
from svckit.host import Endpoint
from webhooks.endpoints import webhook_endpoints

TABLES: dict[str, Callable[[Any], list[Endpoint[Any]]]] = {
    subjects.CATALOG: catalog_endpoints,
    subjects.STORAGE: storage_endpoints,
    subjects.LINEAGE: lineage_endpoints,
    subjects.SCORING: scoring_endpoints,
    subjects.WEBHOOKS: webhook_endpoints,
}


def _every_subject() -> set[str]:
    """Each subject constant (``<service>.<noun>.<verb>``) and each service's reset subject."""
    constants = {value for name, value in vars(subjects).items() if name.isupper() and isinstance(value, str)}
    return {value for value in constants if "." in value} | {
        subjects.reset_subject(service) for service in subjects.RESETTABLE_SERVICES
    }


def _bound() -> dict[str, list[str]]:
    """Subject → the services whose endpoint table binds it (built with no dependencies: binding calls nothing)."""
    bound: dict[str, list[str]] = {}
    for service, table in TABLES.items():
        for endpoint in table(cast(Any, None)):
            bound.setdefault(endpoint.subject, []).append(service)
    return bound


def test_every_subject_is_answered_by_exactly_one_service_or_is_a_listed_event() -> None:
    bound = _bound()
    assert {subject: owners for subject, owners in bound.items() if len(owners) != 1} == {}
    assert set(bound).isdisjoint(EVENTS), "an event is not a request: it has no endpoint"
    assert _every_subject() - set(bound) - set(EVENTS) == set(), "unanswered subjects: bind them or list them"
    assert set(bound) | set(EVENTS) <= _every_subject(), "a bound subject or event is not in contracts.subjects"


def test_each_service_answers_only_its_own_prefix_and_may_subscribe_to_it() -> None:
    for subject, (service,) in _bound().items():
        assert subject.startswith(f"{service}."), subject
        assert subject in PERMISSIONS[service].subscribe, f"{service} may not subscribe to {subject}"


@pytest.mark.parametrize("subject", sorted(EVENTS))
def test_events_flow_from_their_publishers_to_their_subscribers(subject: str) -> None:
    event = EVENTS[subject]
    for role in event.publishers:
        assert subject in PERMISSIONS[role].publish, f"{role} may not publish {subject}"
    for role in event.subscribers:
        if event.stream is None:  # a stream's consumers read through the JetStream API, not a subscription
            assert subject in PERMISSIONS[role].subscribe, f"{role} may not subscribe to {subject}"
    others = [role for role in PERMISSIONS if role not in event.publishers and subject in PERMISSIONS[role].publish]
    assert others == [], f"only {event.publishers} publish {subject}"


def test_every_subject_a_role_may_send_to_is_answered_or_an_event() -> None:
    known = set(_bound()) | set(EVENTS)
    for role, permissions in PERMISSIONS.items():
        plain = [p for p in permissions.publish if not p.startswith(("$", "_INBOX"))]
        assert set(plain) <= known, f"{role} may publish subjects nobody answers: {set(plain) - known}"
    assert PERMISSIONS[GATEWAY].subscribe == tuple(s for s, e in EVENTS.items() if GATEWAY in e.subscribers)


_BIND = re.compile(
    r"bind\(\s*subjects\.(?:(?P<constant>\w+)|reset_subject\(subjects\.(?P<service>\w+)\)),\s*\w+,\s*(?P<use>\w+),"
)


@pytest.mark.parametrize("service", list(TABLES))
def test_each_use_case_is_named_after_the_subject_it_answers_so_grep_finds_it(service: str) -> None:
    """``bind(subjects.ARTIFACT_CREATE, ..., artifact_create, ...)`` from ``usecases/artifact_create.py``; a reset is
    ``<service>_reset``."""
    table = TABLES[service]
    source = inspect.getsource(inspect.getmodule(table))  # type: ignore[arg-type]
    bound = list(_BIND.finditer(source))
    assert len(bound) == len(table(cast(Any, None)))
    for found in bound:
        constant, use = found["constant"], found["use"]
        stem = constant.lower() if constant else f"{getattr(subjects, found['service'])}_reset"
        assert use == stem, f"{service}: {constant or 'reset'} is answered by {use}, not {stem}"
        assert f"from {inspect.getmodule(table).__package__}.usecases.{stem} import" in source  # type: ignore[union-attr]
