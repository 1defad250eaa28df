"""Which repository, datasets, weights and licence the evidence layer reads for a model."""

from scoring.domain.card import front_matter
from scoring.domain.license_text import metadata_licence, text_licence
from scoring.domain.links import MAX_DATASETS, code_repository, linked_datasets
from scoring.domain.weights import weight_bytes


def test_the_models_own_repository_wins_over_library_links() -> None:
    card = "pip install git+https://github.com/huggingface/transformers\nCode: https://github.com/google-research/bert."
    assert code_repository(card, "bert-base-uncased") == "google-research/bert"


def test_a_deep_link_into_a_library_names_the_models_code() -> None:
    card = "See [here](https://github.com/huggingface/transformers/tree/main/examples/research_projects/distillation)"
    assert code_repository(card, "distilbert-base-uncased") == "huggingface/transformers"


def test_a_repository_sharing_a_word_with_the_model_name_is_preferred() -> None:
    card = "Built on github.com/rwightman/pytorch-image-models and github.com/google-research/vision_transformer.git"
    assert code_repository(card, "vit-base-patch16-224") == "rwightman/pytorch-image-models"
    assert code_repository(card, "vision transformer") == "google-research/vision_transformer"


def test_no_github_link_means_no_repository() -> None:
    assert code_repository("", "m") is None
    assert code_repository("https://github.com/huggingface/transformers", "m") is None


def test_datasets_come_from_metadata_then_links_without_repeats_and_capped() -> None:
    card = "Trained on https://huggingface.co/datasets/rajpurkar/squad and huggingface.co/datasets/bookcorpus."
    assert linked_datasets({"datasets": ["bookcorpus", "wikipedia"]}, card) == [
        "bookcorpus",
        "wikipedia",
        "rajpurkar/squad",
    ]
    assert linked_datasets({"datasets": "squad"}, "") == ["squad"]
    many = {"datasets": [f"d{i}" for i in range(20)]}
    assert len(linked_datasets(many, "")) == MAX_DATASETS


def test_one_copy_of_the_weights_counts_in_the_preferred_format() -> None:
    files = [
        ("model.safetensors", 440),
        ("pytorch_model.bin", 440),
        ("tf_model.h5", 536),
        ("onnx/model.onnx", 438),
        ("config.json", 1),
    ]
    assert weight_bytes(files) == ("safetensors", 440)


def test_sharded_weights_add_up_and_training_state_is_not_weights() -> None:
    files = [
        ("pytorch_model-00001-of-00002.bin", 100),
        ("pytorch_model-00002-of-00002.bin", 50),
        ("training_args.bin", 5),
        ("optimizer.pt", 300),
    ]
    assert weight_bytes(files) == ("pytorch", 150)


def test_no_weight_file_or_no_size_means_unknown() -> None:
    assert weight_bytes([("README.md", 10), ("config.json", 5)]) is None
    assert weight_bytes([("model.safetensors", None)]) is None


def test_the_metadata_licence_is_read_as_a_string_or_the_first_of_a_list() -> None:
    assert metadata_licence({"license": "mit"}) == "mit"
    assert metadata_licence({"license": ["", "apache-2.0"]}) == "apache-2.0"
    assert metadata_licence({"license": 3}) is None
    assert metadata_licence({}) is None


def test_a_licence_is_found_in_the_licence_section_or_a_licensed_under_sentence() -> None:
    assert text_licence("# Model\n## License\n\nThis model is released under the MIT License.") == "mit"
    assert text_licence("The weights are licensed under the Apache License, Version 2.0.") == "apache-2.0"
    assert text_licence("Released under CC BY-NC 4.0 terms.") is None  # no licence context
    assert text_licence("## Licence\nCC BY-NC 4.0") == "cc-by-nc-4.0"
    assert text_licence("We use MIT-licensed tools.") is None


def test_front_matter_is_read_from_cards_without_hub_metadata() -> None:
    assert front_matter("---\nlicense: mit\ndatasets: [a/b]\n---\n# Card") == {"license": "mit", "datasets": ["a/b"]}
    assert front_matter("# no metadata\n---\nlicense: mit\n---") == {}
    assert front_matter("---\n[not, a, mapping]\n---\n") == {}
    assert front_matter("---\nlicense: [unclosed\n---\n") == {}


def test_dot_segments_are_not_repository_names() -> None:
    assert code_repository("see github.com/acme/.. and github.com/./x", "m") is None
