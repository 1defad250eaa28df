"""The client's own models stay in step with the OpenAPI document the registry serves: the same property names,
and nothing required by the client that the schema leaves optional (so every valid answer parses)."""

import urllib.request
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from registry_client import hooks, models
from tests.harness import RegistryStack

PAIRS: list[tuple[str, type[BaseModel]]] = [
    ("Artifact", models.Artifact),
    ("ArtifactMetadata", models.ArtifactMetadata),
    ("ArtifactData", models.ArtifactData),
    ("ArtifactQuery", models.ArtifactQuery),
    ("ModelRating", models.ModelRating),
    ("ArtifactLineageNode", models.LineageNode),
    ("ArtifactLineageEdge", models.LineageEdge),
    ("ArtifactLineageGraph", models.LineageGraph),
    ("ArtifactAuditEntry", models.AuditEntry),
    ("User", models.User),
    ("UserInfo", models.UserInfo),
    ("NewUser", models.NewUser),
    ("RatingReport", models.RatingReport),
    ("PackageView", models.PackageView),
    ("Webhook", hooks.Webhook),
    ("WebhookRequest", hooks.NewWebhook),
    ("WebhookDelivery", hooks.Delivery),
]

# Fields the registry sends that its schema does not describe (the client must accept them, extra="forbid"):
# the spec's ArtifactLineageNode requires `node` without listing it; PackageView files carry `status`.
UNDESCRIBED = {"ArtifactLineageNode": {"node"}, "PackageView.files": {"status"}}


@pytest.fixture(scope="module")
def schemas(client_registry: RegistryStack) -> dict[str, Any]:
    with urllib.request.urlopen(f"{client_registry.base_url}/openapi.yaml", timeout=10) as response:
        document: dict[str, Any] = yaml.safe_load(response.read())
    return dict(document["components"]["schemas"])


@pytest.mark.parametrize(("schema", "model"), PAIRS, ids=[name for name, _ in PAIRS])
def test_a_model_has_the_properties_of_its_schema(schemas: dict[str, Any], schema: str, model: type[BaseModel]) -> None:
    served = schemas[schema]
    assert set(model.model_fields) - UNDESCRIBED.get(schema, set()) == set(served["properties"])
    required_by_client = {name for name, field in model.model_fields.items() if field.is_required()}
    assert required_by_client <= set(served.get("required", [])), "the client would refuse a valid answer"


def test_package_view_nested_objects_match(schemas: dict[str, Any]) -> None:
    view = schemas["PackageView"]["properties"]
    assert set(models.PackageStatus.model_fields) == set(view["status"]["properties"])
    files = set(models.PackageFile.model_fields) - UNDESCRIBED["PackageView.files"]
    assert files == set(view["files"]["items"]["properties"])
    assert set(models.PackageArchive.model_fields) == set(view["archives"]["items"]["properties"])
