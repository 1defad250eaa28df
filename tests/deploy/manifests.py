"""Readers for docker-compose.yml and deploy/, and what each of our processes runs and reads, shared by the deploy
tests.

Pure parsing: no network, no Docker. The nginx configuration is read by ``tests.deploy.nginx``, metrics and PromQL
by ``tests.deploy.promql``.
"""

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
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
