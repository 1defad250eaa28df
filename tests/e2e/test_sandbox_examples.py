"""Card examples end to end: a model whose card's example loads its weights gets reproducibility from really running
it, in scoring-svc's sandbox, offline, against the copy of the model's files made for it.

``acme-research/bow-sentiment-tiny`` (tests/fixtures/upstream) is a made-up 352-byte safetensors classifier whose
example reads its config and weights with ``hf_hub_download`` and the standard library, so the registry's own
interpreter can run it. The sandbox has no network: the example succeeds only if the offline copy is mounted where
huggingface_hub looks, with the bytes the Hub published.
"""

import pytest

from tests.api import Api
from tests.e2e.test_fixture_catalogue import HF

pytestmark = pytest.mark.any_backend  # nothing here depends on the database

TINY = "acme-research/bow-sentiment-tiny"


async def test_a_card_example_that_loads_the_model_runs_against_the_offline_copy(api: Api) -> None:
    reply = await api.register("model", f"{HF}/{TINY}")
    assert reply.status == 201, reply.body
    model = reply.body["metadata"]["id"]
    rating = await api.call("GET", f"/artifact/model/{model}/rate")
    assert rating.status == 200, rating.body
    assert rating.body["reproducibility"] == 1.0
    report = await api.call("GET", f"/artifact/model/{model}/rate/report")
    note = next(note for note in report.body["notes"] if note["metric"] == "reproducibility")
    assert note["applicable"] and note["detail"].startswith("ran_unchanged: the example ran unchanged in ")


async def test_an_example_whose_libraries_are_missing_is_not_held_against_the_model(api: Api) -> None:
    reply = await api.register("model", f"{HF}/google-bert/bert-base-uncased")
    assert reply.status == 201, reply.body
    report = await api.call("GET", f"/artifact/model/{reply.body['metadata']['id']}/rate/report")
    note = next(note for note in report.body["notes"] if note["metric"] == "reproducibility")
    assert note == {
        "metric": "reproducibility",
        "score": 0.0,
        "applicable": False,
        "detail": "failed: needs transformers, not installed in the sandbox",
    }
