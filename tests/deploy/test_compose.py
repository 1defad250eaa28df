"""docker-compose.yml and deploy/ stay runnable: parsed, every command exists, every variable is read."""

import importlib.util
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

SETTINGS: dict[str, type[BaseSettings]] = {
    "catalog": CatalogSettings,
    "storage": StorageSettings,
    "lineage": LineageSettings,
    "scoring": ScoringSettings,
    "gateway": GatewaySettings,
}


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _env_names(settings: type[BaseSettings]) -> set[str]:
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add((alias if isinstance(alias, str) else name).upper())
    return names


def test_every_python_service_runs_a_module_that_exists() -> None:
    for name, service in _compose()["services"].items():
        command = service.get("command", [])
        if command[:2] == ["python", "-m"]:
            assert importlib.util.find_spec(command[2]) is not None, f"{name}: no module {command[2]}"


def test_every_environment_variable_is_one_the_process_reads() -> None:
    for name, service in _compose()["services"].items():
        command = service.get("command", [])
        if command[:2] != ["python", "-m"]:
            continue
        known = _env_names(SETTINGS[command[2]])
        unknown = set(service.get("environment", {})) - known
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_catalog_scales_out_and_uses_postgres() -> None:
    catalog = _compose()["services"]["catalog"]
    assert catalog["deploy"]["replicas"] >= 2
    assert catalog["environment"]["CATALOG_DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_dockerfile_copies_every_installed_package() -> None:
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    makefile = (REPO / "Makefile").read_text()
    packages_line = next(line for line in makefile.splitlines() if line.startswith("PACKAGES :="))
    for package in packages_line.split(":=")[1].split():
        assert f"COPY {package} ./{package}" in dockerfile
        assert Path(REPO / package / "pyproject.toml").exists()
