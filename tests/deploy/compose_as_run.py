"""docker-compose.yml's services as compose runs them: every variable resolved from the ``.env`` that
``deploy/gen_secrets.py compose`` writes. Shared by the compose tests."""

import re
from typing import Any

from tests.deploy.manifests import compose_resolved


def resolved_services() -> dict[str, dict[str, Any]]:
    """The services with every variable resolved from the generated ``.env``."""
    services = compose_resolved()["services"]
    assert isinstance(services, dict)
    return services


def environment(service: dict[str, Any]) -> dict[str, Any]:
    """A service's environment (the mapping form, which the deployment files use)."""
    env = service.get("environment", {})
    assert isinstance(env, dict), "use the mapping form of environment"
    return env


def healthcheck_url(service: dict[str, Any]) -> str:
    """The URL a service's health check probes."""
    test = " ".join(service["healthcheck"]["test"])
    found = re.search(r"http://[^'\" ]+", test)
    assert found, f"no URL in healthcheck {test!r}"
    return found.group()
