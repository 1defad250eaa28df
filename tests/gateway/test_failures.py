"""5xx answers: a generic message per status, the rating's failed metrics kept, nothing else of the detail."""

import pytest

from gateway.failures import GENERIC, LOGS, METRICS, public_message, uncomputed_metrics

S3_DOWN = "Artifact storage is unavailable: Could not connect to the endpoint URL: http://10.0.0.7:8333/registry"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 507])
def test_every_server_error_gets_the_generic_message_of_its_status(status: int) -> None:
    message = public_message(status, S3_DOWN)
    assert message == f"{GENERIC[status]} {LOGS}"
    assert "http" not in message and "10.0.0.7" not in message


def test_an_unlisted_server_error_reads_as_a_500() -> None:
    assert public_message(599, "anything").startswith(GENERIC[500])


def test_the_502_names_the_hub_and_github() -> None:
    assert GENERIC[502] == "An upstream service (Hugging Face or GitHub) could not be reached."


def test_metrics_that_could_not_be_computed_are_named_and_nothing_else() -> None:
    detail = (
        "Rating failed: could not compute bus_factor, code_quality (bus_factor: GitHub answered 500 for "
        "https://api.github.com/repos/o/r; code_quality: Traceback (most recent call last) ...)."
    )
    message = public_message(500, detail)
    assert message.startswith(GENERIC[500])
    assert "Rating metrics that could not be computed: bus_factor, code_quality." in message
    assert "github.com" not in message and "Traceback" not in message


def test_only_the_specs_metric_names_survive() -> None:
    assert uncomputed_metrics("could not compute all (budget)") == []
    assert uncomputed_metrics("could not compute license, evil_secret_name (x)") == ["license"]
    assert uncomputed_metrics("Upstream lookup failed: boom") == []
    assert {"license", "bus_factor", "size_score", "tree_score", "net_score"} <= METRICS
