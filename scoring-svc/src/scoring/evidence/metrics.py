"""Each metric of the rating as a function of the shared ``Evidence``: its score, whether the quality gate
applies to it for this model, and a one-line explanation. The formulas live in ``scoring.domain``."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from scoring.domain.bus_factor import ContributorCommits, bus_factor, key_people
from scoring.domain.code_quality import code_quality
from scoring.domain.dataset_and_code import DatasetAndCodeInput, dataset_and_code_score
from scoring.domain.dataset_quality import dataset_quality
from scoring.domain.license_score import LicenseInput, license_score
from scoring.domain.license_text import metadata_licence, text_licence
from scoring.domain.performance_claims import ClaimsInput, performance_claims
from scoring.domain.ramp_up import CardText, ramp_up_time
from scoring.domain.reproducibility import reproducibility
from scoring.domain.reviewedness import ReviewInput, reviewedness
from scoring.domain.size_score import SizeInput, SizeScore, size_score
from scoring.domain.weights import weight_bytes
from scoring.evidence.reproduction import reproduce
from scoring.evidence.sources import Evidence

NO_REPOSITORY: Final = "the card links no GitHub repository of the model's code"


@dataclass(frozen=True)
class Measured:
    """A metric's value for one model (``size`` only for size_score), gate applicability and explanation."""

    score: float
    applicable: bool
    detail: str
    size: SizeScore | None = None
    license_id: str | None = None


async def measure_ramp_up(ev: Evidence) -> Measured:
    """ramp_up_time from the card's markdown."""
    card = await ev.card()
    return Measured(ramp_up_time(CardText(card)), True, f"card of {len(card.split())} words")


async def measure_performance_claims(ev: Evidence) -> Measured:
    """performance_claims from the card's model-index, tables and citations."""
    score = performance_claims(ClaimsInput(card_data=await ev.card_data(), text=await ev.card()))
    return Measured(score, True, "model-index results, benchmark tables and citations in the card")


async def measure_license(ev: Evidence) -> Measured:
    """license from the card metadata, else the card text (parent inheritance is applied by the use case)."""
    stated = metadata_licence(await ev.card_data())
    if stated is not None:
        return Measured(license_score(LicenseInput(stated)), True, f"{stated} in the card metadata", license_id=stated)
    found = text_licence(await ev.card())
    if found is not None:
        score = license_score(LicenseInput(found, in_metadata=False))
        return Measured(score, True, f"{found} named in the card text only", license_id=found)
    return Measured(0.0, True, "no licence stated")


async def measure_bus_factor(ev: Evidence) -> Measured:
    """bus_factor from the repository's contributors."""
    repo = await ev.repository()
    if repo is None:
        return Measured(0.0, False, NO_REPOSITORY)
    counts = await ev.contributions()
    people = key_people(counts)
    return Measured(bus_factor(ContributorCommits(counts)), True, f"{repo}: {people} of {len(counts)} make half")


async def measure_code_quality(ev: Evidence) -> Measured:
    """code_quality from static inspection of the repository's archive."""
    inspection = await ev.inspection()
    if inspection is None:
        return Measured(0.0, False, NO_REPOSITORY)
    facts = inspection.facts
    detail = (
        f"tests={facts.has_tests} ci={facts.has_ci} readme={facts.has_readme} packaging={facts.has_packaging} "
        f"ruff issues={facts.lint_issues} in {facts.python_lines} Python lines"
    )
    return Measured(code_quality(facts), True, detail)


async def measure_reviewedness(ev: Evidence) -> Measured:
    """reviewedness from the repository's merged pull requests and its size."""
    inspection = await ev.inspection()
    if inspection is None:
        return Measured(0.0, False, NO_REPOSITORY)
    pulls = await ev.pulls()
    reviewed = sum(1 for pr in pulls if pr.had_review)
    score = reviewedness(ReviewInput(pull_requests=pulls, total_lines=inspection.total_lines))
    detail = f"{reviewed} of {len(pulls)} recent merged pull requests reviewed; {inspection.total_lines} lines of code"
    return Measured(score, True, detail)


async def measure_dataset_quality(ev: Evidence) -> Measured:
    """dataset_quality from the linked datasets' cards."""
    linked = await ev.datasets()
    cards = [dataset.card for dataset in linked if dataset.card is not None]
    if not linked:
        return Measured(0.0, False, "the card links no dataset")
    names = ", ".join(dataset.repo_id for dataset in linked)
    return Measured(dataset_quality(cards), True, f"{len(cards)} of {len(linked)} dataset cards found ({names})")


async def measure_dataset_and_code(ev: Evidence) -> Measured:
    """dataset_and_code_score from whether data and code are linked and documented."""
    linked = await ev.datasets()
    inspection = await ev.inspection()
    facts = DatasetAndCodeInput(
        dataset_linked=any(d.card is not None for d in linked),
        dataset_documented=any(d.card is not None and d.card.text.strip() for d in linked),
        code_linked=inspection is not None,
        code_documented=inspection is not None and inspection.facts.has_readme,
    )
    detail = f"dataset linked={facts.dataset_linked} documented={facts.dataset_documented}; " + (
        f"code linked={facts.code_linked} documented={facts.code_documented}"
    )
    return Measured(dataset_and_code_score(facts), True, detail)


async def measure_reproducibility(ev: Evidence) -> Measured:
    """reproducibility by running the card's example in the sandbox."""
    outcome = await reproduce(await ev.card(), ev.sandbox, ev.offline_model)
    return Measured(reproducibility(outcome.outcome), outcome.applicable, f"{outcome.outcome.value}: {outcome.detail}")


async def measure_size(ev: Evidence) -> Measured:
    """size_score from the bytes of one copy of the weights."""
    found = weight_bytes(await ev.weights())
    if found is None:
        return Measured(0.0, False, "no weight files found", size=size_score(SizeInput(None)))
    fmt, total = found
    scores = size_score(SizeInput(total))
    return Measured(scores.mean(), False, f"{total} bytes of {fmt} weights", size=scores)


MetricFunction = Callable[[Evidence], Awaitable[Measured]]
# The metrics computed from evidence alone, concurrently; tree_score and net_score follow from these.
INDEPENDENT: Final[dict[str, MetricFunction]] = {
    "ramp_up_time": measure_ramp_up,
    "bus_factor": measure_bus_factor,
    "performance_claims": measure_performance_claims,
    "license": measure_license,
    "dataset_and_code_score": measure_dataset_and_code,
    "dataset_quality": measure_dataset_quality,
    "code_quality": measure_code_quality,
    "reproducibility": measure_reproducibility,
    "reviewedness": measure_reviewedness,
    "size_score": measure_size,
}
