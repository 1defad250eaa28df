"""The route table leads from an operationId to its use case in two hops: the subject it names is the one its handler
sends, and that subject is bound in exactly one service's endpoint table (``tests/test_wiring.py``)."""

import inspect
import re

import pytest

from contracts import subjects
from gateway.routes import TABLE

CONSTANTS = {value: name for name, value in vars(subjects).items() if name.isupper() and isinstance(value, str)}


def _source(handler: object) -> str:
    """The handler's source and that of the helpers of its module it calls."""
    source = inspect.getsource(handler)  # type: ignore[arg-type]
    module = inspect.getmodule(handler)
    helpers = [f for n, f in vars(module).items() if inspect.isfunction(f) and n.startswith("_") and f"{n}(" in source]
    return "\n".join([source, *(inspect.getsource(helper) for helper in helpers)])


@pytest.mark.parametrize(("operation", "handler", "subject"), [(r[2], r[3], r[5]) for r in TABLE if r[5]])
def test_the_subject_a_route_names_is_the_one_its_handler_sends(operation: str, handler: object, subject: str) -> None:
    source = _source(handler)
    if subject == subjects.CATALOG_RESET:  # the reset goes to every resettable service's reset subject
        assert "subjects.reset_subject(" in source and "RESETTABLE_SERVICES" in source
        return
    assert f"subjects.{CONSTANTS[subject]}," in source, f"{operation}'s handler does not send {subject}"
    sent = {name for value, name in CONSTANTS.items() if f"subjects.{name}," in source and "." in value}
    assert sent <= {CONSTANTS[subject], "AUDIT_RATE"}, f"{operation} also sends {sent}"  # a rating read is audited


def test_a_route_without_a_subject_sends_nothing_on_the_bus() -> None:
    for _method, _path, operation, handler, _permission, subject in TABLE:
        if subject is None:
            source = _source(handler)
            assert ".call(subjects." not in source and "subjects.reset_subject" not in source, operation


def stem(operation: str) -> str:
    """The snake-case stem of an operationId (``ArtifactByRegExGet`` → ``artifact_by_regex_get``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation.replace("RegEx", "Regex")).lower()


def test_each_handler_is_named_after_its_operation_so_grep_finds_it() -> None:
    misnamed = {
        operation: handler.__name__ for _m, _p, operation, handler, *_ in TABLE if handler.__name__ != stem(operation)
    }
    assert not misnamed
