"""Our OpenAPI document: the spec untouched, additions merged, every route documented."""

import re

import yaml

from gateway.handlers.docs import build_document
from gateway.routes import TABLE


def test_every_route_is_in_the_document_under_its_operation_id() -> None:
    document = yaml.safe_load(build_document())
    operations = {
        (method.upper(), path): item.get("operationId")
        for path, methods in document["paths"].items()
        for method, item in methods.items()
        if isinstance(item, dict)
    }
    for method, route, name, *_ in TABLE:
        if route.startswith("/docs/static"):
            continue
        path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route)
        assert (method, path) in operations, f"{method} {path} is not documented"
        if operations[(method, path)] is not None:
            assert operations[(method, path)] == name


def test_additions_only_add() -> None:
    document = yaml.safe_load(build_document())
    assert document["components"]["schemas"]["ModelRating"]["required"][0] == "name"
    assert {"UserInfo", "NewUser", "Permission", "Error"} <= set(document["components"]["schemas"])


def test_throttled_sign_ins_and_busy_searches_are_documented_beside_the_specs_answers() -> None:
    document = yaml.safe_load(build_document())
    sign_in = document["paths"]["/authenticate"]["put"]["responses"]
    assert {"200", "400", "401", "501", "429"} <= set(sign_in)
    assert sign_in["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert sign_in["401"]["description"] == "The user or password is invalid."
    assert "503" in document["paths"]["/artifact/byRegEx"]["post"]["responses"]
    assert "spec_responses" not in document


def test_malformed_health_parameters_are_documented_as_400() -> None:
    answers = yaml.safe_load(build_document())["paths"]["/health/components"]["get"]["responses"]
    assert answers["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "200" in answers
