"""docker-compose's load balancer (deploy/nginx/nginx.conf): it fronts every replica of the gateway, the UI and
storage-svc, and streams storage-svc's downloads unbuffered on the public URL storage-svc signs its links for.

Values are read as compose runs them with the ``.env`` that ``deploy/gen_secrets.py compose`` writes.
"""

import re
from urllib.parse import urlsplit

from tests.deploy.compose_as_run import environment, healthcheck_url, resolved_services
from tests.deploy.manifests import DEPLOY, REQUIRED_VARIABLE, compose_services, generated_compose_env
from tests.deploy.nginx import parse_nginx

# What the load balancer proxies to: compose service -> the variable naming the HTTP port it serves there.
LB_PORT_VARIABLES = {"gateway": "GATEWAY_PORT", "ui": "UI_PORT", "storage": "STORAGE_HTTP_PORT"}


def test_load_balancer_fronts_every_gateway_ui_and_storage_replica() -> None:
    services = compose_services()
    lb = services["lb"]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    nginx = parse_nginx((DEPLOY / "nginx" / "nginx.conf").read_text())
    ports = {
        name: int(environment(resolved_services()[name])[variable]) for name, variable in LB_PORT_VARIABLES.items()
    }
    assert set(nginx.upstreams) == set(ports), "one upstream per process serving HTTP through the lb"
    for upstream, servers in nginx.upstreams.items():
        assert servers == [f"{upstream}:{ports[upstream]}"], f"upstream {upstream}: {servers}"
    assert sorted(nginx.proxy_passes) == sorted(f"http://{upstream}" for upstream in nginx.upstreams)
    assert set(lb["depends_on"]) == set(nginx.upstreams), "started after what it proxies, so the names resolve"
    published = sorted(int(port.split(":")[1]) for port in lb["ports"])
    assert published == sorted(nginx.listens) == [8080, 8081]
    assert urlsplit(environment(services["ui"])["REGISTRY_URL"]).netloc == "lb:8080"
    assert "/lb/healthz" in healthcheck_url(lb)


def _seconds(value: str) -> float:
    """An nginx time (``90``, ``90s``, ``10m``, ``1h``) in seconds."""
    found = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value)
    assert found, f"not an nginx time: {value!r}"
    return int(found.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2) or "s"]


def test_storage_serves_downloads_on_a_fixed_port_with_one_link_key_for_every_replica() -> None:
    raw = environment(compose_services()["storage"])
    storage = resolved_services()["storage"]
    env = environment(storage)
    assert env["STORAGE_HTTP_HOST"] == "0.0.0.0", "the byte endpoint must listen beyond the container"
    port = int(env["STORAGE_HTTP_PORT"])
    assert port > 0 and port != int(env["METRICS_PORT"]), "a fixed port of its own, for the load balancer"
    # One definition for every replica: the key is the same on each, and compose refuses to start without it.
    assert storage["deploy"]["replicas"] >= 2
    assert REQUIRED_VARIABLE.fullmatch(raw["STORAGE_LINK_KEY"]), "STORAGE_LINK_KEY must be a required ${NAME:?...}"
    assert env["STORAGE_LINK_KEY"] == generated_compose_env()["STORAGE_LINK_KEY"]
    readers = [name for name, service in resolved_services().items() if "STORAGE_LINK_KEY" in environment(service)]
    assert readers == ["storage"], "the link key is storage-svc's alone"


def test_storage_public_url_is_the_load_balancer_which_routes_bytes_to_storage() -> None:
    services = resolved_services()
    env = environment(services["storage"])
    public = urlsplit(env["STORAGE_PUBLIC_URL"])
    assert public.path in ("", "/"), "links append /bytes/... to it"
    assert public.hostname == "localhost", "clients on this host reach the load balancer as localhost"
    published = {int(port.split(":")[1]): port for port in services["lb"]["ports"]}
    assert public.port in published, f"{env['STORAGE_PUBLIC_URL']} is not a port the load balancer publishes"
    assert str(published[public.port]).count(":") == 1, "published on every interface, like the API"
    raw = str(environment(compose_services()["storage"])["STORAGE_PUBLIC_URL"])
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
