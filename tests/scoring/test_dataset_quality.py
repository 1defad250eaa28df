from scoring.domain.dataset_quality import DatasetCard, card_quality, dataset_quality

FULL_TEXT = """# Dataset Card
## Dataset Summary
Short sentences.
## Dataset Structure
| text | label |
|---|---|
| hi | 1 |
## Dataset Creation
Scraped from forums.
## Bias, Risks and Limitations
English only.
## Citation
@misc{x}
"""
FULL = DatasetCard(FULL_TEXT, {"license": "cc-by-4.0", "size_categories": ["10K<n<100K"]})


def test_no_dataset_scores_zero() -> None:
    assert dataset_quality([]) == 0.0


def test_empty_card_scores_zero() -> None:
    assert card_quality(DatasetCard()) == 0.0


def test_fully_documented_card_scores_one() -> None:
    assert dataset_quality([FULL]) == 1.0


def test_score_is_the_mean_over_datasets() -> None:
    assert dataset_quality([FULL, DatasetCard()]) == 0.5


def test_licence_and_sections_each_add() -> None:
    bare = card_quality(DatasetCard("# Data\n## Summary\nstuff"))
    licensed = card_quality(DatasetCard("# Data\n## Summary\nstuff", {"license": "mit"}))
    assert 0.0 < bare < licensed < 1.0
