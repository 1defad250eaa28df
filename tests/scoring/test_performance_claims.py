from scoring.domain.performance_claims import ClaimsInput, performance_claims

MODEL_INDEX = {
    "model-index": [
        {
            "name": "tiny",
            "results": [
                {"task": {"type": "text-classification"}, "metrics": [{"type": "accuracy", "value": 0.91}]},
                {"metrics": [{"type": "f1", "value": 88.2}, {"type": "em", "value": 80}]},
            ],
        }
    ]
}
TABLE = """| benchmark | score |
|---|---|
| GLUE | 81.2 |
| SQuAD | 88.5% |
"""


def test_nothing_scores_zero() -> None:
    assert performance_claims(ClaimsInput()) == 0.0
    assert performance_claims(ClaimsInput({"license": "mit"}, "We think it is great.")) == 0.0


def test_model_index_values_count() -> None:
    score = performance_claims(ClaimsInput(MODEL_INDEX))
    assert 0.3 < score <= 0.5


def test_benchmark_table_counts_but_header_and_separator_do_not() -> None:
    assert performance_claims(ClaimsInput(text=TABLE)) > 0.0
    assert performance_claims(ClaimsInput(text="| a | b |\n|---|---|\n| x | y |\n")) == 0.0


def test_arxiv_citation_counts() -> None:
    assert performance_claims(ClaimsInput(text="See https://arxiv.org/abs/1810.04805.")) == 0.2


def test_all_evidence_outranks_partial_evidence() -> None:
    full = performance_claims(ClaimsInput(MODEL_INDEX, TABLE + "\narXiv:1810.04805"))
    partial = performance_claims(ClaimsInput(MODEL_INDEX))
    assert partial < full <= 1.0


def test_malformed_model_index_is_ignored() -> None:
    broken = {
        "model-index": [{"results": "oops"}, "x", {"results": [{"metrics": [{"value": "high"}, {"value": True}]}]}]
    }
    assert performance_claims(ClaimsInput(broken)) == 0.0
    assert performance_claims(ClaimsInput({"model-index": "nope"})) == 0.0
