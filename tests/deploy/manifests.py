"""Readers for docker-compose.yml and deploy/, and what the code exports, shared by the deploy tests.

Pure parsing: no network, no Docker. PromQL is read with a small lexer (strings, label matchers, grouping
clauses, ranges and Grafana variables removed; what remains that is not a function, keyword or number is a
metric name), enough for the expressions kept in deploy/.
"""

import ast
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

from catalog.settings import CatalogSettings
from gateway.settings import GatewaySettings
from lineage.settings import LineageSettings
from scoring.settings import ScoringSettings
from storage.settings import StorageSettings
from tests.harness import REPO
from ui.settings import UiSettings
from webhooks.settings import WebhookSettings

DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
GEN_SECRETS = DEPLOY / "gen_secrets.py"
NATS_CONF = DEPLOY / "nats" / "nats.conf"
SECCOMP_PROFILE = DEPLOY / "seccomp" / "scoring.json"
PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"
NAMESPACE = "model-registry"

# The settings class of each process, by the module `python -m` runs.
SETTINGS: dict[str, type[BaseSettings]] = {
    "catalog": CatalogSettings,
    "storage": StorageSettings,
    "lineage": LineageSettings,
    "scoring": ScoringSettings,
    "webhooks": WebhookSettings,
    "gateway": GatewaySettings,
    "ui": UiSettings,
}
# Where each process serves /metrics: the variable holding the port, and its health path on that port.
METRICS_PORT_VARIABLE = {"gateway": "GATEWAY_PORT", "ui": "UI_PORT"}
HEALTH_PATH = {"gateway": "/health"}
OUR_PROCESSES = ("gateway", "ui", "catalog", "storage", "lineage", "scoring", "webhooks")

# Series every Prometheus has without any exporter.
PROMETHEUS_BUILTINS = frozenset(
    {
        "up",
        "ALERTS",
        "ALERTS_FOR_STATE",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    }
)
# Labels Prometheus attaches to every scraped series (job, instance), plus what our scrape configs add.
TARGET_LABELS = frozenset({"job", "instance", "pod", "deployment"})


# A variable holding a credential, by its name.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN")
# Credentials the registry works without (upstream rate limits are lower): passed through when set, never given
# a value by the deployment files.
OPTIONAL_SECRETS = frozenset({"HF_TOKEN", "GITHUB_TOKEN"})
# ``${NAME:?message}``: compose refuses to start while NAME is unset or empty.
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]+\}")
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def metrics_port_variable(module: str) -> str:
    """The environment variable naming the port where ``python -m module`` serves /metrics."""
    return METRICS_PORT_VARIABLE.get(module, "METRICS_PORT")


def health_path(module: str) -> str:
    """The liveness path of ``python -m module`` on its metrics port."""
    return HEALTH_PATH.get(module, "/healthz")


# ---------------------------------------------------------------- files


@cache
def compose() -> dict[str, Any]:
    """docker-compose.yml (parsed once: do not modify)."""
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def compose_services() -> dict[str, dict[str, Any]]:
    """The services of docker-compose.yml, by name."""
    services = compose()["services"]
    assert isinstance(services, dict)
    return services


class MissingVariable(Exception):
    """A ``${NAME:?message}`` (or ``${NAME?message}``) of docker-compose.yml met an unset NAME: compose refuses."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """``text`` with its ``$NAME``, ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` (and ``-``/``?`` forms)
    resolved from ``env`` as docker compose does; ``$$`` is a literal ``$``."""

    def resolve(match: re.Match[str]) -> str:
        if match.group() == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        operator = match.group("op") or ""
        value = env.get(name)
        unset = value is None or (operator.startswith(":") and value == "")
        if operator.endswith("?") and unset:
            raise MissingVariable(name)
        if operator.endswith("-") and unset:
            return match.group("arg")
        return value or ""

    return _INTERPOLATION.sub(resolve, text)


def interpolated(node: Any, env: Mapping[str, str]) -> Any:
    """A parsed YAML tree with every string interpolated (see ``interpolate``)."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolated(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolated(value, env) for key, value in node.items()}
    return node


def run_gen_secrets(*args: str) -> str:
    """Run ``deploy/gen_secrets.py`` (the operators' script) with ``args``; its standard output."""
    done = subprocess.run([sys.executable, str(GEN_SECRETS), *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"gen_secrets.py {' '.join(args)}: {done.stderr}"
    return done.stdout


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (comments skipped), as docker compose reads ``.env``."""
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


@cache
def generated_compose_env() -> dict[str, str]:
    """What ``gen_secrets.py compose`` writes into ``.env`` (made once, in a temporary directory)."""
    with tempfile.TemporaryDirectory() as scratch:
        env_file = Path(scratch) / ".env"
        run_gen_secrets("compose", "--env-file", str(env_file), "--tls-dir", str(Path(scratch) / "tls"))
        return read_env_file(env_file)


@cache
def generated_k8s_secrets() -> dict[str, dict[str, str]]:
    """What ``gen_secrets.py k8s`` writes, as Secret name -> key -> value (made once, in a temporary directory)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "secrets"
        run_gen_secrets("k8s", "--out", str(out))
        return {
            folder.name: {file.name: file.read_text() for file in sorted(folder.iterdir())}
            for folder in sorted(out.iterdir())
            if folder.is_dir()
        }


@cache
def compose_resolved() -> dict[str, Any]:
    """docker-compose.yml as compose runs it with the ``.env`` gen_secrets.py writes (parsed once: do not modify)."""
    resolved = interpolated(compose(), generated_compose_env())
    assert isinstance(resolved, dict)
    return resolved


def python_module(command: object) -> str | None:
    """The module of a ``python -m module`` command, else None."""
    if isinstance(command, list) and len(command) >= 3 and command[:2] == ["python", "-m"]:
        return str(command[2])
    return None


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty document of a (multi-document) YAML file."""
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    for doc in documents:
        assert isinstance(doc, dict), f"{path}: a document is not a mapping"
    return documents


def k8s_files() -> list[Path]:
    """deploy/k8s/*.yaml, in apply order."""
    return sorted(K8S.glob("*.yaml"))


@cache
def k8s_documents() -> list[dict[str, Any]]:
    """Every Kubernetes object of deploy/k8s/ (parsed once: do not modify)."""
    return [doc for path in k8s_files() for doc in load_yaml_documents(path)]


def k8s_objects(kind: str) -> dict[str, dict[str, Any]]:
    """The objects of one kind, by name."""
    return {doc["metadata"]["name"]: doc for doc in k8s_documents() if doc.get("kind") == kind}


def prometheus_config(name: str = "prometheus.yml") -> dict[str, Any]:
    """A Prometheus configuration file of deploy/prometheus/."""
    loaded = yaml.safe_load((PROMETHEUS / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


def alert_rules() -> list[dict[str, Any]]:
    """Every rule of deploy/prometheus/alerts.yml."""
    loaded = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    assert isinstance(loaded, dict)
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def dashboards() -> dict[str, dict[str, Any]]:
    """deploy/grafana/dashboards/*.json, by file name."""
    found = {}
    for path in sorted((GRAFANA / "dashboards").glob("*.json")):
        loaded = json.loads(path.read_text())
        assert isinstance(loaded, dict)
        found[path.name] = loaded
    return found


def dashboard_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, rows' nested panels included, rows themselves excluded."""
    found: list[dict[str, Any]] = []
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


# ---------------------------------------------------------------- nginx


@dataclass(frozen=True)
class NginxBlock:
    """One directive of an nginx configuration: its name, arguments and, for a block, what it holds."""

    name: str
    args: tuple[str, ...]
    children: tuple["NginxBlock", ...] = ()

    def all(self, name: str) -> list["NginxBlock"]:
        """The directives or blocks called ``name`` directly inside this one."""
        return [child for child in self.children if child.name == name]

    def first(self, name: str) -> tuple[str, ...] | None:
        """The arguments of the first ``name`` directly inside this one, None when there is none."""
        found = self.all(name)
        return found[0].args if found else None


@dataclass(frozen=True)
class NginxConfig:
    """What the deploy tests need of an nginx.conf: upstreams, the servers' listen ports, proxy targets, locations."""

    upstreams: dict[str, list[str]]
    listens: list[int]
    proxy_passes: list[str]
    http: NginxBlock
    locations: dict[tuple[int, str], NginxBlock]


_NGINX_TOKEN = re.compile(r"[{};]|\"[^\"]*\"|'[^']*'|[^\s{};]+")


def _nginx_blocks(tokens: list[str], start: int) -> tuple[list[NginxBlock], int]:
    """The directives from ``tokens[start]`` up to the ``}`` closing their block (or the end); the index after it."""
    found: list[NginxBlock] = []
    words: list[str] = []
    index = start
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == ";":
            assert words, "nginx.conf: an empty directive"
            found.append(NginxBlock(words[0], tuple(words[1:])))
            words = []
        elif token == "{":
            assert words, "nginx.conf: a block without a name"
            children, index = _nginx_blocks(tokens, index)
            found.append(NginxBlock(words[0], tuple(words[1:]), tuple(children)))
            words = []
        elif token == "}":
            assert not words, f"nginx.conf: {' '.join(words)} lacks its ';'"
            return found, index
        else:
            words.append(token.strip("\"'"))
    assert not words, f"nginx.conf: {' '.join(words)} lacks its ';'"
    return found, index


def parse_nginx(text: str) -> NginxConfig:
    """Blocks, upstream servers, listen ports, proxy_pass targets and locations of an nginx configuration."""
    body = re.sub(r"#[^\n]*", "", text)
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "nginx.conf: '}' without '{'"
    assert depth == 0, "nginx.conf: unbalanced braces"
    tokens = _NGINX_TOKEN.findall(body)
    top, _ = _nginx_blocks(tokens, 0)
    (http,) = [block for block in top if block.name == "http"]
    upstreams = {block.args[0]: [server.args[0] for server in block.all("server")] for block in http.all("upstream")}
    listens: list[int] = []
    locations: dict[tuple[int, str], NginxBlock] = {}
    for server in http.all("server"):
        ports = [int(listen.args[0].rsplit(":", 1)[-1]) for listen in server.all("listen")]
        listens += ports
        for location in server.all("location"):
            locations.update({(port, location.args[-1]): location for port in ports})
    proxy_passes = [args[0] for location in locations.values() if (args := location.first("proxy_pass"))]
    return NginxConfig(upstreams, listens, sorted(set(proxy_passes)), http, locations)


# ---------------------------------------------------------------- what the code exports


@dataclass(frozen=True)
class Metric:
    """One metric family declared in our source: its kind and labels (None when they could not be read)."""

    name: str
    kind: str
    labels: frozenset[str] | None

    def series(self) -> set[str]:
        """The series names Prometheus stores for it (prometheus_client's naming)."""
        if self.kind == "Counter":
            base = self.name.removesuffix("_total")
            return {f"{base}_total", f"{base}_created"}
        if self.kind == "Histogram":
            return {f"{self.name}_{suffix}" for suffix in ("bucket", "sum", "count", "created")}
        if self.kind == "Summary":
            return {self.name, f"{self.name}_sum", f"{self.name}_count", f"{self.name}_created"}
        if self.kind == "Info":
            return {f"{self.name}_info"}
        return {self.name}


_METRIC_CLASSES = frozenset({"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"})


def _constant_strings(node: ast.expr | None) -> frozenset[str] | None:
    """The strings of a list or tuple literal of string constants, else None."""
    if isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return frozenset(str(item.value) for item in node.elts if isinstance(item, ast.Constant))
    return None


def _declaration(call: ast.Call) -> Metric | None:
    """The metric a ``Counter("name", "help", ["label", ...])`` call (or a sibling class) declares."""
    func = call.func
    kind = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if kind not in _METRIC_CLASSES:
        return None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    name_node = call.args[0] if call.args else keywords.get("name")
    if not (isinstance(name_node, ast.Constant) and isinstance(name_node.value, str)):
        return None
    labels_node = call.args[2] if len(call.args) > 2 else keywords.get("labelnames")
    labels = frozenset[str]() if labels_node is None else _constant_strings(labels_node)
    return Metric(name_node.value, kind, labels)


def _request_metrics(call: ast.Call) -> list[Metric]:
    """The families a ``svckit.web.MetricNames(prefix=..., labels=(...), in_flight=...)`` declares for
    ``RequestMetrics`` (its docstring gives the naming)."""
    func = call.func
    if not (isinstance(func, ast.Name) and func.id == "MetricNames"):
        return []
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    prefix = keywords.get("prefix")
    if not (isinstance(prefix, ast.Constant) and isinstance(prefix.value, str)):
        return []
    labels = _constant_strings(keywords["labels"]) if "labels" in keywords else frozenset({"route"})
    in_flight = keywords.get("in_flight")
    families = [
        Metric(f"{prefix.value}_requests_total", "Counter", None if labels is None else labels | {"status"}),
        Metric(f"{prefix.value}_request_seconds", "Histogram", labels),
    ]
    if isinstance(in_flight, ast.Constant) and in_flight.value is True:
        families.append(Metric(f"{prefix.value}_requests_in_flight", "Gauge", frozenset()))
    return families


@cache
def exported_metrics() -> dict[str, Metric]:
    """Every metric family our packages declare (``Counter("name", ...)`` and friends, and the request metrics of
    each ``MetricNames``), by family name."""
    found: dict[str, Metric] = {}
    for path in sorted(REPO.glob("*/src/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            if (metric := _declaration(node)) is not None:
                found[metric.name] = metric
            found.update((family.name, family) for family in _request_metrics(node))
    return found


def exported_series() -> dict[str, Metric]:
    """Every series name our packages expose, mapped to its family."""
    return {series: metric for metric in exported_metrics().values() for series in metric.series()}


# ---------------------------------------------------------------- PromQL

_FUNCTION_OR_KEYWORD = frozenset(
    {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset"}
    | {"inf", "nan", "Inf", "NaN"}
)


def _strip_strings(expr: str) -> str:
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`", '""', expr)


def promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects."""
    text = _strip_strings(expr)
    text = re.sub(r"\$\{[^}]*\}|\$\w+", " ", text)  # Grafana variables ($__rate_interval, ${DS})
    text = re.sub(r"\{[^{}]*\}", " ", text)  # label matchers
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\boffset\s+-?[\dsmhdwy]+", " ", text)
    text = re.sub(r"(?<![\w:])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", " ", text)  # numbers
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        word = match.group()
        if word in _FUNCTION_OR_KEYWORD or re.match(r"\s*\(", text[match.end() :]):
            continue
        names.add(word)
    return names


def promql_label_names(expr: str) -> set[str]:
    """The label names an expression matches on or groups by (matchers, by/without/on/ignoring)."""
    text = _strip_strings(re.sub(r"\$\{[^}]*\}|\$\w+", " ", expr))
    labels = set()
    for block in re.findall(r"\{([^{}]*)\}", text):
        labels |= set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", block))
    for block in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text):
        labels |= {label.strip() for label in block.split(",") if label.strip()}
    return labels


def unknown_labels(expr: str) -> set[str]:
    """Labels an expression uses that none of its (our) metrics carries; empty when that cannot be told."""
    names = promql_metric_names(expr)
    if names & {"ALERTS", "ALERTS_FOR_STATE"}:
        return set()  # alert series carry the rules' own labels
    series = exported_series()
    allowed = set(TARGET_LABELS)
    for name in names:
        metric = series.get(name)
        if metric is None:
            continue
        if metric.labels is None:
            return set()
        allowed |= metric.labels
        if name.endswith("_bucket"):
            allowed.add("le")
    return promql_label_names(expr) - allowed
