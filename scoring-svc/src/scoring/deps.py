"""What the use cases are handed: the ports and the policy values, wired in ``service.py``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from scoring.domain.net_score import DEFAULT_WEIGHTS, Weights
from scoring.domain.quality_gate import DEFAULT_GATED, DEFAULT_THRESHOLD
from scoring.evidence.sources import Sources
from scoring.ports import NoObserver, RatingObserver, RatingStore
from svckit.clock import utc_now


@dataclass(frozen=True)
class GatePolicy:
    """The ingest quality gate: on/off, the threshold, and which metrics it may look at."""

    enabled: bool = True
    threshold: float = DEFAULT_THRESHOLD
    metrics: tuple[str, ...] = DEFAULT_GATED


@dataclass(frozen=True)
class PicklePolicy:
    """The model-file security scan's refusal at ingest: on/off (independent of the quality gate's ``enabled``),
    and whether a file that could not be scanned refuses the model too."""

    gate: bool = True
    refuse_unscanned: bool = False


@dataclass(frozen=True)
class Policy:
    """Tunable parts of the rating."""

    gate: GatePolicy = field(default_factory=GatePolicy)
    pickles: PicklePolicy = field(default_factory=PicklePolicy)
    weights: Weights = DEFAULT_WEIGHTS
    # Below the catalog's wait (SCORING_TIMEOUT, 90 s), so a rating never lands after the catalog gave up on it.
    rating_seconds: float = 75.0


@dataclass
class Deps:
    """Ports and policy for one scoring replica."""

    store: RatingStore
    sources: Sources
    policy: Policy = field(default_factory=Policy)
    observer: RatingObserver = field(default_factory=NoObserver)
    clock: Callable[[], datetime] = utc_now
