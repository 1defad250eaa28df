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
