"""The client workload: every recorded fixture artifact (13 models, 7 datasets, 10 code repositories) registered,
then lineage, cost (at once, from the sizes planned at ingest) and licence answers for each."""

from tests.api import Api

HF = "https://huggingface.co"
MODELS = [
    "google-bert/bert-base-uncased", "microsoft/resnet-50", "crangana/trained-gender",
    "onnx-community/trained-gender-ONNX", "openai/whisper-tiny", "vikhyatk/moondream2", "microsoft/git-base",
    "distilbert-base-uncased-distilled-squad", "openai-community/gpt2", "sentence-transformers/all-MiniLM-L6-v2",
    "google/vit-base-patch16-224", "sshleifer/tiny-gpt2", "ybelkada/opt-350m-lora",
]  # fmt: skip
DATASETS = [
    "bookcorpus/bookcorpus", "rajpurkar/squad", "ILSVRC/imagenet-1k", "stanfordnlp/imdb", "nyu-mll/glue",
    "lerobot/pusht", "openslr/librispeech_asr",
]  # fmt: skip
CODE = [
    "google-research/bert", "openai/whisper", "huggingface/lerobot", "huggingface/transformers", "pytorch/vision",
    "microsoft/GenerativeImage2Text", "vikhyat/moondream", "rajpurkar/SQuAD-explorer", "soskek/bookcorpus",
    "huggingface/peft",
]  # fmt: skip
# Parents each model's metadata names that are among the fixtures (all registered here).
# (config.json / card base_model, card datasets by owner-less name, GitHub links in the card.)
EXPECTED_PARENTS = {
    "crangana/trained-gender": {"microsoft/resnet-50"},
    "onnx-community/trained-gender-ONNX": {"crangana/trained-gender"},
    "google-bert/bert-base-uncased": {"bookcorpus/bookcorpus", "google-research/bert"},
    "distilbert-base-uncased-distilled-squad": {"rajpurkar/squad", "huggingface/transformers"},
    "microsoft/resnet-50": {"ILSVRC/imagenet-1k"},
    "google/vit-base-patch16-224": {"ILSVRC/imagenet-1k"},
    "microsoft/git-base": {"microsoft/GenerativeImage2Text"},
    "openai/whisper-tiny": {"openai/whisper"},
    "vikhyatk/moondream2": {"vikhyat/moondream"},
}
# The licence check of bert-base-uncased (Apache-2.0) against each code repository, from the mirror's repo.json:
# Apache-2.0, MIT and BSD-3-Clause are compatible; rajpurkar/SQuAD-explorer states no licence, so it is not.
LICENCE_COMPATIBLE = {repo: repo != "rajpurkar/SQuAD-explorer" for repo in CODE}


async def test_every_fixture_artifact_gets_lineage_cost_and_licence_answers(api: Api) -> None:
    ids: dict[str, str] = {}
    kinds = [("model", f"{HF}/{m}", m) for m in MODELS] + [("dataset", f"{HF}/datasets/{d}", d) for d in DATASETS]
    kinds += [("code", f"https://github.com/{c}", c) for c in CODE]
    for artifact_type, url, key in kinds:
        reply = await api.register(artifact_type, url)
        assert reply.status == 201, (url, reply.body)
        ids[key] = reply.body["metadata"]["id"]
    by_id = {v: k for k, v in ids.items()}
    for model in MODELS:
        graph = await api.call("GET", f"/artifact/model/{ids[model]}/lineage")
        assert graph.status == 200, (model, graph.body)
        parents = {
            by_id[e["from_node_artifact_id"]] for e in graph.body["edges"] if e["to_node_artifact_id"] == ids[model]
        }
        assert parents == EXPECTED_PARENTS.get(model, set()), model
        assert all(isinstance(n["metadata"], dict) for n in graph.body["nodes"])
    for artifact_type, _, key in kinds:  # right after ingest, whatever the copies are doing
        cost = await api.call("GET", f"/artifact/{artifact_type}/{ids[key]}/cost?dependency=true")
        assert cost.status == 200, (key, cost.body)
        assert cost.body[ids[key]]["total_cost"] >= cost.body[ids[key]]["standalone_cost"] > 0, key
    for repo in CODE:
        check = await api.call(
            "POST", f"/artifact/model/{ids['google-bert/bert-base-uncased']}/license-check",
            json_body={"github_url": f"https://github.com/{repo}"},
        )  # fmt: skip
        assert check.status == 200, (repo, check.body)
        assert check.body is LICENCE_COMPATIBLE[repo], (repo, check.body)
