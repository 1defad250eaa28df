from scoring.domain.ramp_up import CardText, ramp_up_time

GOOD_CARD = """---
license: apache-2.0
---
# Tiny BERT

A small encoder, see https://example.org/docs for the full documentation.

## Installation

```bash
pip install transformers
```

## Quick start

```python
from transformers import pipeline
classifier = pipeline("text-classification", model="acme/tiny-bert")
```

## Usage

```python
print(classifier("hello"))
```

## Limitations

Trained on English only.
"""


def test_empty_card_scores_zero() -> None:
    assert ramp_up_time(CardText("")) == 0.0
    assert ramp_up_time(CardText("   \n")) == 0.0


def test_front_matter_alone_scores_zero() -> None:
    assert ramp_up_time(CardText("---\nlicense: mit\ntags: [a, b]\n---\n")) == 0.0


def test_documented_card_outranks_a_bare_one() -> None:
    bare = ramp_up_time(CardText("A model."))
    good = ramp_up_time(CardText(GOOD_CARD))
    assert 0.0 < bare < 0.2
    assert good > 0.7
    assert good <= 1.0


def test_install_instructions_raise_the_score() -> None:
    base = "# Model\n\nIt classifies text.\n"
    assert ramp_up_time(CardText(base + "\npip install acme\n")) > ramp_up_time(CardText(base))


def test_more_code_blocks_raise_the_score_with_diminishing_returns() -> None:
    block = "```python\nimport acme\n```\n"
    one, two, ten = (ramp_up_time(CardText("# M\n" + block * n)) for n in (1, 2, 10))
    assert one < two < ten
    assert (two - one) > (ten - two) / 8


def test_length_alone_never_reaches_a_good_score() -> None:
    wall = ramp_up_time(CardText("word " * 100_000))
    assert wall <= 0.1
    assert 0.0 <= wall <= 1.0
