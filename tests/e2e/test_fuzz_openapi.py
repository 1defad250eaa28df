"""Schemathesis fuzzes every operation of the served ``/openapi.yaml`` against a real stack of its own.

Each operation gets its spec examples, Schemathesis' coverage cases and a bounded number of generated cases
(derandomized, so a run is repeatable); every answer must be no server error, have a status the document
gives for the operation and match the schema it gives for that status. Requests carry the default administrator's token, renewed well within its
1,000 uses; path ids are drawn now and then from a few artifacts registered from the mirror, so the fuzzer
also reaches the answers of artifacts that exist (ratings, lineage, cost, audit, package, download).

The stack is its own (SQLite), because fuzzing leaves random users and artifacts behind, and its login
throttle is lifted: fuzzed sign-ins with wrong passwords would otherwise lock out 127.0.0.1, and with it the
test's own sign-ins (test_logins.py tests the throttle). Nothing is excluded: a fuzzed ``DELETE /reset`` or
permission change of the administrator only means the seeds are registered again and a new token is fetched.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from gateway.handlers.docs import build_document
from tests.api import ADMIN, ADMIN_PASSWORD
from tests.harness import RegistryStack, running_registry

# Generated cases per operation, on top of its spec examples and Schemathesis' coverage cases.
EXAMPLES_PER_OPERATION = 15
# Sign in again after this many calls (a token has 1,000 uses).
CALLS_PER_TOKEN = 200
UNTHROTTLED = {"LOGIN_FAILURES_PER_NAME": "1000000", "LOGIN_FAILURES_PER_ADDRESS": "1000000"}
# No server error, every answer's status documented, and its body as the document says for that status.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
HF, GH = "https://huggingface.co", "https://github.com"
# A parent and a child model (a lineage edge), a dataset and code, all in the mirror's fixtures.
SEED_URLS = [
    ("model", f"{HF}/microsoft/resnet-50"),
    ("model", f"{HF}/crangana/trained-gender"),
    ("dataset", f"{HF}/datasets/rajpurkar/squad"),
    ("code", f"{GH}/google-research/bert"),
]

# Schemathesis makes one test per operation at collection, before any server runs, so it reads the document
# from the files the gateway serves it from; `admin_session` proves the served one identical. (Its lazy,
# fixture-loaded schema relies on a pytest internal that pytest 9.2 no longer has.)
DOCUMENT = build_document()
schema = schemathesis.openapi.from_file(DOCUMENT.decode())


class Admin:
    """The default administrator: its token, renewed every ``CALLS_PER_TOKEN`` calls and after a 403, and the
    seeded artifacts as (type, id, name) by url."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token: str | None = None
        self.calls = 0
        self.seeds: dict[str, tuple[str, str, str]] = {}

    def header(self) -> dict[str, str]:
        """``X-Authorization`` for the next call."""
        if self.token is None or self.calls >= CALLS_PER_TOKEN:
            body: dict[str, Any] = {"user": {"name": ADMIN, "is_admin": True}, "secret": {"password": ADMIN_PASSWORD}}
            reply = requests.put(f"{self.base_url}/authenticate", json=body, timeout=60)
            assert reply.status_code == 200, reply.text
            self.token, self.calls = str(reply.json()), 0
        self.calls += 1
        return {"X-Authorization": self.token}

    def answered(self, status: int, sent: str | bytes | None) -> None:
        """A 403 to our token means it was revoked (a fuzzed permission change of the administrator): renew it.
        (A case that leaves the header out, or sends another, gets its 403 too.)"""
        if status == 403 and sent == self.token:
            self.token = None

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        reply = requests.request(method, self.base_url + path, json=body, headers=self.header(), timeout=120)
        self.answered(reply.status_code, reply.request.headers.get("X-Authorization"))
        return reply

    def seed(self) -> None:
        """Register again each seed artifact that a fuzzed delete or reset removed."""
        for artifact_type, url in SEED_URLS:
            seed = self.seeds.get(url)
            if seed and self.call("GET", f"/artifacts/{artifact_type}/{seed[1]}").status_code == 200:
                continue
            reply = self.call("POST", f"/artifact/{artifact_type}", {"url": url})
            assert reply.status_code == 201, reply.text
            metadata = reply.json()["metadata"]
            self.seeds[url] = (artifact_type, metadata["id"], metadata["name"])


@pytest.fixture(scope="module")
def fuzz_registry(workdir: Path, mirror_url: str) -> Iterator[RegistryStack]:
    """A registry (SQLite) for the fuzzer alone, with sign-ins unthrottled."""
    with running_registry(workdir / "fuzz", mirror_url, extra_env=UNTHROTTLED) as stack:
        yield stack


@pytest.fixture(scope="module")
def admin_session(fuzz_registry: RegistryStack) -> Iterator[Admin]:
    served = requests.get(f"{fuzz_registry.base_url}/openapi.yaml", timeout=10)
    assert served.status_code == 200 and served.content == DOCUMENT, "the gateway serves another document"
    admin = Admin(fuzz_registry.base_url)
    SEEDED.append(admin)
    yield admin
    SEEDED.remove(admin)


@pytest.fixture
def admin(admin_session: Admin) -> Admin:
    """The administrator, with the seed artifacts in place."""
    admin_session.seed()
    return admin_session


# The `admin` fixture's seeds, for the path parameter hook below (Schemathesis' hooks take no fixtures).
SEEDED: list[Admin] = []


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    """The generated path parameters, or those naming a seeded artifact (type and id together, or name)."""
    if not SEEDED or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    seeds = list(SEEDED[0].seeds.values())
    path = context.operation.path if context.operation else ""
    choices = [path_parameters]
    for artifact_type, artifact_id, name in seeds:
        if "artifact_type" in path_parameters and "id" in path_parameters:
            choices.append({**path_parameters, "artifact_type": artifact_type, "id": artifact_id})
        elif "id" in path_parameters and (artifact_type == "model" or not path.startswith("/artifact/model/")):
            choices.append({**path_parameters, "id": artifact_id})
        elif path.startswith("/artifact/byName/"):
            choices.append({**path_parameters, "name": name})
    return st.sampled_from(choices)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_server_errors_and_as_documented(
    case: schemathesis.Case[Any], admin: Admin
) -> None:
    response = case.call(base_url=admin.base_url, headers=admin.header(), timeout=120)
    admin.answered(response.status_code, response.request.headers.get("X-Authorization"))
    case.validate_response(response, checks=CHECKS)
