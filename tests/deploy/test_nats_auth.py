"""Compose and k8s run NATS as ``make run`` does: one user per role, each process connecting as its own, over TLS.

Every node runs deploy/nats/nats.conf (what ``python -m stack.natsconf`` renders from contracts/bus.py) with each
role's password in its environment and the TLS material mounted where the file says; every process but the UI
connects as its role, with that role's password, verifying the nodes against the mounted CA.
"""

import re
from pathlib import PurePosixPath
from typing import Any

from contracts.bus import ROLES
from stack.natsconf import TLS_DIR, password_variable, render_deploy_config
from tests.deploy.manifests import (
    NATS_CONF,
    compose_resolved,
    compose_services,
    generated_compose_env,
    generated_k8s_secrets,
    k8s_objects,
    python_module,
)

TLS_FILES = ("tls.crt", "tls.key", "ca.crt")


def _required(variable: str) -> re.Pattern[str]:
    return re.compile(rf"\$\{{{variable}:\?[^}}]+\}}")


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def _env_entries(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def test_the_deploy_configuration_is_what_stack_natsconf_renders() -> None:
    assert NATS_CONF.read_text() == render_deploy_config(), "run: python -m stack.natsconf > deploy/nats/nats.conf"


def test_the_k8s_config_map_holds_the_same_configuration() -> None:
    config_map = k8s_objects("ConfigMap")["nats-config"]
    assert config_map["data"] == {"nats.conf": NATS_CONF.read_text()}, "copy deploy/nats/nats.conf into 10-nats.yaml"


def test_every_role_has_a_generated_password_under_the_configuration_s_name() -> None:
    conf = NATS_CONF.read_text()
    for role in ROLES:
        assert f"password: ${password_variable(role)}" in conf
        assert password_variable(role) in generated_compose_env()
    assert set(generated_k8s_secrets()["nats-credentials"]) == set(ROLES)
    assert f'"{TLS_DIR}/tls.crt"' in conf and f'"{TLS_DIR}/ca.crt"' in conf


# ---------------------------------------------------------------- docker compose


def test_every_compose_node_runs_the_configuration_with_every_password_and_the_tls_files() -> None:
    services = compose_services()
    tls_dir = generated_compose_env()["NATS_TLS_DIR"]
    for name in ("nats-1", "nats-2", "nats-3"):
        node = services[name]
        assert "--config=/etc/nats/nats.conf" in node["command"]
        assert "./deploy/nats/nats.conf:/etc/nats/nats.conf:ro" in node["volumes"]
        resolved = compose_resolved()["services"][name]
        for file in TLS_FILES:
            assert f"{tls_dir}/{file}:{TLS_DIR}/{file}:ro" in resolved["volumes"], f"{name}: {file}"
        for role in ROLES:
            variable = password_variable(role)
            assert _required(variable).fullmatch(node["environment"][variable]), f"{name}: {variable}"


def test_every_compose_process_connects_as_its_role_over_tls() -> None:
    tls_dir = generated_compose_env()["NATS_TLS_DIR"]
    clients = 0
    for name, service in compose_services().items():
        module = python_module(service.get("command"))
        if module is None:
            continue
        env = service["environment"]
        resolved = compose_resolved()["services"][name]
        if module == "ui":
            assert not {key for key in env if key.startswith("NATS_")}, "the UI does not use NATS"
            assert not resolved.get("volumes"), "the UI needs no NATS material"
            continue
        clients += 1
        assert env["NATS_USER"] == module, f"{name} connects as another role"
        assert _required(password_variable(module)).fullmatch(env["NATS_PASSWORD"]), f"{name}: another password"
        assert f"{tls_dir}/ca.crt:{env['NATS_TLS_CA']}:ro" in resolved["volumes"], f"{name}: CA not mounted"
        assert all(url.startswith("tls://") for url in env["NATS_URL"].split(","))
        others = {password_variable(role) for role in ROLES if role != module}
        assert not [variable for variable in others if variable in str(service)], f"{name} sees another password"
    assert clients == len(ROLES)


# ---------------------------------------------------------------- Kubernetes


def test_every_k8s_node_runs_the_configuration_with_every_password_and_the_tls_secret() -> None:
    nats = k8s_objects("StatefulSet")["nats"]
    container = _container(nats)
    volumes = {volume["name"]: volume for volume in nats["spec"]["template"]["spec"]["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    assert "--config=/etc/nats/nats.conf" in container["args"]
    config = mounts["/etc/nats/nats.conf"]
    assert volumes[config["name"]]["configMap"]["name"] == "nats-config" and config["subPath"] == "nats.conf"
    tls = volumes[mounts[TLS_DIR]["name"]]["secret"]
    assert tls["secretName"] == "nats-tls" and "items" not in tls
    assert set(TLS_FILES) == set(generated_k8s_secrets()["nats-tls"])
    env = _env_entries(container)
    for role in ROLES:
        ref = env[password_variable(role)]["valueFrom"]["secretKeyRef"]
        assert (ref["name"], ref["key"]) == ("nats-credentials", role) and not ref.get("optional")


def test_every_k8s_process_connects_as_its_role_over_tls() -> None:
    config = k8s_objects("ConfigMap")["registry-config"]["data"]
    ca_path = PurePosixPath(config["NATS_TLS_CA"])
    assert all(url.startswith("tls://") for url in config["NATS_URL"].split(","))
    for name, deployment in k8s_objects("Deployment").items():
        container = _container(deployment)
        env = _env_entries(container)
        if name == "ui":
            assert not {key for key in env if key.startswith("NATS_")}, "the UI does not use NATS"
            continue
        assert env["NATS_USER"]["value"] == name
        ref = env["NATS_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert (ref["name"], ref["key"]) == ("nats-credentials", name) and not ref.get("optional")
        assert env["NATS_TLS_CA"]["valueFrom"]["configMapKeyRef"]["key"] == "NATS_TLS_CA"
        (mount,) = [m for m in container["volumeMounts"] if ca_path.is_relative_to(m["mountPath"])]
        volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"]["volumes"]}
        secret = volumes[mount["name"]]["secret"]
        items = {item["path"]: item["key"] for item in secret["items"]}
        assert secret["secretName"] == "nats-tls"
        assert items == {str(ca_path.relative_to(mount["mountPath"])): "ca.crt"}, f"{name}: only the CA, not the key"
