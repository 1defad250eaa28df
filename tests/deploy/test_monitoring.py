"""Prometheus, its alert rules and the Grafana dashboard: targets on the right ports, queries on real metrics."""

import re
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import (
    GRAFANA,
    OUR_PROCESSES,
    PROMETHEUS,
    alert_rules,
    compose_services,
    dashboard_panels,
    dashboards,
    k8s_objects,
    metrics_port_variable,
    prometheus_config,
    python_module,
)
from tests.deploy.promql import (
    PROMETHEUS_BUILTINS,
    exported_metrics,
    exported_series,
    promql_label_names,
    promql_metric_names,
    unknown_labels,
)

DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def _unknown_metrics(expr: str) -> set[str]:
    return promql_metric_names(expr) - set(exported_series()) - PROMETHEUS_BUILTINS


def _queries() -> list[tuple[str, str]]:
    """(where, expression) of every PromQL expression in deploy/: alert rules and dashboard targets."""
    found = [(f"alert {rule['alert']}", str(rule["expr"])) for rule in alert_rules()]
    for file, dashboard in dashboards().items():
        for panel in dashboard_panels(dashboard):
            for target in panel.get("targets", []):
                found.append((f"{file}: panel {panel['title']!r} {target['refId']}", str(target["expr"])))
    return found


# ---------------------------------------------------------------- the PromQL reader itself


def test_promql_reader_finds_metric_and_label_names() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, route) (rate(registry_http_request_seconds_bucket{route!~"A|B"}'
        "[$__rate_interval]))) > 2.5 and on (route) sum without (method) (rate(x_total[5m] offset 1h)) or vector(1e3)"
    )
    assert promql_metric_names(expr) == {"registry_http_request_seconds_bucket", "x_total"}
    assert promql_label_names(expr) == {"le", "route", "method"}
    assert promql_metric_names('absent(up{job="ui"} == 1)') == {"up"}
    assert promql_metric_names("ALERTS") == {"ALERTS"}


def test_the_code_exports_the_metrics_the_dashboards_rely_on() -> None:
    metrics = exported_metrics()
    assert metrics["registry_http_requests_total"].labels == frozenset({"route", "method", "status"})
    assert metrics["registry_nats_request_seconds"].kind == "Histogram"
    assert "registry_nats_request_seconds_bucket" in exported_series()
    assert "registry_ratings_total" in exported_series()


# ---------------------------------------------------------------- every query names real metrics and labels


@pytest.mark.parametrize(("where", "expr"), _queries(), ids=[where for where, _ in _queries()])
def test_every_query_names_only_exported_metrics(where: str, expr: str) -> None:
    names = promql_metric_names(expr)
    assert names, f"{where}: no metric in {expr!r}"
    stack = []
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in ")]}":
            assert stack and stack.pop() + char in ("()", "[]", "{}"), f"{where}: unbalanced {char!r} in {expr!r}"
    assert not stack, f"{where}: unclosed {stack} in {expr!r}"
    unknown = _unknown_metrics(expr)
    assert not unknown, f"{where}: metrics the code does not export: {sorted(unknown)}"
    labels = unknown_labels(expr)
    assert not labels, f"{where}: labels these metrics do not carry: {sorted(labels)}"


# ---------------------------------------------------------------- Prometheus (Compose)


def _scrape_configs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in config["scrape_configs"]}


def test_rule_files_exist_beside_each_configuration() -> None:
    for name in ("prometheus.yml", "prometheus-k8s.yml"):
        config = prometheus_config(name)
        assert config["rule_files"] == ["alerts.yml"], name
        assert (PROMETHEUS / "alerts.yml").exists()


def test_every_process_replica_is_scraped_on_its_metrics_port() -> None:
    services = compose_services()
    jobs = _scrape_configs(prometheus_config())
    scraped = set()
    for job_name, job in jobs.items():
        for sd in job.get("dns_sd_configs", []):
            assert sd["type"] == "A", f"{job_name}: type A finds every replica of a compose service"
            assert sd["names"] == [job_name], f"{job_name}: the job is named after the compose service"
            service = services[job_name]
            module = python_module(service.get("command"))
            if module is not None:
                port = int(service["environment"][metrics_port_variable(module)])
            else:  # SeaweedFS: its -metricsPort flag
                flag = next(arg for arg in service["command"] if arg.startswith("-metricsPort="))
                port = int(flag.split("=")[1])
            assert sd["port"] == port, f"{job_name}: scraped on {sd['port']}, serves /metrics on {port}"
            assert job.get("metrics_path", "/metrics") == "/metrics"
            scraped.add(job_name)
    ours = {name for name, service in services.items() if python_module(service.get("command"))}
    assert ours <= scraped, f"not scraped: {sorted(ours - scraped)}"
    assert set(OUR_PROCESSES) <= scraped


def test_kubernetes_scrape_config_keeps_the_compose_job_names() -> None:
    (job,) = prometheus_config("prometheus-k8s.yml")["scrape_configs"]
    relabel = {tuple(rule["source_labels"]): rule for rule in job["relabel_configs"]}
    assert relabel[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)]["action"] == "keep"
    assert relabel[("__meta_kubernetes_pod_annotation_prometheus_io_path",)]["target_label"] == "__metrics_path__"
    port_rule = relabel[("__meta_kubernetes_pod_ip", "__meta_kubernetes_pod_annotation_prometheus_io_port")]
    assert port_rule["target_label"] == "__address__"
    assert relabel[("__meta_kubernetes_pod_label_app_kubernetes_io_name",)]["target_label"] == "job"
    annotated = {
        name
        for name, deployment in k8s_objects("Deployment").items()
        if deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    }
    assert annotated == set(OUR_PROCESSES)
    assert annotated <= set(_scrape_configs(prometheus_config())), "k8s jobs must match the compose ones"


# ---------------------------------------------------------------- alert rules


def test_alert_rules_have_for_labels_and_annotations() -> None:
    rules = alert_rules()
    for rule in rules:
        name = rule["alert"]
        assert DURATION.match(str(rule["for"])), f"{name}: for: {rule.get('for')!r}"
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        assert rule["annotations"]["summary"].strip(), name
        assert rule["annotations"]["description"].strip(), name
    names = {rule["alert"] for rule in rules}
    needed = {"RegistryHighErrorRate", "RegistryHighLatency", "RegistryServiceDown", "RegistryNatsErrors"}
    assert needed | {"RatingFailures"} <= names


def test_every_process_has_a_service_down_alert() -> None:
    down = {rule["labels"]["job"]: rule for rule in alert_rules() if rule["alert"] == "RegistryServiceDown"}
    assert set(down) == set(OUR_PROCESSES)
    for job, rule in down.items():
        assert f'up{{job="{job}"}}' in rule["expr"], f"RegistryServiceDown for {job} looks at another job"


def test_alerts_target_the_right_series() -> None:
    rules = {rule["alert"]: str(rule["expr"]) for rule in alert_rules()}
    assert 'registry_http_requests_total{status=~"5.."}' in rules["RegistryHighErrorRate"]
    assert "histogram_quantile(0.99" in rules["RegistryHighLatency"]
    assert "registry_http_request_seconds_bucket" in rules["RegistryHighLatency"]
    assert "registry_nats_requests_total{outcome=~" in rules["RegistryNatsErrors"]
    assert 'registry_ratings_total{outcome="failed"}' in rules["RatingFailures"]


# ---------------------------------------------------------------- Grafana


def test_grafana_provisioning_points_at_prometheus_and_the_dashboards() -> None:
    (datasource,) = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert compose_services()["prometheus"]["ports"] == ["127.0.0.1:9090:9090"], "Prometheus has no login"
    (provider,) = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "registry.yml").read_text())["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    for dashboard in dashboards().values():
        (variable,) = [v for v in dashboard["templating"]["list"] if v["name"] == "DS_PROMETHEUS"]
        assert variable["type"] == "datasource"
        assert variable["query"] == "prometheus"
        assert variable["current"]["value"] == datasource["uid"]


def test_every_panel_and_query_uses_the_datasource_variable() -> None:
    for file, dashboard in dashboards().items():
        assert dashboard["uid"] and dashboard["title"], file
        panels = dashboard_panels(dashboard)
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{file}: panel ids repeat"
        for panel in panels:
            where = f"{file}: {panel['title']!r}"
            assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, where
            assert panel["targets"], f"{where} has no query"
            for target in panel["targets"]:
                assert target["datasource"] == panel["datasource"], where
            grid = panel["gridPos"]
            assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, where


def test_the_dashboard_has_the_health_dashboard_panels() -> None:
    dashboard = dashboards()["registry.json"]
    exprs = {panel["title"]: " ".join(t["expr"] for t in panel["targets"]) for panel in dashboard_panels(dashboard)}
    wanted = {
        "Request rate per route": "sum by (route) (rate(registry_http_requests_total",
        "5xx rate per route": 'registry_http_requests_total{status=~"5.."}',
        "p50 latency per route": "histogram_quantile(0.5, sum by (le, route) (rate(registry_http_request_seconds_bucket",
        "p99 latency per route": "histogram_quantile(0.99, sum by (le, route) (rate(registry_http_request_seconds_bucket",
        "Request rate per service": "sum by (service) (rate(registry_nats_requests_total",
        "Errors per service": 'registry_nats_requests_total{outcome!="ok"}',
        "p99 latency per service": "sum by (le, service) (rate(registry_nats_request_seconds_bucket",
        "Ingest accepted vs refused": 'route=~"ArtifactCreate|ArtifactUploadComplete", status="424"',
        "Rating latency per metric (p90)": "sum by (le, metric) (rate(registry_rating_metric_seconds_bucket",
        "Rating outcomes": "sum by (outcome) (rate(registry_ratings_total",
        "Copy queue depth": "registry_storage_copy_queue_depth",
        "Replicas up": "up{job=~",
        "Active issues": "ALERTS",
        "UI request rate per route": "registry_ui_requests_total",
    }
    for title, fragment in wanted.items():
        assert title in exprs, f"no panel {title!r}"
        assert fragment in exprs[title], f"{title!r}: {exprs[title]!r}"
