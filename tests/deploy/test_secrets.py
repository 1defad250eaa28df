"""No deployment starts with a known secret: every credential is the operator's, required, and never written here.

docker-compose.yml takes each one as ``${NAME:?...}`` (compose refuses to start without it); deploy/k8s takes each
one from a Secret the operator creates (no Secret is committed, no key optional but the upstream tokens'). Nothing
under deploy/ holds a password, least of all the spec's public default administrator password. Ports that need no
public reach are bound to the host alone.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api import ADMIN_PASSWORD
from tests.deploy.manifests import (
    DEPLOY,
    K8S,
    OPTIONAL_SECRETS,
    REQUIRED_VARIABLE,
    SECRET_NAME,
    MissingVariable,
    compose,
    compose_services,
    generated_compose_env,
    generated_k8s_secrets,
    interpolated,
    k8s_documents,
    load_yaml_documents,
)
from tests.harness import REPO

# Placeholders that end up in production when an operator forgets them.
KNOWN_DEFAULTS = re.compile(r"change[-_ ]?me|changeit|admin123|password123|secret-change", re.IGNORECASE)
# ``scheme://user:password@host``: a password written into a URL.
URL_PASSWORD = re.compile(r"://[^/@\s:]+:([^@\s]+)@")
# The only services whose ports face beyond this host: the load balancer (the API and the UI).
PUBLIC_SERVICES = {"lb"}


def _compose_environments() -> Iterator[tuple[str, str, Any]]:
    """(service, variable, raw value) of every environment entry of docker-compose.yml."""
    for service_name, service in compose_services().items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{service_name}: use the mapping form of environment"
        for variable, value in environment.items():
            yield service_name, variable, value


def _k8s_containers() -> Iterator[tuple[str, dict[str, Any]]]:
    """(workload/container, container) of every workload under deploy/k8s."""
    for doc in k8s_documents():
        template = doc.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*template.get("initContainers", []), *template.get("containers", [])]:
            yield f"{doc['kind']} {doc['metadata']['name']}/{container['name']}", container


def _deploy_files() -> list[str]:
    """Every text file of deploy/ (generated material excluded) and docker-compose.yml, relative to the root."""
    files = [path for path in DEPLOY.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    files = [path for path in files if path.relative_to(DEPLOY).parts[0] != "tls"]
    return [str(path.relative_to(REPO)) for path in [*files, REPO / "docker-compose.yml"]]


# ---------------------------------------------------------------- docker compose


def test_every_compose_credential_is_required_without_a_default() -> None:
    for service, variable, value in _compose_environments():
        if not SECRET_NAME.search(variable):
            continue
        if variable in OPTIONAL_SECRETS:
            assert value is None, f"{service}: {variable} must be passed through from the shell, not given a value"
            continue
        assert isinstance(value, str) and REQUIRED_VARIABLE.fullmatch(value), (
            f"{service}: {variable}={value!r} must be a required ${{NAME:?...}}"
        )


def test_no_compose_value_gives_a_credential_a_default() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for name, operator in re.findall(r"\$\{(\w+)(:?[-?])?", text):
        if SECRET_NAME.search(name) or name == "NATS_TLS_DIR":
            assert operator == ":?", f"${{{name}}} must be ${{{name}:?...}}"
    for service, variable, value in _compose_environments():
        for password in URL_PASSWORD.findall(str(value or "")):
            assert REQUIRED_VARIABLE.fullmatch(password), f"{service}: {variable} writes a password into its URL"
    for name, definition in compose_services().items():
        command = definition.get("command", [])
        for argument in command if isinstance(command, list) else command.split():
            flag = argument.split("=", 1)
            if len(flag) == 2 and SECRET_NAME.search(flag[0].upper()):
                assert REQUIRED_VARIABLE.fullmatch(flag[1]), f"{name}: {flag[0]} on the command line"


def test_compose_refuses_to_start_while_any_secret_is_missing() -> None:
    generated = generated_compose_env()
    required = set(re.findall(r"\$\{(\w+):\?", (REPO / "docker-compose.yml").read_text()))
    assert required == set(generated), "gen_secrets.py compose writes exactly what compose requires"
    interpolated(compose(), generated)
    for name in sorted(required):
        for absent in ({key: value for key, value in generated.items() if key != name}, {**generated, name: ""}):
            with pytest.raises(MissingVariable, match=name):
                interpolated(compose(), absent)


def test_generated_secrets_are_strong_and_distinct() -> None:
    values = {name: value for name, value in generated_compose_env().items() if SECRET_NAME.search(name)}
    for name, value in values.items():
        assert len(value) >= 20 and value.isalnum() and value[0].isalpha(), name
    assert len(set(values.values())) == len(values)


def test_only_the_load_balancer_publishes_beyond_this_host() -> None:
    defaults = interpolated(compose(), generated_compose_env())
    for name, service in defaults["services"].items():
        for port in service.get("ports", []):
            if name in PUBLIC_SERVICES:
                continue
            host, _, _ = str(port).rpartition(":")[0].rpartition(":")
            assert host == "127.0.0.1", f"{name} publishes {port} beyond this host"
    assert not {"nats-1", "nats-2", "nats-3", "postgres"} & {n for n, s in compose_services().items() if "ports" in s}
    header = (REPO / "docker-compose.yml").read_text()
    assert "Published because downloads need it" in header, "say why S3 is published at all"


def test_prometheus_has_no_lifecycle_or_admin_api() -> None:
    command = compose_services()["prometheus"]["command"]
    assert not [flag for flag in command if "lifecycle" in flag or "admin-api" in flag]


# ---------------------------------------------------------------- Kubernetes


def test_no_secret_is_committed_to_k8s() -> None:
    documents = [doc for path in K8S.rglob("*.yaml") for doc in load_yaml_documents(path)]
    assert not [doc["metadata"]["name"] for doc in documents if doc.get("kind") == "Secret"]
    for doc in documents:
        if doc.get("kind") == "ConfigMap":
            for key, value in doc.get("data", {}).items():
                assert not SECRET_NAME.search(key.upper()), f"ConfigMap {doc['metadata']['name']}: {key}"
                assert not URL_PASSWORD.search(str(value)), f"ConfigMap {doc['metadata']['name']}: {key}"


def test_every_k8s_credential_comes_from_a_required_secret() -> None:
    for where, container in _k8s_containers():
        for entry in container.get("env", []):
            assert not URL_PASSWORD.search(str(entry.get("value", ""))), f"{where}: {entry['name']}"
            if not SECRET_NAME.search(entry["name"]):
                continue
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            assert ref is not None, f"{where}: {entry['name']} must come from a Secret"
            assert bool(ref.get("optional")) == (entry["name"] in OPTIONAL_SECRETS), f"{where}: {entry['name']}"
        for argument in [*container.get("command", []), *container.get("args", [])]:
            flag = argument.split("=", 1)
            assert len(flag) == 1 or not SECRET_NAME.search(flag[0].upper()), f"{where}: {flag[0]}"


def test_every_required_secret_key_is_one_the_script_generates_and_documents() -> None:
    generated = generated_k8s_secrets()
    used: set[tuple[str, str]] = set()
    for where, container in _k8s_containers():
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if ref and not ref.get("optional"):
                assert ref["key"] in generated.get(ref["name"], {}), f"{where}: {ref['name']}/{ref['key']}"
                used.add((ref["name"], ref["key"]))
    for doc in k8s_documents():
        for volume in doc.get("spec", {}).get("template", {}).get("spec", {}).get("volumes", []):
            if "secret" in volume:
                name = volume["secret"]["secretName"]
                keys = [item["key"] for item in volume["secret"].get("items", [])] or list(generated[name])
                assert set(keys) <= set(generated[name]), f"{doc['metadata']['name']}: {name}"
                used |= {(name, key) for key in keys}
    assert used == {(name, key) for name, keys in generated.items() for key in keys}, "a generated key nobody reads"
    documented = (K8S / "01-config.yaml").read_text()
    for name in generated:
        assert f"create secret generic {name} --from-file=k8s-secrets/{name}/" in documented


def test_the_storage_link_key_is_generated_for_compose_and_k8s_and_documented() -> None:
    # Every storage replica signs and checks download links with it: generated once, shared, never defaulted.
    compose_key = generated_compose_env()["STORAGE_LINK_KEY"]
    k8s_key = generated_k8s_secrets()["registry-secrets"]["storage-link-key"]
    for key in (compose_key, k8s_key):
        assert len(key) >= 32 and key.isalnum(), "an HMAC key: at least 32 random characters"
    assert "STORAGE_LINK_KEY" in (REPO / "docker-compose.yml").read_text().split("\nname:", 1)[0], "header"
    assert "storage-link-key" in (K8S / "01-config.yaml").read_text()


def test_the_database_url_carries_the_postgres_password() -> None:
    secrets = generated_k8s_secrets()["registry-secrets"]
    assert secrets["database-url"].startswith(f"postgresql+asyncpg://registry:{secrets['postgres-password']}@")


# ---------------------------------------------------------------- everywhere


def test_git_ignores_what_the_script_generates() -> None:
    ignored = set((REPO / ".gitignore").read_text().splitlines())
    assert {".env", "deploy/tls/", "k8s-secrets/"} <= ignored


@pytest.mark.parametrize("path", _deploy_files())
def test_no_known_or_default_password_is_written_down(path: str) -> None:
    text = (REPO / path).read_text()
    assert ADMIN_PASSWORD not in text, f"{path} holds the spec's public admin password"
    assert ADMIN_PASSWORD.split("(")[0] not in text, f"{path} holds the spec's public admin password"
    assert not KNOWN_DEFAULTS.search(text), f"{path}: {KNOWN_DEFAULTS.search(text)}"
