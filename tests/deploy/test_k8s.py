"""deploy/k8s/ stays applicable: objects parse, commands exist, variables are read, probes hit served ports.

The Secrets are the operator's (none is committed): their keys and values are read from what
``deploy/gen_secrets.py k8s`` generates, so the manifests and the script cannot drift apart.
"""

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.deploy.manifests import (
    NAMESPACE,
    NATS_CONF,
    OUR_PROCESSES,
    SETTINGS,
    compose_services,
    env_names,
    generated_k8s_secrets,
    health_path,
    k8s_documents,
    k8s_files,
    k8s_objects,
    load_yaml_documents,
    metrics_port_variable,
    module_runs,
    python_module,
)

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
# Ports a process serves besides its metrics port, by the variable naming each.
OTHER_PORT_VARIABLES = {"storage": ("STORAGE_HTTP_PORT",)}
# At least this long between two reads of a download: a file pulled through from the upstream may stall.
MIN_STREAM_TIMEOUT = 600


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def _sources() -> dict[tuple[str, str], dict[str, str]]:
    """ConfigMap data, and the generated Secrets' (the optional upstream-tokens is absent), by (kind, name)."""
    found: dict[tuple[str, str], dict[str, str]] = {
        ("ConfigMap", name): obj.get("data", {}) for name, obj in k8s_objects("ConfigMap").items()
    }
    for name, keys in generated_k8s_secrets().items():
        found["Secret", name] = keys
    return found


def _env(container: dict[str, Any]) -> dict[str, str | None]:
    """A container's environment, ConfigMap and Secret references resolved (None: an optional absent key)."""
    sources = _sources()
    resolved: dict[str, str | None] = {}
    for entry in container.get("env", []):
        if "value" in entry:
            resolved[entry["name"]] = str(entry["value"])
            continue
        ref = entry["valueFrom"]
        if "fieldRef" in ref:
            resolved[entry["name"]] = None
            continue
        kind, key_ref = (
            ("ConfigMap", ref["configMapKeyRef"]) if "configMapKeyRef" in ref else ("Secret", ref["secretKeyRef"])
        )
        data = sources.get((kind, key_ref["name"]))
        if data is None or key_ref["key"] not in data:
            assert key_ref.get("optional"), f"{entry['name']}: {kind} {key_ref['name']} has no key {key_ref['key']}"
        resolved[entry["name"]] = (data or {}).get(key_ref["key"])
    return resolved


def _port(container: dict[str, Any], port: int | str) -> int:
    """A probe's port, by number or by the name of a container port."""
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    assert isinstance(number, int)
    return number


def test_every_file_parses_into_namespaced_objects() -> None:
    assert k8s_files(), "deploy/k8s/ is empty"
    for path in k8s_files():
        for doc in load_yaml_documents(path):
            where = f"{path.name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
            assert doc.get("apiVersion") and doc.get("kind") and doc["metadata"].get("name"), where
            if doc["kind"] not in CLUSTER_SCOPED:
                assert doc["metadata"].get("namespace") == NAMESPACE, where
    assert NAMESPACE in k8s_objects("Namespace")


def test_every_process_is_a_deployment_of_two_replicas_or_more() -> None:
    deployments = k8s_objects("Deployment")
    assert set(deployments) == set(OUR_PROCESSES)
    for name, deployment in deployments.items():
        spec = deployment["spec"]
        assert spec["replicas"] >= 2, name
        labels = spec["template"]["metadata"]["labels"]
        assert spec["selector"]["matchLabels"].items() <= labels.items(), f"{name}: selector misses its pods"
        assert labels["app.kubernetes.io/name"] == name


@pytest.mark.parametrize("name", OUR_PROCESSES)
def test_deployment_runs_its_module_with_variables_it_reads(name: str) -> None:
    container = _container(k8s_objects("Deployment")[name])
    module = python_module(container["command"])
    assert module == name
    assert module_runs(module), f"`python -m {module}` has nothing to run"
    assert container["image"] == compose_services()[name]["image"], "the image docker-compose builds"
    unknown = set(_env(container)) - env_names(SETTINGS[module])
    assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", OUR_PROCESSES)
def test_probes_and_scrape_annotations_hit_the_port_the_process_serves(name: str) -> None:
    deployment = k8s_objects("Deployment")[name]
    container = _container(deployment)
    env = _env(container)
    port_variable = metrics_port_variable(name)
    served = int(env[port_variable] or 0)
    assert served > 0, f"{name}: {port_variable} must be fixed"
    others = [int(env[variable] or 0) for variable in OTHER_PORT_VARIABLES.get(name, ())]
    assert [p["containerPort"] for p in container["ports"]] == [served, *others], name
    host_variable = {"gateway": "GATEWAY_HOST", "ui": "UI_HOST"}.get(name, "METRICS_HOST")
    assert env[host_variable] == "0.0.0.0", f"{name}: {host_variable}"
    for probe_name in ("readinessProbe", "livenessProbe"):
        probe = container[probe_name]["httpGet"]
        assert _port(container, probe["port"]) == served, f"{name} {probe_name}"
        assert probe["path"] == health_path(name), f"{name} {probe_name}"
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(served)
    assert annotations["prometheus.io/path"] == "/metrics"
    resources = container["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"], name
    assert resources["limits"]["cpu"] and resources["limits"]["memory"], name


def test_every_deployment_has_a_service_on_its_port() -> None:
    services = k8s_objects("Service")
    for name, deployment in k8s_objects("Deployment").items():
        service = services[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items(), f"Service {name} selects no pod"
        container = _container(deployment)
        for port in service["spec"]["ports"]:
            assert _port(container, port["targetPort"]) in [p["containerPort"] for p in container["ports"]]


def test_nats_is_a_three_node_jetstream_cluster_behind_a_headless_service() -> None:
    nats = k8s_objects("StatefulSet")["nats"]
    spec = nats["spec"]
    assert spec["replicas"] == 3
    headless = k8s_objects("Service")[spec["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    container = _container(nats)
    flags = dict(arg.lstrip("-").split("=", 1) for arg in container["args"] if "=" in arg)
    assert set(flags) == {"config", "server_name", "routes"}, "the rest is in nats.conf"
    pods = [f"nats-{index}.{spec['serviceName']}" for index in range(spec["replicas"])]
    assert flags["routes"].split(",") == [f"nats-route://{pod}:6222" for pod in pods]
    assert flags["server_name"] == "$(POD_NAME)"
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    claims = {claim["metadata"]["name"] for claim in spec["volumeClaimTemplates"]}
    assert mounts["/data"] in claims, "the JetStream store must be on a PersistentVolume"
    assert 'store_dir: "/data"' in NATS_CONF.read_text()
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert _port(container, container[probe]["httpGet"]["port"]) == 8222
    for service in k8s_objects("Service").values():
        if service["spec"]["selector"] == {"app.kubernetes.io/name": "nats"}:
            assert 8222 not in [port["port"] for port in service["spec"]["ports"]], "monitoring stays in the pod"
    nats_url = _sources()["ConfigMap", "registry-config"]["NATS_URL"]
    assert nats_url.split(",") == [f"tls://{pod}:4222" for pod in pods]


def test_postgres_and_seaweedfs_back_the_services() -> None:
    statefulsets = k8s_objects("StatefulSet")
    assert statefulsets["postgres"]["spec"]["replicas"] == 1
    services = k8s_objects("Service")
    secrets = _sources()["Secret", "registry-secrets"]
    database = urlsplit(secrets["database-url"])
    assert database.scheme == "postgresql+asyncpg"
    assert database.hostname in services and database.port == 5432
    assert database.password == secrets["postgres-password"]
    postgres_env = _env(_container(statefulsets["postgres"]))
    assert database.path == f"/{postgres_env['POSTGRES_DB']}" and database.username == postgres_env["POSTGRES_USER"]
    seaweed = _container(statefulsets["seaweedfs"])
    flags = dict(arg.lstrip("-").split("=", 1) for arg in seaweed["args"] if "=" in arg)
    assert seaweed["image"] == compose_services()["seaweedfs"]["image"]
    config = _sources()["ConfigMap", "registry-config"]
    endpoint = urlsplit(config["S3_ENDPOINT_URL"])
    assert endpoint.hostname in services and endpoint.port == int(flags["s3.port"])
    assert config["S3_BUCKET"] == flags["bucket"]
    storage_env = _env(_container(k8s_objects("Deployment")["storage"]))
    seaweed_env = _env(seaweed)
    assert storage_env["S3_ACCESS_KEY_ID"] == seaweed_env["AWS_ACCESS_KEY_ID"]
    assert storage_env["S3_SECRET_ACCESS_KEY"] == seaweed_env["AWS_SECRET_ACCESS_KEY"]
    for workload in statefulsets.values():
        container = _container(workload)
        assert container.get("readinessProbe") and container.get("livenessProbe"), workload["metadata"]["name"]


def _ingress_paths() -> list[tuple[dict[str, Any], str, str, dict[str, Any]]]:
    """(Ingress, host, path, backend service) of every path of every rule."""
    return [
        (ingress, rule["host"], path["path"], path["backend"]["service"])
        for ingress in k8s_objects("Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]


def test_ingress_routes_to_the_gateway_the_ui_and_storage_downloads() -> None:
    services = k8s_objects("Service")
    backends = set()
    for ingress, host, _, backend in _ingress_paths():
        port_names = [port["name"] for port in services[backend["name"]]["spec"]["ports"]]
        assert backend["port"]["name"] in port_names
        backends.add(backend["name"])
        tls_hosts = {name for entry in ingress["spec"]["tls"] for name in entry["hosts"]}
        assert host in tls_hosts, f"Ingress {ingress['metadata']['name']}: {host} without TLS"
    assert backends == {"gateway", "ui", "storage"}
    config = _sources()["ConfigMap", "registry-config"]
    assert urlsplit(config["REGISTRY_URL"]).hostname == "gateway"
    api_hosts = {host for _, host, path, backend in _ingress_paths() if (path, backend["name"]) == ("/", "gateway")}
    assert urlsplit(config["PUBLIC_URL"]).hostname in api_hosts


def test_storage_serves_downloads_on_its_http_port_with_the_secret_link_key() -> None:
    deployment = k8s_objects("Deployment")["storage"]
    container = _container(deployment)
    env = _env(container)
    assert env["STORAGE_HTTP_HOST"] == "0.0.0.0", "the byte endpoint must listen beyond the pod"
    port = int(env["STORAGE_HTTP_PORT"] or 0)
    assert port > 0 and _port(container, "http") == port
    (service_port,) = [p for p in k8s_objects("Service")["storage"]["spec"]["ports"] if p["name"] == "http"]
    assert service_port["targetPort"] == "http"
    # Every replica takes the key from the same Secret key: one key, whichever pod signs or checks a link.
    assert deployment["spec"]["replicas"] >= 2
    (entry,) = [entry for entry in container["env"] if entry["name"] == "STORAGE_LINK_KEY"]
    assert entry["valueFrom"] == {"secretKeyRef": {"name": "registry-secrets", "key": "storage-link-key"}}
    assert env["STORAGE_LINK_KEY"] == generated_k8s_secrets()["registry-secrets"]["storage-link-key"]
    readers = [
        name for name, other in k8s_objects("Deployment").items() if "STORAGE_LINK_KEY" in _env(_container(other))
    ]
    assert readers == ["storage"], "the link key is storage-svc's alone"


def test_storage_public_url_is_the_ingress_which_streams_bytes_to_storage() -> None:
    env = _env(_container(k8s_objects("Deployment")["storage"]))
    public = urlsplit(env["STORAGE_PUBLIC_URL"] or "")
    assert public.scheme == "https" and public.path in ("", "/"), "the ingress terminates TLS; links add /bytes/"
    routes = [(ingress, host) for ingress, host, path, backend in _ingress_paths()
              if path.rstrip("/") == "/bytes" and backend == {"name": "storage", "port": {"name": "http"}}]  # fmt: skip
    assert public.hostname in {host for _, host in routes}, "no ingress routes STORAGE_PUBLIC_URL/bytes/ to storage"
    config = _sources()["ConfigMap", "registry-config"]
    assert public.hostname == urlsplit(config["PUBLIC_URL"]).hostname, "downloads come from the API's host"
    for ingress, _ in routes:
        annotations = {
            key.removeprefix("nginx.ingress.kubernetes.io/"): value
            for key, value in ingress["metadata"]["annotations"].items()
        }
        assert annotations["proxy-buffering"] == "off", "streamed as it comes, not spooled to disk"
        assert annotations["proxy-request-buffering"] == "off"
        assert annotations["proxy-max-temp-file-size"] == "0"
        assert annotations["proxy-body-size"] == "0"
        assert int(annotations["proxy-read-timeout"]) >= MIN_STREAM_TIMEOUT
        assert int(annotations["proxy-send-timeout"]) >= MIN_STREAM_TIMEOUT
        assert not [key for key in annotations if "snippet" in key or "cache" in key], "Range passes unchanged"


def test_no_document_is_left_unparsed() -> None:
    kinds = {doc["kind"] for doc in k8s_documents()}
    assert {"Deployment", "Service", "StatefulSet", "ConfigMap", "Ingress"} <= kinds
